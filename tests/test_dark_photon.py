"""Dark photon and inelastic dark matter: widths, R ratio, chi2 decay (muonreach.models.dark_photon, .rratio)."""

import math

import numpy as np
import pytest
from scipy import integrate

from muonreach import units
from muonreach.constants import ALPHA, M_E, M_MU
from muonreach.errors import DataRangeError, InvalidParameter
from muonreach.models import rratio
from muonreach.models.dark_photon import (
    DarkPhoton,
    InelasticDM,
    chi2_hadronic_integral,
    chi2_leptonic_integral,
    chi2_msq_reduced,
    chi2_spectrum,
    offdiagonal_vector_width,
    vector_to_fermions_width,
)
from muonreach.models.kinematics import momentum


def limit_width(eps2_alpha_d: float, delta: float, m_a: float) -> float:
    """4 eps^2 alpha alpha_D Delta^5 / (15 pi m_A'^4): 003 footnote 2 (inverse of its tau), massless f."""
    return 4.0 * eps2_alpha_d * ALPHA * delta**5 / (15.0 * math.pi * m_a**4)


# --- A' widths ----------------------------------------------------------------------------------------


def test_muon_width_hand_value():
    # Gamma = eps^2 alpha m/3 (1 + 2r) sqrt(1 - 4r), r = m_mu^2/m^2 (Batell-Pospelov-Ritz 0906.0580), by hand
    # for m = 1 GeV, eps = 1e-3: alpha/3 = 2.432465e-3, 1 + 2r = 1.0223274, sqrt(1-4r) = 0.9774176
    # -> 2.43060e-9 GeV. Tolerance 1e-5: the digits typed by hand.
    widths = DarkPhoton(1.0, 1e-3).partial_widths()
    assert widths["mu_mu"] == pytest.approx(2.43060e-9, rel=1e-5, abs=0)
    assert widths["tau_tau"] == 0.0  # closed channel: exactly 0


def test_br_ee_is_one_below_dimuon_threshold():
    # below 2 m_mu (and below the R table, 0.2818 GeV) only e+e- is open when alpha_D = 0: BR = 1 exactly.
    dp = DarkPhoton(0.2, 1e-4)
    assert dp.branching_ratios()["e_e"] == 1.0
    assert dp.partial_widths()["hadrons"] == 0.0


def test_hadronic_width_is_r_times_massless_muon_width():
    # DarkCast (1801.04847): Gamma_had = R(m) * eps^2 alpha m/3; exact identity of the implementation.
    m, eps = 1.5, 1e-3
    assert DarkPhoton(m, eps).partial_widths()["hadrons"] == pytest.approx(eps**2 * ALPHA * m / 3 * rratio.r_ratio(m), rel=1e-14, abs=0)


def test_invisible_branching_ratio():
    # alpha_D = 0.5 >> eps^2 alpha ~ 7e-9: BR(chi chi) = 1 - O(eps^2 alpha R / alpha_D) ~ 1 - 1e-7 up to the phi peak.
    for m in (0.01, 0.1, 0.775, 1.0):
        dp = DarkPhoton.invisible(m, 1e-3)
        assert dp.m_chi == pytest.approx(m / 3)
        assert 1.0 - dp.invisible_branching_ratio() < 1e-6


def test_dark_photon_widths_above_table_raise():
    with pytest.raises(DataRangeError):
        DarkPhoton(50.0, 1e-3).partial_widths()


# --- R ratio -------------------------------------------------------------------------------------------


def test_r_ratio_sanity():
    # Values read off the shipped tables (README of data/rratio): rho peak 12.1 at 0.775 GeV (PDG data 12.0 there),
    # omega peak ~19 at 0.7826 GeV, flat 2.2 near 3 GeV (PDG 2.21), open charm 3.4 at 5 GeV (PDG 3.42).
    assert 10.0 < rratio.r_ratio(0.775) < 15.0
    assert 15.0 < rratio.r_ratio(0.7826) < 25.0
    assert rratio.r_ratio(3.0) == pytest.approx(2.2, rel=0.05)  # measurement scatter ~5%
    assert 3.3 < rratio.r_ratio(5.0) < 4.0
    assert rratio.r_ratio(0.2) == 0.0  # below 2 m_pi (pi0 gamma neglected)
    # the VMD -> PDG switch at 1.60 GeV is continuous to 0.3% (the two tables cross there)
    assert rratio.r_ratio(rratio.SWITCH_GEV - 1e-9) == pytest.approx(rratio.r_ratio(rratio.SWITCH_GEV), rel=3e-3)


def test_r_ratio_range():
    low, high = rratio.sqrt_s_range()
    assert low == pytest.approx(0.2818, abs=1e-4) and high == pytest.approx(38.38)
    with pytest.raises(DataRangeError):
        rratio.r_ratio(high * 1.001)
    with pytest.raises(InvalidParameter):
        rratio.r_ratio(-1.0)


# --- A' -> chi1 chi2 ---------------------------------------------------------------------------------------


def test_offdiagonal_width_dirac_limit():
    # Delta -> 0 gives the Dirac width alpha_D m/3 (1 + 2 m1^2/m^2) sqrt(1 - 4 m1^2/m^2): exact at Delta = 0,
    # O(Delta/m1) away from it.
    dirac = vector_to_fermions_width(1.0, 0.1, 0.3)
    assert offdiagonal_vector_width(1.0, 0.1, 0.3, 0.3) == pytest.approx(dirac, rel=1e-14, abs=0)
    assert offdiagonal_vector_width(1.0, 0.1, 0.3, 0.3 + 1e-6) == pytest.approx(dirac, rel=1e-4)
    assert offdiagonal_vector_width(1.0, 0.1, 0.5, 0.6) == 0.0  # closed


# Dirac matrices (Dirac representation), metric (+,-,-,-): an independent check of the trace algebra.
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_SIGMA = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
GAMMA = np.array([np.block([[_I2, _Z2], [_Z2, -_I2]])] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIGMA])
METRIC = np.diag([1.0, -1.0, -1.0, -1.0])


def slash(p):
    return np.einsum("m,mij->ij", METRIC @ p, GAMMA)


def trace_tensor(pa, ma, pb, mb):
    """T^{mu nu} = Tr[(pa/ + ma) gamma^mu (pb/ + mb) gamma^nu]."""
    a, b = slash(pa) + ma * np.eye(4), slash(pb) + mb * np.eye(4)
    return np.einsum("ij,mjk,kl,nli->mn", a, GAMMA, b, GAMMA)


def four(mass, p3):
    return np.array([math.sqrt(mass**2 + p3 @ p3), *p3])


def test_offdiagonal_width_from_explicit_traces():
    # Gamma = (1/3) sum|M|^2 p/(8 pi m^2), sum over spins and polarisations (-g + k k/m^2) done numerically.
    m, m1, m2, alpha_d = 1.0, 0.2, 0.35, 0.1
    p = momentum(m, m1, m2)
    n = np.array([0.3, -0.4, math.sqrt(1 - 0.25)])
    k = np.array([m, 0.0, 0.0, 0.0])
    t = trace_tensor(four(m2, p * n), m2, four(m1, -p * n), -m1)
    pol = -METRIC + np.outer(METRIC @ k, METRIC @ k) / m**2
    msq = 4 * math.pi * alpha_d * np.einsum("mn,mn->", t, pol).real
    assert offdiagonal_vector_width(m, alpha_d, m1, m2) == pytest.approx(msq / 3 * p / (8 * math.pi * m**2), rel=1e-12, abs=0)


def boost_z(p, beta):
    g = 1 / math.sqrt(1 - beta**2)
    return np.array([g * (p[0] + beta * p[3]), p[1], p[2], g * (p[3] + beta * p[0])])


@pytest.mark.parametrize("m1,m2,m_l,q2,cos_l", [(0.5, 0.8, M_MU, 0.06, 0.3), (1.0, 1.02, M_E, 2e-4, -0.8), (0.1, 0.4, 0.0, 0.02, 0.1)])
def test_chi2_matrix_element_from_explicit_traces(m1, m2, m_l, q2, cos_l):
    # chi2 (at rest) -> chi1 + (l- l+ with invariant mass q2, lepton at angle acos(cos_l) in the pair frame).
    p = momentum(m2, m1, math.sqrt(q2))
    eq = math.sqrt(q2 + p * p)
    pl = 0.5 * math.sqrt(q2 - 4 * m_l**2)
    nl = np.array([math.sqrt(1 - cos_l**2), 0.0, cos_l])
    k1, k2 = (boost_z(four(m_l, s * pl * nl), p / eq) for s in (1, -1))
    p1, big_p = four(m1, np.array([0.0, 0.0, -p])), np.array([m2, 0.0, 0.0, 0.0])
    assert np.allclose(p1 + k1 + k2, big_p)
    h = trace_tensor(p1, m1, big_p, m2)
    lep = trace_tensor(k1, m_l, k2, -m_l)
    explicit = np.einsum("mn,ma,nb,ab->", h, METRIC, METRIC, lep).real
    x = p1[0] * k1[0] - p1[1:] @ k1[1:]
    assert 32 * chi2_msq_reduced(x, q2, m1, m2, m_l) == pytest.approx(explicit, rel=1e-9)


# --- chi2 -> chi1 l+ l- ----------------------------------------------------------------------------------


def adaptive_width(m1, m2, m_l, m_a):
    """Gamma / (eps^2 alpha alpha_D) by scipy dblquad over (m_ll^2, m_1l^2), |M|^2 in the invariant form."""

    def f(s13, q2):
        s23 = m1**2 + m2**2 + 2 * m_l**2 - q2 - s13
        p1k1, p1k2 = (s13 - m1**2 - m_l**2) / 2, (s23 - m1**2 - m_l**2) / 2
        pk1, pk2 = (m2**2 + m_l**2 - s23) / 2, (m2**2 + m_l**2 - s13) / 2
        p1p, k1k2 = (m1**2 + m2**2 - q2) / 2, (q2 - 2 * m_l**2) / 2
        red = p1k1 * pk2 + p1k2 * pk1 + m_l**2 * p1p - m1 * m2 * k1k2 - 2 * m1 * m2 * m_l**2
        # (1/2) 32 C^2 red / (256 pi^3 m2^3), C^2 = 16 pi^2 / (q2 - m_a^2)^2 per unit eps^2 alpha alpha_D
        return 16 * 16 * math.pi**2 * red / (q2 - m_a**2) ** 2 / (256 * math.pi**3 * m2**3)

    def bounds(q2):
        e1, e3 = math.sqrt(q2) / 2, (m2**2 - q2 - m1**2) / (2 * math.sqrt(q2))
        a, b = math.sqrt(max(e1**2 - m_l**2, 0)), math.sqrt(max(e3**2 - m1**2, 0))
        return [(e1 + e3) ** 2 - (a + b) ** 2, (e1 + e3) ** 2 - (a - b) ** 2]

    val, _ = integrate.nquad(f, [bounds, [4 * m_l**2, (m2 - m1) ** 2]], opts={"epsrel": 1e-11, "epsabs": 0, "limit": 200})
    return val


@pytest.mark.parametrize(
    "m1,delta,m_l,m_a",
    [
        (1.0, 0.02, M_E, 0.1),  # the 003 benchmark
        (1.0, 0.0015, M_E, 0.1),  # electrons near threshold (2 m_e = 0.00102)
        (0.3, 0.25, M_MU, 0.9),  # muons near threshold (2 m_mu = 0.2113)
        (0.05, 0.09, M_E, 0.1),  # relativistic chi1, Delta close to m_A' (propagator peaked at the end point)
    ],
)
def test_fixed_order_matches_adaptive(m1, delta, m_l, m_a):
    # DESIGN.md: fixed-order Gauss-Legendre checked against adaptive quadrature; brief asks 1e-6 relative.
    assert chi2_leptonic_integral(m1, m1 + delta, m_l, m_a) == pytest.approx(adaptive_width(m1, m1 + delta, m_l, m_a), rel=1e-6, abs=0)


def test_hadronic_fixed_order_matches_adaptive():
    # 8-point GL per R-table interval vs scipy quad per interval over sqrt(q^2) (same piecewise-linear R);
    # Delta = 1.2 GeV covers rho, omega, phi. Tolerance 1e-6 relative.
    m1, delta, m_a = 1.0, 1.2, 3.0
    d = delta
    knots = np.append(rratio.table()[0][rratio.table()[0] < d], d)

    def f(e):
        return rratio.r_values(np.asarray(e)) * chi2_spectrum(np.asarray(e * e), m1, m1 + d, 0.0, m_a) * 2 * e

    ref = sum(integrate.quad(f, a, b, epsrel=1e-11, epsabs=0, limit=200)[0] for a, b in zip(knots[:-1], knots[1:]))
    assert chi2_hadronic_integral(m1, m1 + d, m_a) == pytest.approx(ref, rel=1e-6)


def test_delta5_scaling():
    # Izaguirre et al. / 003 footnote 2: Gamma ~ Delta^5 for Delta << m1, m_A' and massless leptons. Massless:
    # exact scaling up to O(Delta/m1, Delta^2/m_A'^2) ~ 1e-5 here. Electrons: m_e^2/Delta^2 corrections, ~1e-4 at
    # Delta = 0.1-0.2 GeV, so slope 5 within 2e-3.
    widths = [chi2_leptonic_integral(1e3, 1e3 + d, 0.0, 1e3) for d in (0.01, 0.02, 0.04)]
    assert widths[1] / widths[0] == pytest.approx(32.0, rel=1e-4)
    assert widths[2] / widths[1] == pytest.approx(32.0, rel=1e-4)
    w = [InelasticDM(1e3, 1e-3, 1e3, d).chi2_width()["e_e"] for d in (0.1, 0.2)]
    assert math.log2(w[1] / w[0]) == pytest.approx(5.0, abs=2e-3)


def test_analytic_limit():
    # 4 eps^2 alpha alpha_D Delta^5/(15 pi m_A'^4) per massless flavour: 003 footnote 2 (inverse lifetime, citing
    # its ref. [14], arXiv:2108.13422; the brief also names arXiv:1703.06881, not available here to check).
    # m1 = 1 TeV, m_A' = 100 GeV, Delta = 20 MeV:
    # corrections O(Delta/m1) + O(Delta^2/m_A'^2); we find 3e-5, tolerance 1e-4.
    got = chi2_leptonic_integral(1e3, 1e3 + 0.02, 0.0, 100.0)
    assert got == pytest.approx(limit_width(1.0, 0.02, 100.0) / ALPHA, rel=1e-4, abs=0)


def test_003_decay_length_normalisation():
    # 003 text before eq. (2): c tau ~ 10 cm for m_A' = 100 MeV, Delta = 20 MeV, eps^2 alpha_D = 1e-7, massless f,
    # one channel. 003 writes "c tau / gamma" but quotes the rest-frame c tau (gamma = 1 in its formula).
    # Limit formula: 9.955 cm. Full tree level, electrons only (the only open lepton), m1 = 1 GeV: 10.11 cm
    # (-2.9% from finite m1, -1% from m_e, +2.3% from q^2 in the propagator); m1 = 1 TeV: 9.82 cm.
    # The paper gives one significant figure: tolerance 5%.
    assert units.width_to_ctau_cm(limit_width(1e-7, 0.02, 0.1)) == pytest.approx(10.0, rel=0.01)
    for m1, expected in ((1.0, 10.11), (1e3, 9.82)):
        model = InelasticDM(0.1, eps=1e-3, m1=m1, splitting=0.02, alpha_D=0.1)
        assert model.eps**2 * model.alpha_D == pytest.approx(1e-7, rel=1e-6, abs=0)
        widths = model.chi2_width()
        assert widths["mu_mu"] == 0.0 and widths["tau_tau"] == 0.0
        ctau = units.width_to_ctau_cm(widths["e_e"])
        assert ctau == pytest.approx(10.0, rel=0.05)
        assert ctau == pytest.approx(expected, rel=1e-3)  # regression of the numbers above
        assert model.chi2_ctau_cm() == pytest.approx(ctau, rel=1e-12)  # no hadrons below 0.2818 GeV


def test_muon_channel_closes():
    # chi2 -> chi1 mu mu needs Delta > 2 m_mu = 0.2113 GeV; closed: exactly 0, not an error.
    assert InelasticDM(1.0, 1e-3, 0.5, 0.2).chi2_width()["mu_mu"] == 0.0
    assert InelasticDM(1.0, 1e-3, 0.5, 0.25).chi2_width()["mu_mu"] > 0.0


@pytest.mark.parametrize("splitting", [0.0, 5e-4, 2 * M_E])
def test_chi2_stable_below_two_electron_masses(splitting):
    # Delta <= 2 m_e: no channel open; widths 0 and c tau = inf (documented, stable chi2).
    model = InelasticDM(0.1, 1e-3, 0.05, splitting)
    assert all(w == 0.0 for w in model.chi2_width(include_hadrons=True).values())
    assert model.chi2_ctau_cm() == math.inf


def test_chi2_hadrons_only_above_table():
    # R = 0 below 0.2818 GeV, so hadrons vanish there and add a positive width above.
    assert InelasticDM(3.0, 1e-3, 1.0, 0.25).chi2_width(include_hadrons=True)["hadrons"] == 0.0
    model = InelasticDM(3.0, 1e-3, 1.0, 1.2)
    w = model.chi2_width(include_hadrons=True)
    assert w["hadrons"] > 0.0
    assert model.chi2_total_width() == pytest.approx(math.fsum(w.values()), rel=1e-14, abs=0)


def test_inelastic_a_prime_widths():
    # A' channels: the DarkPhoton ones (reused) plus chi1_chi2; BR(chi1 chi2) ~ 1 for g_D >> eps e (003 text).
    model = InelasticDM.from_ratios(0.1, 1e-3, delta_ratio=0.4)
    assert model.mass == pytest.approx(0.3) and model.m2 == pytest.approx(0.14)
    sm = DarkPhoton(model.mass, model.eps).partial_widths()
    widths = model.partial_widths()
    for key, value in sm.items():
        assert widths[key] == value
    assert model.branching_ratios()["chi1_chi2"] > 1 - 1e-6
    # chi2 -> chi1 l+ l- is 003's visible (displaced) signature: the channel is not declared invisible
    assert "chi1_chi2" not in model.invisible_channels() and model.invisible_branching_ratio() == 0.0


def test_chi2_on_shell_a_prime_rejected():
    with pytest.raises(InvalidParameter):
        InelasticDM(0.1, 1e-3, 0.5, 0.1).chi2_width()


# --- (g-2) ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lepton", ["e", "mu"])
def test_delta_a(lepton):
    # Delta a_l = eps^2 alpha/(2 pi) int_0^1 2 x^2 (1-x) / (x^2 + (1-x) m^2/m_l^2) (Leveille 1978; Pospelov
    # arXiv:0811.1030); quad converged to 1e-10, loops.vector to 1e-9: tolerance 1e-6.
    pytest.importorskip("muonreach.gm2.loops")
    m_l = {"e": M_E, "mu": M_MU}[lepton]
    for model in (DarkPhoton(0.05, 2e-3), InelasticDM(0.05, 2e-3, 0.01, 0.002)):
        r = (model.mass / m_l) ** 2
        integral = integrate.quad(lambda x, r=r: 2 * x * x * (1 - x) / (x * x + (1 - x) * r), 0, 1, epsrel=1e-12)[0]
        assert model.delta_a(lepton) == pytest.approx(model.eps**2 * ALPHA / (2 * math.pi) * integral, rel=1e-6, abs=0)
    # light A': eps^2 alpha / (2 pi)
    assert DarkPhoton(1e-6 * m_l, 1e-3).delta_a(lepton) == pytest.approx(1e-6 * ALPHA / (2 * math.pi), rel=1e-4, abs=0)


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mass": -0.1, "eps": 1e-3},
        {"mass": 0.0, "eps": 1e-3},
        {"mass": float("nan"), "eps": 1e-3},
        {"mass": 0.1, "eps": 13.0},  # beyond 4 pi
        {"mass": 0.1, "eps": 1e-3, "alpha_D": -0.1},
        {"mass": 0.1, "eps": 1e-3, "alpha_D": 0.5, "m_chi": 0.0},
        {"mass": 0.1, "eps": 1e-3, "alpha_D": 0.5, "m_chi": -0.01},
        {"mass": 0.1, "eps": 1e-3, "alpha_D": 0.5},  # dark coupling without a dark-matter mass
        {"mass": 0.1, "eps": 1e-3, "alpha_D": 13.0, "m_chi": 0.01},  # beyond 4 pi
    ],
)
def test_dark_photon_bad_input(kwargs):
    with pytest.raises(InvalidParameter):
        DarkPhoton(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mass": 0.1, "eps": 1e-3, "m1": 0.0, "splitting": 0.01},
        {"mass": 0.1, "eps": 1e-3, "m1": -0.03, "splitting": 0.01},
        {"mass": 0.1, "eps": 1e-3, "m1": 0.03, "splitting": -0.01},
        {"mass": 0.1, "eps": 1e-3, "m1": 0.03, "splitting": 0.01, "alpha_D": -1.0},
        {"mass": 0.1, "eps": -20.0, "m1": 0.03, "splitting": 0.01},
        {"mass": -0.1, "eps": 1e-3, "m1": 0.03, "splitting": 0.01},
    ],
)
def test_inelastic_bad_input(kwargs):
    with pytest.raises(InvalidParameter):
        InelasticDM(**kwargs)
