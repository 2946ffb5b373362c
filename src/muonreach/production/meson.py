"""Three-body meson decays M -> l+ nu X with a new boson X: the Dalitz-plot engine, the K+ -> l nu X amplitudes
and the rates and spectra built from them.

Sources: Krnjaic, Marques-Tavares, Redigolo, Tobioka, arXiv:1902.07715 (excerpted in 004_7de0b22078876a0d.txt,
App. A, catalogued in notes-004-part1.md S28 and notes-004-part2.md S1). Labels of (A.3): K+(P) -> l+(k) nu(q)
X(l). Dalitz variables (A.4): m12^2 = s = (l + q)^2 (X nu), m23^2 = t = (l + k)^2 (X lepton); the missing mass
of eq. (10) is m_miss^2 = (P - k)^2 = s.

* :func:`three_body_width` (eq. (A.4)): Gamma = 1/(256 pi^3 M^3) int |M|^2 ds dt, summed over spins and
  polarisations, on the physical region of (A.5)-(A.6). Gauss-Legendre in ln(s - s_pole) and ln(t - t_pole)
  (the amplitudes have 1/s, 1/s^2 and 1/(t - m_l^2)^2 poles just outside the region); orders checked against
  adaptive quadrature and closed forms in tests/test_meson_decay.py.
* Two-body normalisation (eq. (A.1) with its erratum, DESIGN.md): Gamma(K+ -> l+ nu) = m_K lambda_l^2/(32 pi)
  (1 - m_l^2/m_K^2)^2, lambda_l = 2 G_F f_K m_l V_us (eq. (A.2); 8.6e-8 for the muon with f_K = 155.7 MeV).
  The printed 1/(2 pi) would give BR(K -> mu nu) ~ 10; 1/(32 pi) is the standard width, G_F^2 f_K^2 |V_us|^2 m_l^2
  m_K (1 - m_l^2/m_K^2)^2/(8 pi).
* Amplitudes (per unit coupling, in units of lambda_mu^2), from L = c d_a K- nubar gamma^a P_L l + h.c. with
  c^2 = lambda_l^2/(2 m_l^2) (eq. (8)):

  - :func:`vector_conserved_msq`: eq. (A.7), a vector coupled with equal strength to mu (vector current) and
    nu_mu (left-handed), as the L_mu - L_tau Z' is: emission off both lines, current conserved (l.M = 0), so the
    polarisation sum -g + l l/m_V^2 needs no longitudinal term. The bracket's leading constant is +2 (notes S28);
  - :func:`vector_msq`: any couplings g_mu (vector, to the muon) and g_nu (to nu_L), e.g. a muon-only vector
    (g_nu = 0): the same two diagrams, Dirac traces evaluated numerically with explicit matrices (exact at each
    phase-space point). Then l.M = (g_nu - g_mu) c ubar(q) Pslash P_L v(k) and the longitudinal polarisation adds
    (g_mu - g_nu)^2 c^2 2 [2 (q.P)(k.P) - m_K^2 (q.k)]/m_V^2: the 1/m_V^2 growth of the rate of a vector coupled to
    a current the kaon decay does not conserve (:func:`longitudinal_msq`). For g_mu = g_nu it equals (A.7);
  - :func:`scalar_msq`: eq. (A.8), a scalar coupled to muons (y phi mubar mu), emission off the muon, with the
    erratum m_phi^2 (m23^4 - m_mu^2 m_K^2) (the printed m23^2 is not dimensionally consistent; DESIGN.md);
  - :func:`emu_scalar_msq`: K+ -> e+ nu_mu phi for the e-mu scalar of 001 eq. (2), -h ebar_L mu_R phi + h.c.,
    derived here: the K vertex makes a virtual mu+ which turns into e+ phi. Between the two left projectors only
    the muon-mass term of the propagator survives, M = c h m_mu ubar(q) Pslash P_L v(k)/(t - m_mu^2), so
    |M|^2 = lambda_mu^2 h^2 [2 (q.P)(k.P) - m_K^2 (q.k)]/(t - m_mu^2)^2 with t = (k + l)^2. Valid for
    m_phi > m_mu - m_e; below, the muon goes on shell (K -> mu nu, then mu -> e phi far away: the two-body muon
    decay of models/emu_scalar.py), and the three-body formula does not apply.

Emission off the kaon needs a coupling to quarks or photons: for the L_mu - L_tau Z' its loop-induced kinetic
mixing eps ~ g/67 gives an amplitude suppressed by e/67 ~ 5e-3 against the lepton lines (1902.07715 neglects it;
so does this module). Valid at tree level; the m_X -> 0 logarithms of the conserved vector (soft and collinear
emission off the massless neutrino, regulated by m_X) are not resummed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from ..errors import InvalidParameter, KinematicallyForbidden, UnknownName
from ..units import HBAR_GEV_S

Array = NDArray[np.float64]
MatrixElement = Callable[[Array, Array], Array]

#: Gauss-Legendre orders in ln(s - s_pole) and ln(t - t_pole): against 4x the nodes in each variable the shipped
#: amplitudes integrate to < 1e-4 (mostly < 2e-5) for 1 MeV <= m_X <= 380 MeV (tests/test_meson_decay.py).
N_S: int = 48
N_T: int = 32


@dataclass(frozen=True)
class Meson:
    """A decaying pseudoscalar meson: mass (GeV), lifetime (s), two-body leptonic branching ratios (PDG)."""

    name: str
    mass: float
    lifetime_s: float
    br_lnu: dict[str, float]

    @property
    def width(self) -> float:
        """Total width in GeV."""
        return HBAR_GEV_S / self.lifetime_s


MESONS: dict[str, Meson] = {
    "K+": Meson("K+", c.M_K_CHARGED, c.TAU_K_CHARGED_S, {"mu": c.BR_K_MU_NU, "e": c.BR_K_E_NU}),
}
#: Lepton flavours of M -> l nu X.
DECAY_LEPTONS: tuple[str, ...] = ("mu", "e")


def get_meson(name: str) -> Meson:
    """A meson of :data:`MESONS` by name; UnknownName otherwise."""
    if name not in MESONS:
        raise UnknownName(f"unknown meson {name!r}; known: {', '.join(sorted(MESONS))}")
    return MESONS[name]


def _lepton_mass(lepton: str) -> float:
    if lepton not in DECAY_LEPTONS:
        raise InvalidParameter(f"decay lepton must be one of {', '.join(DECAY_LEPTONS)}, got {lepton!r}")
    return c.LEPTON_MASSES[lepton]


def lambda_lepton(lepton: str, f_k: float = c.F_K, v_us: float = c.V_US) -> float:
    """lambda_l = 2 G_F f_K m_l V_us (1902.07715 eq. (A.2), 004 S28): 8.6e-8 for the muon (the paper: ~8.7e-8)."""
    return 2.0 * c.G_F * f_k * _lepton_mass(lepton) * v_us


def two_body_width(lepton: str, meson: str = "K+", f_k: float = c.F_K, v_us: float = c.V_US) -> float:
    """Gamma(K+ -> l+ nu) = m_K lambda_l^2/(32 pi) (1 - m_l^2/m_K^2)^2 in GeV (eq. (A.1) with the 1/(32 pi) erratum)."""
    m_k = get_meson(meson).mass
    r = _lepton_mass(lepton) ** 2 / m_k**2
    return m_k * lambda_lepton(lepton, f_k, v_us) ** 2 / (32.0 * math.pi) * (1.0 - r) ** 2


# --- Dalitz plot -------------------------------------------------------------------------------------------------


def t_limits(m_parent: float, m1: float, m2: float, m3: float, s: Array) -> tuple[Array, Array]:
    """(m23^2)_min, max at m12^2 = s (eqs. (A.5)-(A.6), the PDG Dalitz limits), particles 1, 2, 3 of masses m1..m3."""
    s = np.asarray(s, dtype=float)
    m12 = np.sqrt(s)
    e2 = (s - m1**2 + m2**2) / (2.0 * m12)
    e3 = (m_parent**2 - s - m3**2) / (2.0 * m12)
    p2 = np.sqrt(np.maximum(e2**2 - m2**2, 0.0))
    p3 = np.sqrt(np.maximum(e3**2 - m3**2, 0.0))
    return (e2 + e3) ** 2 - (p2 + p3) ** 2, (e2 + e3) ** 2 - (p2 - p3) ** 2


def _gl(n: int, lo: float | Array, hi: float | Array) -> tuple[Array, Array]:
    x, w = np.polynomial.legendre.leggauss(n)
    lo, hi = np.asarray(lo, dtype=float)[..., None], np.asarray(hi, dtype=float)[..., None]
    return 0.5 * (hi + lo) + 0.5 * (hi - lo) * x, 0.5 * (hi - lo) * w


def s_nodes(s_lo: float, s_hi: float, s_pole: float, n: int = N_S) -> tuple[Array, Array]:
    """Gauss-Legendre nodes and weights (ds) in ln(s - s_pole) on [s_lo, s_hi], s_pole < s_lo."""
    u, w = _gl(n, math.log(s_lo - s_pole), math.log(s_hi - s_pole))
    x = np.exp(u)
    return s_pole + x, w * x


def t_nodes(t_lo: Array, t_hi: Array, t_pole: float, n: int = N_T) -> tuple[Array, Array]:
    """Gauss-Legendre nodes and weights (dt) in ln(t - t_pole) on [t_lo, t_hi] per row (shape (..., n))."""
    u, w = _gl(n, np.log(t_lo - t_pole), np.log(t_hi - t_pole))
    x = np.exp(u)
    return t_pole + x, w * x


@dataclass(frozen=True)
class DalitzNodes:
    """Quadrature nodes of the Dalitz plot: s (n_s,), t and weights ds dt (n_s, n_t)."""

    s: Array
    t: Array
    weight: Array


def dalitz_nodes(m_parent: float, masses: tuple[float, float, float], s_range: tuple[float, float] | None = None,
                 poles: tuple[float, float] | None = None, n_s: int = N_S, n_t: int = N_T) -> DalitzNodes:
    """Nodes covering the physical region (or the band s_range of it); poles = (s_pole, t_pole) of the log maps,
    default just below the region's edges (m1 + m2)^2 and (m2 + m3)^2 minus a little."""
    m1, m2, m3 = masses
    if m1 + m2 + m3 >= m_parent:
        raise KinematicallyForbidden(f"{m_parent:g} GeV cannot decay to masses {m1:g} + {m2:g} + {m3:g} GeV")
    s_min, s_max = (m1 + m2) ** 2, (m_parent - m3) ** 2
    lo, hi = (s_min, s_max) if s_range is None else (max(s_range[0], s_min), min(s_range[1], s_max))
    if not lo < hi:
        raise KinematicallyForbidden(f"the s window [{s_range[0]:g}, {s_range[1]:g}] GeV^2 misses the Dalitz region "  # type: ignore[index]
                                     f"[{s_min:g}, {s_max:g}] GeV^2")
    s_pole, t_pole = poles if poles is not None else (min(s_min, lo) - 1e-9 * s_max, (m2 + m3) ** 2 - 1e-9 * s_max)
    s, ws = s_nodes(lo, hi, s_pole, n_s)
    t_lo, t_hi = t_limits(m_parent, m1, m2, m3, s)
    t, wt = t_nodes(t_lo, t_hi, t_pole, n_t)
    return DalitzNodes(s, t, ws[:, None] * wt)


def three_body_width(m_parent: float, masses: tuple[float, float, float], msq: MatrixElement,
                     s_range: tuple[float, float] | None = None, poles: tuple[float, float] | None = None,
                     n_s: int = N_S, n_t: int = N_T) -> float:
    """Gamma = 1/(256 pi^3 M^3) int ds dt |M|^2(s, t) (eq. (A.4)) for a spin-summed |M|^2 in GeV^2 (GeV)."""
    nodes = dalitz_nodes(m_parent, masses, s_range, poles, n_s, n_t)
    values = msq(np.broadcast_to(nodes.s[:, None], nodes.t.shape), nodes.t)
    return float(np.sum(nodes.weight * values)) / (256.0 * math.pi**3 * m_parent**3)


# --- K+ -> l+ nu X amplitudes (per unit coupling, divided by lambda_mu^2) --------------------------------------

M_K = c.M_K_CHARGED
M_MU = c.M_MU


def vector_conserved_msq(s: Array, t: Array, m_x: float) -> Array:
    """Spin- and polarisation-summed |M|^2/(g^2 lambda_mu^2) of K+ -> mu+ nu V, V coupled to mu and nu_mu with the
    same g (the L_mu - L_tau Z'): 1902.07715 eq. (A.7) (004 lines 1791-1883, leading +2 per notes S28)."""
    mk2, mm2, mv2 = M_K**2, M_MU**2, m_x**2
    d = t - mm2
    return (2.0 + (s + 2.0 * mm2 - 2.0 * mk2) / d - (mk2 - mm2) * (mv2 + 2.0 * mm2) / d**2
            + 2.0 * ((mk2 - mm2) ** 2 + mv2 * mm2) / (s * d) - mv2 * (mk2 - mm2) / s**2 + (t + mm2 - 2.0 * mk2) / s)


def scalar_msq(s: Array, t: Array, m_x: float) -> Array:
    """|M|^2/(y^2 lambda_mu^2) of K+ -> mu+ nu phi, phi coupled to muons (y phi mubar mu): 1902.07715 eq. (A.8)
    with the m23^4 erratum (DESIGN.md; 004 lines 1906-1963)."""
    mk2, mm2 = M_K**2, M_MU**2
    d = t - mm2
    num = mk2 * (t + mm2) ** 2 - t * ((t + mm2) ** 2 + s * d) + m_x**2 * (t**2 - mm2 * mk2)
    return num / (2.0 * mm2 * d**2)


def _dots(s: Array, t: Array, m_x: float, m_l: float) -> tuple[Array, Array, Array]:
    """(q.P, k.P, q.k) from s = (l + q)^2, t = (l + k)^2 (massless nu; m13^2 from s + t + m13^2 = M^2 + m_X^2 + m_l^2)."""
    m13 = M_K**2 + m_x**2 + m_l**2 - s - t
    qk = 0.5 * (m13 - m_l**2)
    ql = 0.5 * (s - m_x**2)
    kl = 0.5 * (t - m_l**2 - m_x**2)
    return qk + ql, m_l**2 + qk + kl, qk


def _pslash_trace(s: Array, t: Array, m_x: float, m_l: float) -> Array:
    """sum_spins |ubar(q) Pslash P_L v(k)|^2 / 2 = 2 (q.P)(k.P) - m_K^2 (q.k) (the two-body structure, derived)."""
    qp, kp, qk = _dots(s, t, m_x, m_l)
    return 2.0 * qp * kp - M_K**2 * qk


def emu_scalar_msq(s: Array, t: Array, m_x: float) -> Array:
    """|M|^2/(h^2 lambda_mu^2) of K+ -> e+ nu_mu phi for -h ebar_L mu_R phi + h.c. (001 eq. (2)); derived in the module
    docstring. t = (k_e + l_phi)^2 is the virtual muon's invariant mass squared."""
    return _pslash_trace(s, t, m_x, c.M_E) / (t - M_MU**2) ** 2


def longitudinal_msq(s: Array, t: Array, m_x: float, g_mu: float, g_nu: float) -> Array:
    """|l.M|^2/(m_V^2 lambda_mu^2): the longitudinal-polarisation term of K+ -> mu+ nu V, (g_mu - g_nu)^2 c^2
    2 [2 (q.P)(k.P) - m_K^2 (q.k)]/m_V^2 with c^2 = lambda_mu^2/(2 m_mu^2) (Ward identity on the two lines; derived)."""
    return (g_mu - g_nu) ** 2 * _pslash_trace(s, t, m_x, M_MU) / (M_MU**2 * m_x**2)


# --- explicit Dirac algebra for the vector with arbitrary couplings ------------------------------------------


def _dirac() -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """gamma^mu (Dirac representation, shape (4, 4, 4)) and gamma_5."""
    i2, z2 = np.eye(2), np.zeros((2, 2))
    sig = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
    g = [np.block([[i2, z2], [z2, -i2]])] + [np.block([[z2, s_], [-s_, z2]]) for s_ in sig]
    gam = np.array(g, dtype=complex)
    return gam, 1j * gam[0] @ gam[1] @ gam[2] @ gam[3]


_GAMMA, _GAMMA5 = _dirac()
_METRIC = np.diag([1.0, -1.0, -1.0, -1.0])
_PL = 0.5 * (np.eye(4) - _GAMMA5)


def _slash(p: Array) -> NDArray[np.complex128]:
    """p_mu gamma^mu for 4-vectors p (..., 4) (upper components): (..., 4, 4)."""
    return np.einsum("...m,mab->...ab", p @ _METRIC, _GAMMA)


def kaon_frame_momenta(s: Array, t: Array, m_x: float, m_l: float) -> tuple[Array, Array, Array]:
    """(k, q, l) 4-vectors of lepton, neutrino and X in the kaon rest frame at Dalitz point (s, t): k along z,
    l in the x-z plane."""
    s, t = np.broadcast_arrays(np.asarray(s, dtype=float), np.asarray(t, dtype=float))
    e_k = (M_K**2 + m_l**2 - s) / (2.0 * M_K)
    e_l = (s + t - m_l**2) / (2.0 * M_K)
    p_k = np.sqrt(np.maximum(e_k**2 - m_l**2, 0.0))
    p_l = np.sqrt(np.maximum(e_l**2 - m_x**2, 0.0))
    kl = 0.5 * (t - m_l**2 - m_x**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.clip(np.where(p_k * p_l > 0.0, (e_k * e_l - kl) / (p_k * p_l), 1.0), -1.0, 1.0)
    sin = np.sqrt(1.0 - cos**2)
    zero = np.zeros_like(s)
    k = np.stack([e_k, zero, zero, p_k], axis=-1)
    l_ = np.stack([e_l, p_l * sin, zero, p_l * cos], axis=-1)
    p = np.stack([np.full_like(s, M_K), zero, zero, zero], axis=-1)
    return k, p - k - l_, l_


def vector_msq(s: Array, t: Array, m_x: float, g_mu: float, g_nu: float) -> Array:
    """|M|^2/lambda_mu^2 of K+ -> mu+ nu V for a vector coupled to the muon (g_mu V mubar gamma mu) and to nu_L
    (g_nu V nubar gamma P_L nu): the two emission diagrams, M^a = c [g_mu ubar(q) Pslash P_L (-kslash - lslash +
    m_mu) gamma^a v(k)/(t - m_mu^2) + g_nu ubar(q) gamma^a P_L (qslash + lslash) Pslash P_L v(k)/s], traced
    numerically and contracted with -g_ab + l_a l_b/m_V^2. Equal couplings reproduce (A.7) (tests)."""
    shape = np.broadcast_shapes(np.shape(s), np.shape(t))
    s_f, t_f = (np.broadcast_to(x, shape).ravel() for x in (s, t))
    k, q, l_ = kaon_frame_momenta(s_f, t_f, m_x, M_MU)
    p = k + q + l_
    ks, qs, ls, ps = _slash(k), _slash(q), _slash(l_), _slash(p)
    eye = np.eye(4)
    mu_line = np.einsum("nab,bc,ncd->nad", ps, _PL, -ks - ls + M_MU * eye) / (t_f - M_MU**2)[:, None, None]
    nu_line = np.einsum("bc,ncd,nde,ef->nbf", _PL, qs + ls, ps, _PL) / s_f[:, None, None]
    # Gamma^a (n, a, 4, 4): g_mu mu_line gamma^a + g_nu gamma^a nu_line
    big = (g_mu * np.einsum("nab,mbc->nmac", mu_line, _GAMMA) + g_nu * np.einsum("mab,nbc->nmac", _GAMMA, nu_line))
    bar = np.einsum("ab,nmcb,cd->nmad", _GAMMA[0], big.conj(), _GAMMA[0])  # gamma^0 Gamma^dagger gamma^0
    h = np.einsum("nab,nmbc,ncd,nvda->nmv", qs, big, ks - M_MU * eye, bar)  # Tr[q Gamma^a (k - m) Gamma-bar^b]
    l_low = l_ @ _METRIC
    pol = -_METRIC[None] + l_low[:, :, None] * l_low[:, None, :] / m_x**2
    msq = np.einsum("nmv,nmv->n", pol, h).real / (2.0 * M_MU**2)  # c^2 = lambda^2/(2 m_mu^2)
    return msq.reshape(shape)


# --- the decay of a given model ---------------------------------------------------------------------------------

KINDS: tuple[str, ...] = ("vector", "scalar", "emu_scalar")


@dataclass(frozen=True)
class KaonDecay:
    """K+ -> l+ nu X for a boson of ``kind`` and mass ``m_x`` at unit coupling: kind "vector" (couplings g_mu = 1,
    g_nu = ``nu_ratio``), "scalar" (y = 1, lepton mu) or "emu_scalar" (h = 1, lepton e)."""

    kind: str
    m_x: float
    nu_ratio: float = 1.0
    meson: str = "K+"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidParameter(f"meson decays know the kinds {', '.join(KINDS)}, not {self.kind!r}")
        get_meson(self.meson)
        if not (math.isfinite(self.m_x) and self.m_x > 0.0):
            raise InvalidParameter(f"the boson mass must be positive, got {self.m_x!r}")
        m_max = self.m_parent - self.m_lepton
        if self.m_x >= m_max:
            raise KinematicallyForbidden(f"{self.meson} -> {self.lepton} nu X needs m_X < m_K - m_{self.lepton} = "
                                         f"{m_max:.6g} GeV, got {self.m_x:g} GeV")
        if self.kind == "emu_scalar" and self.m_x + c.M_E <= M_MU:
            raise KinematicallyForbidden(
                f"K -> e nu phi at m_phi = {self.m_x:g} GeV < m_mu - m_e goes through an on-shell muon (K -> mu nu, then "
                "mu -> e phi outside the kaon decay): use the two-body muon decay (bound mu-e-phi-twist)")

    @property
    def lepton(self) -> str:
        return "e" if self.kind == "emu_scalar" else "mu"

    @property
    def m_parent(self) -> float:
        return get_meson(self.meson).mass

    @property
    def m_lepton(self) -> float:
        return c.LEPTON_MASSES[self.lepton]

    def msq(self, s: Array, t: Array) -> Array:
        """Spin-summed |M|^2 in GeV^2 at unit coupling (lambda_mu^2 times the reduced amplitudes above)."""
        lam2 = lambda_lepton("mu") ** 2
        if self.kind == "scalar":
            return lam2 * scalar_msq(s, t, self.m_x)
        if self.kind == "emu_scalar":
            return lam2 * emu_scalar_msq(s, t, self.m_x)
        if self.nu_ratio == 1.0:
            return lam2 * vector_conserved_msq(s, t, self.m_x)
        return lam2 * vector_msq(s, t, self.m_x, 1.0, self.nu_ratio)

    @property
    def poles(self) -> tuple[float, float]:
        """(s_pole, t_pole) of the log maps: s = 0 (the nu-X collinear pole), t = m_mu^2 (the muon propagator)."""
        return 0.0, M_MU**2

    @property
    def masses(self) -> tuple[float, float, float]:
        """(m_nu, m_X, m_l): particles 1, 2, 3 of the Dalitz variables."""
        return 0.0, self.m_x, self.m_lepton

    def nodes(self, s_range: tuple[float, float] | None = None, n_s: int = N_S, n_t: int = N_T) -> DalitzNodes:
        return dalitz_nodes(self.m_parent, self.masses, s_range, self.poles, n_s, n_t)

    def width(self, s_range: tuple[float, float] | None = None, n_s: int = N_S, n_t: int = N_T) -> float:
        """Gamma(K -> l nu X) in GeV at unit coupling (eq. (A.4)), optionally with m_miss^2 = s in ``s_range``."""
        return three_body_width(self.m_parent, self.masses, self.msq, s_range, self.poles, n_s, n_t)

    def ratio_to_two_body(self, s_range: tuple[float, float] | None = None) -> float:
        """Gamma(K -> l nu X)/Gamma(K -> l nu) at unit coupling: independent of f_K V_us (both scale as lambda^2)."""
        return self.width(s_range) / two_body_width(self.lepton, self.meson)

    def branching_ratio(self, s_range: tuple[float, float] | None = None) -> float:
        """BR(K -> l nu X)/g^2 = ratio_to_two_body x BR(K -> l nu) (PDG): the measured two-body rate normalises."""
        return self.ratio_to_two_body(s_range) * get_meson(self.meson).br_lnu[self.lepton]

    def dgamma_ds(self, s: Array, n_t: int = N_T) -> Array:
        """dGamma/dm_miss^2 (GeV^-1) at m_miss^2 = s (eq. (9)); 0 outside the kinematic range."""
        s = np.atleast_1d(np.asarray(s, dtype=float))
        _, m2, m3 = self.masses
        inside = (s > m2**2) & (s < (self.m_parent - m3) ** 2)
        out = np.zeros_like(s)
        if np.any(inside):
            si = s[inside]
            t_lo, t_hi = t_limits(self.m_parent, 0.0, m2, m3, si)
            t, wt = t_nodes(t_lo, t_hi, self.poles[1], n_t)
            out[inside] = np.sum(wt * self.msq(np.broadcast_to(si[:, None], t.shape), t), axis=1)
        return out / (256.0 * math.pi**3 * self.m_parent**3)

    def lepton_momentum(self, s: Array) -> Array:
        """Lepton momentum in the kaon rest frame at m_miss^2 = s: E = (m_K^2 + m_l^2 - s)/(2 m_K)."""
        e = (self.m_parent**2 + self.m_lepton**2 - np.asarray(s, dtype=float)) / (2.0 * self.m_parent)
        return np.sqrt(np.maximum(e**2 - self.m_lepton**2, 0.0))

    def dgamma_dp(self, p: Array) -> Array:
        """dGamma/dp_l (GeV^-1 per GeV) at lepton momentum p in the kaon rest frame: dGamma/ds |ds/dp|, with
        s = m_K^2 + m_l^2 - 2 m_K E and ds/dp = -2 m_K p/E."""
        p = np.asarray(p, dtype=float)
        e = np.sqrt(p**2 + self.m_lepton**2)
        s = self.m_parent**2 + self.m_lepton**2 - 2.0 * self.m_parent * e
        return self.dgamma_ds(s) * 2.0 * self.m_parent * p / e


#: Largest |electron coupling / muon coupling| of a vector for which emission off the kaon is neglected. A vector's
#: electron coupling measures its electromagnetic-current part (kinetic mixing eps e), which couples to the K+ with
#: the same strength; the kaon-line and contact diagrams are not implemented, so their amplitude, of relative size
#: |g_e/g_mu|, must stay small: the L_mu - L_tau loop mixing gives e/67 = 4.5e-3 (neglected by 1902.07715 too), a
#: dark photon 1 (its conserved EM current has no 1/m_V^2 growth, which muon-line emission alone would give).
KAON_EMISSION_TOLERANCE = 1e-2


def _check_no_kaon_emission(model, g_mu: float) -> None:
    try:
        _, g_e = model.production_coupling("e")
    except InvalidParameter:
        return
    if abs(g_e) > KAON_EMISSION_TOLERANCE * abs(g_mu):
        raise InvalidParameter(
            f"K -> mu nu X for {type(model).__name__}: its electromagnetic-current coupling (electron coupling {g_e:.3g} "
            f"against muon coupling {g_mu:.3g}) also radiates off the K+, which the amplitudes here omit "
            f"(only |g_e/g_mu| <= {KAON_EMISSION_TOLERANCE:g} is neglected)")


def model_decay(model, lepton: str = "mu", meson: str = "K+") -> tuple[KaonDecay, float]:
    """(the unit-coupling decay K -> l nu X of ``model``, the coupling g its rate scales with as g^2), through the
    model protocol: lepton "mu" uses the diagonal muon coupling (:meth:`production_coupling`, plus
    :meth:`neutrino_coupling` for vectors), lepton "e" the off-diagonal e-mu coupling (K -> e nu_mu X through a
    virtual muon). KinematicallyForbidden for a model without the coupling; InvalidParameter for a kind the
    amplitudes do not cover (pseudoscalar)."""
    _lepton_mass(lepton)
    name = type(model).__name__
    if lepton == "e":
        h = model.offdiagonal_coupling(("e", "mu"))
        if h == 0.0:
            raise KinematicallyForbidden(f"{name} has no e-mu coupling: no K -> e nu X through a virtual muon here")
        return KaonDecay("emu_scalar", model.mass, meson=meson), h
    try:
        kind, g = model.production_coupling("mu")
    except InvalidParameter:
        raise KinematicallyForbidden(f"{name} has no diagonal muon coupling: no K -> mu nu X "
                                     "(for the e-mu scalar use the electron channel, lepton e)") from None
    if kind not in ("scalar", "vector"):
        raise InvalidParameter(f"K -> mu nu X is implemented for scalar and vector bosons, not {kind!r} ({name})")
    if g == 0.0:
        raise KinematicallyForbidden(f"{name} does not couple to muons at this point: no K -> mu nu X")
    if kind == "vector":
        _check_no_kaon_emission(model, g)
    ratio = model.neutrino_coupling("mu") / g if kind == "vector" else 1.0
    return KaonDecay(kind, model.mass, nu_ratio=ratio, meson=meson), g
