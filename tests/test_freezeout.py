"""Freeze-out engine (muonreach.cosmo.geff, muonreach.cosmo.freezeout).

Every test names its source, its tolerance and the reason for the tolerance. The dark sectors are built here
from generic cross sections (no model): a constant <sigma v>, a p-wave, a Breit-Wigner s-channel resonance.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import k1e, kv, kve

from muonreach.constants import M_MU
from muonreach.cosmo import freezeout as fo
from muonreach.cosmo import geff
from muonreach.cosmo.channels import DarkSector, DarkState
from muonreach.errors import ConvergenceError, DataRangeError, InvalidParameter, SpecError

MIMES_EOS2020 = Path(__file__).parent / "data" / "eos2020_MiMeS.dat"  # provenance: tests/data/README.md


# --- sector builders (test helpers) ---------------------------------------------------------------------------
def v_lab(s: np.ndarray, m1: float, m2: float) -> np.ndarray:
    """Relative velocity in the rest frame of one particle, sqrt(lambda(s, m1^2, m2^2)) / (s - m1^2 - m2^2)."""
    lam = (s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (s - m1 * m1 - m2 * m2)


def inverse_velocity(a_gev2: float, m1: float, m2: float):
    """sigma(s) = a / v_lab(s): sigma v_lab = a is constant, and then the Gondolo-Gelmini average is exactly a
    at every temperature (GG 1991: <sigma v_Moller> equals the average of sigma v_lab). 'sigma v constant'
    means sigma proportional to 1/v."""

    def sigma(s: np.ndarray) -> np.ndarray:
        v = v_lab(s, m1, m2)
        return a_gev2 / np.where(v > 0.0, v, np.inf)

    return sigma


def constant_sigma_v_sector(m: float, sigma_v_cm3_s: float, *, self_conjugate: bool = True, dof: int = 2):
    """One state with a constant (s-wave) <sigma v>."""
    a = fo.from_cm3_per_s(sigma_v_cm3_s)
    return DarkSector((DarkState("chi", m, dof, self_conjugate),), {(0, 0): inverse_velocity(a, m, m)})


def p_wave_sector(m: float, b_gev2: float) -> DarkSector:
    """sigma(s) = b v with v = sqrt(s - 4 m^2)/m (-> sigma v = b v^2 at small v): p-wave."""
    return DarkSector(
        (DarkState("chi", m, 2, True),), {(0, 0): lambda s: b_gev2 * np.sqrt(np.clip(s - 4 * m * m, 0, None)) / m}
    )


def resonance_sector(m: float, big_m: float, width: float, c: float = 1e-9) -> DarkSector:
    """Dirac chi with a p-wave s-channel resonance, sigma = c s beta_i / ((s - M^2)^2 + M^2 Gamma^2)."""

    def sigma(s: np.ndarray) -> np.ndarray:
        beta = np.sqrt(np.clip(1.0 - 4.0 * m * m / s, 0.0, None))
        return c * s * beta / ((s - big_m**2) ** 2 + big_m**2 * width**2)

    return DarkSector((DarkState("chi", m, 2, False),), {(0, 0): sigma})


def two_state_sector(m: float, split: float, sigma_v_cm3_s: float, partner_annihilates: bool = True):
    """Two Majorana states, m and m (1 + split), all sigma_ij with sigma v_lab = a (or only sigma_11)."""
    a = fo.from_cm3_per_s(sigma_v_cm3_s)
    m2 = m * (1.0 + split)
    f = 1.0 if partner_annihilates else 0.0
    cs = {
        (0, 0): inverse_velocity(a, m, m),
        (0, 1): inverse_velocity(f * a, m, m2),
        (1, 1): inverse_velocity(f * a, m2, m2),
    }
    return DarkSector((DarkState("chi1", m, 2, True), DarkState("chi2", m2, 2, True)), cs)


def required_sigma_v(m: float, omega_target: float) -> float:
    """<sigma v> (cm^3/s) of a Majorana particle for Omega h^2 = target (Omega ~ 1/<sigma v>: 3 secant steps)."""
    sv = 2.2e-26
    for _ in range(3):
        sv *= fo.relic_density(constant_sigma_v_sector(m, sv)) / omega_target
    return sv


# --- g_eff table ------------------------------------------------------------------------------------------------
def test_geff_against_saikawa_shirai_2020_table() -> None:
    # Source: Saikawa & Shirai 2020 (arXiv:2005.03544) as shipped by MiMeS (src/data/eos2020.dat: T, h_eff, g_eff).
    # Tolerance: measured differences to SS2018 are < 8e-5 below 10 GeV and < 0.62 % above (the 2020 update
    # changed the electroweak-scale EOS); bounds 1e-4 and 1 %.
    d = np.loadtxt(MIMES_EOS2020)
    d = d[(d[:, 0] >= 1e-5)]
    t, h, g = d.T
    rel_g = geff.g_eff(t) / g - 1.0
    rel_h = geff.h_eff(t) / h - 1.0
    low = t < 10.0
    assert np.max(np.abs(rel_g[low])) < 1e-4 and np.max(np.abs(rel_h[low])) < 1e-4
    assert np.max(np.abs(rel_g[~low])) < 0.01 and np.max(np.abs(rel_h[~low])) < 0.01


def test_geff_limits_and_interpolation() -> None:
    # Low T (photons + 3 neutrinos, instantaneous decoupling): h = 2 + (7/8) 6 (4/11) = 3.909, g = 2 + (7/8) 6
    # (4/11)^(4/3) = 3.363; the table includes non-instantaneous neutrino decoupling (N_eff = 3.045): 3.931,
    # 3.383. Tolerance 1 % (that physics).
    assert geff.h_eff(1e-5) == pytest.approx(3.909, rel=0.01)
    assert geff.g_eff(1e-5) == pytest.approx(3.363, rel=0.01)
    # and g_*^{1/2} = h/sqrt(g) where both are constant (d ln h/d ln T = 0): tolerance 1e-6 (round-off)
    assert geff.g_star_sqrt(3e-6) == pytest.approx(geff.h_eff(3e-6) / math.sqrt(geff.g_eff(3e-6)), rel=1e-6)
    # interpolation: at mid-points of the table grid PCHIP and linear-in-ln T agree to < 1e-5 (smooth parts;
    # the grid step is 0.52 % in T), tested away from the documented kinks
    tab = geff.default_table()
    tt = tab.temperature
    sel = np.arange(50, tt.size - 50, 37)
    sel = sel[(tt[sel] < 0.1) | ((tt[sel] > 0.3) & (tt[sel] < 100.0)) | (tt[sel] > 200.0)]
    mid = np.sqrt(tt[sel] * tt[sel + 1])
    lin = np.sqrt(tab.g_eff_values[sel] * tab.g_eff_values[sel + 1])
    assert np.max(np.abs(geff.g_eff(mid) / lin - 1.0)) < 1e-5


def test_geff_g_star_sqrt_definition() -> None:
    # Gondolo & Gelmini 1991: g_*^{1/2} = h/sqrt(g) (1 + (1/3) d ln h/d ln T). Check against a finite
    # difference of the interpolated h over +-2 % in T at T = 1 GeV and 50 GeV (smooth parts); tolerance 1e-3
    # (the finite-difference step).
    for t in (1.0, 50.0):
        dl = (math.log(geff.h_eff(t * 1.02)) - math.log(geff.h_eff(t / 1.02))) / (2 * math.log(1.02))
        expect = geff.h_eff(t) / math.sqrt(geff.g_eff(t)) * (1 + dl / 3)
        assert geff.g_star_sqrt(t) == pytest.approx(expect, rel=1e-3)


def test_geff_range_errors() -> None:
    with pytest.raises(DataRangeError, match="outside") as err:
        geff.g_eff(1e-6)
    assert "\n" not in str(err.value)
    with pytest.raises(DataRangeError):
        geff.h_eff([1.0, 1e18])
    with pytest.raises(InvalidParameter):
        geff.g_star_sqrt(-1.0)


def test_cosmological_constants() -> None:
    # PDG 2024 astrophysical constants: rho_c/h^2 = 3 (100 km/s/Mpc)^2/(8 pi G_N) with G_N = 6.67430e-8 cm^3
    # g^-1 s^-2 and 1 Mpc = 3.0856775814913673e24 cm -> 1.87834e-29 g cm^-3 = 1.05367e-5 GeV cm^-3;
    # s_0 = (2 pi^2/45)(43/11) T_0^3 with T_0 = 2.7255 K (k_B = 8.617333262e-5 eV/K). Tolerance 1e-4 (digits).
    h100 = 1e7 / 3.0856775814913673e24
    rho_c = 3 * h100**2 / (8 * math.pi * 6.67430e-8) / 1.78266192e-24
    assert pytest.approx(rho_c, rel=1e-4) == fo.RHO_CRIT_H2_GEV_CM3
    t0 = 2.7255 * 8.617333262e-14 / 1.973269804e-14  # cm^-1
    assert pytest.approx(2 * math.pi**2 / 45 * 43 / 11 * t0**3, rel=1e-4) == fo.S0_CM3
    # 1 GeV^-2 = 0.3893794e-27 cm^2 x 2.99792458e10 cm/s = 1.16733e-17 cm^3/s
    assert fo.to_cm3_per_s(1.0) == pytest.approx(1.16733e-17, rel=1e-5, abs=0)
    assert fo.from_cm3_per_s(fo.to_cm3_per_s(3.0)) == pytest.approx(3.0)


# --- thermal average ----------------------------------------------------------------------------------------
def test_constant_sigma_v_is_exact() -> None:
    # Gondolo & Gelmini 1991: sigma v_lab = a gives <sigma v> = a at every T (also relativistic, x = 1).
    # Tolerance 1e-9: the quadrature (order-8 Gauss-Legendre panels) is converged to that level.
    x = np.array([1.0, 2.0, 10.0, 25.0, 100.0, 1e3, 1e4])
    sv = fo.thermal_average_cm3_s(constant_sigma_v_sector(10.0, 2.2e-26), x)
    assert np.max(np.abs(sv / 2.2e-26 - 1.0)) < 1e-9


def _adaptive_reference(sector: DarkSector, x: float, pole: tuple[float, float]) -> float:
    """<sigma v> by adaptive quadrature (QUADPACK) of the GG integral in u = (sqrt s - 2m)/T, many break points."""
    m = sector.states[0].mass
    sigma = sector.cross_sections[(0, 0)]
    t = m / x

    def f(u: float) -> float:
        s = (2 * m + t * u) ** 2
        return math.exp(-u) * float(sigma(np.array([s]))[0]) * (s - 4 * m * m) / 4 * s * k1e(math.sqrt(s) / t)

    u_r, w = (pole[0] - 2 * m) / t, pole[1] / (2 * t)
    pts = {0.0, 120.0}
    for k in range(40):
        for sign in (1, -1):
            v = u_r + sign * w * 2.0**k
            if 0 < v < 120:
                pts.add(v)
    if 0 < u_r < 120:
        pts.add(u_r)
    edges = sorted(pts)
    total = sum(quad(f, a, b, epsabs=0, epsrel=1e-12, limit=200)[0] for a, b in zip(edges[:-1], edges[1:]))
    return total / (m**4 * kve(2, x) ** 2)


@pytest.mark.parametrize("ratio", [1 / 3, 1 / (2 * math.sqrt(1.1)), 0.499, 0.52])
@pytest.mark.parametrize("gamma_over_m", [1e-2, 1e-4])
def test_thermal_average_against_adaptive_quadrature(ratio: float, gamma_over_m: float) -> None:
    # Fixed-order quadrature vs QUADPACK for a Breit-Wigner s-channel resonance at sqrt(s) = M, on both sides of
    # m = M/2 and at 000's ratios m = M/3 and M/(2 sqrt(1.1)) (eqs. (2.8)-(2.9)). Tolerance 1e-7 (measured
    # 1e-9; QUADPACK itself is asked for 1e-12).
    big_m = 1.0
    sector = resonance_sector(ratio * big_m, big_m, gamma_over_m * big_m)
    pole = (big_m, gamma_over_m * big_m)
    x = np.array([1.0, 5.0, 20.0, 100.0])
    got = fo.thermal_average(sector, x, poles=[pole])
    ref = np.array([_adaptive_reference(sector, xi, pole) for xi in x])
    assert np.max(np.abs(got / ref - 1.0)) < 1e-7


@pytest.mark.parametrize("ratio", [1 / 3, 1 / (2 * math.sqrt(1.1))])
def test_narrow_resonance_against_narrow_width_limit(ratio: float) -> None:
    # Gamma/M = 1e-8: the thermal integral is dominated by the pole; narrow-width limit
    # 1/((s-M^2)^2 + M^2 G^2) -> (pi/(M G)) delta(s - M^2). Tolerance 1e-6: NWA corrections O(Gamma/M) and
    # the off-peak part (relative ~1e-8 here); where the pole sits beyond the thermal tail (x = 20 for
    # m = M/3: u_R = 40) or right at threshold (m = 0.499 M: corrections ~ M Gamma/(M^2 - 4 m^2) x the steep
    # threshold factor, measured 4e-5) the NWA is not the whole answer and is not tested.
    big_m, gam = 1.0, 1e-8
    m = ratio * big_m
    sector = resonance_sector(m, big_m, gam)
    for x in (1.0, 5.0):
        t = m / x
        s = big_m**2
        numerator = 1e-9 * s * math.sqrt(1 - 4 * m * m / s)
        nwa = math.pi / (big_m * gam) * numerator * (s - 4 * m * m) * math.sqrt(s) * kv(1, math.sqrt(s) / t)
        nwa /= 8 * m**4 * t * kv(2, x) ** 2
        got = float(fo.thermal_average(sector, x, poles=[(big_m, gam)]))
        assert got == pytest.approx(nwa, rel=1e-6)


def test_dirac_and_majorana_averages() -> None:
    # Module convention: thermal_average is the conventional <sigma v> (same for Dirac and Majorana with the
    # same sigma); the Boltzmann coefficient is <sigma v>/2 for Dirac (Srednicki-Watkins-Olive 1988; Gondolo-
    # Gelmini 1991). Tolerance: round-off.
    x = np.array([3.0, 20.0, 300.0])
    maj = constant_sigma_v_sector(1.0, 3e-26, self_conjugate=True)
    dirac = constant_sigma_v_sector(1.0, 3e-26, self_conjugate=False)
    np.testing.assert_allclose(fo.thermal_average(dirac, x), fo.thermal_average(maj, x), rtol=1e-13)
    np.testing.assert_allclose(fo.annihilation_rate(maj, x), fo.thermal_average(maj, x), rtol=1e-13)
    np.testing.assert_allclose(fo.annihilation_rate(dirac, x), 0.5 * fo.thermal_average(maj, x), rtol=1e-13)


# --- relic density -----------------------------------------------------------------------------------------------
def test_canonical_cross_section_gives_observed_density() -> None:
    # Steigman, Dasgupta, Beacom 2012 (arXiv:1204.3622), abstract: a Majorana WIMP above 10 GeV needs
    # <sigma v> = 2.2e-26 cm^3/s (their Omega h^2 ~ 0.11, WMAP era). muonreach: 2.2e-26 at 100 GeV gives
    # Omega h^2 = 0.1148; the band 0.11-0.12 (observed value then and now, Planck: 0.120) is the tolerance.
    omega = fo.relic_density(constant_sigma_v_sector(100.0, 2.2e-26))
    assert 0.11 < omega < 0.12


# The SDB 2012 curve <sigma v>(m) for a Majorana WIMP (arXiv:1204.3622, their main figure; its number was not
# re-checked here), as tabulated to 2 digits in public dSph-analysis code that copies it ("thermal relic ... taken
# from Steigman G., Dasgupta B, and Beacom J. F., Phys.Rev. D86 (2012) 023506"): mass [GeV] -> <sigma v> [1e-26
# cm^3/s]. SDB normalise to the WMAP-era Omega h^2 ~ 0.11 (our reading: the target 0.11 reproduces the curve to
# a few %, 0.12 would put every point ~9 % lower).
SDB_CURVE = {0.1: 4.8, 0.316: 5.1, 1.0: 4.7, 10.0: 2.5, 100.0: 2.2, 1000.0: 2.3}


def test_required_cross_section_follows_steigman_dasgupta_beacom() -> None:
    # Tolerance 8 %: the values are read off a figure to 2 digits (+-2-4 %), and SDB used an older g_eff(T)
    # (muonreach: Saikawa-Shirai 2018); measured -1.9 % ... +4.6 % at the six masses tested, -2 % ... +7 % over
    # all 18 tabulated points (largest at 18-32 GeV, T_f = 0.8-1.5
    # GeV, where the QCD equation of state matters). Shape: the maximum near 0.3 GeV, 5.2e-26 in SDB's abstract
    # (muonreach 5.0e-26 at 0.316 GeV), and the rise from 100 GeV to 0.3 GeV: SDB x2.32 (figure), muonreach
    # x2.17 (-6 %, the sum of the two point deviations), tested to 10 %.
    req = {m: required_sigma_v(m, 0.11) for m in SDB_CURVE}
    for m, sdb in SDB_CURVE.items():
        assert req[m] / (sdb * 1e-26) == pytest.approx(1.0, abs=0.08), m
    assert req[0.316] > req[0.1] and req[0.316] > req[1.0]
    assert req[0.316] == pytest.approx(5.2e-26, rel=0.06, abs=0)
    assert req[0.316] / req[100.0] == pytest.approx(5.1 / 2.2, rel=0.10)


def kolb_turner_omega(m: float, dof: int, a: float, b: float = 0.0) -> float:
    """Independent reference: the standard freeze-out approximation for <sigma v> = a + 6 b/x (GeV^-2), Majorana.

    Kolb & Turner, "The Early Universe" (1990), Sec. 5.2, with g_*^{1/2} -> h_eff/sqrt(g_eff) at T_f:
    x_f = ln[0.038 g m M_Pl <sigma v>(x_f)/(sqrt(g_eff) sqrt(x_f))] (iterated; 0.038 = sqrt(45/8)/(2 pi^3)),
    1/Y_inf = sqrt(pi/45) (h_eff/sqrt(g_eff)) M_Pl m (a/x_f + 3 b/x_f^2), Omega h^2 = m Y_inf s_0/(rho_c/h^2).
    """
    pref = math.sqrt(45.0 / 8.0) / (2.0 * math.pi**3)
    x_f = 20.0
    for _ in range(200):
        x_f = math.log(pref * dof * m * fo.M_PLANCK_GEV * (a + 6.0 * b / x_f) / (math.sqrt(float(geff.g_eff(m / x_f))) * math.sqrt(x_f)))
    t_f = m / x_f
    lam = math.sqrt(math.pi / 45.0) * float(geff.h_eff(t_f)) / math.sqrt(float(geff.g_eff(t_f))) * fo.M_PLANCK_GEV * m
    return m / (lam * (a / x_f + 3.0 * b / x_f**2)) * fo.S0_CM3 / fo.RHO_CRIT_H2_GEV_CM3


@pytest.mark.parametrize("m", [0.1, 1.0, 10.0, 100.0, 1000.0])
def test_ode_against_analytic_approximation(m: float) -> None:
    # Kolb & Turner 1990 Sec. 5.2 freeze-out approximation (x_f iterated, g_* frozen at T_f). Its accuracy is
    # usually quoted as 5-10 %; measured here: s-wave -8.2 % ... -0.2 % (worst at 10 GeV, where g_* changes
    # during freeze-out), p-wave (b v^2) within 1.1 %. Tolerance 10 %.
    sv = 2.2e-26
    ode = fo.relic_density(constant_sigma_v_sector(m, sv))
    ana = kolb_turner_omega(m, 2, fo.from_cm3_per_s(sv))
    assert ana / ode == pytest.approx(1.0, abs=0.10)
    b = fo.from_cm3_per_s(1e-25)
    ode_p = fo.relic_density(p_wave_sector(m, b))
    ana_p = kolb_turner_omega(m, 2, 0.0, b)
    assert ana_p / ode_p == pytest.approx(1.0, abs=0.10)


def _gs_x_f(m: float, g_of_x, sigma_v: float) -> float:
    """Griest & Seckel 1991 freeze-out point with g_eff(x) = sum_i g_i (1 + D_i)^{3/2} e^{-x D_i}."""
    pref = math.sqrt(45 / 8) / (2 * math.pi**3)
    x = 20.0
    for _ in range(100):
        x = math.log(pref * g_of_x(x) * m * fo.M_PLANCK_GEV * sigma_v / (math.sqrt(geff.g_eff(m / x)) * math.sqrt(x)))
    return x


@pytest.mark.parametrize("m", [0.05, 30.0])
def test_dirac_is_twice_majorana(m: float) -> None:
    # Srednicki, Watkins, Olive 1988; SDB 2012: with Y counting chi + chibar, the annihilation term carries
    # <sigma v>/2, and Y_Dirac = 2 Y_Majorana exactly for the same <sigma v> (substitute Y = 2 Z). Tolerance
    # 1e-5 (ODE rtol 1e-8 plus the fine-grid splines; measured 1e-7).
    maj = fo.relic_density(constant_sigma_v_sector(m, 3e-26, self_conjugate=True))
    dirac = fo.relic_density(constant_sigma_v_sector(m, 3e-26, self_conjugate=False))
    assert dirac / maj == pytest.approx(2.0, rel=1e-5)
    # Hence a Dirac particle needs about twice the <sigma v> (4.4e-26 vs 2.2e-26, SDB 2012); not exactly: with
    # the same rate coefficient but twice the dof, x_f grows by ~ln 2, so Omega_D(2 sv)/Omega_M(sv) =
    # x_f(g = 4)/x_f(g = 2) = 1.03-1.04 (Griest-Seckel freeze-out point). Tolerance 0.5 % (that approximation).
    dirac2 = fo.relic_density(constant_sigma_v_sector(m, 6e-26, self_conjugate=False))
    a = fo.from_cm3_per_s(3e-26)
    expected = _gs_x_f(m, lambda x: 4.0, a) / _gs_x_f(m, lambda x: 2.0, a)
    assert dirac2 / maj == pytest.approx(expected, rel=5e-3)


def test_coannihilation_reduces_to_griest_seckel() -> None:
    # Griest & Seckel, Phys. Rev. D 43 (1991) 3191: with sigma_ij all equal, sigma_eff = sigma and only the
    # effective dof g_eff(x) = 2 + 2 (1 + D)^{3/2} e^{-x D} changes, so Omega_2/Omega_1 = x_f(g_eff)/x_f(2).
    # A non-annihilating degenerate partner: sigma_eff = sigma/4, g = 4 -> Omega x ~3.9.
    # Tolerance 0.3 %: the x_f definition of the approximation (measured agreement 0.002-0.11 %).
    m, sv = 100.0, 2.2e-26
    a = fo.from_cm3_per_s(sv)
    om1 = fo.relic_density(constant_sigma_v_sector(m, sv))
    x1 = _gs_x_f(m, lambda x: 2.0, a)
    for split in (0.0, 0.05, 0.3):
        om2 = fo.relic_density(two_state_sector(m, split, sv))
        x2 = _gs_x_f(m, lambda x, d=split: 2.0 + 2.0 * (1 + d) ** 1.5 * math.exp(-x * d), a)
        assert om2 / om1 == pytest.approx(x2 / x1, rel=3e-3), split
    inert = fo.relic_density(two_state_sector(m, 0.0, sv, partner_annihilates=False))
    x4 = _gs_x_f(m, lambda x: 4.0, a / 4)
    assert inert / om1 == pytest.approx(4.0 * x4 / x1, rel=3e-3)


def test_relic_density_is_smooth_across_the_qcd_crossover() -> None:
    # Masses 2.0-3.2 GeV freeze out at T = 0.10-0.17 GeV, across the QCD crossover and the kink of the SS2018
    # table at 0.12 GeV. Second differences of ln Omega on a step d ln m = 0.06 stay < 1 % (measured 0.5 %, the
    # physical curvature; on a step of 1e-3 they are 1.6e-6 and vary smoothly: no solver or quadrature noise).
    ms = np.geomspace(2.0, 3.2, 9)
    lo = np.log([fo.relic_density(constant_sigma_v_sector(m, 3e-26)) for m in ms])
    assert np.max(np.abs(np.diff(lo, 2))) < 0.01


def test_relic_density_is_smooth_near_a_resonance() -> None:
    # Breit-Wigner resonance (Gamma/M = 1e-3) around 000's ratio m = M/(2 sqrt(1.1)) = 0.4767 M (eq. (2.9)):
    # m/M = 0.4710-0.4770 in steps of 0.001. ln Omega falls by ~0.07 per step; second differences < 1 %
    # (measured 0.1 %, physical curvature). Quadrature break points move with m, so noise from them would
    # show up here.
    big_m, gam = 1.0, 1e-3
    r = np.linspace(0.4710, 0.4770, 7)
    lo = np.log([fo.relic_density(resonance_sector(x * big_m, big_m, gam), poles=[(big_m, gam)]) for x in r])
    assert np.all(np.diff(lo) < 0.0)
    assert np.max(np.abs(np.diff(lo, 2))) < 0.01


def test_quadrature_converged_inside_relic_density(monkeypatch: pytest.MonkeyPatch) -> None:
    # Doubling the Gauss-Legendre order and quartering the panels changes Omega by < 1e-6 (measured 5e-8, the
    # ODE tolerance) at 000's resonant ratio m = M/(2 sqrt(1.1)) with Gamma/M = 1e-6.
    big_m, gam = 1.0, 1e-6
    sector = resonance_sector(big_m / (2 * math.sqrt(1.1)), big_m, gam, c=1e-10)
    base = fo.relic_density(sector, poles=[(big_m, gam)])
    monkeypatch.setattr(fo, "_GL_X", np.polynomial.legendre.leggauss(16)[0])
    monkeypatch.setattr(fo, "_GL_W", np.polynomial.legendre.leggauss(16)[1])
    monkeypatch.setattr(fo, "_PANEL_RATIO", fo._PANEL_RATIO ** 0.25)  # four times as many panels per decade
    monkeypatch.setattr(fo, "_GRADING", fo._GRADING ** 0.25)  # and at the pole
    fine = fo.relic_density(sector, poles=[(big_m, gam)])
    assert fine == pytest.approx(base, rel=1e-6)


# --- errors -------------------------------------------------------------------------------------------------------
def test_freeze_out_below_the_geff_table_raises() -> None:
    # m = 1e-5 GeV freezes out at T ~ 1e-6 GeV, below the table's 2e-6 GeV.
    with pytest.raises(DataRangeError, match="g_eff table"):
        fo.relic_density(constant_sigma_v_sector(1e-5, 3e-26))
    with pytest.raises(DataRangeError):
        fo.relic_density(constant_sigma_v_sector(2e-5, 3e-26))
    # 1e-4 GeV still freezes out inside the table (x_f ~ 12 -> T ~ 8e-6 GeV)
    assert fo.relic_density(constant_sigma_v_sector(1e-4, 3e-26)) > 0


@pytest.mark.parametrize("a", [0.0, 1e-3, 1.0, 1e4, 1e12])
@pytest.mark.parametrize("b", [-1.5, 0.0, 2.0])
@pytest.mark.parametrize("ch", [1e-4, 0.05, 0.3])
def test_stage_solver_finds_the_root(a, b, ch) -> None:
    # fo._newton stops after a step <= 1e-7 (1 + |y|) and returns f(y) by a Taylor step (one sinh fewer).
    # Independent check: stage equations y = base + ch f(y) built around a known root y*, started 0.1 (1 + |y*|)
    # away on either side. Tolerances: the docstring's bound on the error left, 5e-15 (1 + |y|)^2 <= 5e-13 here
    # (measured <= 5e-14 relative to 1 + |y*|); f(y) to 1e-13 of the scale of the terms it is the difference
    # of, |b| + a cosh y (cosh >= |sinh|; it also covers y's rounding, a cosh y * ulp, next to y = 0)
    for root in (-3.0, -1e-3, 0.0, 1e-9, 0.4, 2.0, 9.0):
        base = root - ch * (-a * math.sinh(root) - b)
        for guess in (root - 0.1 * (1.0 + abs(root)), root + 0.1 * (1.0 + abs(root))):
            y, f = fo._newton(a, b, base, ch, guess)
            assert abs(y - root) <= 5e-13 * (1.0 + abs(root))
            exact = -a * math.sinh(y) - b
            assert abs(f - exact) <= 1e-13 * (abs(b) + a * math.cosh(y))


def test_solver_failure_raises_convergence_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failed:
        status = -1
        message = "simulated failure"

    problem = fo.FreezeOut(constant_sigma_v_sector(10.0, 3e-26))
    monkeypatch.setattr(fo, "solve_ivp", lambda *a, **k: Failed())
    with pytest.raises(ConvergenceError, match="simulated failure"):
        problem.solve(method="radau")
    monkeypatch.setattr(fo, "_newton", lambda *a, **k: None)  # no stage equation converges
    with pytest.raises(ConvergenceError, match="TR-BDF2"):
        problem.solve()
    with pytest.raises(InvalidParameter, match="method"):
        problem.solve(method="euler")


@pytest.mark.parametrize("rtol", [0.0, -1e-8, float("nan"), 1.0, "1e-8"])
def test_rtol_is_validated(rtol) -> None:
    """review3 8: rtol <= 0 ended in "could not take a step" after the set-up."""
    with pytest.raises(InvalidParameter, match="rtol"):
        fo.FreezeOut(constant_sigma_v_sector(10.0, 3e-26), rtol=rtol)


def test_unmarked_freeze_out_is_an_error_not_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """review3 8: x_freeze_out silently became x_decoupled when the Y = 1.5 Y_eq crossing was not marked."""
    problem = fo.FreezeOut(constant_sigma_v_sector(10.0, 3e-26))
    result = problem.solve()
    assert 1.0 < result.x_freeze_out < result.x_decoupled
    monkeypatch.setattr(fo, "_trbdf2", lambda *a, **k: (result.x_decoupled, math.log(1.0 / fo.FROZEN_RATIO), None))
    with pytest.raises(ConvergenceError, match=r"1\.5 Y_eq"):
        problem.solve()


def test_divergent_late_time_annihilation_raises() -> None:
    # sigma v ~ 1/v^2 (sigma = a / v_lab^3): <sigma v> grows like x, the late-time integral int q dx diverges.
    m = 1.0
    a = fo.from_cm3_per_s(1e-26)

    def sigma(s: np.ndarray) -> np.ndarray:
        v = v_lab(s, m, m)
        return a / np.where(v > 0.0, v, np.inf) ** 3

    sector = DarkSector((DarkState("chi", m, 2, True),), {(0, 0): sigma})
    with pytest.raises(ConvergenceError, match="too slowly"):
        fo.relic_density(sector)


def test_input_errors() -> None:
    with pytest.raises(SpecError):
        fo.relic_density(DarkSector((DarkState("chi", 1.0, 2, True),), {}))
    with pytest.raises(SpecError):
        fo.relic_density(DarkSector((DarkState("chi", 1.0, 2, True),), {(0, 1): lambda s: s}))
    with pytest.raises(InvalidParameter):
        fo.relic_density(DarkSector((DarkState("chi", 1.0, 2, True),), {(0, 0): lambda s: -np.ones_like(s)}))
    with pytest.raises(InvalidParameter):
        fo.thermal_average(constant_sigma_v_sector(1.0, 3e-26), [0.0, 1.0])
    with pytest.raises(InvalidParameter):
        fo.relic_density(constant_sigma_v_sector(1.0, 3e-26), poles=[(1.0,)])


# --- with the model cross sections of muonreach.cosmo.annihilation ---------------------------------------------
def test_inelastic_dm_small_splitting_against_003_eq_3() -> None:
    # Source: 003 (Krnjaic, Rocha, Wang 2024) eqs. (2)-(3): for m_A' >> m1 >> Delta, m_f, sigma v = y/m1^2 per
    # final state with y = eps^2 alpha_D (m1/m_A')^4, and Omega(chi1 + chi2) ~ 0.1 (1e-10/y) (m1/100 MeV)^2.
    # (The extracted text prints (y/1e-10)(100 MeV/m1)^2, the inverse; Omega ~ 1/<sigma v> = m1^2/y fixes the
    # direction.) Below 2 m_mu only e+e- is open, the single-final-state case. Tolerance: a factor 1.4 for
    # the paper's "~" (measured 1.02 at 50 MeV, 0.95 at 100 MeV, with m_A' = 3 m1, alpha_D = 0.1,
    # Delta = 0.01 m1).
    from muonreach.cosmo import annihilation as an
    from muonreach.models.dark_photon import InelasticDM

    for m1 in (0.05, 0.1):
        model = InelasticDM.from_ratios(m1, eps=1e-3, delta_ratio=0.01)
        y = model.eps**2 * model.alpha_D * (m1 / model.mass) ** 4
        omega = fo.relic_density(an.dark_sector(model), poles=an.poles(model))
        expected = 0.1 * (1e-10 / y) * (m1 / 0.1) ** 2
        assert 1 / 1.4 < omega / expected < 1.4


def test_no_jump_across_freeze_out_near_a_resonance():
    # regression: at rtol 1e-6 without a step limit, Radau stepped from equilibrium across freeze-out near the
    # 000 eq. (2.9) resonance (lepton-specific, m_S = 1 GeV, <sigma v> x 1e6) and Omega came out 21 % low.
    # Now the loose and the tight solution agree far below that jump. Measured against Radau at rtol 1e-12: Radau
    # at 1e-6 is 2e-8 off; the default TR-BDF2 at 1e-6 is 1.15e-4 off (2.5e-5 at RELIC_RTOL = 1e-7), so rel 3e-4
    # for it (the old 1e-4 passed only through approx's default abs=1e-12; the relic search tolerance is 1e-3).
    import math as _m

    from muonreach.cosmo.annihilation import dark_sector, poles
    from muonreach.cosmo.freezeout import FreezeOut
    from muonreach.models.registry import build_model

    model = build_model("scalar-lepton", 1.0, 1e-3, {"g_chi": 1.0, "m_chi_ratio": 1.0 / (2.0 * _m.sqrt(1.1))})
    loose = FreezeOut(dark_sector(model), poles(model), rtol=1e-6).solve(1e6).omega_h2
    tight = FreezeOut(dark_sector(model), poles(model), rtol=1e-10).solve(1e6).omega_h2
    assert loose == pytest.approx(tight, rel=3e-4, abs=0)
    radau = FreezeOut(dark_sector(model), poles(model), rtol=1e-6).solve(1e6, method="radau").omega_h2
    assert radau == pytest.approx(tight, rel=1e-4, abs=0)


@pytest.mark.parametrize("name, overrides, mass, scale", [
    ("scalar-muon", {"g_chi": 1.0}, 0.5, 30.0),  # p-wave through the muon threshold region
    ("scalar-muon", {"g_chi": 1.0, "m_chi_ratio": 0.49}, 0.3, 1.0),  # near the resonance 2 m_chi ~ m_S
    ("scalar-lepton", {"g_chi": 1.0}, 3.0, 1e3),
    ("inelastic-dm", {}, 0.3, 1.0),  # co-annihilation
])
def test_trbdf2_agrees_with_radau(name, overrides, mass, scale):
    # the default solver (scalar TR-BDF2, analytic Jacobian) against scipy's Radau at rtol 1e-10: within 1e-4 at
    # the relic tolerance (the bound is 2e-4; measured <= 4.6e-5 over 108 points of five families)
    from muonreach.cosmo.annihilation import dark_sector, poles
    from muonreach.cosmo.relic import RELIC_RTOL
    from muonreach.models.registry import get_model_spec

    model = get_model_spec(name).build(mass, 1e-3, overrides)
    ref = fo.FreezeOut(dark_sector(model), poles(model), rtol=1e-10).solve(scale, method="radau").omega_h2
    fast = fo.FreezeOut(dark_sector(model), poles(model), rtol=RELIC_RTOL).solve(scale).omega_h2
    assert fast == pytest.approx(ref, rel=1e-4, abs=0)


def _finer_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four times as many panels per decade in v, the gradings twice as fine, Gauss-Legendre of order 16."""
    monkeypatch.setattr(fo, "_PANEL_RATIO", fo._PANEL_RATIO ** 0.25)
    monkeypatch.setattr(fo, "_GRADING", fo._GRADING ** 0.5)
    monkeypatch.setattr(fo, "_GL_X", np.polynomial.legendre.leggauss(16)[0])
    monkeypatch.setattr(fo, "_GL_W", np.polynomial.legendre.leggauss(16)[1])


@pytest.mark.parametrize("name, mass, overrides, x_min, tol", [
    # the mu+ mu- channel opens at u ~ 25 near x ~ 2 (50 MeV) and at u ~ 1-10 near freeze-out (0.3 GeV), sigma
    # rising by orders of magnitude there: measured 3.7e-10 (the grid of u panels per temperature used before
    # the shared grid was checked only against itself: uniform vs growing panels beyond u = 40, 2e-15)
    ("scalar-muon", 0.05, {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}, 1.0, 1e-9),
    ("scalar-lepton", 0.05, {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}, 1.0, 1e-9),
    ("scalar-muon", 0.3, {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}, 1.0, 1e-9),
    ("scalar-lepton", 0.3, {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}, 1.0, 1e-9),
    # hadrons: R is linear between table points 1-5 % apart; its rho-omega and phi peaks are break points.
    # Measured 2.4e-7 (x ~ 1); the previous per-temperature grid was 2e-7 off the same reference here
    ("inelastic-dm", 0.3, {}, 1.0, 1e-6),
])
def test_shared_thermal_grid_is_converged(monkeypatch: pytest.MonkeyPatch, name, mass, overrides, x_min, tol) -> None:
    # The panels in v = sqrt(s) - threshold shared by all temperatures (_edges) against a grid four times finer
    # with twice the Gauss-Legendre order, with the break points of the relic targets (channel thresholds, R peaks)
    from muonreach.cosmo.annihilation import break_points, dark_sector
    from muonreach.models.registry import get_model_spec

    x = np.geomspace(x_min, 1e3, 61)
    model = get_model_spec(name).build(mass, 1e-3, overrides)
    sector, pls = dark_sector(model), break_points(model)
    rate = fo.annihilation_rate(sector, x, pls)
    _finer_grid(monkeypatch)
    fine = fo.annihilation_rate(sector, x, pls)
    assert np.max(np.abs(rate / fine - 1.0)) < tol


@pytest.mark.parametrize("sector, pls", [
    (constant_sigma_v_sector(0.1, 3e-26), ()),  # sigma ~ 1/v: sigma p^2 s ~ sqrt(v), the steepest head
    (p_wave_sector(1.0, 1e-8), ()),
    (resonance_sector(1.0, 2.0 + 1e-6, 1e-8), ((2.0 + 1e-6, 1e-8),)),  # a narrow peak inside every head
])
def test_thermal_head_as_one_node(monkeypatch: pytest.MonkeyPatch, sector, pls) -> None:
    # _pair_integral sums the nodes below v = _HEAD T as one node at their weighted mean; against the sum over
    # every node (_HEAD = 0). Tolerance 1e-10: the docstring's estimate is 2e-11 of J (measured 1.1e-12 for 1/v,
    # 5e-12 with the peak 1e-6 GeV above threshold: the head stops half-way to it)
    x = np.geomspace(1e-2, 1e5, 91)  # x < 1 too: there the head ends at 1e-3 (m_i + m_j) < 1e-3 T
    rate = fo.annihilation_rate(sector, x, pls)
    monkeypatch.setattr(fo, "_HEAD", 0.0)
    every_node = fo.annihilation_rate(sector, x, pls)
    assert np.max(np.abs(rate / every_node - 1.0)) < 1e-10


def test_channel_thresholds_are_needed_as_break_points(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the mu+ mu- threshold as a break point (the pole only) the same comparison fails by 3.4e-3 at
    # 0.3 GeV (x ~ 1-3, where the channel opens at u ~ 1-10 inside a panel): the break points are what makes
    # the coarse shared grid exact, not luck.
    from muonreach.cosmo.annihilation import dark_sector, poles
    from muonreach.models.registry import get_model_spec

    x = np.geomspace(1.0, 1e3, 61)
    model = get_model_spec("scalar-muon").build(0.3, 1e-3, {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0})
    sector, pls = dark_sector(model), poles(model)
    rate = fo.annihilation_rate(sector, x, pls)
    _finer_grid(monkeypatch)
    fine = fo.annihilation_rate(sector, x, [*pls, (2.0 * M_MU, 0.0)])
    assert np.max(np.abs(rate / fine - 1.0)) > 1e-4
