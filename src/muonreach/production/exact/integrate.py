"""Integration of the exact 2 -> 3 cross section over phase space: deterministic nested Gauss-Legendre rules and
adaptive Monte Carlo (``vegas``, G. P. Lepage, J. Comput. Phys. 27 (1978) 192 and arXiv:2009.05112).

Variables (parametrisation A of :mod:`.phase_space`) and the maps that flatten the integrand's peaks:

* x = E_X / E: logit(x) uniform (logarithmic at both ends: the low-x peak of light bosons at x ~ m_X/m_l and the
  1/(1 - x) rise of the vector spectrum); the X angle through Delta = m'^2 - (p - k)^2 with u = ln(Delta /
  Delta_min) uniform (dsigma/dDelta ~ 1/Delta^2 above Delta_min, the collinear peak theta_X ~ sqrt(U_min/x)/E);
* ln t uniform between t_min(x, Delta) and min(t_+, t_cap(x)), with the form-factor scales
  1/a^2, 1/a'^2, d, 0.71 GeV^2 (002 App. A) as break points of the deterministic rule;
* the azimuth phi of q about V = p - k through psi with tan(phi/2) = r tan(psi/2), r = sqrt(D1(0)/D1(pi)): the map
  of int dphi / (a + b cos phi), which removes the peak of the propagator 1/D1 (D1 = a + b cos phi); phi -> -phi is
  a symmetry, so phi runs over [0, pi] with weight 2.

Cut-off of the screened form factors: t <= t_cap(x) = max(:data:`T_CAP`, :data:`T_CAP_FACTOR` t_0(x)), t_0 the
forward t_min at that x, and Delta where t_min(Delta) <= t_cap(x). For light bosons (t_0 << d) the cap is 30 GeV^2,
where the dipole of G2_in is ~1e-13 and the elastic tail ~ (d/T_CAP)^2 relative; for heavy ones (t_0 near or above
d) G2/t^2 falls at least as t^-4 above t_0, and against a cap 100x larger the measured change is <= 1.2e-4, within
the rule's own estimate (docs/exact-production.md, "Cut-offs"). The point nucleus (``form_factor = "point"``,
Bethe-Heitler's unscreened case, used in validation) integrates up to t_+. Limit of validity: for heavy bosons at high
energy (45 GeV from 160 GeV, 50 GeV from 100 GeV; 30 GeV from 160 GeV and every mass from 15 GeV work) the trace
loses precision at t ~ 1e2 - 1e3 GeV^2 and the rules raise ConvergenceError.

The three results have numerical uncertainties: the deterministic rules quote |I(n) - I(n_coarse)| of the
rule and a coarser one on the same segments (dsigma/dx adds the floor :data:`RULE_FLOOR`); vegas quotes its
statistical error (weighted average of the iterations after adaptation, with its chi^2 check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...constants import LEPTON_MASSES, M_U
from ...errors import ConvergenceError, InvalidParameter, KinematicallyForbidden
from ...materials import Material, get_material
from ...validation import positive
from .. import form_factors as ff
from ..kinematics import emission_threshold
from .amplitudes import KINDS, lepton_trace
from .phase_space import Kinematics, azimuth_parts_a, delta_cut, emission, invariants_a, invariants_b, jacobian, two_body

#: Nuclear form factors of the exact calculation: elastic + inelastic G2 of 002 App. A, elastic only, or an
#: unscreened point nucleus (G2 = Z^2, for validation against Bethe-Heitler).
FORM_FACTORS: tuple[str, ...] = ("full", "elastic", "point")
#: Upper limit of t (GeV^2) for the screened form factors: max(T_CAP, T_CAP_FACTOR t_0(x)), t_0 the forward
#: t_min at that x (module docstring).
T_CAP: float = 30.0
T_CAP_FACTOR: float = 1e2

# Deterministic rule: segment edges of u = ln(Delta/Delta_min); Gauss-Legendre nodes per segment (fine, coarse).
_U_EDGES = np.array([0.0, 0.7, 1.5, 2.5, 4.0, 6.0, 9.0, 13.0, 18.0, 25.0, 35.0, 50.0])
_N_T_UNIFORM = 8
# half-width (in ln t) of the segments either side of the lepton-propagator peak at t = Delta E / E_X: the peak's
# width in ln t is ~ sqrt(D1(phi = 0) / t) at its minimum, down to ~0.1 for light bosons off electrons; 0.5
# measured best of 0.2 / 0.5 / 1 (admin/exact_error_study.py: largest error of the fine rule 1.2e-4 / 1.2e-4 / 1.2e-4,
# estimate below it at 5 / 2 / 6 points before RULE_FLOOR)
_PEAK_HALF = 0.5
_N_T_TAIL = 3  # ln t segments of the tail above max(T_CAP, T_CAP t_min), up to the cap (no width for light bosons)
# (nodes per u segment, per ln t segment, psi nodes). Set by a convergence test against (10, 10, 12) and
# (14, 14, 16) references over mu/e beams, S/P/V, diagonal and e <-> mu, 1-160 GeV, 1 MeV - 6.3 GeV, x from 0.003
# to 0.997 of the window (admin/exact_error_study.py, 108 points, table in docs/exact-production.md): "fine" is
# within 1.2e-4 of the (14, 14, 16) reference (the largest: psi nodes of the point nucleus; before the t break
# points at the lepton-propagator peak, 1.7e-3 for a 1 MeV scalar off electrons). |fine - coarse| alone is not
# conservative everywhere (it was below the true error at 2 of the 108 points, by up to 2.9x: the psi rule of the
# point nucleus converges slowly, 5 and 6 nodes are both off), so the quoted error adds RULE_FLOOR. Coarse rules
# with 2 t nodes ((3, 2, 4), (4, 2, 4)) were conservative alone but overstate 1e2 - 1e3x and refuse LDMX tables
# (NODE_RTOL) and the 30 GeV t-cap test. The u (Delta) nodes matter most for heavy bosons: (4, 4, 6) was 5e-4 off
# at 6.3 GeV, (3, 3, 4) 1e-2.
_RULES = {"fine": (5, 4, 6), "coarse": (4, 3, 5)}  # each dimension coarser: each one's error shows
#: Relative error floor added to |fine - coarse| in the quoted error of dsigma/dx: 1.7x the largest error of the fine
#: rule over the 108 study points (1.2e-4, admin/exact_error_study.py).
RULE_FLOOR: float = 2e-4
#: Default relative tolerance of the exact dsigma/dx: an estimated error |fine - coarse| above it raises.
DSIGMA_RTOL: float = 1e-2
_GL_CACHE: dict[int, tuple[NDArray, NDArray]] = {}


def _gl(n: int) -> tuple[NDArray, NDArray]:
    if n not in _GL_CACHE:
        _GL_CACHE[n] = np.polynomial.legendre.leggauss(n)
    return _GL_CACHE[n]


@dataclass(frozen=True)
class Nucleus:
    """One kind of atom of the target: ``count`` per formula unit, charge Z, mass number A, mass M = A m_u."""

    count: int
    Z: int
    A: float

    @property
    def M(self) -> float:
        return self.A * M_U

    def g2(self, t: NDArray, form_factor: str) -> NDArray:
        if form_factor == "full":
            return ff.g2(t, self.Z, self.A)
        if form_factor == "elastic":
            return ff.g2_elastic(t, self.Z, self.A)
        return np.full_like(t, float(self.Z * self.Z))

    def scales(self) -> NDArray:
        return np.log(np.array(ff.form_factor_scales(self.Z, self.A)))


@dataclass(frozen=True)
class Process:
    """l N -> l' N X for one boson ``kind`` of mass ``m_x`` (GeV) on ``material`` (a formula unit; compounds sum
    over their atoms), coupling 1. ``final_lepton`` different from ``lepton`` selects the chiral flavour-changing
    scalar of 001 eq. (2) (``kind`` must be "scalar")."""

    kind: str
    m_x: float
    material: Material
    lepton: str = "mu"
    final_lepton: str = "mu"
    form_factor: str = "full"
    nuclei: tuple[Nucleus, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nuclei", tuple(Nucleus(c.count, c.Z, c.A) for c in self.material.components))

    @property
    def m(self) -> float:
        return LEPTON_MASSES[self.lepton]

    @property
    def mp(self) -> float:
        return LEPTON_MASSES[self.final_lepton]

    @property
    def flavour_changing(self) -> bool:
        return self.lepton != self.final_lepton

    def kinematics(self, energy: float, nucleus: Nucleus) -> Kinematics:
        return Kinematics(energy, self.m, self.mp, self.m_x, nucleus.M)

    def threshold(self, x_min: float = 0.0) -> float:
        """Lowest beam energy with phase space for x >= x_min (:func:`..kinematics.emission_threshold`)."""
        return emission_threshold(self.m_x, self.mp, x_min)

    def check_energy(self, energy: float, x_min: float = 0.0) -> float:
        e = positive("energy", energy)
        threshold = self.threshold(x_min)
        if e <= threshold:
            raise KinematicallyForbidden(
                f"a {self.m_x:g} GeV {self.kind} with x >= {x_min:g} cannot be radiated by a {e:g} GeV {self.lepton} "
                f"(l' = {self.final_lepton}): needs a beam energy above {threshold:.6g} GeV")
        return e

    def x_range(self, energy: float) -> tuple[float, float]:
        """(m_X / E, x_end): X at rest in the lab is allowed (for M >> m_X), and the end point x_end is
        :meth:`x_end`, just below 1 - m'/E."""
        return self.m_x / energy, float(self.x_end(energy))

    def x_end(self, energy: ArrayLike) -> NDArray:
        """Largest x = E_X / E (:func:`x_end` on the heaviest nucleus of the formula unit)."""
        return x_end(energy, self.m, self.mp, self.m_x, max(n.M for n in self.nuclei))


def x_end(energy: ArrayLike, m: float | NDArray, mp: float | NDArray, mx: float | NDArray, big_m: float | NDArray
          ) -> NDArray:
    """Largest x = E_X / E of l N -> l' N X (masses m, m', m_X, M; all arguments broadcast): X forward with l' and
    N at rest in their common frame (invariant mass M_r = m' + M); two-body kinematics p + P -> X + (l' N):
    E_X = [(s + m_X^2 - M_r^2)(E + M) + |p| lambda^(1/2)(s, m_X^2, M_r^2)] / (2 s), every difference of
    large terms written out (s - (M_r +- m_X)^2 = m^2 - (m' +- m_X)^2 + 2 M (E - m' -+ m_X)). It lies
    O(m'^2 m_X^2 / (M E^2)) below 1 - m'/E (recoil)."""
    e = np.asarray(energy, dtype=float)
    p = np.sqrt((e - m) * (e + m))
    s = m * m + big_m * big_m + 2.0 * e * big_m
    plus = m * m - (mp + mx) ** 2 + 2.0 * big_m * (e - mp - mx)
    minus = m * m - (mp - mx) ** 2 + 2.0 * big_m * (e - mp + mx)
    num = m * m - mp * mp + mx * mx + 2.0 * big_m * (e - mp)
    e_x = (num * (e + big_m) + p * np.sqrt(np.maximum(plus * minus, 0.0))) / (2.0 * s)
    return np.minimum(e_x / e, 1.0 - mp / e)


def make_process(kind: str, m_x: float, material: Material | str, lepton: str = "mu", final_lepton: str | None = None,
                 form_factor: str = "full") -> Process:
    """A validated :class:`Process` (InvalidParameter / UnknownName on bad input)."""
    if kind not in KINDS:
        raise InvalidParameter(f"unknown boson kind {kind!r}; use one of {', '.join(KINDS)}")
    for name, lep in (("lepton", lepton), ("final_lepton", final_lepton or lepton)):
        if lep not in ("e", "mu"):
            raise InvalidParameter(f"{name} must be 'e' or 'mu', got {lep!r}")
    final = final_lepton or lepton
    if final != lepton and kind != "scalar":
        raise InvalidParameter(f"flavour-changing production {lepton} -> {final} exists for the chiral scalar of 001 "
                               f"eq. (2) only (kind 'scalar'), not {kind!r}")
    if form_factor not in FORM_FACTORS:
        raise InvalidParameter(f"unknown form factor {form_factor!r}; use one of {', '.join(FORM_FACTORS)}")
    m_x = positive("m_x", m_x)
    if final != lepton and LEPTON_MASSES[lepton] > LEPTON_MASSES[final] + m_x:
        raise KinematicallyForbidden(
            f"{lepton} N -> {final} N X with m_X = {m_x:g} GeV < m_{lepton} - m_{final} = "
            f"{LEPTON_MASSES[lepton] - LEPTON_MASSES[final]:.6g} GeV: the internal lepton goes on shell (the beam "
            f"lepton decays, {lepton} -> {final} X, and the {final} scatters), which is not bremsstrahlung; the "
            "tree-level 2 -> 3 rate diverges there")
    mat = material if isinstance(material, Material) else get_material(material)
    return Process(kind, m_x, mat, lepton, final, form_factor)


# --- the integrand ---------------------------------------------------------------------------------------------


def _psi_map(psi: NDArray, r: NDArray) -> tuple[NDArray, NDArray]:
    """cos phi(psi) with tan(phi/2) = r tan(psi/2) on [0, pi], and dphi/dpsi, in closed form (no arctan / cos):
    with s, c = sin(psi/2), cos(psi/2) and D = c^2 + r^2 s^2, cos phi = 2 c^2 / D - 1 (-> -1, phi -> pi, where
    r^2 s^2 overflows), dphi/dpsi = r / D."""
    half = 0.5 * psi
    s, c = np.sin(half), np.cos(half)
    c2 = c * c
    den = c2 + (r * r) * (s * s)
    return (2.0 * c2) / den - 1.0, r / den


def _azimuth_ratio(d_0: NDArray, d_pi: NDArray) -> NDArray:
    """r = sqrt(D1(phi = 0) / D1(phi = pi)) of the psi map (only its accuracy as a map matters)."""
    return np.sqrt(np.clip(d_0, 1e-300, None) / np.clip(d_pi, 1e-300, None))


def _ratio_and_density(proc: Process, kin: Kinematics, nuc: Nucleus, em, tb, t: NDArray, psi: NDArray,
                       parametrisation: str = "A", x_cut: float | None = None) -> NDArray:
    """2 * dsigma/(dE_emit dDelta dt dpsi) at psi in [0, pi] (the factor 2: phi and -phi)."""
    if parametrisation == "A":
        parts = azimuth_parts_a(kin, em, tb, t)  # p.q = a - b cos phi: D1 = 2 p.q - t at phi = 0 and pi
        r = _azimuth_ratio(2.0 * (parts[0] - parts[1]) - t, 2.0 * (parts[0] + parts[1]) - t)
        cos_phi, dphi = _psi_map(psi, r)
        inv = invariants_a(kin, em, tb, t, cos_phi, parts)
        keep = None
    else:
        ones = np.ones_like(t)
        r = _azimuth_ratio(invariants_b(kin, em, tb, t, ones)[0].d1, invariants_b(kin, em, tb, t, -ones)[0].d1)
        cos_phi, dphi = _psi_map(psi, r)
        inv, e_k = invariants_b(kin, em, tb, t, cos_phi)
        keep = (e_k >= x_cut * kin.energy) & (e_k > kin.mx) if x_cut is not None else (e_k > kin.mx)
    trace = lepton_trace(proc.kind, inv, proc.flavour_changing)
    value = (2.0 * jacobian(kin, tb) * nuc.g2(t, proc.form_factor) / (t * t)) * dphi * trace
    return value if keep is None else np.where(keep, value, 0.0)


def _t_floor(proc: Process, nuc: Nucleus) -> float:
    """Lower end of the t integral: the kinematic t_min, but not below 1e-4 of the smallest screening scale, where
    G2 ~ (a^2 t)^2 makes the neglected part < 1e-8 relative (0 for the unscreened point nucleus)."""
    if proc.form_factor == "point":
        return 0.0
    return 1e-4 * min(ff.screening_a(nuc.Z) ** -2, ff.screening_a_inelastic(nuc.Z) ** -2)


def _t_cap(proc: Process, kin: Kinematics, em, m_other: float | None = None) -> NDArray:
    """Upper end of t at each emitted energy of ``em`` (screened form factors): max(:data:`T_CAP`,
    :data:`T_CAP_FACTOR` t_0), t_0 = t_min at Delta_min (the forward point, where the integrand lives); inf for the
    point nucleus. ``m_other``: the mass not emitted (m' in parametrisation A, the default; m_X in B)."""
    if proc.form_factor == "point":
        return np.full(np.shape(em.delta_min), math.inf)
    other = proc.mp if m_other is None else m_other
    return np.maximum(T_CAP, T_CAP_FACTOR * two_body(kin, em, em.delta_min, other).t_min)


def _t_upper(proc: Process, tb, cap: NDArray) -> NDArray:
    return tb.t_plus if proc.form_factor == "point" else np.minimum(tb.t_plus, cap)


def _delta_upper(proc: Process, kin: Kinematics, em, m_other: float | None = None, cap: NDArray | None = None) -> NDArray:
    """Largest Delta integrated over: Delta_max (point nucleus), else where t_min(Delta) reaches :func:`_t_cap`
    (``cap``: that cap when the caller already has it)."""
    if proc.form_factor == "point":
        return em.delta_max
    return delta_cut(kin, em, _t_cap(proc, kin, em, m_other) if cap is None else cap)


# --- deterministic rules --------------------------------------------------------------------------------------


def _segment_nodes(edges: NDArray, n: int) -> tuple[NDArray, NDArray]:
    """Gauss-Legendre nodes/weights on consecutive segments of ``edges`` (..., n_edges) -> (..., n_seg * n).
    Segments of zero width at every point of the leading axes (break points clipped to an end) are dropped: they
    carry zero weight."""
    used = np.any(np.diff(edges, axis=-1) > 0.0, axis=tuple(range(edges.ndim - 1)))
    if not np.all(used) and np.any(used):  # the first left edge, then each used segment's right edge
        edges = np.concatenate([edges[..., :1], edges[..., 1:][..., used]], axis=-1)
    x, w = _gl(n)
    half = 0.5 * np.diff(edges, axis=-1)
    mid = 0.5 * (edges[..., 1:] + edges[..., :-1])
    nodes = mid[..., None] + half[..., None] * x
    weights = half[..., None] * w
    shape = (*edges.shape[:-1], -1)
    return nodes.reshape(shape), weights.reshape(shape)


def _inner(proc: Process, energy: float, nuc: Nucleus, e_k: NDArray, delta: NDArray, rule: str) -> NDArray:
    """int dt dphi of dsigma/(dE_k dDelta dt dphi) at arrays (e_k, delta) of one shape."""
    _, n_t, n_psi = _RULES[rule]
    kin = proc.kinematics(energy, nuc)
    em = emission(kin, e_k, proc.m_x, proc.mp)
    tb = two_body(kin, em, delta, proc.mp)
    lo = np.log(np.maximum(tb.t_min, _t_floor(proc, nuc)))
    hi = np.log(np.maximum(_t_upper(proc, tb, _t_cap(proc, kin, em)), tb.t_min))
    hi = np.maximum(hi, lo)
    # screened: 8 segments up to T_CAP (or over a factor T_CAP above t_min), then the tail up to the cap (no width
    # for light bosons); point nucleus (integrand ~ 1/t up to t_+): 8 segments over the whole range
    mid = hi if proc.form_factor == "point" else np.minimum(hi, np.maximum(math.log(T_CAP), lo + math.log(T_CAP)))
    uniform = np.concatenate([lo[..., None] + (mid - lo)[..., None] * np.linspace(0.0, 1.0, _N_T_UNIFORM + 1),
                              mid[..., None] + (hi - mid)[..., None] * np.linspace(0.0, 1.0, _N_T_TAIL + 1)[1:]],
                             axis=-1)
    fixed = nuc.scales() if proc.form_factor != "point" else np.zeros(0)
    fixed = np.append(fixed, math.log(proc.m_x**2 + max(proc.m, proc.mp) ** 2))  # the virtual-photon falloff
    # t ~ Delta: where the photon's virtuality reaches the lepton line's; t ~ Delta E / E_k: the narrow peak of the
    # other lepton propagator, sharp for light bosons off electrons (without it the 1 MeV scalar was 1.7e-3 off)
    peak = np.log(tb.delta * (energy / e_k))
    kinematic = np.stack(np.broadcast_arrays(np.log(tb.delta), peak - _PEAK_HALF, peak, peak + _PEAK_HALF), axis=-1)
    breaks = np.concatenate([np.broadcast_to(fixed, (*lo.shape, fixed.size)), kinematic], axis=-1)
    edges = np.sort(np.concatenate([uniform, np.clip(breaks, lo[..., None], hi[..., None])], axis=-1), axis=-1)
    u_t, w_t = _segment_nodes(edges, n_t)  # (..., n)
    t = np.exp(u_t)
    psi, w_psi = _gl(n_psi)
    # psi on the leading axis: the arrays that do not depend on it then broadcast along long contiguous rows
    psi = (0.5 * math.pi * (psi + 1.0)).reshape((n_psi,) + (1,) * t.ndim)
    w_psi = 0.5 * math.pi * w_psi
    expand = lambda a: np.asarray(a)[..., None]
    em_b = type(em)(*(expand(getattr(em, f)) for f in ("e_emit", "k", "c0", "delta_min", "delta_max")))
    tb_b = type(tb)(*(expand(getattr(tb, f)) for f in ("v", "e_v", "delta", "w", "a2", "t_min", "t_plus")))
    dens = _ratio_and_density(proc, kin, nuc, em_b, tb_b, t, psi)  # (n_psi, ..., n_t)
    inner = np.tensordot(w_psi, dens, axes=1)
    return np.einsum("...t,...t->...", inner * t, w_t)


def _dsigma_dx_rule(proc: Process, energy: float, x: NDArray, rule: str) -> NDArray:
    n_u = _RULES[rule][0]
    out = np.zeros(x.shape)
    for nuc in proc.nuclei:
        kin = proc.kinematics(energy, nuc)
        e_k = x * energy
        em = emission(kin, e_k, proc.m_x, proc.mp)
        u_max = np.log(np.maximum(_delta_upper(proc, kin, em) / em.delta_min, 1.0))
        edges = np.minimum(_U_EDGES, u_max[..., None])
        u, w_u = _segment_nodes(edges, n_u)
        delta = em.delta_min[..., None] * np.exp(u)
        val = _inner(proc, energy, nuc, np.broadcast_to(e_k[..., None], delta.shape), delta, rule)
        out = out + nuc.count * energy * np.einsum("...u,...u->...", val * delta, w_u)
    return out


# x values per vectorised call. With psi on the leading axis (no short broadcast rows) the per-call overhead
# dominates at one x per call: 4-10 per call were all ~1.8x faster than 1 and ~1.4x faster than 20 (LDMX 0.1 GeV
# table, docs/speed.md, section exacttab); the numbers change only by rounding (zero-width segments kept).
_X_CHUNK = 5


def dsigma_dx(proc: Process, energy: float, x: ArrayLike, *, with_error: bool = True,
              rtol: float | None = None) -> tuple[NDArray, NDArray | None]:
    """dsigma/dx (GeV^-2 per formula unit, coupling 1) at ``x`` (array) for beam energy ``energy``, by the nested
    deterministic rule; with its numerical uncertainty |fine - coarse| + RULE_FLOOR |fine| (or None). Zero outside the kinematic range.
    ``rtol``: raise ConvergenceError where the uncertainty exceeds ``rtol`` times the value (implies the error)."""
    e = proc.check_energy(energy)
    xa = np.atleast_1d(np.asarray(x, dtype=float))
    lo, hi = proc.x_range(e)
    inside = (xa > lo) & (xa < hi)
    value = np.zeros(xa.shape)
    error = np.zeros(xa.shape) if (with_error or rtol is not None) else None
    flat = np.flatnonzero(inside.ravel())
    for start in range(0, flat.size, _X_CHUNK):
        idx = flat[start:start + _X_CHUNK]
        xs = xa.ravel()[idx]
        fine = _dsigma_dx_rule(proc, e, xs, "fine")
        value.ravel()[idx] = fine
        if error is not None:
            error.ravel()[idx] = np.abs(fine - _dsigma_dx_rule(proc, e, xs, "coarse")) + RULE_FLOOR * np.abs(fine)
    _check_finite(value, "dsigma/dx")
    if rtol is not None and error is not None:
        _check_tolerance(proc, e, xa, value, error, rtol)
    shape = np.shape(x)
    if not with_error:
        error = None
    return value.reshape(shape), None if error is None else error.reshape(shape)


def _check_tolerance(proc: Process, energy: float, x: NDArray, value: NDArray, error: NDArray, rtol: float) -> None:
    """ConvergenceError where the estimated error of dsigma/dx exceeds ``rtol`` times its value."""
    bad = error > rtol * np.abs(value)
    if np.any(bad):
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ConvergenceError(
            f"exact dsigma/dx ({proc.kind}, m = {proc.m_x:g} GeV, {proc.lepton} -> {proc.final_lepton}, E = {energy:g} "
            f"GeV): estimated error {error.ravel()[i]:.3g} exceeds {rtol:g} x {value.ravel()[i]:.3g} at "
            f"x = {x.ravel()[i]:.6g}")


def dsigma_dx_ddelta(proc: Process, energy: float, x: ArrayLike, delta: ArrayLike, rule: str = "fine") -> NDArray:
    """d^2sigma/(dx dDelta) (GeV^-4 per formula unit, coupling 1) at arrays ``x`` = E_X/E and ``delta`` (GeV^2;
    broadcast), Delta = m'^2 - (p - k)^2 the exact integrator's angular variable (1 - cos theta_X = (Delta -
    Delta_min) / (2 |p| |k|)): E sum over the nuclei of count x the (t, phi) integral of
    dsigma/(dE_X dDelta dt dphi). Range: x inside the window of :meth:`Process.x_range`, Delta_min(x) <= Delta <=
    the upper end of the Delta integral (Delta_max, or where t_min reaches the t cap of the screened form
    factors); zero outside. ``rule``: the deterministic (t, psi) rule, "fine" (the values of :func:`dsigma_dx`)
    or "coarse" (its error estimate is |fine - coarse|)."""
    if rule not in ("fine", "coarse"):
        raise InvalidParameter(f"rule must be 'fine' or 'coarse', got {rule!r}")
    e = proc.check_energy(energy)
    xa, da = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(delta, dtype=float))
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(da))):
        raise InvalidParameter("x and delta must be finite")
    lo, hi = proc.x_range(e)
    inside_x = (xa > lo) & (xa < hi)
    xs = np.where(inside_x, xa, 0.5 * (lo + hi))
    total = np.zeros(xa.shape)
    for nuc in proc.nuclei:
        kin = proc.kinematics(e, nuc)
        em = emission(kin, xs * e, proc.m_x, proc.mp)
        upper = _delta_upper(proc, kin, em)
        inside = inside_x & (da >= em.delta_min) & (da <= upper * (1.0 + 1e-12))  # rounding of Delta_min e^(w_max)
        ds = np.where(inside, da, em.delta_min)
        total = total + np.where(inside, nuc.count * e * _inner(proc, e, nuc, xs * e, ds, rule), 0.0)
    _check_finite(total, "dsigma/(dx dDelta)")
    return total


def dsigma_dx_dcos(proc: Process, energy: float, x: ArrayLike, theta: ArrayLike) -> tuple[NDArray, NDArray]:
    """d^2sigma/(dx dcos theta_X) (GeV^-2 per formula unit, coupling 1) at arrays ``x`` and ``theta`` (the lab
    angle of X to the beam, radians; broadcast), with the uncertainty |fine - coarse| of the (t, phi) rule.
    Given as a function of theta (not cos theta) so that angles ~ m/E keep their precision."""
    e = proc.check_energy(energy)
    xa, th = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(theta, dtype=float))
    if np.any((th < 0) | (th > math.pi)) or not np.all(np.isfinite(th)):
        raise InvalidParameter("theta must be in [0, pi] (radians)")
    if not np.all(np.isfinite(xa)):
        raise InvalidParameter("x must be finite")
    lo, hi = proc.x_range(e)
    inside = (xa > lo) & (xa < hi)
    xs = np.where(inside, xa, 0.5 * (lo + hi))
    one_minus_cos = 2.0 * np.sin(0.5 * th) ** 2
    results = []
    for rule in ("fine", "coarse"):
        total = np.zeros(xa.shape)
        for nuc in proc.nuclei:
            kin = proc.kinematics(e, nuc)
            em = emission(kin, xs * e, proc.m_x, proc.mp)
            delta = em.delta_min + 2.0 * kin.p * em.k * one_minus_cos
            val = _inner(proc, e, nuc, xs * e, delta, rule)
            total = total + nuc.count * e * 2.0 * kin.p * em.k * val  # dDelta/dcos = 2 |p| |k|
        results.append(np.where(inside, total, 0.0))
    _check_finite(results[0], "dsigma/(dx dcos theta)")
    return results[0], np.abs(results[0] - results[1])


def _x_nodes(a: float, b: float, n_seg: int, n: int) -> tuple[NDArray, NDArray]:
    """Gauss-Legendre in logit(x) on [a, b]."""
    za, zb = math.log(a / (1.0 - a)), math.log(b / (1.0 - b))
    z, w = _segment_nodes(np.linspace(za, zb, n_seg + 1), n)
    x = 1.0 / (1.0 + np.exp(-z))
    return x, w * x * (1.0 - x)


#: Most x segments :func:`sigma_quadrature` doubles up to before it gives up.
MAX_X_SEGMENTS: int = 48


def sigma_quadrature(proc: Process, energy: float, x_min: float = 0.0, n_seg: int = 6, n: int = 6,
                     rtol: float = 1e-3) -> tuple[float, float]:
    """sigma(x > x_min) by the deterministic rules (x: Gauss-Legendre in logit x; inside: :func:`dsigma_dx`);
    uncertainty = the quadrature error of dsigma/dx plus the change with half the x segments. The number of x
    segments starts at ``n_seg`` and doubles until the uncertainty is below ``rtol`` times sigma (a convergence
    test; 6 x 6 nodes suffice for rtol = 1e-3 in every case of docs/exact-production.md); ConvergenceError if
    :data:`MAX_X_SEGMENTS` do not reach it."""
    e = proc.check_energy(energy, x_min)
    lo, hi = proc.x_range(e)
    a = max(x_min, lo) + 1e-12 * (hi - lo)
    b = hi - 1e-12 * (hi - lo)
    x2, w2 = _x_nodes(a, b, max(n_seg // 2, 1), n)
    coarse = float(np.dot(w2, dsigma_dx(proc, e, x2, with_error=False)[0]))
    while True:
        x, w = _x_nodes(a, b, n_seg, n)
        spec, err = dsigma_dx(proc, e, x)
        assert err is not None
        value = float(np.dot(w, spec))
        error = float(np.dot(w, err)) + abs(value - coarse)
        if not value > 0.0:
            raise ConvergenceError(f"exact sigma ({proc.kind}, m = {proc.m_x:g} GeV, E = {e:g} GeV, x > {x_min:g}): "
                                   f"the rule gives {value:g} at an allowed point")
        if error <= rtol * abs(value):
            return value, error
        if 2 * n_seg > MAX_X_SEGMENTS:
            raise ConvergenceError(f"exact sigma ({proc.kind}, m = {proc.m_x:g} GeV, E = {e:g} GeV, x > {x_min:g}): "
                                   f"estimated error {error / abs(value):.2g} relative with {n_seg} x segments, "
                                   f"above rtol = {rtol:g}")
        coarse, n_seg = value, 2 * n_seg


def _check_finite(values: NDArray, what: str) -> None:
    if not np.all(np.isfinite(values)):
        raise ConvergenceError(f"exact {what}: non-finite values in the phase-space integration")


# --- vegas -----------------------------------------------------------------------------------------------------


@dataclass
class VegasResult:
    """A vegas integral: ``value`` and ``error`` (GeV^-2), chi^2 per degree of freedom and Q of the iterations,
    evaluations used; ``histogram``: dsigma/dx in the bins ``x_edges`` with errors, if asked for."""

    value: float
    error: float
    chi2_dof: float
    q: float
    evaluations: int
    x_edges: NDArray | None = None
    histogram: NDArray | None = None
    histogram_error: NDArray | None = None


@dataclass
class _Map:
    """The unit-cube map of one nucleus (parametrisation A or B) for vegas."""

    proc: Process
    energy: float
    nuc: Nucleus
    x_min: float
    parametrisation: str = "A"

    @cached_property
    def kin(self) -> Kinematics:
        return self.proc.kinematics(self.energy, self.nuc)

    @cached_property
    def bounds(self) -> tuple[float, float]:
        e, proc = self.energy, self.proc
        if self.parametrisation == "A":  # x of X
            lo, hi = proc.x_range(e)
            return max(self.x_min, lo), hi
        return proc.mp / e, min(1.0 - proc.m_x / e, 1.0 - self.x_min)  # E'/E of the lepton

    def point(self, y: NDArray) -> tuple[NDArray, NDArray]:
        """(weight per unit cube volume, x = E_X / E) at unit-cube points y (n, 4)."""
        a, b = self.bounds
        za, zb = math.log(a / (1.0 - a)), math.log(b / (1.0 - b))
        z = za + (zb - za) * y[:, 0]
        frac = 1.0 / (1.0 + np.exp(-z))
        jac = (zb - za) * frac * (1.0 - frac)
        kin, proc = self.kin, self.proc
        e_emit = frac * self.energy
        if self.parametrisation == "A":
            em = emission(kin, e_emit, proc.m_x, proc.mp)
        else:
            em = emission(kin, e_emit, proc.mp, proc.m_x)
        other = proc.mp if self.parametrisation == "A" else proc.m_x
        cap = _t_cap(proc, kin, em, other)
        u_max = np.log(np.maximum(_delta_upper(proc, kin, em, other, cap) / em.delta_min, 1.0))
        u = u_max * y[:, 1]
        delta = em.delta_min * np.exp(u)
        jac = jac * u_max * delta
        tb = two_body(kin, em, delta, other)
        t_hi = _t_upper(proc, tb, cap)
        open_ = tb.t_min < t_hi
        lo = np.log(tb.t_min)
        span = np.where(open_, np.log(np.maximum(t_hi, tb.t_min)) - lo, 0.0)
        t = np.exp(lo + span * y[:, 2])
        jac = jac * span * t * math.pi
        psi = math.pi * y[:, 3]
        dens = _ratio_and_density(proc, kin, self.nuc, em, tb, t, psi, self.parametrisation,
                                  None if self.parametrisation == "A" else self.x_min)
        weight = np.where(open_, self.nuc.count * self.energy * jac * dens, 0.0)
        if self.parametrisation == "A":
            x = frac
        else:
            x = (self.energy - e_emit - t / (2.0 * kin.M)) / self.energy
        return weight, x


#: Smallest Q (chi^2 probability of the iterations' agreement) :func:`sigma_vegas` accepts.
VEGAS_Q_MIN: float = 1e-3


def sigma_vegas(proc: Process, energy: float, x_min: float = 0.0, *, rtol: float = 3e-3, seed: int = 1,
                neval: int = 20000, nitn_adapt: int = 6, nitn_max: int = 30, parametrisation: str = "A",
                x_edges: ArrayLike | None = None) -> VegasResult:
    """sigma(x > x_min) (GeV^-2 per formula unit, coupling 1) by vegas in the 4 variables of parametrisation
    ``"A"`` (production) or ``"B"`` (cross-check), to relative accuracy ``rtol`` (statistical, 1 sigma), with a
    fixed ``seed``. ``x_edges``: also dsigma/dx histogrammed in these bins (with errors), from the same points.

    One vegas integration per atom of the formula unit. Raises ConvergenceError if ``nitn_max`` iterations do not
    reach ``rtol`` or the iterations disagree (Q < 1e-3)."""
    import vegas

    e = proc.check_energy(energy, x_min)
    edges = np.empty(0) if x_edges is None else np.asarray(x_edges, dtype=float)
    total, var, chi2, dof, n_evals = 0.0, 0.0, 0.0, 0, 0
    hist = hist_var = None
    for nuc in proc.nuclei:
        mapping = _Map(proc, e, nuc, x_min, parametrisation)
        rng = np.random.default_rng(seed)
        integ = vegas.Integrator(4 * [[0.0, 1.0]], ran_array_generator=rng.random)
        n_bins = 0 if x_edges is None else edges.size - 1

        @vegas.lbatchintegrand
        def integrand(y: NDArray, mapping: _Map = mapping, n_bins: int = n_bins) -> NDArray:
            w, x = mapping.point(y)
            if not n_bins:
                return w
            out = np.zeros((y.shape[0], 1 + n_bins))
            out[:, 0] = w
            idx = np.searchsorted(edges, x, side="right") - 1
            ok = (idx >= 0) & (idx < n_bins)
            out[np.flatnonzero(ok), 1 + idx[ok]] = w[ok]
            return out

        integ(integrand, nitn=nitn_adapt, neval=neval)  # adapt the map, results discarded
        result = integ(integrand, nitn=nitn_max, neval=neval, rtol=rtol, adapt=True)
        main = result[0] if n_bins else result
        if not math.isfinite(main.mean):
            raise ConvergenceError("vegas: non-finite cross section")
        total += main.mean
        var += main.sdev**2
        n_evals += int(neval * (nitn_adapt + len(result.itn_results)))
        chi2 += float(result.chi2)
        dof += int(result.dof)
        if n_bins:
            h = np.array([result[i + 1].mean for i in range(n_bins)]) / np.diff(edges)
            hv = (np.array([result[i + 1].sdev for i in range(n_bins)]) / np.diff(edges)) ** 2
            hist = h if hist is None else hist + h
            hist_var = hv if hist_var is None else hist_var + hv
    err = math.sqrt(var)
    from scipy.stats import chi2 as chi2_dist

    q = float(chi2_dist.sf(chi2, dof)) if dof > 0 else 1.0
    if not total > 0.0:
        raise ConvergenceError(f"vegas: cross section {total:g} +- {err:g} at an allowed point (no phase space sampled)")
    if err > rtol * total * 1.0001:
        raise ConvergenceError(f"vegas: reached {err / total:.2g} relative error, not {rtol:g}, in {nitn_max} iterations")
    if q < VEGAS_Q_MIN:
        raise ConvergenceError(f"vegas: the iterations disagree (chi^2/dof = {chi2 / max(dof, 1):.3g}, Q = {q:.2g} "
                               f"< {VEGAS_Q_MIN:g}); the error estimate is not trustworthy")
    return VegasResult(total, err, chi2 / max(dof, 1), q, n_evals, None if x_edges is None else edges, hist,
                       None if hist_var is None else np.sqrt(hist_var))

