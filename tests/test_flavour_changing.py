"""Flavour-changing production l N -> l' N phi (001 eqs. (22)-(23)) in the WW approximation
(production/flavour_changing.py) and its use by the electron- and muon-beam experiments."""

import numpy as np
import pytest

from muonreach.constants import M_E, M_MU
from muonreach.errors import InvalidParameter, KinematicallyForbidden
from muonreach.experiments.calculator import calculator
from muonreach.experiments.spec import load_experiment
from muonreach.models.registry import get_model_spec
from muonreach.production import flavour_changing as fc
from muonreach.production.cross_sections import _coefficients, dsigma_dx

DM = {"dm": "fermion", "g_dm": 0.08}


def _physical(s_factor, cos, m, mp, mx):
    """(s, u) of physical 2 -> 2 points: s = (m' + m_phi)^2 * s_factor, CM angle with cos."""
    s = (mp + mx) ** 2 * s_factor
    rs = np.sqrt(s)
    big_p, e_p = (s - m * m) / (2 * rs), (s + m * m) / (2 * rs)
    e_k = (s + mx * mx - mp * mp) / (2 * rs)
    big_k = np.sqrt(e_k**2 - mx**2)
    return s, m * m + mx * mx - 2 * (e_p * e_k + big_p * big_k * cos)


def test_diagonal_limit_of_the_chiral_amplitude_is_scalar_plus_pseudoscalar():
    # independent: for m' = m the vertex P_L = (1 - g5)/2 gives (|A|^2_S + |A|^2_P)/4 (the S-P interference has an
    # epsilon tensor of three momenta: zero), against the tabulated diagonal amplitudes of cross_sections (themselves
    # checked by traces). An identity: 1e-9 (rounding in the traces and the polynomial fit).
    rng = np.random.default_rng(3)
    m, mx = 0.1, 0.3
    s, u = _physical(rng.uniform(1.3, 8.0, 60), rng.uniform(-0.9, 0.9, 60), m, m, mx)
    x, big_u = 1 + (u - m * m) / (s - m * m), m * m - u
    keep = (x > 0) & (x < 1)
    s, u, x, big_u = s[keep], u[keep], x[keep], big_u[keep]
    u_min = (mx**2 * (1 - x) + m**2 * x**2) / x
    table = 0.0
    for kind in ("scalar", "pseudoscalar"):
        a, b = _coefficients(kind, x, mx**2, m**2)
        table = table + (a + x * b * (u_min - big_u) / big_u**2) / 4
    for chirality in ("L", "R"):
        np.testing.assert_allclose(fc.amplitude_squared_traces(s, u, m, m, mx, chirality), table, rtol=1e-9)
        np.testing.assert_allclose(fc.amplitude_squared(s, u, m, m, mx, chirality), table, rtol=1e-9)


@pytest.mark.parametrize(("m", "mp", "mx"), [(M_E, M_MU, 0.3), (M_E, M_MU, 0.01), (M_MU, M_E, 0.2), (M_MU, M_E, 1.5)])
def test_rational_form_equals_the_traces_at_fresh_points(m, mp, mx):
    # the fitted numerators are exact polynomials: fresh physical points, s up to 1e4 thresholds, agree to 1e-7
    rng = np.random.default_rng(11)
    s, u = _physical(rng.uniform(1.01, 1e4, 200), rng.uniform(-1, 1, 200), m, mp, mx)
    np.testing.assert_allclose(fc.amplitude_squared(s, u, m, mp, mx), fc.amplitude_squared_traces(s, u, m, mp, mx),
                               rtol=1e-7)
    assert np.all(fc.amplitude_squared(s, u, m, mp, mx) > 0)


def test_gauge_invariance():
    # the photon current contracted with q vanishes between the spinors: the spin-summed |q.M|^2 is zero (to the
    # rounding of terms of size |M|^2 E^2)
    rng = np.random.default_rng(5)
    m, mp, mx = M_E, M_MU, 0.3
    s, u = _physical(rng.uniform(1.5, 50, 20), rng.uniform(-0.9, 0.9, 20), m, mp, mx)
    o, o_bar, (p, q, pp, _) = fc.amplitude_currents(s, u, m, mp, mx)
    ql = q @ fc.METRIC
    o_q = np.einsum("nmij,nm->nij", o, ql)[:, None]
    ob_q = np.einsum("nmij,nm->nij", o_bar, ql)[:, None]
    left = fc._slash(pp) + mp * fc.IDENTITY
    right = fc._slash(p) + m * fc.IDENTITY
    contracted = np.real(np.einsum("nij,nmjk,nkl,nmli->n", left, o_q, right, ob_q))
    scale = fc.amplitude_squared_traces(s, u, m, mp, mx) * s
    assert np.max(np.abs(contracted) / scale) < 1e-10


def test_ww_diagonal_limit_is_the_diagonal_ww():
    # same rule and flux as cross_sections' WW: (dsigma_S + dsigma_P)/4; the tabulated flux costs < 1e-4
    xs = np.array([0.1, 0.3, 0.6, 0.9, 0.99])
    for lepton, energy, mass in (("mu", 160.0, 0.3), ("mu", 100.0, 0.02), ("e", 100.0, 0.1)):
        ours = fc.FlavourChangingWW(mass, "Pb", lepton, lepton).dsigma_dx(energy, xs)
        diag = sum(dsigma_dx(k, xs, energy, mass, 1.0, "Pb", lepton, "ww") for k in ("scalar", "pseudoscalar")) / 4
        np.testing.assert_allclose(ours, diag, rtol=1e-4)


def test_flux_table_against_direct_flux(monkeypatch):
    w = fc.FlavourChangingWW(0.3, "Pb", "e", "mu")
    energy = np.geomspace(50.5, 100.0, 9)[:, None]
    x = np.tile(np.linspace(0.02, 0.99, 24), (9, 1))
    tabulated = w.dsigma_dx(energy, x)
    monkeypatch.setattr(fc, "FLUX_POINTS", 0)
    direct = w.dsigma_dx(energy, x)
    ok = direct > 0
    np.testing.assert_allclose(tabulated[ok], direct[ok], rtol=1e-4)


# dsigma/dx (GeV^-2 per Pb atom, h = 1) of the exact 2 -> 3 calculation of branch `exact` (production.exact,
# make_process("scalar", m, "Pb", l, l') and dsigma_dx, commit e8500b6): an independent method (full phase space,
# symbolic traces, nuclear form factor), evaluated once and copied here. WW is within 2 % of it (tolerance 2.5 %:
# the WW error grows towards x -> 1, where the outgoing lepton is soft).
EXACT = {
    (0.3, "e", "mu", 100.0): [0.17867532, 0.5381751, 1.51502503, 2.77190371],
    (0.05, "e", "mu", 100.0): [3.25497083, 4.88581365, 5.99988503, 5.06695617],
    (1.0, "e", "mu", 100.0): [0.00381469, 0.0146233, 0.05900039, 0.22415095],
    (0.3, "mu", "e", 160.0): [0.25793376, 0.87308831, 3.34977934, 14.44224622],
    (1.0, "mu", "e", 160.0): [0.00601144, 0.02237436, 0.09167987, 0.41133485],
}


@pytest.mark.parametrize("key", sorted(EXACT))
def test_ww_against_the_exact_two_to_three(key):
    mass, lepton, final, energy = key
    ours = fc.FlavourChangingWW(mass, "Pb", lepton, final).dsigma_dx(energy, np.array([0.55, 0.7, 0.85, 0.95]))
    np.testing.assert_allclose(ours, EXACT[key], rtol=0.025)


@pytest.mark.parametrize("mass, lepton, final, energy, x_min", [
    (0.3, "e", "mu", 16.0, 0.0), (0.3, "mu", "e", 160.0, 0.0), (1.0, "mu", "e", 160.0, 0.5), (2.0, "e", "mu", 16.0, 0.0),
])
def test_sigma_against_adaptive_quadrature(mass, lepton, final, energy, x_min):
    """The fixed x rule of sigma against scipy quad of the same dsigma/dx (measured <= 2e-6; 1e-5 allows for the
    break points of quad, which only approximate the peak)."""
    from scipy.integrate import quad

    w = fc.FlavourChangingWW(mass, "Pb", lepton, final)
    lo, hi = w.x_range(energy)
    a = max(x_min, float(lo))
    points = [p for p in (mass / max(w.m, w.mp), 0.5, 0.9, 0.99, 0.999) if a < p < hi]
    ref, _ = quad(lambda x: float(w.dsigma_dx(energy, x)), a, float(hi), points=points, limit=500, epsabs=0.0,
                  epsrel=1e-9)
    assert w.sigma(energy, x_min) == pytest.approx(ref, rel=1e-5)


def test_sigma_refusals_and_closed_window():
    w = fc.FlavourChangingWW(0.3, "Pb", "e", "mu")
    for bad in (float("nan"), -1.0, 1.0):
        with pytest.raises(InvalidParameter):
            w.sigma(16.0, bad)
    with pytest.raises(InvalidParameter):
        w.sigma(float("inf"))
    assert w.sigma(16.0, 1.0 - 1e-3) == 0.0  # x_min above 1 - m_mu/E: empty window


def test_refusals():
    with pytest.raises(KinematicallyForbidden, match="decays"):
        fc.FlavourChangingWW(0.05, "Pb", "mu", "e")  # m_phi < m_mu - m_e: mu -> e phi is a decay
    with pytest.raises(InvalidParameter):
        fc.FlavourChangingWW(0.3, "Pb", "tau", "e")
    with pytest.raises(InvalidParameter):
        fc.amplitude_squared(10.0, -1.0, M_E, M_MU, 0.3, "X")


def test_flavour_changing_experiments():
    spec = get_model_spec("emu-scalar")
    exp = load_experiment("na64e-emu-2019")
    n = float(calculator(exp, spec, 0.3, DM).events(3.3e-3))
    assert n > 0
    # N scales with the exposure, and as h^2 up to BR(phi -> mu e) ~ h^2/g_dm^2 (< 1 % here, hence rel 1e-2)
    proj = float(calculator(load_experiment("na64e-emu-2e12"), spec, 0.3, DM).events(3.3e-3))
    assert proj / n == pytest.approx(2e12 / 2.84e11, rel=1e-9)
    assert float(calculator(exp, spec, 0.3, DM).events(6.6e-3)) == pytest.approx(4 * n, rel=1e-2)
    # the muon must cross the HCAL: removing the 5 GeV cut adds the soft-muon end (x -> 1, where WW peaks)
    loose = float(calculator(exp.with_overrides({"lepton_energy_min": 0.0}), spec, 0.3, DM).events(3.3e-3))
    assert loose > n
    # the same machinery on the muon beam, mu -> e phi
    assert float(calculator(load_experiment("na64mu-emu-5e12"), spec, 0.3, DM).events(3.3e-3)) > 0


def test_flavour_changing_bad_input():
    spec = get_model_spec("emu-scalar")
    exp = load_experiment("na64e-emu-2019")
    with pytest.raises(InvalidParameter, match="models that have one: emu-scalar"):
        calculator(exp, get_model_spec("dark-photon"), 0.3, None)
    with pytest.raises(InvalidParameter, match="no IWW closed form"):
        calculator(exp.with_overrides({"approximation": "iww"}), spec, 0.3, DM)
    with pytest.raises(KinematicallyForbidden):
        calculator(load_experiment("na64mu-emu-5e12"), spec, 0.05, DM)
    # events: the exact 2 -> 3 samples e -> mu (mc/exact.py); the WW family has no flavour-changing sampler
    from muonreach.experiments.production import production_channel

    with pytest.raises(InvalidParameter, match="event sampler"):
        production_channel("bremsstrahlung").event_production(exp.with_overrides({"approximation": "ww"}), "scalar", 0.3)
    # a flavour-diagonal emu-scalar experiment does not radiate phi: h_mue is off-diagonal
    with pytest.raises(InvalidParameter, match="diagonal coupling"):
        calculator(load_experiment("na64e-2019"), spec, 0.3, DM)


@pytest.mark.parametrize("mass, ww_over_exact, below_099", [(0.15, 1.19, 1.06), (1.0, 1.49, 1.01)])
def test_mu_to_e_ww_excess_is_the_x_to_1_end_point(mass, ww_over_exact, below_099):
    """The *-emu-* experiments use the exact 2 -> 3 by default because WW overstates the mu -> e yield: 67-77 % of
    the WW yield lies at x > 0.99 (final electron below 1 % of the beam energy), where WW exceeds exact by 1.3-1.7x
    (docs/electron-beams.md sec. 4). Requiring the electron above 1.6 GeV (x < 0.99) brings the two within the WW
    accuracy away from the end point (measured 1.06 and 1.01). Tolerances: 3 % on the measured ratios (they set
    the documented 9-22 % reach difference; the exact yields carry < 1e-3 numerical error)."""
    spec = get_model_spec("emu-scalar")
    exp = load_experiment("na64mu-emu-5e12")
    assert exp.approximation == "exact"

    def ratio(**sets):
        n = {a: float(calculator(exp.with_overrides({"approximation": a, **sets}), spec, mass, DM).events(1e-4))
             for a in ("ww", "exact")}
        return n["ww"] / n["exact"]

    assert ratio() == pytest.approx(ww_over_exact, rel=0.03)
    assert ratio(lepton_energy_min=1.6) == pytest.approx(below_099, rel=0.03)


def test_e_to_mu_ww_agrees_with_exact():
    """e -> mu: the final muon's mass closes the end point and WW agrees with exact to 0.4 % (measured 1.003-1.004
    at 0.15 and 1 GeV); tolerance 1 %."""
    spec = get_model_spec("emu-scalar")
    exp = load_experiment("na64e-emu-2019")
    n = {a: float(calculator(exp.with_overrides({"approximation": a}), spec, 0.5, DM).events(1e-4)) for a in ("ww", "exact")}
    assert n["ww"] / n["exact"] == pytest.approx(1.0, abs=0.01)
