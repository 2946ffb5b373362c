"""The event generator (muonreach.mc, `muonreach generate`): sampling, closure with the semi-analytic yields,
decay kinematics, files (Parquet, LHE read back by pylhe), determinism, bad input."""

import hashlib
import math

import numpy as np
import pytest
from scipy import integrate

from conftest import run_in_process
from muonreach import units
from muonreach.errors import ConvergenceError, InvalidParameter
from muonreach.experiments.beam import lepton_track, track_distribution
from muonreach.experiments.calculator import calculator
from muonreach.experiments.production import production_channel
from muonreach.experiments.sample import BosonSample
from muonreach.experiments.signatures import Decays
from muonreach.experiments.spec import load_experiment
from muonreach.mc.bremsstrahlung import Production
from muonreach.mc.decays import DecayTable, two_body
from muonreach.mc.generate import generate, setup
from muonreach.mc.unweighting import GridSampler
from muonreach.mc.writers import read_parquet, write_events
from muonreach.models.registry import get_model_spec
from muonreach.production.angular import dsigma_dx_ds, s_range
from muonreach.production.cross_sections import dsigma_dx
from muonreach.production.flux import iww_photon_flux, photon_flux

NA64 = ("na64mu-2018", "scalar-muon", 0.1, 5e-4, {"g_chi": 1})


@pytest.fixture(scope="module")
def na64_events():
    exp, model, m, g, sets = NA64
    return generate(exp, model, m, g, 40_000, 7, sets)


# --- the pieces ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["na64mu-2018", "fnal-mu-dump", "e137"])
def test_track_distribution_has_the_moments_of_the_yield_quadrature(name):
    """The sampled track length (inverse CDF, linear between 4097 points) against the yield's Gauss-Legendre
    track: integrals of 1, 1/E, E, E^3 agree to 1e-4 (interpolation error ~ (1/4096)^2 x curvature, and the
    quadrature's own error; both far below the generator's MC errors)."""
    exp = load_experiment(name)
    energy, length, _, _ = lepton_track(exp, 0.05, np.polynomial.legendre.leggauss(64))
    track = track_distribution(exp, 0.05)
    u = (np.arange(400_000) + 0.5) / 400_000
    sampled, _ = track.sample(u)
    for power in (0, -1, 1, 3):
        assert track.total_cm * np.mean(sampled**power) == pytest.approx(np.sum(length * energy**power), rel=1e-4)


@pytest.mark.parametrize("approximation", ["iww", "ww"])
def test_photon_flux_tables_match_the_flux(approximation):
    """The generator's chi tables (IWW in ln E, WW in ln t_min) reproduce the flux to 1e-4 (interpolation)."""
    exp = load_experiment("na64mu-2018").with_overrides({"approximation": approximation})
    prod = Production.build(exp, "scalar", 0.1)
    rng = np.random.default_rng(3)
    v = prod.variables(rng.random((200, 3)))
    chi = prod.chi(v)
    if approximation == "iww":
        exact = iww_photon_flux(exp.target, 0.1, prod.m_l, v["energy"], allow_forbidden=True)
    else:
        t_max = 0.1**2 + prod.m_l**2
        from muonreach.production.angular import ww_t_min

        exact = photon_flux(exp.target, np.minimum(ww_t_min(v["x"], v["s"], v["energy"]), t_max), t_max,
                            allow_forbidden=True)
    assert chi == pytest.approx(exact, rel=1e-4, abs=1e-12)


@pytest.mark.parametrize("kind,approximation", [("scalar", "iww"), ("vector", "iww"), ("scalar", "ww"), ("vector", "ww")])
def test_angular_spectrum_integrates_to_dsigma_dx(kind, approximation):
    """int ds dsigma/(dx ds) = dsigma/dx (adaptive quadrature, 1e-6 relative; the WW flux varies along s)."""
    material = load_experiment("na64mu-2018").target
    m, m_l, energy = 0.1, 0.1056583755, 150.0
    for x in (0.05, 0.5, 0.95):
        lo, hi = s_range(np.array(x), np.array(energy), m, m_l, approximation)
        value, _ = integrate.quad(lambda s, x=x: float(dsigma_dx_ds(kind, x, s, energy, m, m_l, material, approximation)),
                                  float(lo), float(hi), epsrel=1e-9, limit=200)
        ref = float(dsigma_dx(kind, x, energy, m, 1.0, material, "mu", approximation)[()])
        assert value == pytest.approx(ref, rel=3e-5)


def test_grid_sampler_is_unbiased_and_restarts_deterministically():
    """A density with a narrow peak the presample misses: the envelope is raised and the run restarts; the
    accepted points then follow the density (chi^2 of a 20-bin marginal against its exact integral) and the
    same seed gives the same points."""
    width = 0.004

    def density(u):
        return 1.0 + 30.0 * np.exp(-0.5 * ((u[:, 0] - 0.737) / width) ** 2) * (1.0 + u[:, 1])

    def run(seed):
        sampler = GridSampler(density, (4, 2), presample=4)
        sampler.build(np.random.default_rng([seed, 0]))
        while True:
            try:
                return sampler, sampler.accept(40_000, np.random.default_rng([seed, 1, sampler.restarts]))
            except Exception as exc:  # EnvelopeViolation: raise the envelope and start over
                sampler.raise_envelope(exc)

    sampler, points = run(11)
    assert sampler.restarts >= 1
    edges = np.linspace(0.0, 1.0, 21)
    counts, _ = np.histogram(points[:, 0], edges)
    peak = [1.5 * 30.0 * width * math.sqrt(2 * math.pi) * 0.5
            * (math.erf((b - 0.737) / (width * math.sqrt(2))) - math.erf((a - 0.737) / (width * math.sqrt(2))))
            for a, b in zip(edges[:-1], edges[1:])]
    expected = np.diff(edges) + np.array(peak)
    expected *= points.shape[0] / expected.sum()
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < 45.3  # 19 degrees of freedom: the 0.1 % quantile (a failure means a biased sampler)
    assert np.array_equal(run(11)[1], points)


@pytest.mark.parametrize("height,limit", [(1e12, "efficiency"), (2.0, "exceeded its envelope")])
def test_grid_sampler_gives_up(height, limit, monkeypatch):
    """A spike that dominates the envelope (efficiency below MIN_EFFICIENCY), or more violations than
    MAX_RESTARTS (here 0 allowed): ConvergenceError, not an endless loop."""
    from muonreach.mc import unweighting

    if limit != "efficiency":
        monkeypatch.setattr(unweighting, "MAX_RESTARTS", 0)

    def spike(u):
        return np.where(np.abs(u[:, 0] - 0.5) < 1e-3, height, 1.0)

    sampler = GridSampler(spike, (2,), presample=2)
    sampler.build(np.random.default_rng(0))
    sampler.envelope[:] = 1.5
    with pytest.raises(unweighting.EnvelopeViolation) as violation:
        sampler.accept(100_000, np.random.default_rng(1))
    with pytest.raises(ConvergenceError, match=limit):
        sampler.raise_envelope(violation.value)


def test_two_body_decay_conserves_momentum_and_mass():
    rng = np.random.default_rng(5)
    n, mass, m1 = 1000, 0.3, 0.1056583755
    p = rng.normal(0.0, 5.0, (n, 3))
    parent = np.concatenate([np.sqrt(mass**2 + np.sum(p * p, axis=1))[:, None], p], axis=1)
    cos, phi = 2 * rng.random(n) - 1, 2 * math.pi * rng.random(n)
    a, b = two_body(parent, mass, np.full(n, m1), np.full(n, m1), cos, phi)
    assert a + b == pytest.approx(parent, rel=1e-12, abs=1e-12)
    for d in (a, b):
        assert np.sqrt(d[:, 0] ** 2 - np.sum(d[:, 1:] ** 2, axis=1)) == pytest.approx(m1, rel=1e-6)


# --- closure with the semi-analytic calculator ------------------------------------------------------------

@pytest.mark.parametrize("case", [
    NA64,
    ("na64mu-2018", "scalar-muon", 0.1, 5e-4, {"g_chi": 1, "approximation": "ww"}),
    ("na64mu-2018", "lmu-ltau", 0.02, 3e-4, {}),
    ("fnal-mu-dump", "scalar-muon", 0.05, 1e-4, {"approximation": "iww"}),  # the IWW sampler (exact: tests/test_mc_exact.py)
    ("e137", "scalar-lepton", 0.05, 1e-5, {}),
])
def test_generated_yield_closes_on_the_calculator(case):
    """Produced bosons (the presample integral) and the signal with the yield's per-boson probability on the
    generated events reproduce the calculator: within 4 MC standard errors plus its quadrature accuracy (3e-4,
    docs/production.md), both ~0.5 % here."""
    name, model_name, m, g, sets = case
    events = generate(name, model_name, m, g, 20_000, 1, sets)
    exp = load_experiment(name).with_overrides({k: v for k, v in sets.items() if k == "approximation"})
    model_sets = {k: v for k, v in sets.items() if k != "approximation"}
    spec = get_model_spec(model_name)
    model = spec.build(m, g, model_sets)
    reference = production_channel(exp.channel).sample(exp, model, m)
    _, g_prod = model.production_coupling(exp.lepton)
    info = events.info
    assert info.produced == pytest.approx(g_prod**2 * reference.total_weight,
                                          abs=4 * info.produced_error + 3e-4 * info.produced)
    c = events.columns
    boson = BosonSample(c["boson_e"], np.sqrt(c["boson_e"] ** 2 - m * m), c["vertex_z"], c["beam_energy"],
                        np.ones(len(events)))
    probability = exp.signature.probability(boson, exp.geometry, Decays.of_model(model))[0] * c["efficiency"]
    mean, error = probability.mean(), probability.std(ddof=1) / math.sqrt(len(events))
    expected = float(calculator(exp, spec, m, model_sets).events(g))
    tolerance = 4 * math.hypot(info.produced * error, info.produced_error * mean) + 3e-4 * expected
    assert info.produced * mean == pytest.approx(expected, abs=tolerance)


def test_sampled_decays_follow_the_exponential_law_along_the_boson_direction():
    """fnal-mu-dump: the sampled signal (decay vertex drawn, in the volume along z) equals the analytic
    in-volume probability with the decay length projected on the beam axis, L cos(theta), within 4 standard
    errors. The calculator's collinear probability is lower by ~5 % here: its bosons fly along the beam
    (docs/events.md)."""
    name, model_name, m, g = "fnal-mu-dump", "scalar-muon", 0.05, 1e-4
    events = generate(name, model_name, m, g, 200_000, 2, {"approximation": "iww"})  # IWW: fast (exact in test_mc_exact.py)
    exp = load_experiment(name).with_overrides({"approximation": "iww"})
    model = get_model_spec(model_name).build(m, g, {})
    c = events.columns
    forward = c["cos_theta"] > 0.0
    p = np.sqrt(c["boson_e"] ** 2 - m * m)
    length = p / (m * DecayTable.of(model).total_width) * units.HBARC_GEV_CM * np.where(forward, c["cos_theta"], 1.0)
    geo = exp.geometry
    start = geo.target_length + geo.detector_distance - c["vertex_z"]
    end = start + geo.detector_length
    analytic = np.where(forward, np.exp(-start / length) - np.exp(-end / length), 0.0)
    sampled = c["signal"].astype(float)
    assert sampled.mean() == pytest.approx(analytic.mean(), abs=4 * math.sqrt(analytic.mean() / len(events)))


def test_boson_energy_moments_match_the_yield_quadrature(na64_events):
    """<E_X> and <E_X^2> of the generated events against the calculator's weighted nodes (4 standard errors)."""
    exp_name, model_name, m, g, sets = NA64
    exp = load_experiment(exp_name)
    model = get_model_spec(model_name).build(m, g, sets)
    ref = production_channel(exp.channel).sample(exp, model, m)
    e = na64_events.columns["boson_e"]
    for power in (1, 2):
        want = float(np.sum(ref.weight * ref.energy**power) / ref.total_weight)
        error = float(np.std(e**power) / math.sqrt(e.size))
        assert float(np.mean(e**power)) == pytest.approx(want, abs=4 * error)


def _expected_histograms(exp, m, x_edges, theta_edges):
    """Bin contents (relative) of x and of theta_X from the cross sections, not from the sampler: the yield's
    Gauss-Legendre track (64 nodes) times, per bin, Gauss-Legendre integrals of dsigma/dx (x bins) and of
    dsigma/(dx ds) over the s interval of each angle bin (theta bins; IWW, chi constant in s)."""
    from muonreach.experiments.beam import x_lower
    from muonreach.production.angular import dsigma_dx_ds_per_chi, u_min

    energy, length, _, _ = lepton_track(exp, m, np.polynomial.legendre.leggauss(64))
    m_l = 0.1056583755
    gx, gw = np.polynomial.legendre.leggauss(24)
    x_counts = np.zeros(len(x_edges) - 1)
    t_counts = np.zeros(len(theta_edges) - 1)
    for e, w in zip(energy, length):
        lo, hi = float(x_lower(exp, m, np.array([e]))[0]), 1.0 - m_l / e
        chi = float(iww_photon_flux(exp.target, m, m_l, e, allow_forbidden=True))
        for i, (left, right) in enumerate(zip(x_edges[:-1], x_edges[1:])):
            a, b = max(left, lo), min(right, hi)
            if a < b:
                xs = 0.5 * (a + b) + 0.5 * (b - a) * gx
                x_counts[i] += w * 0.5 * (b - a) * np.sum(gw * dsigma_dx("scalar", xs, e, m, 1.0, exp.target))
        # angle bins: x on 48 nodes in logit space, s = 1/(x E^2 theta^2 + U_min) over the bin
        y = np.linspace(0, 1, 49)[:-1] + 0.5 / 48
        yl, yh = math.log(lo / (1 - lo)), math.log(hi / (1 - hi))
        xs = 1 / (1 + np.exp(-(yl + y * (yh - yl))))
        wx = (yh - yl) / 48 * xs * (1 - xs)
        umin = u_min(xs, m, m_l)
        for j, (ta, tb) in enumerate(zip(theta_edges[:-1], theta_edges[1:])):
            s_hi, s_lo = 1 / (xs * e * e * ta * ta + umin), 1 / (xs * e * e * tb * tb + umin)
            ss = 0.5 * (s_hi + s_lo)[:, None] + 0.5 * (s_hi - s_lo)[:, None] * gx
            inner = dsigma_dx_ds_per_chi("scalar", xs[:, None], ss, e, m, m_l) @ gw * 0.5 * (s_hi - s_lo)
            t_counts[j] += w * chi * np.sum(wx * inner)
    return x_counts, t_counts


def test_x_and_angle_histograms_follow_the_cross_sections(na64_events):
    """chi^2 of the generated x and theta_X histograms against dsigma/dx and dsigma/(dx ds) (the angular spectrum
    in theta): p-value above 1e-3 each (20 bins; a failure means the sampler or the kinematics disagree with the
    cross sections). Bins cover x > 1/3 and theta in [0, 3 m/E]."""
    from scipy.stats import chi2

    exp = load_experiment(NA64[0])
    c = na64_events.columns
    n = len(na64_events)
    x_edges = np.linspace(1 / 3, 1.0, 21)
    theta = np.arccos(np.clip(c["cos_theta"], -1, 1))
    theta_edges = np.linspace(0.0, 0.1 / 150 * 3, 21)
    x_want, t_want = _expected_histograms(exp, NA64[2], x_edges, theta_edges)
    total = float(np.sum(x_want))
    for values, edges, want in ((c["x"], x_edges, x_want), (theta, theta_edges, t_want)):
        counts, _ = np.histogram(values, edges)
        expected = n * want / total
        stat = float(np.sum((counts - expected) ** 2 / expected))
        assert chi2.sf(stat, len(counts)) > 1e-3, (stat, counts[:5], expected[:5])


def test_events_are_physical(na64_events):
    c = na64_events.columns
    m = NA64[2]
    assert np.all((c["x"] > 1 / 3 - 1e-12) & (c["x"] < 1))  # x_min = 1/3 of the NA64-mu 2018 projection
    boson = np.stack([c[f"boson_{k}"] for k in ("e", "px", "py", "pz")], axis=1)
    assert np.sqrt(boson[:, 0] ** 2 - np.sum(boson[:, 1:] ** 2, axis=1)) == pytest.approx(m, rel=1e-5)
    lepton = np.stack([c[f"lepton_{k}"] for k in ("e", "px", "py", "pz")], axis=1)
    beam = np.stack([c[f"beam_{k}"] for k in ("e", "px", "py", "pz")], axis=1)
    assert lepton[:, 0] + boson[:, 0] == pytest.approx(beam[:, 0], rel=1e-12)
    # the lepton balances p_T,X unless that exceeds its momentum (wide IWW angles): then its p_T is capped, on shell
    p_out = np.sqrt(lepton[:, 0] ** 2 - 0.1056583755**2)
    balanced = np.hypot(boson[:, 1], boson[:, 2]) < p_out
    assert balanced.mean() > 0.99
    assert lepton[balanced, 1:3] + boson[balanced, 1:3] == pytest.approx(np.zeros((balanced.sum(), 2)), abs=1e-12)
    assert np.sqrt(np.maximum(lepton[:, 0] ** 2 - np.sum(lepton[:, 1:] ** 2, axis=1), 0)) == pytest.approx(
        0.1056583755, rel=1e-4)
    decayed = c["decay_channel"] >= 0
    assert decayed.all()  # 100 MeV scalar with g_chi = 1: always decays (to chi chi or gamma gamma)
    products = sum(np.stack([c[f"product{i}_{k}"] for k in ("e", "px", "py", "pz")], axis=1) for i in (1, 2))
    assert products == pytest.approx(boson, rel=1e-9, abs=1e-12)
    assert np.all(c["signal"])  # NA64-mu: invisible, and visible decays escape (visible_escape)


# --- files and the command line -------------------------------------------------------------------------------

def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_are_deterministic_and_read_back(tmp_path):
    exp, model, m, g, sets = NA64
    paths = {}
    for run in ("a", "b"):
        for suffix in (".parquet", ".lhe"):
            path = tmp_path / f"{run}{suffix}"
            write_events(setup(exp, model, m, g, 3000, 4, sets), path)
            paths[run, suffix] = path
    for suffix in (".parquet", ".lhe"):
        assert _digest(paths["a", suffix]) == _digest(paths["b", suffix])
    memory = generate(exp, model, m, g, 3000, 4, sets)
    back = read_parquet(paths["a", ".parquet"])
    for key, values in memory.columns.items():
        assert np.array_equal(values, back.columns[key], equal_nan=values.dtype.kind == "f"), key
    assert back.info.sigma_pb == memory.info.sigma_pb and back.info.seed == 4
    write_events(setup(exp, model, m, g, 3000, 5, sets), tmp_path / "c.parquet")
    assert _digest(tmp_path / "c.parquet") != _digest(paths["a", ".parquet"])


def test_old_or_foreign_parquet_files_give_a_clear_error(tmp_path):
    """A file written before the chain columns existed (they are dropped here, the run description kept), or
    whose run description has a field this version does not know: SpecError naming the file, the writing
    version and what differs (was a KeyError / TypeError traceback)."""
    import json

    import pyarrow.parquet as pq

    from muonreach.errors import SpecError

    path = tmp_path / "new.parquet"
    write_events(setup(*NA64[:4], 200, 1, NA64[4]), path)
    table = pq.read_table(path)
    meta = dict(pq.read_metadata(path).metadata)
    old = table.drop_columns([c for c in table.column_names if c.startswith("dark_")])
    pq.write_table(old.replace_schema_metadata(meta), tmp_path / "old.parquet")
    with pytest.raises(SpecError, match=r"old\.parquet: written by muonreach .*lacks the event columns dark_parent"):
        read_parquet(tmp_path / "old.parquet")
    key = next(k for k in meta if b"muonreach" in k)
    doc = json.loads(meta[key])
    doc["run"]["future_field"] = 1
    pq.write_table(table.replace_schema_metadata({**meta, key: json.dumps(doc).encode()}), tmp_path / "foreign.parquet")
    with pytest.raises(SpecError, match=r"does not match this version's \(unknown future_field"):
        read_parquet(tmp_path / "foreign.parquet")


def test_lhe_is_read_by_pylhe(tmp_path):
    pylhe = pytest.importorskip("pylhe")
    path = tmp_path / "ev.lhe"
    info = write_events(setup(*NA64[:4], 500, 2, NA64[4]), path)
    lhe = pylhe.LHEFile.fromfile(str(path))
    assert lhe.init.initInfo.beamA == 13 and lhe.init.initInfo.beamB == 1000822070  # mu-, 207Pb
    assert lhe.init.procInfo[0].xSection == pytest.approx(info.sigma_pb, rel=1e-9)
    events = list(lhe.events)
    assert len(events) == 500
    for event in events[:50]:
        incoming = [p for p in event.particles if p.status == -1]
        outgoing = [p for p in event.particles if p.status == 1 and p.mother1 == 1]
        for axis in ("px", "py", "pz"):
            assert sum(getattr(p, axis) for p in incoming) == pytest.approx(sum(getattr(p, axis) for p in outgoing)
                                                                            + getattr(event.particles[4], axis), abs=1e-8)


def test_cli_generate(tmp_path, run_cli_json):
    out = tmp_path / "ev.parquet"
    payload = run_cli_json("generate", *NA64[:2], "--mass", "0.1", "--coupling", "5e-4", "--set", "g_chi=1",
                           "--events", "2000", "--seed", "1", "--out", str(out), "--no-progress")
    assert out.exists() and payload["events"] == 2000
    expected = float(calculator(load_experiment(NA64[0]), get_model_spec(NA64[1]), 0.1, {"g_chi": 1}).events(5e-4))
    assert payload["signal_events"] == pytest.approx(expected, abs=4 * payload["signal_events_error"])


@pytest.mark.parametrize("args,needle", [
    (["--events", "0"], "number of events"),
    (["--seed", "-1"], "seed"),
    (["--out", "ev.txt"], ".parquet"),
    (["--out", "/nonexistent-dir/ev.parquet"], "does not exist"),
    (["--mass", "nan"], "mass"),
    (["--set", "approximation=bogus"], "approximation"),
    (["--set", "no_such_parameter=1"], "no_such_parameter"),
    (["--coupling", "30"], "perturbative"),
])
def test_cli_generate_bad_input(tmp_path, args, needle):
    base = {"--mass": "0.1", "--coupling": "5e-4", "--events": "100", "--seed": "1", "--out": str(tmp_path / "e.parquet")}
    options = dict(base)
    sets = []
    it = iter(args)
    for key, value in zip(it, it):
        if key == "--set":
            sets += ["--set", value]
        else:
            options[key] = value
    cmd = ["generate", "na64mu-2018", "scalar-muon", *[a for kv in options.items() for a in kv], *sets]
    result = run_in_process(*cmd)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_model_without_beam_coupling_is_refused():
    with pytest.raises(InvalidParameter, match="not radiated"):
        setup("na64mu-2018", "emu-scalar", 0.1, 1e-3, 10, 1)


def test_a_stable_mediator_is_generated_as_invisible(monkeypatch):
    """A mediator with no open channel (here: its widths set to zero) never decays, counts as invisible at
    NA64-mu, and has no decay vertex."""
    from muonreach.models.scalar import LeptophilicScalar

    monkeypatch.setattr(LeptophilicScalar, "partial_widths", lambda self: {"gamma_gamma": 0.0})
    events = generate(*NA64[:4], 500, 3, NA64[4])
    c = events.columns
    assert np.all(c["decay_channel"] == -1) and np.all(c["signal"]) and np.all(np.isnan(c["decay_z"]))

