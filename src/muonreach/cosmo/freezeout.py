"""Thermal freeze-out: relativistic thermal average, Boltzmann equation for the yield, relic density.

Conventions (those of :mod:`muonreach.cosmo.channels`; the engine knows no model):

* A :class:`~muonreach.cosmo.channels.DarkSector` lists states i with mass m_i, ``dof`` g_i (internal degrees
  of freedom of ONE particle) and ``self_conjugate``; ``cross_sections[(i, j)]`` (i <= j) is sigma_ij(s) in
  GeV^-2 for particle i + ANTIparticle j (for self-conjugate states: i + j), spin-averaged.
* Internally every state that is not self-conjugate is split into two *species*, particle and antiparticle,
  each with g_i degrees of freedom. The yield Y = n/s counts ALL species: particles + antiparticles of every
  state (the co-annihilating partners decay to the lightest state after freeze-out).
* x = m_1/T with m_1 the lightest mass; T is the temperature of the SM plasma. The dark sector is assumed in
  kinetic equilibrium with the plasma throughout (see docs/relic.md for where this fails) and in chemical
  equilibrium among its states; Maxwell-Boltzmann statistics.

Two thermal averages (both in GeV^-2; multiply by :data:`GEV2_CM3_PER_S` or use :func:`to_cm3_per_s` for
cm^3/s):

* :func:`thermal_average`: the conventional <sigma v>, an average over STATES with the weights of Edsjo &
  Gondolo (states = particle-antiparticle pairs, g_i each). For a single state it is the Gondolo-Gelmini
  <sigma v> of sigma(s), Dirac or Majorana alike: the number quoted in the literature ("2.2e-26 cm^3/s for a
  Majorana WIMP, twice that for a Dirac one").
* :func:`annihilation_rate`: the coefficient <sigma_eff v> that multiplies (Y^2 - Y_eq^2) in the Boltzmann
  equation for the total yield, an average over SPECIES. For one self-conjugate state it equals
  :func:`thermal_average`; for one Dirac (or complex-scalar) state it is HALF of it. Derivation: with
  n = n_chi + n_chibar and n_chi = n_chibar = n/2, dn_chi/dt + 3 H n_chi = -<sigma v> (n_chi n_chibar -
  n_chi,eq n_chibar,eq) = -(<sigma v>/4)(n^2 - n_eq^2), so dn/dt + 3 H n = -(<sigma v>/2)(n^2 - n_eq^2)
  (Srednicki, Watkins, Olive, Nucl. Phys. B310 (1988) 693, Dirac vs Majorana neutrinos; the same factor follows
  from treating chi and chibar as two species in the co-annihilation formalism of Edsjo & Gondolo 1997; it is
  why Steigman, Dasgupta, Beacom, arXiv:1204.3622, quote twice the Majorana <sigma v> for a Dirac WIMP).
  Consequence: for the same <sigma v> and dof, Omega(Dirac) = 2 Omega(Majorana) exactly (tests/test_freezeout.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicSpline, PchipInterpolator
from scipy.optimize import brentq
from scipy.special import k0e, k1e

from ..constants import M_PLANCK_GEV, RHO_CRIT_H2_GEV_CM3, S0_CM3
from ..errors import ConvergenceError, DataRangeError, InvalidParameter, SpecError
from ..units import C_CM_PER_S, GEV2_TO_CM2
from ..validation import non_negative, positive
from . import geff
from .channels import DarkSector

# --- constants (M_Pl, s_0, rho_c/h^2 with their sources: muonreach.constants) ----------------------------
#: 1 GeV^-2 (sigma v with c = 1) in cm^3/s.
GEV2_CM3_PER_S: float = GEV2_TO_CM2 * C_CM_PER_S

# --- numerical settings ----------------------------------------------------------------------------------
X_START: float = 1.0  # the ODE starts in equilibrium at x = m_1/T = 1
X_TABLE_MAX: float = 1e5  # <sigma_eff v>(x) is tabulated up to here; beyond: power-law tail
X_ODE_MAX: float = 1e4  # if Y has not left equilibrium by then: ConvergenceError
POINTS_PER_DECADE: int = 40
FROZEN_RATIO: float = 1e-4  # the ODE stops when Y_eq/Y < FROZEN_RATIO; the rest is a quadrature
MAX_STEP_X: float = 0.5  # largest ODE step in x (freeze-out takes Delta x ~ 1-5)
U_MAX: float = 80.0  # thermal integral cut: u = (sqrt(s) - sqrt(s_threshold))/T < U_MAX (weight e^-80)
_GL_ORDER = 8
_PANEL_RATIO = 1.5  # geometric panels in v = sqrt(s) - threshold above _FINE_START T_min (see _edges)
_FINE_START = 0.1
_GRADING = 3.0  # geometric grading of panels towards thresholds and poles
_W_MIN = 1e-6  # smallest panel (in u at T_min) at a threshold or a zero-width break point
_HEAD = 1e-3  # nodes below v = _HEAD T enter J(T) as one node (see _pair_integral)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(_GL_ORDER)
_EXP_MAX = 700.0

Pole = tuple[float, float]


def to_cm3_per_s(sigma_v_gev2: ArrayLike) -> NDArray[np.float64] | float:
    """Convert <sigma v> from GeV^-2 (natural units, c = 1) to cm^3/s."""
    out = np.asarray(sigma_v_gev2, dtype=float) * GEV2_CM3_PER_S
    return float(out) if out.ndim == 0 else out


def from_cm3_per_s(sigma_v_cm3_s: ArrayLike) -> NDArray[np.float64] | float:
    """Convert <sigma v> from cm^3/s to GeV^-2."""
    out = np.asarray(sigma_v_cm3_s, dtype=float) / GEV2_CM3_PER_S
    return float(out) if out.ndim == 0 else out


# --- input checks ----------------------------------------------------------------------------------------
def _check_sector(sector: DarkSector) -> None:
    if not sector.states:
        raise SpecError("the dark sector has no states")
    for st in sector.states:
        positive(f"mass of {st.name}", st.mass)
        if int(st.dof) != st.dof or st.dof < 1:
            raise InvalidParameter(f"dof of {st.name} must be a positive integer, got {st.dof!r}")
    n = len(sector.states)
    if not sector.cross_sections:
        raise SpecError("the dark sector has no annihilation cross section")
    for key in sector.cross_sections:
        try:
            i, j = (int(k) for k in key)
        except (TypeError, ValueError):
            raise SpecError(f"cross-section key {key!r} must be a pair of state indices (i, j)") from None
        if not (0 <= i <= j < n):
            raise SpecError(f"cross-section key {key} must be (i, j) with 0 <= i <= j < {n} (listed once)")


def _check_poles(poles: Sequence[Pole]) -> tuple[Pole, ...]:
    out = []
    for p in poles:
        try:
            m, w = p
        except (TypeError, ValueError):
            raise InvalidParameter(f"a pole must be a (mass, width) pair in GeV, got {p!r}") from None
        out.append((positive("pole mass", m), non_negative("pole width", w)))
    return tuple(out)


# --- thermal integrals -------------------------------------------------------------------------------------
def _edges(t_min: float, t_max: float, threshold: float, poles: tuple[Pole, ...]) -> NDArray[np.float64]:
    """Panel ends in v = sqrt(s) - threshold (GeV) on [0, U_MAX t_max], shared by every temperature in
    [t_min, t_max]: a geometric grid of ratio _PANEL_RATIO from _FINE_START t_min up (in u = v/T every panel
    where the e^-u weight matters is at most half as long as its distance from the threshold), graded by
    _GRADING below it down to _W_MIN t_min (the sqrt(u) threshold behaviour), and graded by _GRADING towards
    every pole (v_R +- w 3^k, w = Gamma/2, out to |v - v_R| = |v_R|) or zero-width break point (w = _W_MIN
    t_min). Points outside [0, U_MAX t_max] are dropped. The panels do not depend on the temperature, so
    sigma(s) is evaluated once per node for all temperatures (:func:`_pair_integral`). Against a grid four
    times finer with Gauss-Legendre of order 16 the rate agrees to 4e-10 when the channel thresholds are
    break points (tests/test_freezeout.py; docs/relic.md)."""
    v_max = U_MAX * t_max
    fine_lo, w_min = _FINE_START * t_min, _W_MIN * t_min
    fine = fine_lo * _PANEL_RATIO ** np.arange(math.ceil(math.log(v_max / fine_lo) / math.log(_PANEL_RATIO)) + 1)
    coarse = w_min * _GRADING ** np.arange(max(math.ceil(math.log(fine_lo / w_min) / math.log(_GRADING)), 0))
    columns = [np.zeros(1), coarse, fine]
    for mass, width in poles:
        centre = mass - threshold
        # half width; a zero width (threshold, kink) gets the threshold grading, a finite one is resolved down
        # to what double precision allows around sqrt(s) = mass
        w = max(width / 2.0 if width > 0.0 else w_min, 1e-13 * max(t_min, abs(centre)))
        # out to |v - v_R| = |v_R|: beyond, the grid around v = 0 is at least as fine as this grading
        offsets = w * _GRADING ** np.arange(math.ceil(math.log(max(abs(centre) / w, 1.0)) / math.log(_GRADING)) + 1)
        columns += [np.array([centre]), centre + offsets, centre - offsets]
    edges = np.concatenate(columns)
    return np.unique(edges[(edges >= 0.0) & (edges <= v_max)])


def _gl_nodes(edges: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    u = (mid[:, None] + half[:, None] * _GL_X[None, :]).ravel()
    w = (half[:, None] * _GL_W[None, :]).ravel()
    return u, w


def _pair_integral(
    sigma: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    m_i: float,
    m_j: float,
    temperatures: NDArray[np.float64],
    poles: tuple[Pole, ...],
    label: str,
) -> NDArray[np.float64]:
    """J_ij(T) = int_0^inf du e^{-u} sigma(s) p_ij^2 s k1e(sqrt(s)/T), sqrt(s) = m_i + m_j + T u.

    With it, n_i,eq n_j,eq <sigma_ij v_ij> = g_i g_j T^2/(4 pi^4) e^{-(m_i+m_j)/T} J_ij: the Gondolo-Gelmini
    single integral (Nucl. Phys. B360 (1991) 145) in the Edsjo-Gondolo form for unequal masses
    (arXiv:hep-ph/9704361), n_i n_j <sigma v> = g_i g_j T/(8 pi^4) int ds sigma p_ij^2 sqrt(s) K1(sqrt(s)/T),
    rewritten with ds = 2 sqrt(s) T du and the scaled Bessel function k1e(z) = e^z K1(z), so that nothing
    under- or overflows at large x. Composite Gauss-Legendre (order 8) in v = T u on the panels of
    :func:`_edges`, the same nodes for every temperature: sigma(s) p_ij^2 s is evaluated once per node, and
    each temperature sums the nodes of the panels that start below u = U_MAX (e^-80). The nodes below
    v = _HEAD min(T, M), M = m_i + m_j, and below half the first pole or break point above threshold (the
    head: a grid made for the lowest temperature) enter as one node at their mean v weighted by
    sigma p_ij^2 s w >= 0: the rest of the integrand, F(v) = e^{-v/T} k1e((M + v)/T)/T, varies on the scale
    min(T, M) there, so the error is about (1/2) |F''/F| Var(v) <~ _HEAD^2/2 of the head's share of J, a share
    <= 3e-5 with no break point inside (s-wave, sigma ~ 1/v, the steepest threshold; p-wave far less): <~ 2e-11
    of J. It removes half of the (T, node) pairs. Checked against adaptive quadrature and against the sum over every node in
    tests/test_freezeout.py.
    """
    threshold = m_i + m_j
    delta2 = (m_i - m_j) ** 2
    edges = _edges(float(np.min(temperatures)), float(np.max(temperatures)), threshold, poles)
    v, w = _gl_nodes(edges)
    sqrt_s = threshold + v
    s = sqrt_s * sqrt_s
    p2 = v * (2.0 * threshold + v) * (s - delta2) / (4.0 * s)  # p_ij^2, with s - (m_i+m_j)^2 = v (2M + v)
    sig = np.asarray(sigma(s), dtype=float)
    if sig.shape != s.shape:
        raise InvalidParameter(f"cross section {label} must return an array of the shape of s")
    if not np.all(np.isfinite(sig)) or np.any(sig < 0.0):
        raise InvalidParameter(f"cross section {label} returned negative or non-finite values")
    weighted = w * sig * p2 * s
    # temperature k sums the nodes of the panels starting below U_MAX T_k (a prefix of the sorted nodes), those
    # below v = _HEAD min(T_k, M) and half-way to the first pole or break point (the head) as one node
    first_break = min((m - threshold for m, _ in poles if m > threshold), default=math.inf)
    ends = _GL_X.size * np.searchsorted(edges[:-1], U_MAX * temperatures, side="left")
    head_end = np.minimum(_HEAD * np.minimum(temperatures, threshold), 0.5 * first_break)
    starts = np.minimum(np.searchsorted(v, head_end, side="left"), ends)
    lengths = ends - starts
    rows = np.repeat(np.arange(temperatures.size), lengths)
    nodes = np.arange(rows.size) - np.repeat(np.cumsum(lengths) - lengths - starts, lengths)
    inv_t = 1.0 / temperatures[rows]
    vn = v[nodes]
    f = weighted[nodes] * inv_t * np.exp(-vn * inv_t) * k1e((threshold + vn) * inv_t)
    out = np.bincount(rows, weights=f, minlength=temperatures.size).astype(float)
    head = np.concatenate(([0.0], np.cumsum(weighted)))[starts]
    moment = np.concatenate(([0.0], np.cumsum(weighted * v)))[starts]
    has = head > 0.0
    v_mean = moment[has] / head[has]
    t = temperatures[has]
    out[has] += head[has] / t * np.exp(-v_mean / t) * k1e((threshold + v_mean) / t)
    return out


def _weights(sector: DarkSector, temperatures: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """Sums sum g_a m_a^2 k2e(m_a/T) e^{-(m_a - m_1)/T} over species and over states (n_eq up to a factor).

    k2e(z) = e^z K_2(z) = k0e(z) + (2/z) k1e(z) (the recurrence DLMF 10.29.1, stable upwards for K; within
    1e-15 of scipy's kve(2, z) at half its cost)."""
    m1 = sector.lightest.mass
    species = np.zeros_like(temperatures)
    states = np.zeros_like(temperatures)
    for st in sector.states:
        z = st.mass / temperatures
        term = st.dof * st.mass**2 * (k0e(z) + 2.0 / z * k1e(z)) * np.exp(-(st.mass - m1) / temperatures)
        states += term
        species += term if st.self_conjugate else 2.0 * term
    return species, states


def _averages(
    sector: DarkSector, x: NDArray[np.float64], poles: tuple[Pole, ...]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(annihilation_rate, thermal_average) on the x grid, GeV^-2."""
    m1 = sector.lightest.mass
    temps = m1 / x
    d_species, d_states = _weights(sector, temps)
    rate = np.zeros_like(temps)
    conv = np.zeros_like(temps)
    for (i, j), sigma in sector.cross_sections.items():
        si, sj = sector.states[i], sector.states[j]
        jij = _pair_integral(sigma, si.mass, sj.mass, temps, poles, f"({i}, {j})")
        boltz = np.exp(-(si.mass + sj.mass - 2.0 * m1) / temps)
        base = si.dof * sj.dof * boltz * jij
        ordered = 1.0 if i == j else 2.0  # (i, j) and (j, i)
        conj = 1.0 if (si.self_conjugate and sj.self_conjugate) else 2.0  # i jbar and ibar j
        rate += ordered * conj * base
        conv += ordered * base
    return rate / d_species**2, conv / d_states**2


def thermal_average(sector: DarkSector, x: ArrayLike, poles: Sequence[Pole] = ()) -> NDArray[np.float64]:
    """Conventional <sigma v>(x) in GeV^-2 (module docstring), x = m_lightest/T.

    Single state: <sigma v> = [1/(8 m^4 T K2(m/T)^2)] int_{4m^2}^inf ds sigma(s) (s - 4m^2) sqrt(s) K1(sqrt(s)/T)
    (Gondolo & Gelmini, Nucl. Phys. B360 (1991) 145). Several states: the Edsjo-Gondolo average
    (Phys. Rev. D 56 (1997) 1879, arXiv:hep-ph/9704361) over states, sum_ij n_i n_j <sigma_ij v_ij> / n^2 with
    the equilibrium densities n_i = g_i m_i^2 T K2(m_i/T)/(2 pi^2) and n = sum_i n_i (sum over ordered pairs,
    sigma_ji = sigma_ij). Valid for any x > 0 (relativistic
    Maxwell-Boltzmann); ``poles`` are (mass, width) pairs in GeV where sigma(s) has narrow structure (an
    s-channel resonance at sqrt(s) = mass; width 0 marks a threshold or kink) used as quadrature break points:
    pass every narrow resonance (without its break points a Gamma/M = 1e-8 peak is missed entirely).
    Use :func:`to_cm3_per_s` for cm^3/s.
    """
    _check_sector(sector)
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    if not np.all(np.isfinite(xs)) or np.any(xs <= 0.0):
        raise InvalidParameter("x = m/T must be positive and finite")
    return _averages(sector, xs, _check_poles(poles))[1].reshape(np.shape(x))


def annihilation_rate(sector: DarkSector, x: ArrayLike, poles: Sequence[Pole] = ()) -> NDArray[np.float64]:
    """<sigma_eff v>(x) in GeV^-2 entering dY/dx for the total yield (species average; module docstring)."""
    _check_sector(sector)
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    if not np.all(np.isfinite(xs)) or np.any(xs <= 0.0):
        raise InvalidParameter("x = m/T must be positive and finite")
    return _averages(sector, xs, _check_poles(poles))[0].reshape(np.shape(x))


def thermal_average_cm3_s(sector: DarkSector, x: ArrayLike, poles: Sequence[Pole] = ()) -> NDArray[np.float64]:
    """:func:`thermal_average` in cm^3/s."""
    return thermal_average(sector, x, poles) * GEV2_CM3_PER_S


# --- Boltzmann equation --------------------------------------------------------------------------------------
def log_equilibrium_yield(sector: DarkSector, x: ArrayLike, table: geff.DofTable | None = None) -> NDArray:
    """ln Y_eq(x), Y_eq = n_eq/s = (45/(4 pi^4)) sum_species g_a (m_a/T)^2 K2(m_a/T) / h_eff(T).

    Maxwell-Boltzmann n_eq = (T/(2 pi^2)) g m^2 K2(m/T) (Gondolo & Gelmini 1991), summed over all species
    (particles and antiparticles of every state), s = (2 pi^2/45) h_eff T^3.
    """
    table = table or geff.default_table()
    xs = np.asarray(x, dtype=float)
    m1 = sector.lightest.mass
    temps = m1 / xs
    d_species, _ = _weights(sector, np.atleast_1d(temps))
    d = d_species.reshape(np.shape(temps)) / temps**2
    return np.log(45.0 / (4.0 * np.pi**4)) + np.log(d) - xs - np.log(table.h_eff(temps))


@dataclass(frozen=True)
class FreezeOutResult:
    """Solution of the Boltzmann equation for one dark sector."""

    omega_h2: float
    y_today: float  # total yield Y = n/s today (all states, particles + antiparticles)
    x_freeze_out: float  # where Y = 1.5 Y_eq (c = 1/2 in the Kolb-Turner sense), for information
    x_decoupled: float  # where the ODE stopped (Y_eq/Y = FROZEN_RATIO); beyond: a quadrature
    mass: float  # lightest mass m_1 (GeV)
    tail_fraction: float  # share of int q dx (1/Y_today) accumulated after x_decoupled


class _Rate:
    """q(x) = sqrt(pi/45) M_Pl m_1 g_*^{1/2}(T) <sigma_eff v>(x) / x^2, from a table in x built once."""

    def __init__(self, sector: DarkSector, poles: tuple[Pole, ...], table: geff.DofTable) -> None:
        self.m1 = sector.lightest.mass
        n = round(POINTS_PER_DECADE * math.log10(X_TABLE_MAX / X_START)) + 1
        self.x = np.geomspace(X_START, X_TABLE_MAX, n)
        rate, _ = _averages(sector, self.x, poles)
        if not np.all(np.isfinite(rate)):
            raise ConvergenceError("the thermal average is not finite on the x grid")
        floor = np.finfo(float).tiny
        self.log_rate = PchipInterpolator(np.log(self.x), np.log(np.maximum(rate, floor)))
        self.table = table
        self.prefactor = math.sqrt(math.pi / 45.0) * M_PLANCK_GEV * self.m1
        self._tail: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None

    def g_star_sqrt(self, x: NDArray[np.float64] | float, *, late: bool = False) -> NDArray[np.float64] | float:
        t = self.m1 / np.asarray(x, dtype=float)
        if late:
            # Post-freeze-out tail only: below T_min (after e+e- annihilation) the table is flat, g_*^{1/2} is a
            # constant (photons + decoupled neutrinos); it is held at its value at T_min.
            t = np.maximum(t, self.table.t_min)
        return self.table.g_star_sqrt(t)

    def q(self, x: NDArray[np.float64] | float, *, late: bool = False) -> NDArray[np.float64] | float:
        xa = np.asarray(x, dtype=float)
        return self.prefactor * self.g_star_sqrt(xa, late=late) * np.exp(self.log_rate(np.log(xa))) / xa**2

    def tail_integral(self, x_from: float) -> float:
        """int_{x_from}^inf q(x) dx: Gauss-Legendre in ln x on the panels between the rate's x grid and the
        rows of the g_eff table (both interpolants are piecewise cubic between their nodes, so each panel is
        exact to round-off), accumulated once from the right; a power law beyond X_TABLE_MAX."""
        if self._tail is None:
            self._tail = self._tail_table()
        edges, cumulative = self._tail
        l_from = math.log(x_from)
        if not edges[0] <= l_from < edges[-1]:
            raise ConvergenceError("freeze-out did not finish inside the tabulated x range")
        k = int(np.searchsorted(edges, l_from, side="right")) - 1  # panel [edges[k], edges[k + 1]) holds x_from
        u, w = _gl_nodes(np.array([l_from, edges[k + 1]]))
        xs = np.exp(u)
        return float(np.sum(w * self.q(xs, late=True) * xs)) + float(cumulative[k + 1])

    def _tail_table(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(panel edges in ln x, int from each edge to infinity)."""
        lx = np.log(self.x)
        l_table = np.log(self.m1 / self.table.temperature)
        edges = np.unique(np.concatenate((lx, l_table[(l_table > lx[0]) & (l_table < lx[-1])])))
        u, w = _gl_nodes(edges)
        xs = np.exp(u)
        per_panel = (w * self.q(xs, late=True) * xs).reshape(edges.size - 1, -1).sum(axis=1)
        # beyond X_TABLE_MAX: q x ~ x^-n with n from the last grid interval
        x1, x2 = self.x[-2], self.x[-1]
        f1, f2 = float(self.q(x1, late=True)) * x1, float(self.q(x2, late=True)) * x2
        beyond = 0.0
        if f2 > 0.0:
            n = -math.log(f2 / f1) / math.log(x2 / x1) if f1 > 0.0 else math.inf
            if n < 0.1:
                raise ConvergenceError(
                    f"the annihilation rate falls too slowly (q x ~ x^-{n:.3g}) for the late-time integral to converge"
                )
            beyond = f2 / n if math.isfinite(n) else 0.0
        cumulative = np.concatenate((np.cumsum(per_panel[::-1])[::-1], [0.0])) + beyond
        return edges, cumulative


class _FastSpline:
    """Cubic spline of f(x) on an even grid in ln x (step 4e-3), evaluated with plain floats.

    The ODE right-hand side is called thousands of times; this keeps a call at about a microsecond. The
    interpolation error moves Omega h^2 by < 1e-8 against a step of 1e-3 (measured on the shipped models,
    resonant and threshold cases included; ln q itself is a PCHIP of a 40-per-decade table).
    """

    STEP = 4e-3

    def __init__(self, x_lo: float, x_hi: float, f: Callable[[NDArray[np.float64]], ArrayLike]) -> None:
        self.l0 = math.log(x_lo)
        n = max(math.ceil((math.log(x_hi) - self.l0) / self.STEP), 4) + 1
        lx = np.linspace(self.l0, math.log(x_hi), n)
        self.step = (math.log(x_hi) - self.l0) / (n - 1)
        values = np.asarray(f(np.exp(lx)), dtype=float)
        if not np.all(np.isfinite(values)):
            raise ConvergenceError("non-finite rate or equilibrium yield on the x grid")
        c = CubicSpline(lx, values).c
        # four flat lists (c3, c2, c1, c0 of every interval): built 8x faster than a list of rows
        self.c3, self.c2, self.c1, self.c0 = (row.tolist() for row in c)
        self.n = n - 1

    def __call__(self, x: float) -> float:
        t = (math.log(x) - self.l0) / self.step
        i = min(max(int(t), 0), self.n - 1)
        d = (t - i) * self.step
        return ((self.c3[i] * d + self.c2[i]) * d + self.c1[i]) * d + self.c0[i]

    def derivative(self, x: float) -> float:
        """df/dx."""
        t = (math.log(x) - self.l0) / self.step
        i = min(max(int(t), 0), self.n - 1)
        d = (t - i) * self.step
        return ((3.0 * self.c3[i] * d + 2.0 * self.c2[i]) * d + self.c1[i]) / x


def _coefficients(lnq: _FastSpline, weq: _FastSpline, log_scale: float) -> Callable[[float], tuple[float, float]]:
    """x -> (a, b) of dDelta/dx = -a sinh(Delta) - b: a = 2 rate_scale q Y_eq (capped at e^_EXP_MAX), b = dW_eq/dx,
    with one grid lookup (both splines share their grid in ln x) and plain floats (the ODE's inner loop)."""
    if (lnq.l0, lnq.step, lnq.n) != (weq.l0, weq.step, weq.n):
        raise ValueError("the two splines must share their grid")
    l0, step, last = lnq.l0, lnq.step, lnq.n - 1
    q3, q2, q1, q0 = lnq.c3, lnq.c2, lnq.c1, lnq.c0
    w3, w2, w1, w0 = weq.c3, weq.c2, weq.c1, weq.c0
    exp, log = math.exp, math.log

    def evaluate(x: float) -> tuple[float, float]:
        t = (log(x) - l0) / step
        i = int(t)
        i = 0 if i < 0 else (last if i > last else i)
        d = (t - i) * step
        c3, c2 = w3[i], w2[i]
        e = ((q3[i] * d + q2[i]) * d + q1[i]) * d + q0[i] + log_scale + ((c3 * d + c2) * d + w1[i]) * d + w0[i]
        return 2.0 * exp(e if e < _EXP_MAX else _EXP_MAX), ((3.0 * c3 * d + 2.0 * c2) * d + w1[i]) / x

    return evaluate


class FreezeOut:
    """The Boltzmann problem of one dark sector, set up once and solvable for any overall rate scale.

    The thermal average and the splines of ln q(x) and ln Y_eq(x) are built at construction;
    :meth:`solve` integrates the equation with <sigma_eff v> multiplied by ``rate_scale`` (a cross section
    proportional to a coupling squared is scanned this way without recomputing the thermal average).
    """

    def __init__(self, sector: DarkSector, poles: Sequence[Pole] = (), *, table: geff.DofTable | None = None,
                 rtol: float = 1e-8) -> None:
        if not (isinstance(rtol, (int, float)) and 0.0 < rtol < 1.0):  # NaN fails too
            raise InvalidParameter(f"rtol (ODE tolerance on ln(Y/Y_eq)) must be in (0, 1), got {rtol!r}")
        _check_sector(sector)
        pls = _check_poles(poles)
        self.sector = sector
        self.table = table or geff.default_table()
        self.rtol = float(rtol)
        self.m1 = m1 = sector.lightest.mass
        if m1 / X_START > self.table.t_max:
            raise DataRangeError(f"m = {m1:.4g} GeV: T = m at x = 1 is above the g_eff table ({self.table.t_max:.4g} GeV)")
        self.x_hi = min(X_ODE_MAX, m1 / self.table.t_min)
        if self.x_hi <= X_START * 1.01:
            raise DataRangeError(
                f"m = {m1:.4g} GeV is too light: freeze-out would be below the g_eff table minimum "
                f"T = {self.table.t_min:.4g} GeV"
            )
        self.rate = _Rate(sector, pls, self.table)
        # ln q(x) and W_eq(x) = ln Y_eq(x) on a fine grid in ln x, evaluated in the ODE by cubic splines
        self.lnq = _FastSpline(X_START, self.x_hi, lambda x: np.log(self.rate.q(x)))
        self.weq = _FastSpline(X_START, self.x_hi, lambda x: log_equilibrium_yield(sector, x, self.table))

    def estimate(self, rate_scale: float = 1.0) -> float:
        """Omega h^2 from the instantaneous freeze-out approximation on this problem's own rate (no ODE).

        Freeze-out x_f where the departure from equilibrium is Delta = ln(1 + c), c = 1/2: the quasi-static
        balance c (2 + c) q Y_eq = -d ln Y_eq/dx; then 1/Y_inf = 1/((1 + c) Y_eq(x_f)) + int_{x_f} q dx
        (Kolb & Turner, Sec. 5.2, with the full q(x) of this problem, so thresholds and resonances are in).
        A guide for root finders only (a few % from :meth:`solve`); the answers muonreach reports come from
        the ODE."""
        scale = positive("rate_scale", rate_scale)
        c = 0.5
        lnq, weq = self.lnq, self.weq

        def balance(lx: float) -> float:
            x = math.exp(lx)
            return math.log(c * (2.0 + c) * scale) + lnq(x) + weq(x) - math.log(max(-weq.derivative(x), 1e-300))

        lo, hi = math.log(X_START * 1.001), math.log(self.x_hi * 0.999)
        if balance(lo) < 0.0:
            x_f = X_START * 1.001  # never in equilibrium at x = 1: freeze-out at once
        elif balance(hi) > 0.0:
            raise ConvergenceError("the yield does not leave equilibrium inside the tabulated x range")
        else:
            x_f = math.exp(brentq(balance, lo, hi, xtol=1e-6))
        inv_y = math.exp(-weq(x_f)) / (1.0 + c) + scale * self.rate.tail_integral(x_f)
        return self.m1 / inv_y * S0_CM3 / RHO_CRIT_H2_GEV_CM3

    def solve(self, rate_scale: float = 1.0, method: str = "trbdf2") -> FreezeOutResult:
        """Solve with <sigma_eff v> -> rate_scale <sigma_eff v> (see :func:`solve_freeze_out`).

        ``method``: "trbdf2" (default: :func:`_trbdf2`, a scalar L-stable solver with the analytic Jacobian) or
        "radau" (scipy's Radau IIA, the reference it is tested against)."""
        scale = positive("rate_scale", rate_scale)
        if method not in ODE_METHODS:
            raise InvalidParameter(f"method must be one of {', '.join(ODE_METHODS)}, got {method!r}")
        log_scale = math.log(scale)
        weq, m1, x_hi = self.weq, self.m1, self.x_hi
        log_frozen = math.log(1.0 / FROZEN_RATIO)

        # Unknown: Delta = ln(Y/Y_eq) = W - W_eq, small and smooth while Y tracks Y_eq (the solver then takes
        # large steps there); dDelta/dx = -2 q Y_eq sinh(Delta) - dW_eq/dx = -a(x) sinh(Delta) - b(x).
        coefficients = _coefficients(self.lnq, self.weq, log_scale)

        def f_and_dfdy(x: float, d: float) -> tuple[float, float]:
            a, b = coefficients(x)
            d = min(max(d, -_EXP_MAX), _EXP_MAX)  # the caps only matter for wild trial steps of the solver
            return -a * math.sinh(d) - b, -a * math.cosh(d)

        if method == "trbdf2":
            x_dec, d_dec, x_f = _trbdf2(coefficients, X_START, x_hi, log_frozen, math.log(1.5), self.rtol)
        else:
            x_dec, d_dec, x_f = self._radau(f_and_dfdy, x_hi, log_frozen)
        if x_dec is None:
            if x_hi < X_ODE_MAX:
                raise DataRangeError(
                    f"freeze-out of m = {m1:.4g} GeV is not complete at the g_eff table minimum T = {self.table.t_min:.4g} GeV"
                )
            raise ConvergenceError(f"the yield had not frozen out by x = {X_ODE_MAX:g}")
        if x_f is None:  # Delta runs continuously from 0 to ln(1/FROZEN_RATIO) > ln 1.5: a solver fault, not physics
            raise ConvergenceError("the Boltzmann solver reached decoupling without marking Y = 1.5 Y_eq (x_freeze_out)")
        w_dec = d_dec + weq(x_dec)
        tail = scale * self.rate.tail_integral(x_dec)
        inv_y = math.exp(-w_dec) + tail
        y0 = 1.0 / inv_y
        omega = m1 * y0 * S0_CM3 / RHO_CRIT_H2_GEV_CM3
        if not (math.isfinite(omega) and omega > 0.0):
            raise ConvergenceError("relic density is not a positive finite number")
        return FreezeOutResult(omega_h2=omega, y_today=y0, x_freeze_out=x_f,
                               x_decoupled=x_dec, mass=m1, tail_fraction=tail / inv_y)

    def _radau(self, f_and_dfdy: Callable[[float, float], tuple[float, float]], x_hi: float,
               log_frozen: float) -> tuple[float | None, float, float | None]:
        """(x_dec, Delta(x_dec), x_f) by scipy's Radau IIA: the reference for :func:`_trbdf2`."""

        def rhs(x: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.array([f_and_dfdy(x, float(y[0]))[0]])

        def jac(x: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.array([[f_and_dfdy(x, float(y[0]))[1]]])

        def frozen(x: float, y: NDArray[np.float64]) -> float:
            return y[0] - log_frozen

        frozen.terminal = True  # type: ignore[attr-defined]
        frozen.direction = 1  # type: ignore[attr-defined]

        def departs(x: float, y: NDArray[np.float64]) -> float:
            return y[0] - math.log(1.5)

        departs.direction = 1  # type: ignore[attr-defined]
        sol = solve_ivp(rhs, (X_START, x_hi), [0.0], method="Radau", jac=jac, rtol=self.rtol, atol=self.rtol,
                        max_step=MAX_STEP_X, events=(frozen, departs))
        if sol.status == -1:
            raise ConvergenceError(f"Boltzmann solver failed for {self.sector.description or 'the dark sector'}: {sol.message}")
        if sol.status != 1 or sol.t_events[0].size == 0:
            return None, math.nan, None
        x_f = float(sol.t_events[1][0]) if sol.t_events[1].size else None
        return float(sol.t_events[0][0]), float(sol.y_events[0][0][0]), x_f


#: ODE methods of :meth:`FreezeOut.solve`.
ODE_METHODS: tuple[str, ...] = ("trbdf2", "radau")
_TR_GAMMA = 2.0 - math.sqrt(2.0)
_TR_C1 = 1.0 / (_TR_GAMMA * (2.0 - _TR_GAMMA))  # BDF2 stage: y1 = C1 y_g - C0 y0 + D h f(y1)
_TR_C0 = (1.0 - _TR_GAMMA) ** 2 / (_TR_GAMMA * (2.0 - _TR_GAMMA))
_TR_D = (1.0 - _TR_GAMMA) / (2.0 - _TR_GAMMA)
_TR_ERR = (-3.0 * _TR_GAMMA**2 + 4.0 * _TR_GAMMA - 2.0) / (12.0 * (2.0 - _TR_GAMMA))


def _newton(a: float, b: float, base: float, ch: float, guess: float) -> tuple[float, float] | None:
    """Solve y = base + ch f(y), f(y) = -a sinh(y) - b (a >= 0), by Newton's method; (y, f(y)) or None if it does
    not converge. g(y) = y - base - ch f(y) is monotone with g' = 1 + ch a cosh(y) >= 1: safe from any start.
    Stops after a step |s| <= 1e-7 (1 + |y|): the error left is then (g''/(2 g')) s^2 to leading order, and
    |g''| = ch a |sinh y| < g', so below 5e-15 (1 + |y|)^2 (a fixed 1e-13 on the step cost one more iteration)."""
    k = ch * a
    c = base - ch * b
    y = guess
    for _ in range(30):
        clamped = not -_EXP_MAX < y < _EXP_MAX
        d = math.copysign(_EXP_MAX, y) if clamped else y
        sh, chh = math.sinh(d), math.cosh(d)
        step = (y - c + k * sh) / (1.0 + k * chh)
        y -= step
        if abs(step) <= 1e-7 * (1.0 + abs(y)):
            if clamped:
                return y, -a * math.sinh(math.copysign(_EXP_MAX, y) if abs(y) > _EXP_MAX else y) - b
            # f(y) by the Taylor step from d: off by a sinh(y) s^2/2, the order of the error left in y
            return y, -a * (sh - chh * step) - b
    return None


def _trbdf2(coefficients: Callable[[float], tuple[float, float]], x0: float, x_end: float, y_stop: float,
            y_mark: float, rtol: float) -> tuple[float | None, float, float | None]:
    """Integrate the scalar stiff ODE y' = f(x, y) = -a(x) sinh(y) - b(x), a >= 0, y(x0) = 0, until y >= y_stop.

    TR-BDF2 (Bank et al., IEEE Trans. CAD 4 (1985) 436; Hosea & Shampine, Appl. Numer. Math. 20 (1996) 21):
    a trapezoidal stage to x + gamma h, then BDF2, gamma = 2 - sqrt 2; second order, L-stable, one scalar Newton
    solve per stage with the analytic df/dy. Local error estimate (Hosea & Shampine eq. (3.6))
    e = k h [f0/gamma - f_g/(gamma (1 - gamma)) + f1/(1 - gamma)], k = (-3 gamma^2 + 4 gamma - 2)/(12 (2 - gamma)),
    controlled to |e| <= rtol (1 + |y|) (absolute and relative tolerance rtol on Delta = ln(Y/Y_eq), as the
    Radau reference uses); steps at most MAX_STEP_X. Returns (x where y first reaches y_stop, y there, x where y
    first reaches y_mark, linearly interpolated), or (None, nan, None) if y_stop is not reached by x_end.
    The stages are not quadratic in y = Delta (they are in Y/Y_eq = e^y, but TR-BDF2 on Y/Y_eq, which grows like
    e^x after freeze-out, took 1.3-2.3x the steps, 26x at one point, and moved Omega h^2 by 1.4-3.2e-4; docs/speed.md)."""
    x, y = x0, 0.0
    f0 = -coefficients(x)[1]
    h = min(1e-4, MAX_STEP_X)
    x_mark = None
    for _ in range(1_000_000):
        if x >= x_end:
            return None, math.nan, x_mark
        h = min(h, MAX_STEP_X, x_end - x)
        gamma_h = _TR_GAMMA * h
        stage = _newton(*coefficients(x + gamma_h), y + 0.5 * gamma_h * f0, 0.5 * gamma_h, y + gamma_h * f0)
        if stage is not None:
            y_g, f_g = stage
            # guess: explicit Euler from the stage (a step closer than y_g, one Newton iteration in ten saved)
            final = _newton(*coefficients(x + h), _TR_C1 * y_g - _TR_C0 * y, _TR_D * h, y_g + (h - gamma_h) * f_g)
        if stage is None or final is None:
            h *= 0.25
            if h < 1e-14 * max(1.0, x):
                raise ConvergenceError("the Boltzmann solver (TR-BDF2) could not take a step")
            continue
        y1, f1 = final
        err = abs(_TR_ERR * h * (f0 / _TR_GAMMA - f_g / (_TR_GAMMA * (1.0 - _TR_GAMMA)) + f1 / (1.0 - _TR_GAMMA)))
        ratio = err / (rtol * (1.0 + abs(y1)))
        if ratio <= 1.0:
            if x_mark is None and y1 >= y_mark > y:
                x_mark = x + h * (y_mark - y) / (y1 - y)
            x, y, f0 = x + h, y1, f1
            if y >= y_stop:
                return x, y, x_mark
        h *= min(4.0, max(0.2, 0.9 * ratio ** (-1.0 / 3.0))) if ratio > 0.0 else 4.0
    raise ConvergenceError("the Boltzmann solver (TR-BDF2) took too many steps")


def solve_freeze_out(
    sector: DarkSector,
    poles: Sequence[Pole] = (),
    *,
    table: geff.DofTable | None = None,
    rtol: float = 1e-8,
) -> FreezeOutResult:
    """Solve the Boltzmann equation for the total yield and return Omega h^2 with diagnostics.

    dY/dx = -sqrt(pi/45) M_Pl m_1 g_*^{1/2}(T) <sigma_eff v>(x) / x^2 (Y^2 - Y_eq^2)
    (Gondolo & Gelmini, Nucl. Phys. B360 (1991) 145, Sec. 2; Edsjo & Gondolo, arXiv:hep-ph/9704361, Sec. 2),
    written for Delta = ln(Y/Y_eq) (dDelta/dx = -2 q Y_eq sinh Delta - d ln Y_eq/dx, q the factor in front of
    (Y^2 - Y_eq^2)) and solved by TR-BDF2 (:func:`_trbdf2`; rtol 1e-8 on Delta) from Y = Y_eq at x = 1
    until Y_eq/Y < 1e-4; afterwards Y_eq^2 is negligible and 1/Y_today = 1/Y(x_dec) + int_{x_dec}^inf q dx
    exactly (a quadrature; below T_min = 2e-6 GeV it uses the table's constant g_*^{1/2}, see :class:`_Rate`).
    <sigma_eff v>(x) is computed once on 40 points per decade in x = 1 ... 1e5 and interpolated in ln-ln.
    Omega h^2 = m_1 Y_today s_0 / (rho_c/h^2) with s_0 = 2891.2 cm^-3 and rho_c/h^2 = 1.05368e-5 GeV cm^-3
    (PDG 2024): heavier co-annihilating states decay into the lightest after freeze-out, so Y counts all of
    them and the mass is m_1.

    Validity: standard cosmology (radiation domination, SM plasma with the Saikawa-Shirai g_eff, h_eff),
    dark sector in kinetic equilibrium with the plasma and thermalised at x = 1; freeze-out while
    T > 2e-6 GeV (the table minimum). Raises DataRangeError if freeze-out is not complete at the table
    minimum (m_1 below ~1e-4 GeV) or T(x=1) is above the table maximum, ConvergenceError if the solver fails.
    """
    return FreezeOut(sector, poles, table=table, rtol=rtol).solve()


def relic_density(sector: DarkSector, poles: Sequence[Pole] = ()) -> float:
    """Omega h^2 of the dark sector (lightest state, after the heavier ones decayed); see :func:`solve_freeze_out`."""
    return solve_freeze_out(sector, poles).omega_h2
