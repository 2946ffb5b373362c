"""Bhabha scattering mu+ mu- -> mu+ mu- at a muon collider with the SM gamma and Z and a singlet S or V in the
s- and t-channels (004_7de0b22078876a0d.txt Figs. 7-8, from the singlet companion of arXiv:2006.16277,
Capdevilla, Curtin, Kahn, Krnjaic, likely arXiv:2112.08377), and the forward-backward reach.

Amplitudes. Tree level, computed from explicit helicity spinors (chiral basis) for massive muons, so that no
Fierz identity or helicity table has to be trusted: for every exchanged boson X with vertex
psibar Gamma_X psi and propagator 1/(q^2 - M_X^2 + i M_X Gamma_X) (width only in the s-channel),

    M = sum_X eta_X { [vbar(p2) Gamma_X u(p1)][ubar(p3) Gamma_X v(p4)] / (s - M_X^2 + i M_X Gamma_X)
                    - [ubar(p3) Gamma_X u(p1)][vbar(p2) Gamma_X v(p4)] / (t - M_X^2) },

eta = +1 for vectors (Gamma^mu, contracted with g_{mu nu}, Feynman gauge) and -1 for scalars (the i's of
vertices and propagators); the relative minus sign is Fermi statistics. The q_mu q_nu part of the massive-vector
propagators is dropped: it vanishes for the vector couplings of gamma and V and is O(m_mu^2/M_Z^2) for the Z.
Cross section dsigma/dcos(theta) = sum |M|^2 / (4 * 32 pi s) (elastic, equal masses). Pure QED reproduces
the textbook Bhabha formula (tested). theta is the angle between incoming and outgoing mu-.

Couplings: photon -e Q (Q = -1), Z (e/(s_W c_W)) [(-1/2 + s_W^2) P_L + s_W^2 P_R], S: g_S (scalar), V: g_V
(vector); g fixed by Delta a_mu (:mod:`.singlets`).

Observable. 004 (Fig. 8 caption) calls r_FB a "forward-backward asymmetry variable" whose denominator
uncertainties are Poisson errors of the forward and backward counts; its definition is not in the text. Here

    A_FB = (N_F - N_B)/(N_F + N_B),  N_F (N_B) = L * sigma(0 < cos < c_max) (sigma(-c_max < cos < 0)),
    r_FB = (A_FB(SM + singlet) - A_FB(SM)) / delta A_FB,   delta A_FB = sqrt((1 - A_FB^2)/(N_F + N_B)),

the Poisson error of A_FB from independent N_F, N_B (taken at the SM + singlet expectation). A singlet mass is
"probed" where |r_FB| >= ``threshold`` (default 2). The angular acceptance |cos theta| < c_max (default
cos 10 deg, a muon-collider nozzle) is an explicit option. See docs/heavy.md for how the reach compares with 004.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import E_CHARGE, M_MU, M_Z
from ..errors import InvalidParameter, KinematicallyForbidden
from ..units import GEV2_TO_CM2, pb
from ..validation import positive
from .inputs import electroweak

# --- Dirac algebra (chiral basis) ------------------------------------------------------------------
_I2 = np.eye(2)
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex), np.array([[1, 0], [0, -1]], complex)]
_Z2 = np.zeros((2, 2))
GAMMA = [np.block([[_Z2, _I2], [_I2, _Z2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG]
GAMMA5 = np.block([[-_I2, _Z2], [_Z2, _I2]]).astype(complex)
P_L, P_R = 0.5 * (np.eye(4) - GAMMA5), 0.5 * (np.eye(4) + GAMMA5)
METRIC = np.array([1.0, -1.0, -1.0, -1.0])


def _xi(theta: np.ndarray, phi: float, h: int) -> np.ndarray:
    """Two-component helicity eigenstates along (theta, phi), shape (n, 2)."""
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    if h > 0:
        return np.stack([c, s * np.exp(1j * phi)], axis=-1).astype(complex)
    return np.stack([-s * np.exp(-1j * phi), c + 0j], axis=-1)


def spinors(energy: float, mass: float, theta: np.ndarray, phi: float) -> dict[str, dict[int, np.ndarray]]:
    """u(p, h) and v(p, h) (shape (n, 4)) for a particle of energy ``energy`` moving along (theta, phi).

    Chiral basis, u = (sqrt(p.sigma) xi, sqrt(p.sigmabar) xi), v = (sqrt(p.sigma) eta, -sqrt(p.sigmabar) eta)
    with eta = xi_{-h}; completeness sum_h u ubar = pslash + m, sum_h v vbar = pslash - m (tested).
    """
    p = math.sqrt(max(energy**2 - mass**2, 0.0))
    out: dict[str, dict[int, np.ndarray]] = {"u": {}, "v": {}}
    for h in (1, -1):
        xi = _xi(theta, phi, h)
        out["u"][h] = np.concatenate([math.sqrt(energy - h * p) * xi, math.sqrt(energy + h * p) * xi], axis=-1)
        eta = _xi(theta, phi, -h)
        # for eta = xi_{-h}: p.sigma eta = (E + h p) eta, p.sigmabar eta = (E - h p) eta
        out["v"][h] = np.concatenate([math.sqrt(energy + h * p) * eta, -math.sqrt(energy - h * p) * eta], axis=-1)
    return out


def _bar(psi: np.ndarray) -> np.ndarray:
    return np.conj(psi) @ GAMMA[0]


@dataclass(frozen=True)
class Exchange:
    """A neutral boson exchanged in Bhabha scattering: ``kind`` 'vector' (chiral couplings g_L, g_R) or 'scalar'
    (g_s + g_p gamma_5), mass and total width in GeV."""

    kind: str
    mass: float
    width: float
    g_l: float = 0.0
    g_r: float = 0.0
    g_s: float = 0.0
    g_p: float = 0.0

    def vertex(self) -> list[np.ndarray]:
        if self.kind == "vector":
            chiral = self.g_l * P_L + self.g_r * P_R
            return [g @ chiral for g in GAMMA]
        if self.kind == "scalar":
            return [self.g_s * np.eye(4) + self.g_p * GAMMA5]
        raise InvalidParameter(f"exchange kind must be 'vector' or 'scalar', got {self.kind!r}")


def standard_model() -> list[Exchange]:
    """Photon and Z with tree-level couplings to the muon (sin^2 theta_W, Gamma_Z from data/inputs.toml)."""
    ew = electroweak()
    s2 = ew.sin2_theta_w
    gz = E_CHARGE / math.sqrt(s2 * (1.0 - s2))
    return [Exchange("vector", 0.0, 0.0, g_l=-E_CHARGE, g_r=-E_CHARGE),
            Exchange("vector", M_Z, ew.z_width_gev, g_l=gz * (-0.5 + s2), g_r=gz * s2)]


def singlet_exchange(kind: str, mass: float, coupling: float, width: float) -> Exchange:
    """The singlet of 004 Fig. 7: scalar g_S S mubar mu, or vector g_V V mubar gamma mu."""
    if kind == "scalar":
        return Exchange("scalar", mass, width, g_s=coupling)
    if kind == "vector":
        return Exchange("vector", mass, width, g_l=coupling, g_r=coupling)
    raise InvalidParameter(f"singlet kind must be 'scalar' or 'vector', got {kind!r}")


def _bilinear(bar: np.ndarray, gammas: list[np.ndarray], psi: np.ndarray) -> np.ndarray:
    """bar Gamma psi for each Lorentz index of Gamma, shape (len(gammas), n)."""
    return np.stack([np.einsum("ni,ij,nj->n", bar, g, psi) for g in gammas])


def squared_amplitude(sqrt_s: float, cos_theta, exchanges: list[Exchange]) -> np.ndarray:
    """sum over helicities of |M|^2 for mu+ mu- -> mu+ mu- at the given cos(theta) (array)."""
    sqrt_s = positive("sqrt(s)", sqrt_s)
    if sqrt_s <= 2.0 * M_MU:
        raise KinematicallyForbidden(f"sqrt(s) = {sqrt_s:g} GeV is below 2 m_mu")
    c = np.atleast_1d(np.asarray(cos_theta, float))
    if np.any(np.abs(c) > 1):
        raise InvalidParameter("cos(theta) must be in [-1, 1]")
    e = 0.5 * sqrt_s
    s = sqrt_s**2
    p2 = e**2 - M_MU**2
    t = -2.0 * p2 * (1.0 - c)
    th = np.arccos(c)
    zero = np.zeros_like(c)
    sp1 = spinors(e, M_MU, zero, 0.0)            # mu- in, along +z
    sp2 = spinors(e, M_MU, zero + math.pi, 0.0)  # mu+ in, along -z
    sp3 = spinors(e, M_MU, th, 0.0)              # mu- out
    sp4 = spinors(e, M_MU, math.pi - th, math.pi)  # mu+ out, opposite direction
    vertices = [(x, x.vertex()) for x in exchanges]
    total = np.zeros_like(c)
    for h1 in (1, -1):
        u1 = sp1["u"][h1]
        for h2 in (1, -1):
            v2b = _bar(sp2["v"][h2])
            for h3 in (1, -1):
                u3b = _bar(sp3["u"][h3])
                for h4 in (1, -1):
                    v4 = sp4["v"][h4]
                    amp = np.zeros_like(c, dtype=complex)
                    for x, gam in vertices:
                        eta = 1.0 if x.kind == "vector" else -1.0
                        metric = METRIC if x.kind == "vector" else np.array([1.0])
                        js1, js2 = _bilinear(v2b, gam, u1), _bilinear(u3b, gam, v4)
                        jt1, jt2 = _bilinear(u3b, gam, u1), _bilinear(v2b, gam, v4)
                        s_part = np.einsum("m,mn,mn->n", metric, js1, js2) / (s - x.mass**2 + 1j * x.mass * x.width)
                        t_part = np.einsum("m,mn,mn->n", metric, jt1, jt2) / (t - x.mass**2)
                        amp += eta * (s_part - t_part)
                    total += np.abs(amp) ** 2
    return total


def dsigma_dcos(sqrt_s: float, cos_theta, exchanges: list[Exchange]) -> np.ndarray:
    """dsigma/dcos(theta) in GeV^-2 (spin-averaged)."""
    return squared_amplitude(sqrt_s, cos_theta, exchanges) / (4.0 * 32.0 * math.pi * sqrt_s**2)


_FB_CM2 = 1e-3 * pb  # 1 fb in cm^2
DEFAULT_C_MAX = math.cos(math.radians(10.0))  # |theta - 90 deg| < 80 deg: a 10-degree nozzle
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(40)


def forward_backward_cross_sections(sqrt_s: float, exchanges: list[Exchange], c_max: float) -> tuple[float, float]:
    """(sigma_F, sigma_B) in GeV^-2 over 0 < cos < c_max and -c_max < cos < 0.

    Gauss-Legendre (40 nodes per hemisphere) in y = ln(1 - cos), which flattens the 1/t^2 forward peak;
    checked against adaptive quadrature to < 1e-9 in the tests.
    """
    if not 0.0 < c_max < 1.0:
        raise InvalidParameter(f"c_max must be in (0, 1), got {c_max:g}")
    out = []
    for lo, hi in ((math.log(1.0 - c_max), 0.0), (0.0, math.log(1.0 + c_max))):
        y = 0.5 * (hi - lo) * _NODES + 0.5 * (hi + lo)
        cos = 1.0 - np.exp(y)
        jac = np.exp(y)
        out.append(float(0.5 * (hi - lo) * np.sum(_WEIGHTS * jac * dsigma_dcos(sqrt_s, cos, exchanges))))
    return out[0], out[1]


@dataclass(frozen=True)
class ForwardBackward:
    """Expected forward / backward counts with and without the singlet and the significance r_FB."""

    n_forward: float
    n_backward: float
    a_fb: float
    a_fb_sm: float
    r_fb: float


def forward_backward(sqrt_s: float, luminosity_inv_fb: float, singlet: Exchange | None, c_max: float) -> ForwardBackward:
    """A_FB with and without ``singlet`` and r_FB (module docstring) for an integrated luminosity in fb^-1."""
    lum = positive("luminosity", luminosity_inv_fb) * GEV2_TO_CM2 / _FB_CM2  # N = lum * sigma[GeV^-2]
    sm = standard_model()
    f0, b0 = forward_backward_cross_sections(sqrt_s, sm, c_max)
    if singlet is None:
        f, b = f0, b0
    else:
        f, b = forward_backward_cross_sections(sqrt_s, [*sm, singlet], c_max)
    nf, nb = lum * f, lum * b
    a, a0 = (nf - nb) / (nf + nb), (f0 - b0) / (f0 + b0)
    return ForwardBackward(nf, nb, a, a0, (a - a0) / math.sqrt((1.0 - a * a) / (nf + nb)))


def r_fb_for_singlet(kind: str, mass: float, sqrt_s: float, luminosity_inv_fb: float, delta_a: float,
                     c_max: float = DEFAULT_C_MAX) -> float:
    """r_FB of the singlet of mass ``mass`` whose coupling explains ``delta_a``."""
    from .singlets import explaining

    sg = explaining(kind, mass, delta_a)
    return forward_backward(sqrt_s, luminosity_inv_fb, singlet_exchange(kind, mass, sg.coupling, sg.width), c_max).r_fb


def min_probed_mass(kind: str, sqrt_s: float, luminosity_inv_fb: float, delta_a: float, *, threshold: float = 2.0,
                    c_max: float = DEFAULT_C_MAX, mass_range: tuple[float, float] = (0.3, 1000.0)) -> float:
    """The lightest singlet mass (GeV) with |r_FB| >= ``threshold`` (|r_FB| grows with the mass, since the
    coupling that explains Delta a_mu does); bisection in ln(m) to 1e-5 relative.

    Raises KinematicallyForbidden if |r_FB| < threshold over the whole ``mass_range``, and InvalidParameter if it
    is already above at the lower end (then the reach starts below the range).
    """
    positive("threshold", threshold)
    lo, hi = (math.log(positive("mass range", m)) for m in mass_range)
    f = lambda lm: abs(r_fb_for_singlet(kind, math.exp(lm), sqrt_s, luminosity_inv_fb, delta_a, c_max)) - threshold
    f_lo = f(lo)
    if f_lo >= 0:
        raise InvalidParameter(f"|r_FB| >= {threshold:g} already at m = {mass_range[0]:g} GeV: widen the mass range")
    # walk up in ln(m) (|r_FB| need not be monotonic far above sqrt(s)/2), then bisect the first crossing
    grid = np.linspace(lo, hi, 25)
    prev = lo
    for x in grid[1:]:
        if f(x) >= 0:
            a, b_ = prev, x
            break
        prev = x
    else:
        raise KinematicallyForbidden(f"|r_FB| < {threshold:g} for every {kind} mass in {mass_range} GeV")
    while b_ - a > 1e-5:
        mid = 0.5 * (a + b_)
        if f(mid) >= 0:
            b_ = mid
        else:
            a = mid
    return math.exp(0.5 * (a + b_))
