"""LO HVP: kernel (WP arXiv:2006.04822 eq. (2.2); 004 lines 332-370, notes S06, V10-V11), the time-like and
space-like routes, and the leptonic closed forms."""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy.integrate import quad

from muonreach.constants import ALPHA, M_E, M_MU, M_PI_CHARGED
from muonreach.errors import InvalidParameter
from muonreach.gm2.hvp.dispersion import a_mu_hvp_spacelike, a_mu_hvp_timelike, delta_alpha_spacelike, hvp_lo
from muonreach.gm2.hvp.kernel import delta_alpha_lepton_spacelike, kernel_k, kernel_khat
from muonreach.gm2.hvp.spectral import alpha_s, lepton_measure, load_inputs, r_pqcd


def _k_mpmath(s, m):
    # 80 digits: at s = 1e9 GeV^2, 1 - beta ~ 1e-11 loses 11 digits and ln(1 + x) - x + x^2/2 ~ x^3/3 loses 23
    # more, so 40 digits left only ~6 (the 40-digit value was 2e-8 off; hidden by approx's default abs=1e-12)
    with mp.workdps(80):
        s, m = mp.mpf(s), mp.mpf(m)
        b = mp.sqrt(1 - 4 * m * m / s)
        x = (1 - b) / (1 + b)
        return (x**2 / 2 * (2 - x**2) + (1 + x**2) * (1 + x) ** 2 / x**2 * (mp.log(1 + x) - x + x**2 / 2)
                + (1 + x) / (1 - x) * x**2 * mp.log(x))


@pytest.mark.parametrize("s", [0.0780, 0.5, 9.6, 1e2, 1e4, 1e6, 1e9])
def test_kernel_against_40_digit_closed_form(s):
    # the closed form in double precision fails at large s (004 notes: 232 at 1e4 GeV^2); ours agrees with
    # an 80-digit evaluation to 1e-13 everywhere
    assert float(kernel_k(s, M_MU)) == pytest.approx(float(_k_mpmath(s, M_MU)), rel=1e-13, abs=0)


def test_kernel_integral_form():
    # independent method: K(s) = int_0^1 y^2 (1 - y) / (y^2 + (1 - y) s/m^2) dy (adaptive quadrature, 1e-10),
    # also below 4 m^2 (closed form of the integral) and across the switch at 4 m^2
    for s in (1e-6, 0.0182, 0.04, 4 * M_MU**2 * (1 - 1e-9), 4 * M_MU**2 * (1 + 1e-9), 0.08, 1.0, 50.0):
        ref = quad(lambda y, a=s / M_MU**2: y * y * (1 - y) / (y * y + (1 - y) * a), 0, 1, epsabs=0, epsrel=1e-12)[0]
        assert float(kernel_k(s, M_MU)) == pytest.approx(ref, rel=1e-10, abs=0)


def test_khat_limits():
    khat0 = float(kernel_khat(4 * M_PI_CHARGED**2, M_MU))
    assert khat0 == pytest.approx(load_inputs().quoted["khat_threshold"], abs=0.005)  # "~0.63" printed to 2 digits
    assert khat0 == pytest.approx(0.6334, abs=1e-4)  # notes [DERIVED]
    assert float(kernel_khat(100.0, M_MU)) == pytest.approx(0.9976, abs=1e-4)  # notes [DERIVED]
    s = np.geomspace(4 * M_PI_CHARGED**2, 1e10, 200)
    kh = kernel_khat(s, M_MU)
    assert np.all(np.diff(kh) > 0) and kh[-1] == pytest.approx(1.0, abs=1e-8)  # monotonic, -> 1


def test_kernel_refuses_bad_s():
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(InvalidParameter):
            kernel_k(bad, M_MU)


@pytest.mark.parametrize("z", [1e-6, 1e-3, 0.5, 10.0, 1e4])
def test_leptonic_delta_alpha_closed_form_vs_dispersion(z):
    # the closed form and the dispersion integral of R_l agree to 1e-9 (the measure's quadrature)
    m = M_E
    t = -z * m * m
    disp = float(delta_alpha_spacelike(np.array([t]), lepton_measure(m))[0])
    assert float(delta_alpha_lepton_spacelike(t, m, ALPHA)) == pytest.approx(disp, rel=1e-9, abs=0)


def _delta_alpha_mpmath(t, m):
    with mp.workdps(50):
        t, m = mp.mpf(t), mp.mpf(m)
        r = m * m / t
        b = mp.sqrt(1 - 4 * r)
        return mp.mpf(ALPHA) / (3 * mp.pi) * (-mp.mpf(5) / 3 - 4 * r + (1 + 2 * r) * b * mp.log((b + 1) / (b - 1)))


def test_leptonic_delta_alpha_against_50_digit_closed_form():
    # the double-precision closed form cancels like 1/z^2 at small z = -t/m^2 (it was 4e-8 off at z = 1e-3, next
    # to the old two-term series switch; hidden by approx's default abs=1e-12): with the 32-term series below z = 1
    # we measured <= 3e-15 from 1e-9 to 1e9, so 1e-13 leaves a 30x margin for platform libm differences
    for z in [*np.geomspace(1e-9, 1e9, 37).tolist(), 0.999999, 1.0, 1.000001]:
        t = -z * M_E * M_E
        ref = float(_delta_alpha_mpmath(t, M_E))
        assert float(delta_alpha_lepton_spacelike(t, M_E, ALPHA)) == pytest.approx(ref, rel=1e-13, abs=0)


def test_leptonic_limits():
    m = M_MU
    assert float(delta_alpha_lepton_spacelike(-1e-8 * m * m, m, ALPHA)) == pytest.approx(ALPHA / (15 * math.pi) * 1e-8, rel=1e-7, abs=0)
    big = float(delta_alpha_lepton_spacelike(-1e8 * m * m, m, ALPHA))
    assert big == pytest.approx(ALPHA / (3 * math.pi) * (math.log(1e8) - 5 / 3), rel=1e-7)


def test_vacuum_polarisation_insertions_in_a_mu():
    # two-loop QED with a lepton loop: muon loop (alpha/pi)^2 (119/36 - pi^2/3) exactly; electron loop
    # (alpha/pi)^2 * 1.0942583 (Laporta/Elend; e.g. Jegerlehner-Nyffeler, Phys. Rept. 477 (2009) eq. (43)).
    # Both routes, 1e-8 (muon) and 1e-7 (electron: the coefficient is given to 8 digits).
    c = (ALPHA / math.pi) ** 2
    mu = lepton_measure(M_MU)
    e = lepton_measure(M_E)
    assert a_mu_hvp_timelike(mu)[0] == pytest.approx(c * (119 / 36 - math.pi**2 / 3), rel=1e-8, abs=0)
    assert a_mu_hvp_spacelike(mu, n=96) == pytest.approx(c * (119 / 36 - math.pi**2 / 3), rel=1e-8, abs=0)
    assert a_mu_hvp_timelike(e)[0] == pytest.approx(c * 1.0942583, rel=1e-7, abs=0)
    assert a_mu_hvp_spacelike(e, n=96) == pytest.approx(c * 1.0942583, rel=1e-7, abs=0)


@pytest.fixture(scope="module")
def result():
    return hvp_lo()


def test_spacelike_equals_timelike(result):
    # the issue asks 1e-4; both integrate the same spectral measure, so only the x quadrature differs (1e-8)
    assert result.spacelike == pytest.approx(result.timelike, rel=1e-8, abs=0)


def test_regions_sum_and_size(result):
    assert sum(result.regions.values()) == pytest.approx(result.timelike, rel=1e-12, abs=0)
    # the rho region dominates (WP Fig. 28 caption: ~75 % from 2 pi in the rho region); here 0.6-0.9 GeV
    assert 0.55 < result.regions["0.6-0.9 GeV (rho, omega)"] / result.timelike < 0.65
    # narrow J/psi + psi(2S): DHMZ/KNT quote ~7.8-7.9e-10 (WP Table 3); zero-width peaks with PDG Gamma_ee: 0.2e-10
    assert result.regions["narrow charmonium (J/psi, psi(2S))"] == pytest.approx(7.9e-10, abs=0.2e-10)


def test_total_against_white_paper(result):
    # The shipped R has no uncertainties and, below 1.6 GeV, is the DarkCast VMD fit, which lies above the
    # data: 707.9e-10 vs WP 693.1(4.0)e-10 (+2.1 %). With the PDG compilation below 1.6 GeV: 691.5e-10.
    # Tolerances: 3 % (VMD) and 1 % (PDG points), the precision these tables allow (docs/gm2-measurement.md).
    q = load_inputs().quoted
    assert result.timelike == pytest.approx(q["wp2020_a_mu_hvp_lo"], rel=0.03)
    assert hvp_lo(low_energy="pdg").timelike == pytest.approx(q["wp2020_a_mu_hvp_lo"], rel=0.01)


def test_pqcd_threshold_stability():
    # data and pQCD agree above 11.5 GeV: moving the switch to 20 GeV changes a_mu by 0.005e-10 (< 0.02e-10);
    # to 38 GeV by -0.022e-10 (< 0.05e-10: the last PETRA points, a few % off pQCD, with Z exchange rising)
    base = hvp_lo().timelike
    assert hvp_lo(20.0).timelike == pytest.approx(base, abs=0.02e-10)
    assert hvp_lo(38.0).timelike == pytest.approx(base, abs=0.05e-10)
    with pytest.raises(InvalidParameter):
        hvp_lo(100.0)


def test_alpha_s_and_r_pqcd():
    assert float(alpha_s(91.1876)) == pytest.approx(0.1179, rel=1e-9)
    assert 0.17 < float(alpha_s(11.5)) < 0.19  # PDG running: alpha_s(10 GeV) ~ 0.178
    # R -> 11/3 (1 + alpha_s/pi + ...) at large s
    assert float(r_pqcd(1e5)) == pytest.approx(11 / 3 * (1 + float(alpha_s(1e5)) / math.pi), rel=2e-3)


def test_cli_hvp(run_cli_json, tmp_path):
    out = run_cli_json("hvp", "--out", str(tmp_path / "integrand.png"))
    assert set(out) >= {"a_mu_hvp_lo_timelike", "a_mu_hvp_lo_spacelike", "khat_threshold", "regions"}
    assert (tmp_path / "integrand.png").stat().st_size > 1000
    assert out["khat_threshold"] == pytest.approx(0.6334, abs=1e-4)
