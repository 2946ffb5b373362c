"""Neutrino trident (arXiv:1406.2332, 004 notes S7): amplitude, phase space, leading-log limits, CCFR/CHARM-II bounds."""

import math
from pathlib import Path

import numpy as np
import pytest

from muonreach import constants as c
from muonreach.errors import DataRangeError, InvalidParameter, KinematicallyForbidden, UnknownName
from muonreach.production import trident as tr
from muonreach.production.trident_amplitude import _SIG, GAMMA, GAMMA5, eq6_massless, lepton_tensor, neutrino_current, slash, trace_terms

M = c.M_MU
CV, CA = tr.sm_couplings(0.23122)


def _events(n, s, m, seed=3):
    rng = np.random.default_rng(seed)
    ell = rng.uniform(4 * m * m, 0.95 * s, n)
    t = rng.uniform(0, 1, n) * (s - ell)
    return tr.kinematics(np.full(n, s), ell, t, rng.uniform(-1, 1, n), rng.uniform(0, 2 * math.pi, n), m)


def test_kinematics_conserve_momentum_and_masses():
    k1, k2, q, pm, pp = _events(200, 3.0, M)
    assert np.abs(k1 + q - k2 - pm - pp).max() < 1e-12
    for p, mass in ((k1, 0), (k2, 0), (q, 0), (pm, M), (pp, M)):
        assert np.allclose(p[:, 0] ** 2 - (p[:, 1:] ** 2).sum(1), mass * mass, atol=1e-12)


def test_neutrino_current_reproduces_the_trace():
    k1, k2, *_ = _events(50, 5.0, M)
    n = neutrino_current(k1, k2)
    assert np.allclose(np.einsum("na,nb->nab", n, n.conj()), lepton_tensor(k1, k2), atol=1e-12)


def test_eq6_signs_as_read_are_right():
    # massless limit: (1/2) sum|M|^2 for V-A = 512 |M_{V-A}|^2 of eq. (6) with the signs read in the notes
    m = 1e-5
    kin = _events(300, 10.0, m)
    tvv, taa, tva = trace_terms(*kin, m)
    ratio = 0.5 * (tvv + taa - tva) / (512 * eq6_massless(*kin))
    assert np.allclose(ratio, 1.0, rtol=1e-4)  # O(m^2/(p.q)) mass terms


def test_traces_equal_an_explicit_helicity_sum_with_muon_mass():
    kin = _events(8, 2.0, M, seed=5)
    k1, k2, q, pm, pp = kin
    tvv, taa, tva = trace_terms(*kin, M)
    nc = neutrino_current(k1, k2)
    one = np.eye(4)
    metric = np.array([1.0, -1, -1, -1])

    def spinor(p, x, anti):
        sp = sum(p[i + 1] * _SIG[i] for i in range(3))
        big, small = np.sqrt(p[0] + M) * x, sp @ x / np.sqrt(p[0] + M)
        return np.concatenate([small, big] if anti else [big, small])

    for cv, ca, ref in ((1.0, 0.0, tvv), (0.0, 1.0, taa), (1.0, 1.0, tvv + taa - tva)):
        for n in range(8):
            g = sum(metric[a] * nc[n, a] * GAMMA[a] for a in range(4)) @ (cv * one - ca * GAMMA5)
            s1 = (slash(pm[n:n + 1] - q[n:n + 1])[0] + M * one) / (-2 * (pm[n] @ (metric * q[n])))
            s2 = (slash(q[n:n + 1] - pp[n:n + 1])[0] + M * one) / (-2 * (q[n] @ (metric * pp[n])))
            total = 0.0
            for eps in (np.array([0.0, 1, 0, 0]), np.array([0.0, 0, 1, 0])):  # photon along z in this frame
                es = slash(eps[None])[0]
                o = es @ s1 @ g + g @ s2 @ es
                for a in np.eye(2):
                    for b in np.eye(2):
                        ub = spinor(pm[n], a, False).conj() @ GAMMA[0]
                        total += abs(ub @ o @ spinor(pp[n], b, True)) ** 2
            assert total == pytest.approx(ref[n], rel=1e-10)


def test_three_body_phase_space_volume():
    rng = np.random.default_rng(0)
    m, s, n = 0.3, 1.0, 200_000
    _, w, _ = tr._phase_space(rng.random((n, 4)), np.full(n, s), m)
    vol = w * 2 * s
    from scipy.integrate import quad

    exact = quad(lambda l: (1 - l / s) / (8 * math.pi) * math.sqrt(1 - 4 * m * m / l) / (8 * math.pi) / (2 * math.pi), 4 * m * m, s)[0]
    assert vol.mean() == pytest.approx(exact, abs=4 * vol.std() / math.sqrt(n))  # 4 sigma of the Monte Carlo


def test_sm_over_v_minus_a_is_the_40_percent_reduction():
    s = 1e5 * M * M
    sm = tr.sigma_nu_gamma(s, CV, CA, events=20_000)[0]
    va = tr.sigma_nu_gamma(s, 1.0, 1.0, events=20_000)[0]  # same events: the ratio has a small error
    # massless limit: (C_V^2 + C_A^2)/2 = 0.5887 ("reduction of about 40 %"); muon-mass terms < 0.5 % at s = 1e5 m^2
    assert sm / va == pytest.approx(0.5 * (CV**2 + CA**2), rel=5e-3)
    assert 0.38 < 1 - sm / va < 0.43


def _eq9_constant(r, events, seed=11):
    """(ln(s/m^2)-subtracted V-A cross section / (2 G_F^2 alpha s/(9 pi^2)), its MC error) at s = r m^2."""
    s = r * M * M
    norm = 2 * c.G_F**2 * c.ALPHA * s / (9 * math.pi**2)
    v, _, _, err = tr.sigma_nu_gamma(s, 1.0, 1.0, events=events, seed=seed)
    return v / norm - math.log(r), err[0] / norm


def test_eq9_constant_from_the_photon_structure_functions():
    # independent derivation of the constant (docstring of sigma_sm_leading_log): contact nu scattering off the
    # point-like QED photon structure functions, integrated numerically over x, y. Per unit N = C_V^2 + C_A^2 and
    # G_F^2 s alpha/(2 pi^2), the integral is (2/9)(L - 8/3) for every L = ln(s/m^2): check its slope and constant
    # to quadrature precision. Dropping the non-log term 8x(1-x) - 1 gives 1406.2332's printed -19/6.
    from scipy.integrate import dblquad

    def integral(big_log, with_constant_term=True):
        def f(y, x):
            p = x * x + (1 - x) ** 2
            cx = (8 * x * (1 - x) - 1) if with_constant_term else 0.0
            f2 = x * (p * (big_log + math.log(y) + math.log(1 - x)) + cx)
            return f2 * (1 - y + y * y / 2) - 4 * x * x * (1 - x) * y * y / 2
        return dblquad(f, 0, 1, 0, 1, epsabs=1e-12, epsrel=1e-12)[0]

    i10, i20 = integral(10.0), integral(20.0)
    assert (i20 - i10) / 10.0 == pytest.approx(2 / 9, rel=1e-9)
    assert i10 / (2 / 9) - 10.0 == pytest.approx(tr.EQ9_CONSTANT, abs=1e-8)
    assert integral(10.0, False) / (2 / 9) - 10.0 == pytest.approx(-19 / 6, abs=1e-8)


def test_leading_log_slope_and_constant_of_eq9():
    # the exact 2 -> 3 Monte Carlo: the constant is the same at s/m^2 = 1e4 and 1e6 (slope of ln s reproduced; MC
    # errors ~0.15 each), and at 1e5 it is -8/3 within 3 standard errors while the printed -19/6 is excluded at
    # > 3 standard errors (200k events: error 0.13, observed -2.60; mass corrections O(m^2/s) ~ 1e-4)
    c4, _ = _eq9_constant(1e4, 40_000)
    c6, _ = _eq9_constant(1e6, 40_000)
    assert abs(c4 - c6) < 0.6
    c5, e5 = _eq9_constant(1e5, 200_000)
    assert abs(c5 - tr.EQ9_CONSTANT) < 3 * e5
    assert abs(c5 + 19 / 6) > 3 * e5
    sm = tr.sigma_sm_leading_log(1e5 * M * M, 1.0, 1.0) / (2 * c.G_F**2 * c.ALPHA * 1e5 * M * M / (9 * math.pi**2))
    assert sm == pytest.approx(math.log(1e5) - 8 / 3, rel=1e-12)


def test_leading_logs_of_eqs_12_to_14():
    s1s, s2s = [], []
    for r in (1e4, 1e6):
        s = r * M * M
        _, s1, s2, _ = tr.sigma_nu_gamma(s, CV, CA, [1e-3, 1e-2], events=40_000, seed=9)
        s1s.append((r, s1[0] / tr.sigma_interference_leading_log(s, CV)))
        s2s.append(s2 / np.array([tr.sigma_zprime_leading_log(1e-3), tr.sigma_zprime_leading_log(1e-2)]))
    # eq. (12) is leading log^2: ratio = 1 - a/ln(s/m^2) with the same a (~2.85) at both energies
    (r1, q1), (r2, q2) = s1s
    a1, a2 = (1 - q1) * math.log(r1), (1 - q2) * math.log(r2)
    assert a1 == pytest.approx(a2, rel=0.1) and 2.0 < a1 < 3.5
    # eq. (14) (m_Z' << m_mu): independent of s, and 1 + b/ln(m^2/m_Z'^2) with one b (~0.85) for both masses
    for ratios in s2s:
        b = (ratios - 1) * np.log(M**2 / np.array([1e-3, 1e-2]) ** 2)
        assert b[0] == pytest.approx(b[1], rel=0.15) and 0.5 < b[0] < 1.2
    assert s2s[0] == pytest.approx(s2s[1], rel=0.05)


ZHOU_BEACOM_O16 = Path(__file__).parent / "data" / "zhou_beacom_O16_numu_mumu.dat"  # provenance: tests/data/README.md
OXYGEN = ((8.0, 15.999, 1.0, 2.6991),)  # Z, A, count, charge radius (fm), as in constraints/inputs/trident.toml


@pytest.mark.parametrize("energy, dipole_band, gaussian_band", [(160.0, (0.95, 1.2), (0.8, 1.05)), (20.0, (1.3, 1.6), (1.0, 1.3))])
def test_sigma_sm_against_zhou_beacom_oxygen(energy, dipole_band, gaussian_band):
    # SM coherent EPA cross section on O-16 vs Zhou & Beacom's (1910.08090) full total (coherent + diffractive +
    # inelastic, virtual photon): 2.13e-40 cm^2 at 160 GeV, 9.45e-42 at 20 GeV. Observed here: dipole/ZB = 1.08 and
    # 1.45, Gaussian (charge radius 2.70 fm)/ZB = 0.90 and 1.14 (MC error 1.2 %). At the CCFR energy both form factors
    # bracket ZB (the EPA holds, as 1406.2332 states); at 20 GeV the EPA exceeds the full total (it takes the photon as
    # real where q^2 ~ 4 m_mu^2; the dipole's 1/q^4 tail makes it worse). Bands: the observed ratios +- ~10 % (the MC
    # error and ZB's non-coherent parts, which are not published separately): docs/trident-neff.md.
    zb = np.loadtxt(ZHOU_BEACOM_O16)
    ref = float(np.exp(np.interp(math.log(energy), np.log(zb[:, 0]), np.log(zb[:, 1]))))
    smp = tr.sample_events(energy, a_reference=16.0, sin2_theta_w=0.23122, events=40_000, seed=1)
    gev2_to_cm2 = ct.FB_PER_GEV2 * 1e-39
    for form, (lo, hi) in (("dipole", dipole_band), ("gaussian", gaussian_band)):
        s0, _, _, err = smp.cross_sections(OXYGEN, CV, CA, np.array([1.0]), form)
        assert err[0] / s0 < 0.02
        assert lo < s0 * gev2_to_cm2 / ref < hi, form


def test_unknown_form_factor():
    smp = tr.TridentSample(20.0, np.ones((3, 2)), np.ones(2), np.ones(2), 0)
    with pytest.raises(UnknownName):
        smp.cross_sections(OXYGEN, CV, CA, np.array([1.0]), "fermi")


def test_sigma_nu_gamma_below_threshold():
    with pytest.raises(KinematicallyForbidden):
        tr.sigma_nu_gamma(3 * M * M, CV, CA)


def test_bad_energy():
    with pytest.raises(InvalidParameter):
        tr.sample_events(-5.0, a_reference=56, sin2_theta_w=0.23)


# --- the experiments (stored samples, computed once per session) ------------------------------------------
from muonreach.constraints import trident as ct  # noqa: E402


@pytest.fixture(scope="module")
def ccfr_heavy():
    return ct.cross_sections("ccfr", np.array([1000.0, 0.3, 0.001]))


def test_sigma_sm_ccfr_per_iron_nucleus(ccfr_heavy):
    # computed here: 1.43 fb per Fe nucleus at 160 GeV (coherent, EPA); MC error ~0.8 %
    fb = ccfr_heavy.sigma_sm * ct.FB_PER_GEV2
    assert ccfr_heavy.sigma_sm_error / ccfr_heavy.sigma_sm < 0.02
    assert 1.2 < fb < 1.7


def test_heavy_limit_is_eq11(ccfr_heavy):
    # eq. (11): m_Z' >> sqrt s; tolerance 1 %: muon-mass (L-R interference) terms and the MC error
    x = 0.2  # v^2/v'^2
    g2 = x * 1000.0**2 / c.HIGGS_VEV**2
    sw = 0.23122
    expected = (1 + (1 + 4 * sw + 2 * x) ** 2) / (1 + (1 + 4 * sw) ** 2)
    assert ccfr_heavy.ratio(g2)[0] == pytest.approx(expected, rel=1e-2)


def test_ccfr_bound_heavy_limit_and_light():
    from muonreach.constraints.computed import get_bound
    from muonreach.models.registry import get_model_spec

    rows = get_bound("trident-ccfr").evaluate(get_model_spec("lmu-ltau"), np.array([1000.0, 0.001]))
    # heavy limit from eq. (11) with ratio < 0.82 + 1.96 * 0.28: v^2/v'^2 < 0.2035 -> m/g' > 546 GeV (1 % MC/mass terms)
    sw = 0.23122
    x = (math.sqrt((0.82 + 1.959964 * 0.28) * (1 + (1 + 4 * sw) ** 2) - 1) - 1 - 4 * sw) / 2
    assert 1000.0 / rows.low[0] == pytest.approx(c.HIGGS_VEV / math.sqrt(x), rel=0.02)
    assert 5e-4 < rows.low[1] < 1.5e-3  # light Z': g' ~ 1e-3 as in 1406.2332 Fig. 2


def test_errors():
    with pytest.raises(UnknownName):
        ct.get_experiment("nutev")
    with pytest.raises(DataRangeError):
        ct.cross_sections("ccfr", np.array([1e-4]))


def test_cli_trident(run_cli, run_cli_json):
    out = run_cli_json("trident", "ccfr", "lmu-ltau", "--mass", "1.0", "--coupling", "0.01")
    assert {"sigma_sm_fb", "sigma_ratio", "excluded"} <= out.keys()
    assert out["excluded"] is True and out["sigma_ratio"] > 1.37
    code, _, err = run_cli("trident", "minos", "lmu-ltau", "--mass", "1.0", "--coupling", "0.01")
    assert code == 2 and "unknown trident experiment" in err
    code, _, err = run_cli("trident", "ccfr", "lmu-ltau", "--mass", "5000", "--coupling", "0.01")
    assert code == 2 and "outside the computed range" in err
