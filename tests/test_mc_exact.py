"""The event generator with the exact 2 -> 3 cross section (muonreach.mc.exact): closure with the exact yield,
x and angle histograms against direct (untabulated) exact cross sections, the angular table, flavour change."""

import math

import numpy as np
import pytest
from scipy.stats import chi2

from muonreach.experiments.beam import lepton_track
from muonreach.experiments.production import production_channel
from muonreach.experiments.spec import load_experiment
from muonreach.mc.exact import ExactProduction
from muonreach.mc.generate import generate
from muonreach.models.registry import get_model_spec
from muonreach.production.exact import dsigma_dx_dcos_exact, dsigma_dx_exact

EXACT = {"approximation": "exact"}
NA64 = ("na64mu-2018", "scalar-muon", 0.1, 5e-4, {"g_chi": 1, **EXACT})


@pytest.fixture(scope="module")
def na64_exact_events():
    name, model, m, g, sets = NA64
    return generate(name, model, m, g, 40_000, 3, sets)


@pytest.mark.parametrize("case", [
    NA64,
    ("fnal-mu-dump", "scalar-muon", 0.05, 1e-4, {}),  # exact is this experiment's default
    ("na64mu-emu-5e12", "emu-scalar", 0.3, 1e-3, EXACT),  # mu N -> e N phi
    ("na64e-emu-2019", "emu-scalar", 0.3, 1e-3, EXACT),  # e N -> mu N phi, shower electrons, E'_mu cut
])
def test_exact_events_close_on_the_exact_yield(case):
    """The produced bosons (presample integral) against the exact-yield calculator (`events --set
    approximation=exact`): within 4 MC standard errors plus 1e-3, the two ExactSpectrum tables' interpolation
    difference (each within 5e-3 of direct evaluation, typically < 1e-4: the generator's table spans the track's
    full energy range, the calculator's its Gauss-Legendre nodes)."""
    name, model_name, m, g, sets = case
    events = generate(name, model_name, m, g, 5_000, 1, sets)
    exp = load_experiment(name).with_overrides({k: v for k, v in sets.items() if k == "approximation"})
    assert exp.approximation == "exact"
    model = get_model_spec(model_name).build(m, g, {k: v for k, v in sets.items() if k != "approximation"})
    channel = production_channel(exp.channel)
    _, g_prod = channel.coupling(exp, model)
    want = g_prod**2 * channel.sample(exp, model, m).total_weight
    info = events.info
    assert info.produced == pytest.approx(want, abs=4 * info.produced_error + 1e-3 * want)
    assert info.approximation == "exact"


def test_angular_table_integrates_to_the_exact_spectrum():
    """Each row of the angular table, integrated over the angle before normalisation, equals dsigma/dx of the
    spectrum table (a separate quadrature of the same |M|^2, 6 Gauss-Legendre nodes per segment of ln Delta)
    to 3e-3 (seen: 2.1e-3 at the lowest x, where the angular density turns over in the first few table
    intervals); the interpolated conditional density keeps unit normalisation between nodes to 3e-4 below
    x = 0.998 (rate fraction above < 1e-3)."""
    exp = load_experiment("na64mu-2018").with_overrides(EXACT)
    prod = ExactProduction.build(exp, "scalar", 0.1)
    assert np.all(np.abs(prod.angles.row_ratio - 1.0) < 3e-3)
    assert prod.angles.normalisation_error() < 2e-2  # the last interval before the end point (docstring)


def _track(exp, m, nodes=6):
    energy, length, _, x_lo = lepton_track(exp, m, np.polynomial.legendre.leggauss(nodes))
    return energy, length, x_lo


def _logit_nodes(lo, hi, n):
    y = (np.arange(n) + 0.5) / n
    yl, yh = math.log(lo / (1 - lo)), math.log(hi / (1 - hi))
    x = 1 / (1 + np.exp(-(yl + y * (yh - yl))))
    return x, (yh - yl) / n * x * (1 - x)


@pytest.mark.parametrize("case", ["scalar", "vector"])
def test_exact_histograms_follow_the_direct_exact_cross_sections(case, na64_exact_events):
    """chi^2 of the generated x and theta_X histograms (20 bins each) against the exact cross sections evaluated
    directly (no table): dsigma/dx per x bin (Gauss-Legendre, 6 nodes) and d^2sigma/(dx dcos theta) per theta
    bin (Gauss-Legendre in theta, 4 nodes, x on 32 logit midpoints), on the yield's track (6 energy nodes: the
    muon loses 0.3 % in the lead). p-value > 1e-3 each; a failure means the tables, the sampler or the
    kinematics disagree with the exact cross section. Angles in [0, 3 m/E]."""
    if case == "scalar":
        name, _, m, _, _ = NA64
        events = na64_exact_events
    else:  # the L_mu - L_tau Z' (vector: the sum over 3 polarisations), 20 MeV
        name, m = "na64mu-2018", 0.02
        events = generate(name, "lmu-ltau", m, 3e-4, 40_000, 4, EXACT)
    exp = load_experiment(name).with_overrides(EXACT)
    c = events.columns
    n = len(events)
    energy, length, x_lo = _track(exp, m)
    x_edges = np.linspace(exp.x_min, 1.0, 21)
    t_edges = np.linspace(0.0, 3 * m / exp.energy, 21)
    gx, gw = np.polynomial.legendre.leggauss(6)
    gt, gtw = np.polynomial.legendre.leggauss(4)
    x_want = np.zeros(20)
    t_want = np.zeros(20)
    for e, w, lo in zip(energy, length, x_lo):
        hi = 1.0 - 0.1056583755 / e
        a, b = np.maximum(x_edges[:-1], lo), np.minimum(x_edges[1:], hi)
        xs = 0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * gx
        spec = dsigma_dx_exact(case, e, xs, exp.target, m, tabulated=False)
        x_want += w * 0.5 * (b - a) * (spec @ gw)
        xn, xw = _logit_nodes(lo, hi, 32)
        th = 0.5 * (t_edges[:-1] + t_edges[1:])[:, None] + 0.5 * np.diff(t_edges)[:, None] * gt  # (20, 4)
        d2, _ = dsigma_dx_dcos_exact(case, float(e), xn[:, None, None], th[None], exp.target, m)
        per_bin = np.einsum("x,xbk,bk,k->b", xw, d2, np.sin(th), gtw) * 0.5 * np.diff(t_edges)  # dcos = sin dtheta
        t_want += w * per_bin
    total = x_want.sum()
    theta = np.arccos(np.clip(c["cos_theta"], -1, 1))
    for values, edges, want in ((c["x"], x_edges, x_want), (theta, t_edges, t_want)):
        counts, _ = np.histogram(values, edges)
        expected = n * want / total
        stat = float(np.sum((counts - expected) ** 2 / expected))
        assert chi2.sf(stat, len(counts)) > 1e-3, (stat, counts[:5], expected[:5])


def test_flavour_changing_events_reach_the_end_point():
    """mu N -> e N phi: the exact rate near x -> 1 (where the WW form vanishes) is generated; the outgoing
    electron is on shell and energy is conserved at the production vertex."""
    events = generate("na64mu-emu-5e12", "emu-scalar", 0.3, 1e-3, 5_000, 2, EXACT)
    c = events.columns
    assert np.mean(c["x"] > 0.99) > 0.3  # 67-77 % of the WW yield sits at x > 0.99 (docs); exact puts rate there too
    mass2 = c["lepton_e"] ** 2 - c["lepton_px"] ** 2 - c["lepton_py"] ** 2 - c["lepton_pz"] ** 2
    assert np.sqrt(np.maximum(mass2, 0.0)) == pytest.approx(0.000511, rel=0.05, abs=1e-5)
    assert c["lepton_e"] + c["boson_e"] == pytest.approx(c["beam_energy"], rel=1e-12)


def test_cli_generate_exact_is_deterministic(tmp_path, run_cli_json):
    """`generate ... --set approximation=exact` from the command line: the run says exact, and a rerun with the
    same seed writes the same bytes (the tables come from the cache the second time)."""
    digests = []
    for name in ("a.parquet", "b.parquet"):
        out = tmp_path / name
        payload = run_cli_json("generate", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4",
                               "--set", "g_chi=1", "--set", "approximation=exact", "--events", "1000", "--seed", "4",
                               "--out", str(out), "--no-progress")
        assert payload["approximation"] == "exact"
        digests.append(out.read_bytes())
    assert digests[0] == digests[1]


def test_flavour_changing_end_point_spectrum():
    """mu N -> e N phi (0.3 GeV, 160 GeV): the generated log10(1 - x) histogram against the direct (untabulated)
    exact dsigma/dx on the yield's track, chi^2 p > 1e-3 over the populated bins (expected > 5): the region
    x -> 1 that WW cannot generate is where the tables are most stressed (1 - x down to ~1e-6)."""
    name, m = "na64mu-emu-5e12", 0.3
    exp = load_experiment(name).with_overrides(EXACT)
    x = generate(name, "emu-scalar", m, 1e-3, 40_000, 3, EXACT).columns["x"]
    energy, length, _ = _track(exp, m, nodes=4)
    edges = np.linspace(-8.0, math.log10(1.0 - exp.x_min), 21)
    gx, gw = np.polynomial.legendre.leggauss(8)
    want = np.zeros(20)
    for e, w in zip(energy, length):
        ls = 0.5 * (edges[:-1] + edges[1:])[:, None] + 0.5 * np.diff(edges)[:, None] * gx
        spec = dsigma_dx_exact("scalar", e, 1.0 - 10**ls, exp.target, m, lepton="mu", final_lepton="e", tabulated=False)
        want += w * 0.5 * np.diff(edges) * ((spec * 10**ls * math.log(10.0)) @ gw)  # dx = ln 10 (1 - x) dlog
    counts, _ = np.histogram(np.log10(1.0 - x), edges)
    assert counts.sum() == x.size  # nothing outside the bins
    expected = x.size * want / want.sum()
    used = expected > 5
    stat = float(np.sum((counts[used] - expected[used]) ** 2 / expected[used]))
    assert chi2.sf(stat, int(used.sum()) - 1) > 1e-3, (stat, counts, expected)


@pytest.mark.parametrize("partner", ["I", "Be"])
def test_angular_table_of_a_compound_target(partner):
    """A compound target (CsI from the materials database, and Cs + Be, whose nuclear masses differ 15-fold):
    the angular map and its Jacobian (ExactAngles.angles) are built from one nucleus while the density sums
    over all of them. That is right because the angular range (Delta_min, the t cap) does not depend on the
    nucleus mass: checked directly, then through the row integrals of the table against the spectrum's
    independent quadrature over ln Delta: within 1.5e-3 (seen <= 7.1e-4, as for Pb alone; a Jacobian or range
    taken from the wrong nucleus would be off by O(1) where the ranges differ) except at the last x node
    (x = 0.99928, 1 - x_end = 6.6e-4), where the recoil of the lighter nucleus closes its phase space inside the
    table's range: 1e-2 there (seen 3.6e-3 CsI, 5.5e-3 Cs + Be; Pb alone 2.3e-3, Be alone 6e-2). The rows are
    normalised anyway (the sampled x distribution is the spectrum's): this checks the angular shape."""
    import dataclasses

    from muonreach.materials import Component, get_material
    from muonreach.mc.exact import ExactAngles
    from muonreach.production.exact import ExactSpectrum
    from muonreach.production.exact.integrate import _delta_upper, make_process
    from muonreach.production.exact.phase_space import emission

    csi = get_material("CsI")
    material = csi if partner == "I" else dataclasses.replace(
        csi, name="CsBe", components=(csi.components[0], Component("Be", 4, 9.0121831, 1)))
    proc = make_process("scalar", 0.1, material)
    x = np.linspace(0.5, 0.99, 7)
    ranges = []
    for nuc in proc.nuclei:
        kin = proc.kinematics(160.0, nuc)
        em = emission(kin, x * 160.0, proc.m_x, proc.mp)
        ranges.append((em.delta_min, _delta_upper(proc, kin, em)))
    for lo, hi in ranges[1:]:
        assert lo == pytest.approx(ranges[0][0], rel=1e-12, abs=0) and hi == pytest.approx(ranges[0][1], rel=1e-12, abs=0)
    spectrum = ExactSpectrum("scalar", 0.1, material, energy_range=(160.0, 160.0), x_min=0.5)
    angles = ExactAngles(spectrum)
    deviation = np.abs(angles.row_ratio[0] - 1.0)
    assert np.all(deviation[:-1] < 1.5e-3), deviation
    assert deviation[-1] < 1e-2


@pytest.mark.parametrize("case", [("na64mu-2018", "scalar", 0.1, 1e-9), ("muone", "vector", 0.3, 1e-9),
                                  ("na64mu-emu-5e12", "scalar", 0.3, 3e-5)])
def test_angular_table_nodes_are_the_exact_density_at_that_angle(case):
    """The table's nodes (the exact inner integral at (x, Delta) by the fine rule, mc/exact.py) against the public
    d^2sigma/(dx dcos theta) at the same angle times dcos/dv, an independent route through theta. Tolerance: the
    angle's round trip moves Delta by ~1e-16 relative, which the integrand amplifies where Delta is a difference of
    large numbers: seen <= 1e-10 at NA64-mu and MUonE, 6.2e-6 at the mu -> e end point (x -> 1)."""
    from muonreach import cache
    from muonreach.mc.exact import _dsigma_dx_dv
    from muonreach.production.exact.integrate import dsigma_dx_dcos

    name, kind, m, rtol = case
    with cache.bypass():
        prod = ExactProduction.build(load_experiment(name).with_overrides(EXACT), kind, m)
    angles, e = prod.angles, float(prod.spectrum.energies[0])
    x = prod.spectrum._x_of_s(np.array(e), angles.s_nodes[::3])
    xx, vv = np.meshgrid(x, angles.v_nodes[::4], indexing="ij")
    _, omc, dcos_dv = angles.angles(np.full(xx.shape, e), xx, vv)
    direct = dsigma_dx_dcos(angles.process, e, xx, 2.0 * np.arcsin(np.sqrt(0.5 * omc)))[0] * dcos_dv
    table = _dsigma_dx_dv(angles.process, e, xx, vv)
    assert np.all((table > 0) == (direct > 0))
    assert table == pytest.approx(direct, rel=rtol, abs=0)
