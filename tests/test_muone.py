"""MUonE and inelastic dark matter (003, issue 11): three-body chi2 decays, the muone experiment and its exposure,
the displaced_vertex signature, the per-event reweighted yield, CLI and bad input."""

import math

import numpy as np
import pytest
from scipy import integrate

from muonreach.errors import InvalidParameter, KinematicallyForbidden, SpecError
from muonreach.experiments.calculator import calculator
from muonreach.experiments.spec import load_experiment
from muonreach.materials import get_material
from muonreach.mc.displaced import CUT_FLOW, regenerated_events
from muonreach.mc.threebody import ThreeBodyDecay
from muonreach.models.dark_photon import InelasticDM, chi2_msq_reduced, chi2_spectrum
from muonreach.models.registry import get_model_spec

M_E = 0.51099895e-3
SPEC = get_model_spec("inelastic-dm")


# --- three-body decays ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chi2_decays():
    model = InelasticDM.from_ratios(0.4, 1e-3, delta_ratio=0.6)  # Delta = 0.24 GeV: e e and mu mu open, no hadrons
    decay = ThreeBodyDecay.of(model, "chi2")
    parent = np.zeros((100_000, 4))
    parent[:, 0] = model.m2
    channel, pdg, products = decay.sample(parent, np.random.default_rng(3))
    return model, decay, channel, pdg, products


def _msq(p):
    return p[..., 0] ** 2 - np.sum(p[..., 1:] ** 2, axis=-1)


def test_threebody_conserves_momentum_and_masses(chi2_decays):
    model, decay, channel, pdg, products = chi2_decays
    assert set(decay.channels) == {"e_e", "mu_mu"}
    np.testing.assert_allclose(products.sum(axis=1), np.tile([model.m2, 0, 0, 0], (len(channel), 1)), atol=1e-12)
    mu = channel == decay.channels.index("mu_mu")
    np.testing.assert_allclose(np.sqrt(_msq(products[mu, 0])), model.m1, rtol=1e-9)
    np.testing.assert_allclose(np.sqrt(_msq(products[mu, 1])), 0.1056583755, rtol=1e-6)
    assert set(pdg[mu, 1]) == {13} and set(pdg[~mu, 2]) == {-11}
    # channel fractions: the model's branching ratios (binomial error 1.6e-3 at 1e5 events; 4 sigma)
    widths = model.chi2_width()
    assert abs(mu.mean() - widths["mu_mu"] / (widths["e_e"] + widths["mu_mu"])) < 6.5e-3


def test_threebody_q2_spectrum_and_dalitz_against_the_width_integrand(chi2_decays):
    """Binned q^2 against int chi2_spectrum (the model's dGamma/dq^2), and <m_1l^2> against the exact Dalitz mean."""
    model, decay, channel, _, products = chi2_decays
    sel = channel == decay.channels.index("e_e")
    q2 = _msq(products[sel, 1] + products[sel, 2])
    a, b = 4 * M_E**2, model.splitting**2
    edges = np.linspace(a, b, 11)
    counts, _ = np.histogram(q2, bins=edges)
    f = lambda q: chi2_spectrum(np.array([q]), model.m1, model.m2, M_E, model.mass)[0]
    total = integrate.quad(f, a, b, limit=400, points=[1e-4 * b, 1e-2 * b])[0]
    expected = np.array([integrate.quad(f, lo, hi, limit=200)[0] for lo, hi in zip(edges[:-1], edges[1:])]) / total
    n = sel.sum()
    pull = (counts - n * expected) / np.sqrt(n * expected)
    assert np.max(np.abs(pull)) < 4.5  # 10 bins, Poisson: no bin beyond 4.5 sigma
    # <m_1l^2> = <m1^2 + m_l^2 + 2 x> over the Dalitz plot with weight |M|^2 (dblquad over q^2 and x)
    m1, m2 = model.m1, model.m2

    def x_range(q):
        pq = 0.5 * (m2 * m2 - m1 * m1 - q)
        p1 = math.sqrt(max(((m1 + m2) ** 2 - q) * ((m2 - m1) ** 2 - q), 0.0) / (4 * q))
        pl = 0.5 * math.sqrt(max(q - 4 * M_E**2, 0.0))
        return 0.5 * pq - p1 * pl, 0.5 * pq + p1 * pl

    w = lambda x, q: chi2_msq_reduced(np.array(x), np.array(q), m1, m2, M_E) / (q - model.mass**2) ** 2
    num = integrate.dblquad(lambda x, q: (m1 * m1 + M_E**2 + 2 * x) * w(x, q), a, b, lambda q: x_range(q)[0],
                            lambda q: x_range(q)[1])[0]
    den = integrate.dblquad(w, a, b, lambda q: x_range(q)[0], lambda q: x_range(q)[1])[0]
    m1l = _msq(products[sel, 0] + products[sel, 1])
    assert abs(m1l.mean() - num / den) < 4 * m1l.std() / math.sqrt(n)  # 4 sigma of the sample mean


def test_threebody_refuses_a_stable_state():
    model = InelasticDM.from_ratios(0.01, 1e-3, delta_ratio=0.05)  # Delta = 0.5 MeV < 2 m_e: chi2 stable
    with pytest.raises(InvalidParameter, match="no open decay"):
        ThreeBodyDecay.of(model, "chi2")


# --- the experiment -------------------------------------------------------------------------------------------

def test_muone_file_and_the_luminosity_reconciliation():
    exp = load_experiment("muone")
    v = exp.signature.values
    # exact 2 -> 3: 003 generated its events with CalcHEP (exact tree level), the package default
    assert (exp.energy, exp.material, exp.approximation) == (160.0, "Be", "exact")
    assert (v["modules"], v["modules_used"], v["module_target_length"]) == (40, 5, 1.5)
    assert (v["tracker1_z"], v["tracker2_z"], v["tracker3_z"], v["tracker_half_width"]) == (15.0, 57.5, 100.0, 5.0)
    assert (v["fiducial_z_min"], v["fiducial_z_max"], v["track_energy_min"], v["opening_angle_min"]) == (2.5, 14.0, 5.0, 1e-3)
    assert exp.target_length == 7.5 and exp.events_cl == 3.0 and exp.background == 0.0
    n_be = get_material("Be").n_atom_per_cm3
    pb = 1e-36  # cm^2
    mu_be = exp.muons_on_target * n_be * exp.target_length * pb  # pb^-1 over the last 5 modules
    assert mu_be == pytest.approx(4.7e3, rel=2e-3)  # 003 text and Fig. 6 caption (3 digits in the file)
    # footnote 6: 1.5e4 pb^-1 mu-e over 40 modules, / 4 (Z), / 8 (5 of 40) = 469 pb^-1; both need 5.06e14 muons
    loi_muons = 1.5e4 / (4 * n_be * 40 * 1.5 * pb)
    assert loi_muons * n_be * 7.5 * pb == pytest.approx(1.5e4 / 4 / 8, rel=1e-12)
    assert loi_muons == pytest.approx(5.06e14, rel=2e-3)
    assert exp.muons_on_target / loi_muons == pytest.approx(10.0, rel=2e-3)  # the decimal mismatch of 003


@pytest.mark.parametrize("sets, match", [
    ({"modules_used": 41}, "modules_used"),
    ({"modules": 4}, "exceeds"),
    ({"fiducial_z_min": 20.0}, "selects nothing"),
    ({"tracker1_z": -1.0}, "tracker1_z"),
    ({"tracker2_z": 120.0}, "ordered"),
    ({"tracker3_z": 150.0}, "beyond the next module"),
    ({"pairs": " , "}, "selects nothing"),
])
def test_bad_geometry_and_cuts(sets, match):
    with pytest.raises((InvalidParameter, SpecError), match=match):
        load_experiment("muone").with_overrides(sets)


def test_target_must_match_the_used_modules():
    exp = load_experiment("muone").with_overrides({"target_length": 3.0})
    with pytest.raises(InvalidParameter, match="modules_used x module_target_length"):
        calculator(exp, SPEC, 0.3, {"delta": 0.4})


def test_closed_mediator_decay_is_said():
    exp = load_experiment("muone")
    with pytest.raises(KinematicallyForbidden, match="m_X > m_D \\+ m_S"):
        calculator(exp, SPEC, 0.3, {"delta": 1.5})  # m1 + m2 = 3.5 m1 > m_A' = 3 m1


# --- the reweighted yield --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def calc():
    exp = load_experiment("muone").with_overrides({"mc_events": 20000})
    return calculator(exp, SPEC, 0.3, {"delta": 0.4})


def test_produced_equals_the_semi_analytic_production(calc):
    """Sum of event weights x eps^2 e^2 = the quadrature yield of the same (exact) cross section (decay_in_volume with
    P = BR_vis over a huge volume would differ: compare the production weights themselves)."""
    exp = load_experiment("muone")
    from muonreach.experiments.production import production_channel

    model = SPEC.build(0.3, 1e-3, {"delta": 0.4})
    sample = production_channel("bremsstrahlung").sample(exp, model, 0.3)
    g_prod = 1e-3 * math.sqrt(4 * math.pi / 137.035999)
    flow = calc.cut_flow(1e-3)
    # tolerance: the grid integral's MC error (~0.5 %) and the WW quadrature (< 1e-3): 2 %
    assert flow["produced"] == pytest.approx(sample.total_weight * g_prod**2, rel=2e-2)


def test_reweighting_equals_regeneration(calc):
    """At eps where the chi2 decays mostly inside the module (short L) the regenerate-per-coupling count agrees."""
    eps = 1e-2
    fast = calc.events(eps)
    err = calc.relative_error(eps) * fast
    slow = np.mean([regenerated_events(calc, eps, seed) for seed in range(4)])
    # the regenerated count has its own binomial noise: variance <= (event weight) x N per seed, 4 seeds averaged
    per_event = calc.cut_flow(eps)["produced"] / len(calc.arrays["weight"])
    noise = math.sqrt(per_event * fast / 4)
    assert abs(slow - fast) < 4 * math.hypot(err, noise)


def test_cut_flow_is_monotone_and_opens_to_the_no_cut_value(calc):
    flow = calc.cut_flow(1e-3)
    values = [flow[k] for k in CUT_FLOW]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(values, values[1:]))
    assert flow["daughters_accepted"] == pytest.approx(calc.events(1e-3), rel=1e-12, abs=0)
    # cuts off and trackers wide open: the final yield rises to the fiducial-decay value
    loose = load_experiment("muone").with_overrides({"track_energy_min": 0.0, "opening_angle_min": 0.0,
                                                     "tracker_half_width": 1e4})
    open_calc = calculator(loose, SPEC, 0.3, {"delta": 0.4})
    f = open_calc.cut_flow(1e-3)
    # exact production reaches x -> 1, where the outgoing muon (E' < 0.4 GeV) can leave at ~90 degrees and miss any
    # plane (5 of 20 000 events here): those are the only events the open selection still loses
    lost = ~open_calc.arrays["lepton_ok"]
    assert 0 < lost.sum() <= 10
    assert f["daughters_accepted"] == pytest.approx(f["fiducial_decay"], rel=1e-3)
    assert (open_calc.arrays["pair"] & open_calc.arrays["energy_ok"] & open_calc.arrays["opening_ok"]).all()
    assert f["fiducial_decay"] == pytest.approx(flow["fiducial_decay"], rel=1e-12)  # same events (same seed)
    assert f["daughters_accepted"] > 5 * flow["daughters_accepted"]


def test_long_lifetime_limit_is_semi_analytic(calc):
    """L >> 14 cm: P -> (fiducial length)/(L cos theta), so N = eps^2 e^2 N_1 BR <dz m Gamma/(p cos theta hbar c)>
    with the chi2 width from the model directly, and N scales as eps^4."""
    from muonreach import units

    exp = load_experiment("muone").with_overrides({"track_energy_min": 0.0, "opening_angle_min": 0.0,
                                                   "tracker_half_width": 1e4})
    c = calculator(exp, SPEC, 0.3, {"delta": 0.4})
    eps = 1e-5
    model = SPEC.build(0.3, eps, {"delta": 0.4})
    a = c.arrays
    gamma = model.chi2_total_width()
    p_z = a["momentum"] * a["dark_cos_theta"]
    # fiducial 2.5-14 cm from the interaction point, the chi2 starting there (A' prompt): dz = 11.5 cm
    # (events whose beam muon leaves at ~90 degrees, x -> 1, miss the planes however wide: lepton_ok)
    mean = np.sum(a["weight"] * a["pair"] * a["lepton_ok"] * 11.5 * model.m2 * gamma / (p_z * units.HBARC_GEV_CM))
    br = model.branching_ratios()["chi1_chi2"]
    expected = (eps * math.sqrt(4 * math.pi / 137.035999)) ** 2 * br * mean
    assert c.events(eps) == pytest.approx(expected, rel=1e-6, abs=0)  # the window is exact; only O(dz/L) ~ 1e-9 differs
    assert c.events(2 * eps) / c.events(eps) == pytest.approx(16.0, rel=1e-6)


# --- CLI --------------------------------------------------------------------------------------------------------

def test_events_json_has_the_cut_flow(run_cli_json):
    out = run_cli_json("events", "muone", "inelastic-dm", "--mass", "0.3", "--coupling", "1e-3", "--set", "delta=0.4")
    assert list(out["cut_flow"]) == list(CUT_FLOW)
    assert out["events"] == pytest.approx(out["cut_flow"]["daughters_accepted"])
    assert 0.0 < out["relative_error"] < 0.1


def test_reach_json(run_cli_json):
    out = run_cli_json("reach", "muone", "inelastic-dm", "--mass-min", "0.2", "--mass-max", "0.5", "--points", "2",
                       "--set", "delta=0.4")
    low = [r["coupling_low"] for r in out["rows"]]
    assert all(x is not None and 1e-4 < x < 1e-2 for x in low)


@pytest.mark.parametrize("sets, words", [
    (["delta=1.5"], "m_X > m_D"), (["modules_used=41"], "modules_used"), (["fiducial_z_min=20"], "selects nothing"),
    (["tracker1_z=-1"], "tracker1_z"), (["track_energy_min=60"], "selects nothing"), (["pairs=foo"], "unknown pair"),
    (["modules=41"], "modules must be <= 40"), (["module_spacing=-1"], "module_spacing"),
])
def test_cli_bad_input_exit_2(run_cli, sets, words):
    args = ["events", "muone", "inelastic-dm", "--mass", "0.3", "--coupling", "1e-3"]
    for s in sets:
        args += ["--set", s]
    code, _, err = run_cli(*args)
    assert code == 2 and words in err and "Traceback" not in err


def test_cli_reach_says_when_the_dark_decay_is_closed_everywhere(run_cli):
    """Delta = 1.5 m1 with m_A' = 3 m1: m1 + m2 > m_A' at every mass, A' -> chi1 chi2 closed: exit 2, one line."""
    code, _, err = run_cli("reach", "muone", "inelastic-dm", "--mass-min", "0.2", "--mass-max", "0.5", "--points", "2",
                           "--set", "delta=1.5")
    assert code == 2 and "at every mass" in err and "m_X > m_D + m_S" in err and len(err.strip().splitlines()) == 1


def test_splittings_share_the_production_stage():
    """The production stage (exact tables, unweighted points, kinematics and the random stream after them) depends
    on the experiment and the mediator, not on the splitting: reused for a second splitting (in memory, also with
    the cache bypassed) it gives the events a rebuild gives, bit for bit."""
    from muonreach import cache
    from muonreach.mc import displaced

    exp = load_experiment("muone").with_overrides({"mc_events": 4000})
    with cache.bypass():
        displaced._PRODUCED.clear()
        calculator(exp, SPEC, 0.3, {"delta": 0.1})
        shared = calculator(exp, SPEC, 0.3, {"delta": 0.4}).arrays
        assert len(displaced._PRODUCED) == 1  # built once
        displaced._PRODUCED.clear()
        rebuilt = calculator(exp, SPEC, 0.3, {"delta": 0.4}).arrays
    assert shared.keys() == rebuilt.keys()
    for key in shared:
        assert np.array_equal(shared[key], rebuilt[key]), key


def test_yield_over_the_live_events_is_the_full_sum(calc):
    """N(g) sums over the events that pass every cut with a non-empty window: the same terms as the sum over all
    events with the mask (only the order of summation differs: rtol 1e-12)."""
    g = np.geomspace(1e-5, 1e-2, 12)
    a = calc.arrays
    full = calc._terms(g, a["lo"], a["hi"], calc.static)
    assert np.all(full > 0)
    assert calc.events(g) == pytest.approx(full, rel=1e-12, abs=0)
