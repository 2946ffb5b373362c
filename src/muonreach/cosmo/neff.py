"""N_eff with a light vector that couples to neutrinos (the L_mu - L_tau Z'): decays and inverse decays, photon and
neutrino temperatures with energy transfer.

Sources: Escudero, Hooper, Krnjaic, Pierre, arXiv:1901.02010 (004_7de0b22078876a0d.txt lines ~3357-3456, notes-004-part2.md
S3): eq. (3.1) (only its legend survives; reconstructed in the notes) with K_1/K_2 the *modified* Bessel functions of
the second kind (the text's "first and second kind" is inaccurate), eq. (3.3) n_eq with g = 3 (Bose-Einstein),
eq. (3.4) N_eff = (8/7)(11/4)^(4/3) rho_nu/rho_gamma. Temperature evolution and SM neutrino-electron energy transfer:
Escudero, arXiv:1812.05605 and arXiv:2001.04466 (the "NUDEC_BSM" approach):

    drho_nu/dt|_SM = (G_F^2/pi^5) 4 [ (g_eL^2 + g_eR^2) + 2 (g_muL^2 + g_muR^2) ] F(T_gamma, T_nu),
    F(T1, T2) = 32 f_a (T1^9 - T2^9) + 56 f_s T1^4 T2^4 (T1 - T2),   f_a = 0.884, f_s = 0.829 (Fermi-Dirac factors),

summed over three flavours at one common T_nu (the nu_e - nu_mu,tau exchange term cancels then).

The model (approximations explicit):

* phase 1, T > T_switch = 10 MeV: neutrinos and photons share one temperature (weak rates >> H); the Z' number density
  per entropy Y obeys dY/dt = -Gamma_tot <K1/K2> (Y - Y_eq) with the SM g_eff, h_eff of :mod:`.geff`, starting from
  Y = 0 at T = max(20 m_Z', 1.01 T_switch) (no primordial Z'; an equilibrated Z' is reached for the couplings where it
  matters). Energy the Z' exchanges then stays in the common plasma and does not change N_eff;
* phase 2, T < T_switch: T_gamma (photons + e+-, Fermi-Dirac with m_e), T_nu (three massless flavours) and n_Z'.
  The Z' is kept in kinetic equilibrium at T_nu with a free number density (rho_Z' = n rho_eq/n_eq at T_nu); it decays
  to nu nubar (Gamma_nu) and, through the loop-induced kinetic mixing, to e+e- (Gamma_e), and is produced back by
  inverse decays at T_nu and T_gamma respectively:

    dn/dt = -3 H n - Gamma_nu R(x_nu) (n - n_eq(T_nu)) - Gamma_e (R(x_nu) n - R(x_gamma) n_eq(T_gamma)),  R = K1/K2,
    the Z' <-> nu nubar energy stays in the neutrino sector; Gamma_e m (n - n_eq(T_gamma)) goes to the photon plasma;

* the regime switches of :func:`n_eff` (Z' tight coupling, one common temperature while Z' <-> e+e- is fast): with the
  loop-induced e+e- channel the nu - gamma contact lasts until x ~ 30, so for m_Z' of a few MeV N_eff tends to
  3 (11/4)^(4/3) = 11.56 (docs/trident-neff.md); without it (``loop_mixing=False``, 1901.02010 sec. 3.1) to 5.54;
* not included: the finite-temperature QED corrections of the photon plasma (+0.01 in N_eff), the m_e suppression of
  the weak rates, Z' -> mu mu below T_switch (closed for m_Z' < 2 m_mu, Boltzmann-suppressed otherwise), flavour-
  dependent neutrino temperatures, spectral distortions. Without a Z' this gives :data:`N_EFF_SM_THIS_MODEL`
  (tests/test_neff.py); the modern full result is 3.044 (Bennett et al. arXiv:2012.02726, Froustey et al.
  arXiv:2008.01074; the 3.046 printed in 1901.02010 predates them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import quad, solve_ivp
from scipy.interpolate import CubicSpline
from scipy.special import kve

from .. import constants as c
from ..errors import ConvergenceError, DataRangeError
from ..models.base import Mediator
from . import geff

T_SWITCH = 0.010  # GeV
G_ZP = 3.0
#: Gamma/H above which the Z' is held at n_eq(T_nu) (relative error O(H/Gamma) = 1e-3)
TIGHT = 1e3
#: neutrino-electron couplings for E << M_Z (PDG electroweak review, as in 1812.05605)
G_EL, G_ER, G_MUL, G_MUR = 0.727, 0.233, -0.273, 0.233
F_A, F_S = 0.884, 0.829
#: Computed range of the Z' mass (GeV): below 0.1 MeV the Z' would still be relativistic near recombination (not
#: modelled); above 10 GeV N_eff is the SM one to < 1e-4.
MASS_MIN, MASS_MAX = 1e-4, 10.0
NEFF_PREFACTOR = 8.0 / 7.0 * (11.0 / 4.0) ** (4.0 / 3.0)


def _bose_integrals(x: float) -> tuple[float, float, float]:
    """(n, rho, p)/T^3,4,4 of one bosonic degree of freedom of mass m = x T, zero chemical potential."""
    n = quad(lambda u: u * math.sqrt(max(u * u - x * x, 0.0)) / math.expm1(u), x, x + 200.0, limit=200)[0] / (2 * math.pi**2)
    rho = quad(lambda u: u * u * math.sqrt(max(u * u - x * x, 0.0)) / math.expm1(u), x, x + 200.0, limit=200)[0] / (2 * math.pi**2)
    p = quad(lambda u: (u * u - x * x) ** 1.5 / math.expm1(u), x, x + 200.0, limit=200)[0] / (6 * math.pi**2)
    return n, rho, p


def _fermi_integrals(x: float) -> tuple[float, float, float]:
    """(rho, p, d rho/dT)/T^4,4,3 of e+- (4 degrees of freedom), mass m_e = x T."""
    g = 4.0
    r = quad(lambda u: u * u * math.sqrt(u * u - x * x) / (math.exp(u) + 1.0), x, x + 200.0, limit=200)[0]
    p = quad(lambda u: (u * u - x * x) ** 1.5 / (math.exp(u) + 1.0), x, x + 200.0, limit=200)[0]
    d = quad(lambda u: 0.25 * u**3 * math.sqrt(u * u - x * x) / math.cosh(u / 2.0) ** 2, x, x + 200.0, limit=200)[0]
    return g * r / (2 * math.pi**2), g * p / (6 * math.pi**2), g * d / (2 * math.pi**2)


@cache
def _tables():
    """Splines in ln x of the Bose (one dof) and e+- thermodynamic integrals, x = m/T in [1e-4, 60]."""
    lx = np.linspace(math.log(1e-4), math.log(60.0), 400)
    xs = np.exp(lx)
    bose = np.array([_bose_integrals(x) for x in xs])
    fermi = np.array([_fermi_integrals(x) for x in xs])
    return lx, CubicSpline(lx, np.log(bose)), CubicSpline(lx, np.log(np.maximum(fermi, 1e-300)))


class _ScalarSpline:
    """Scalar evaluation of a CubicSpline on a uniform grid (values and first derivatives of every component) in
    plain Python: the same piecewise polynomials, ~15x faster per call than CubicSpline.__call__ on a float."""

    def __init__(self, spline: CubicSpline) -> None:
        self.x0, self.dx = float(spline.x[0]), float(spline.x[1] - spline.x[0])
        self.last = len(spline.x) - 2
        self.coef = spline.c.transpose(1, 2, 0).tolist()  # [interval][component][c3, c2, c1, c0]

    def __call__(self, z: float) -> tuple[list[float], list[float]]:
        i = min(max(int((z - self.x0) / self.dx), 0), self.last)
        d = z - (self.x0 + i * self.dx)
        vals, ders = [], []
        for a, b, cc, e in self.coef[i]:
            vals.append(((a * d + b) * d + cc) * d + e)
            ders.append((3.0 * a * d + 2.0 * b) * d + cc)
        return vals, ders


@cache
def _scalar_tables() -> tuple[_ScalarSpline, _ScalarSpline]:
    _, bs, fs = _tables()
    return _ScalarSpline(bs), _ScalarSpline(fs)


def _bose(x: float) -> tuple[float, float, float, float, float]:
    """(n/T^3, rho/T^4, p/T^4, d ln(eps/T)/d ln x, d ln n/d ln x) of one bosonic dof, x = m/T, eps = rho/n.

    Massless values below x = 1e-4; zero beyond x = 60 (a Boltzmann tail < e^-60 of the relativistic values).
    """
    if x > 60.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    v, d = _scalar_tables()[0](math.log(max(x, 1e-4)))
    if x < 1e-4:
        d = [0.0, 0.0, 0.0]
    return math.exp(v[0]), math.exp(v[1]), math.exp(v[2]), d[1] - d[0], d[0]


def _electrons(t_gamma: float) -> tuple[float, float, float]:
    """(rho, p, d rho/dT) of e+- at T_gamma (GeV units)."""
    x = c.M_E / t_gamma
    if x > 60.0:
        return 0.0, 0.0, 0.0
    v, _ = _scalar_tables()[1](math.log(max(x, 1e-4)))
    return math.exp(v[0]) * t_gamma**4, math.exp(v[1]) * t_gamma**4, math.exp(v[2]) * t_gamma**3


def _bessel_ratio(x: float) -> float:
    """<m/E> = K1(x)/K2(x) (scaled Bessel functions: no overflow at large x); -> x/2 for x -> 0."""
    if x < 1e-6:
        return 0.5 * x
    return float(kve(1, x) / kve(2, x))


@dataclass(frozen=True)
class NeffResult:
    """N_eff after e+- annihilation and Z' decay; T_nu/T_gamma at the end; the Z' abundance at T_switch."""

    n_eff: float
    delta_n_eff: float
    t_nu_over_t_gamma: float
    zprime_fraction_at_switch: float  # n_Z'/n_eq at T_switch


def _widths(model: Mediator) -> tuple[float, float, float]:
    """(Gamma_total, Gamma_nu, Gamma_e) in GeV from the model's partial widths (channel names of the protocol)."""
    w = model.partial_widths()
    total = math.fsum(w.values())
    nu = math.fsum(v for k, v in w.items() if k.startswith("nu_"))
    return total, nu, w.get("e_e", 0.0)


#: steps per unit of ln T of the phase-1 exponential integrator (error O(step^2): 1e-5 relative at 400, tests)
PHASE1_STEPS_PER_LN_T = 400


def phase1_rates(m: float, gamma_tot: float, lnt: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(k, Y_eq) of the phase-1 equation dY/d ln T = k (Y - Y_eq), k = Gamma <m/E> (1 + dln h/3 dln T)/H, Y = n/s."""
    table = geff.default_table()
    t = np.exp(lnt)
    x = m / t
    lx = np.log(np.clip(x, 1e-4, 60.0))
    n_over_t3 = np.where(x > 60.0, 0.0, np.exp(_tables()[1](lx)[:, 0]))
    y_eq = G_ZP * n_over_t3 * t**3 / np.asarray(table.entropy_density(t))
    h = np.sqrt(8.0 * np.pi**3 * np.asarray(table.g_eff(t)) / 90.0) * t * t / c.M_PLANCK_GEV
    ratio = np.where(x < 1e-6, 0.5 * x, kve(1, np.maximum(x, 1e-6)) / kve(2, np.maximum(x, 1e-6)))
    return gamma_tot * ratio * (1.0 + np.asarray(table.dln_h_dln_t(t)) / 3.0) / h, y_eq


def _phase1(m: float, gamma_tot: float) -> float:
    """n_Z'/n_eq at T_switch from the single-temperature Boltzmann equation in Y = n/s (module docstring).

    The equation is linear in Y: it is integrated downwards in ln T with the exponential rule that is exact for k
    constant and Y_eq linear over a step (stable for any k step; second order), starting from Y = 0.
    """
    if gamma_tot == 0.0:
        return 0.0
    lo, hi = math.log(T_SWITCH), math.log(max(20.0 * m, 1.01 * T_SWITCH))
    lnt = np.linspace(hi, lo, max(int((hi - lo) * PHASE1_STEPS_PER_LN_T), 8) + 1)
    k, y_eq = phase1_rates(m, gamma_tot, lnt)
    if k[0] > TIGHT:
        return 1.0  # Gamma <m/E>/H grows as T falls (~T^-3 while relativistic): in equilibrium throughout
    kh = 0.5 * (k[1:] + k[:-1]) * (lnt[:-1] - lnt[1:])  # rate x step (positive)
    decay = np.exp(-kh)
    lag = np.where(kh > 1e-8, -np.expm1(-kh) / np.maximum(kh, 1e-300), 1.0 - 0.5 * kh)  # (1 - e^-kh)/kh
    d_eq = np.diff(y_eq)
    y = 0.0
    for i in range(kh.size):  # Y_{i+1} - Y_eq,i+1 = (Y_i - Y_eq,i) e^-kh - Delta Y_eq (1 - e^-kh)/kh
        y = y_eq[i + 1] + (y - y_eq[i]) * decay[i] - d_eq[i] * lag[i]
    return float(y / y_eq[-1]) if y_eq[-1] > 0.0 else 0.0  # x > 60 at T_switch: no Z' left either way


@dataclass(frozen=True)
class _Plasma:
    """The phase-2 equations at one instant (module docstring); ``tight``: n_Z' = n_eq(T_nu), ``locked``: T_nu = T_gamma."""

    m: float
    gnu: float
    ge: float
    with_zprime: bool

    def state(self, tg: float, tn: float, u: float, tight: bool) -> dict[str, float]:
        """Densities, rates and heat capacities at (T_gamma, T_nu, u = n_Z'/T_nu^3) in GeV units."""
        m = self.m
        re, pe, dre = _electrons(tg)
        nb, rb, pb, dle, dlnn = _bose(m / tn) if self.with_zprime else (1.0, 0.0, 0.0, 0.0, 0.0)
        eps = rb * tn / nb if nb > 0.0 else m  # mean energy per Z'
        pres = pb * tn / nb if nb > 0.0 else 0.0  # mean pressure per Z' (p/n)
        neq_nu = G_ZP * nb * tn**3 if self.with_zprime else 0.0
        n = neq_nu if tight else max(u, 0.0) * tn**3
        deps = eps / tn * (1.0 - dle) if self.with_zprime and nb > 0.0 else 0.0  # d eps/dT_nu
        dneq = neq_nu / tn * (3.0 - dlnn) if nb > 0.0 else 0.0  # d n_eq/dT at T_nu
        rho_g, rho_n = RHO_G_COEF * tg**4, RHO_NU_COEF * tn**4
        rho = rho_g + re + rho_n + n * eps
        h = math.sqrt(8.0 * math.pi * rho / 3.0) / c.M_PLANCK_GEV
        c_nu = 4.0 * rho_n / tn + (n * deps + eps * dneq if tight else n * deps)
        c_g = 4.0 * rho_g / tg + dre
        return {"re": re, "pe": pe, "eps": eps, "pres": pres, "n": n, "neq_nu": neq_nu, "h": h, "c_nu": c_nu,
                "c_g": c_g, "rho_g": rho_g, "rho_n": rho_n, "dneq": dneq}

    def zprime_ratio(self, tn: float, h: float) -> float:
        """Gamma <m/E> / H of the Z' number (decays and inverse decays at T_nu)."""
        return (self.gnu + self.ge) * _bessel_ratio(self.m / tn) / h

    def lock_ratio(self, st: dict[str, float]) -> float:
        """Relaxation rate of T_nu - T_gamma through Z' <-> e+e- over H, Gamma_e m dn_eq/dT (1/C_nu + 1/C_gamma)."""
        if self.ge == 0.0:
            return 0.0
        return self.ge * self.m * st["dneq"] * (1.0 / st["c_nu"] + 1.0 / st["c_g"]) / st["h"]

    def rhs(self, tg: float, tn: float, u: float, tight: bool, locked: bool) -> tuple[float, float, float]:
        """(dT_gamma/dt, dT_nu/dt, du/dt) in GeV^2 (module docstring)."""
        st = self.state(tg, tn, u, tight)
        h, n, eps = st["h"], st["n"], st["eps"]
        expansion_g = h * (4.0 * st["rho_g"] + 3.0 * (st["re"] + st["pe"]))
        expansion_nu = 3.0 * h * (4.0 / 3.0 * st["rho_n"] + n * (eps + st["pres"]))
        if locked:  # one temperature: the weak and Z' <-> e+e- exchanges are internal
            dt = -(expansion_g + expansion_nu) / (st["c_g"] + st["c_nu"])
            return dt, dt, 0.0
        q_sm = SM_RATE * (32.0 * F_A * (tg**9 - tn**9) + 56.0 * F_S * tg**4 * tn**4 * (tg - tn))
        dn, q_e = -3.0 * h * n, 0.0
        if self.with_zprime:
            m = self.m
            neq_g = G_ZP * _bose(m / tg)[0] * tg**3
            r_nu, r_g = _bessel_ratio(m / tn), _bessel_ratio(m / tg)
            dn += -self.gnu * r_nu * (n - st["neq_nu"]) - self.ge * (r_nu * n - r_g * neq_g)
            q_e = self.ge * m * (n - neq_g)
        dtg = (-expansion_g - q_sm + q_e) / st["c_g"]
        rhs_nu = -expansion_nu + q_sm - q_e
        if tight:
            return dtg, rhs_nu / st["c_nu"], 0.0
        dtn = (rhs_nu - eps * dn) / st["c_nu"]
        return dtg, dtn, (dn - 3.0 * n * dtn / tn) / tn**3


RHO_NU_COEF = 3.0 * 2.0 * 7.0 / 8.0 * math.pi**2 / 30.0  # rho_nu = coef T^4 (3 flavours, nu + nubar)
RHO_G_COEF = math.pi**2 / 15.0
SM_RATE = c.G_F**2 / math.pi**5 * 4.0 * ((G_EL**2 + G_ER**2) + 2.0 * (G_MUL**2 + G_MUR**2))


def n_eff(model: Mediator | None, *, rtol: float = 1e-7, method: str = "LSODA") -> NeffResult:
    """N_eff for a model with a neutrino-coupled vector (``None``: the Standard Model alone), module docstring.

    Phase 2 is integrated in ln t in up to four segments whose ends are found as events: the Z' number is followed
    freely until Gamma <m/E>/H reaches :data:`TIGHT` (then n_Z' = n_eq(T_nu)); while the Z' <-> e+e- relaxation of
    T_nu - T_gamma is faster than TIGHT H the two temperatures are one (energy conservation of the whole plasma).
    Both switches remove rates up to ~1e14 H from the stiff system; their error is O(1/TIGHT).
    """
    if model is not None and not (MASS_MIN <= model.mass <= MASS_MAX):
        raise DataRangeError(f"N_eff: the mass {model.mass:g} GeV is outside the computed range [{MASS_MIN:g}, {MASS_MAX:g}] GeV")
    m = model.mass if model is not None else 1.0
    gtot, gnu, ge = _widths(model) if model is not None else (0.0, 0.0, 0.0)
    frac = _phase1(m, gtot) if model is not None else 0.0
    plasma = _Plasma(m, gnu, ge, model is not None)
    t0 = T_SWITCH
    n0 = frac * G_ZP * _bose(m / t0)[0] * t0**3 if model is not None else 0.0
    h0 = plasma.state(t0, t0, n0 / t0**3, False)["h"]
    time0 = 1.0 / (2.0 * h0)
    t_end_temp = min(5e-6, m / 60.0) if model is not None else 5e-6  # e+- gone (x_e = 100), Z' gone (x = 60)
    time_end = time0 * (t0 / t_end_temp) ** 2 * 2.0  # radiation era t ~ 1/T^2, with margin
    y = [math.log(t0), math.log(t0), n0 / t0**3]
    tight = model is not None and frac > 0.999 and plasma.zprime_ratio(t0, h0) > TIGHT
    locked = tight and plasma.lock_ratio(plasma.state(t0, t0, y[2], True)) > TIGHT
    lnt = math.log(time0)
    for _ in range(4):  # free -> tight -> locked -> unlocked at most
        tight, locked, lnt, y, done = _segment(plasma, tight, locked, lnt, math.log(time_end), y, rtol, method)
        if done:
            break
    else:
        raise ConvergenceError(f"N_eff phase 2 (m = {m:g} GeV): more regime switches than the physics allows")
    tg, tn = math.exp(y[0]), math.exp(y[1])
    neff = NEFF_PREFACTOR * RHO_NU_COEF * tn**4 / (RHO_G_COEF * tg**4)
    base = n_eff_sm() if model is not None else neff
    return NeffResult(neff, neff - base, tn / tg, frac)


def _segment(plasma: _Plasma, tight: bool, locked: bool, lnt0: float, lnt1: float, y0: list[float], rtol: float,
             method: str) -> tuple[bool, bool, float, list[float], bool]:
    """Integrate one regime from ln t0 until ln t1 or the next switch; returns the new regime, time, state, done."""

    def rhs(lnt, yv):
        tg, tn = math.exp(yv[0]), math.exp(yv[1])
        d = plasma.rhs(tg, tn, yv[2], tight, locked)
        t = math.exp(lnt)
        return [t * d[0] / tg, t * d[1] / tn, t * d[2]]

    def to_tight(lnt, yv):  # free Z' number: Gamma <m/E> / H rises through TIGHT
        tn = math.exp(yv[1])
        return plasma.zprime_ratio(tn, plasma.state(math.exp(yv[0]), tn, yv[2], False)["h"]) - TIGHT

    def lock_switch(lnt, yv):  # T_nu - T_gamma relaxation rate through TIGHT H (up: lock, down: unlock)
        tn = math.exp(yv[1])
        return plasma.lock_ratio(plasma.state(math.exp(yv[0]), tn, yv[2], True)) - TIGHT

    events = []
    if plasma.with_zprime and not tight:
        to_tight.terminal, to_tight.direction = True, 1.0  # type: ignore[attr-defined]
        events.append(to_tight)
    elif plasma.ge > 0.0:
        lock_switch.terminal, lock_switch.direction = True, (-1.0 if locked else 1.0)  # type: ignore[attr-defined]
        events.append(lock_switch)
    try:
        sol = solve_ivp(rhs, (lnt0, lnt1), y0, method=method, rtol=rtol, events=events or None,
                        atol=[1e-10, 1e-10, 1e-14 + 1e-8 * abs(y0[2])])
    except (OverflowError, ValueError) as err:  # a temperature ran away: an unresolved stiff rate
        raise ConvergenceError(f"N_eff phase 2 (m = {plasma.m:g} GeV) failed ({err})") from None
    if not sol.success:
        raise ConvergenceError(f"N_eff phase 2 (m = {plasma.m:g} GeV): {sol.message}")
    y = [float(v) for v in sol.y[:, -1]]
    if sol.status != 1:  # reached the end
        return tight, locked, float(sol.t[-1]), y, True
    if not tight:
        tn = math.exp(y[1])
        y[2] = G_ZP * _bose(plasma.m / tn)[0]  # n_eq(T_nu)/T_nu^3 (deviation O(1/TIGHT))
        return True, False, float(sol.t[-1]), y, False
    if locked:
        return True, False, float(sol.t[-1]), y, False
    return True, True, float(sol.t[-1]), [y[0], y[0], y[2]], False


@cache
def n_eff_sm() -> float:
    """N_eff of this module's treatment without a Z' (module docstring)."""
    return n_eff(None).n_eff
