"""The meson_decay production channel (experiments/meson_decay.py), the NA62 and E949 experiment files and the
``decay-spectrum`` command."""

import math

import pytest

from muonreach.errors import KinematicallyForbidden, SpecError
from muonreach.experiments.calculator import calculator
from muonreach.experiments.spec import load_experiment, parse_experiment
from muonreach.models.registry import get_model_spec
from muonreach.production.meson import KaonDecay
from muonreach.specfields import parse_toml_text


def test_invisible_yield_is_eq_c1():
    # lmu-ltau below 2 m_mu decays to neutrinos only: N = N_K A g^2 BR(window) (1902.07715 eq. (C.1)). The channel's
    # coarser quadrature (24 x 12 nodes, lab boosts) against the 48 x 32 Dalitz engine: 1e-3
    exp = load_experiment("na62-2015")
    spec = get_model_spec("lmu-ltau")
    g, m = 1e-3, 0.05
    n = float(calculator(exp, spec, m).events(g))
    br = KaonDecay("vector", m).branching_ratio((0.05, 0.1506))
    assert n == pytest.approx(exp.particles_on_target * 0.35 * g * g * br, rel=1e-3)


def test_visible_boson_is_missing_or_decays_in_the_region():
    # a scalar with visible decays only: P(escape the region) + P(decay inside it) = 1 node by node, so the
    # invisible(visible_escape) and decay_in_region yields add up to the full window yield (rounding)
    exp = load_experiment("na62-2015")
    inside = exp.with_overrides({"signature": "decay_in_region"})
    spec = get_model_spec("scalar-muon")
    for g in (1e-5, 1e-3, 1e-1):  # decay lengths from far beyond to well inside the 65 m region
        n_miss = float(calculator(exp, spec, 0.05).events(g))
        n_in = float(calculator(inside, spec, 0.05).events(g))
        total = exp.particles_on_target * 0.35 * g * g * KaonDecay("scalar", 0.05).branching_ratio((0.05, 0.1506))
        assert n_miss + n_in == pytest.approx(total, rel=2e-3)  # vs the finer engine, as above
    # at g = 0.1 phi -> gamma gamma is prompt at the m_phi^4 scaling of 1902.07715 eq. (7): almost nothing escapes
    assert float(calculator(exp, spec, 0.05).events(0.1)) < 1e-2 * float(calculator(inside, spec, 0.05).events(0.1))


def test_e949_file_reproduces_the_published_limit():
    # by construction 2.3 events <=> BR(K -> mu nu X) = 2.4e-6 for an invisible X (rounding of the efficiency, 1e-3)
    exp = load_experiment("e949")
    spec = get_model_spec("lmu-ltau")
    m = 0.05
    g = math.sqrt(2.4e-6 / KaonDecay("vector", m).branching_ratio())
    assert float(calculator(exp, spec, m).events(g)) == pytest.approx(2.3, rel=1e-3)


def test_meson_experiment_checks():
    text = load_experiment("na62-2015").origin
    from importlib import resources

    raw = resources.files("muonreach.experiments").joinpath("data", text).read_text()
    with pytest.raises(SpecError, match="meson_decays"):
        parse_experiment(parse_toml_text(raw.replace("meson_decays = 1.06e8", "muons_on_target = 1e8"), "t"), "t")
    with pytest.raises(SpecError, match="below the K\\+ mass"):
        parse_experiment(parse_toml_text(raw.replace("energy = 75.0", "energy = 0.3"), "t"), "t")
    with pytest.raises(SpecError, match="meson"):
        parse_experiment(parse_toml_text(raw.replace('meson = "K+"', 'meson = "D+"'), "t"), "t")
    with pytest.raises(SpecError, match="material"):
        brems = raw.replace('channel = "meson_decay"', 'channel = "bremsstrahlung"').replace("meson_decays", "muons_on_target")
        parse_experiment(parse_toml_text(brems, "t"), "t")
    with pytest.raises(KinematicallyForbidden):
        calculator(load_experiment("na62-2015"), get_model_spec("lmu-ltau"), 0.39)


def test_cli_events_reach_and_decay_spectrum(run_cli, run_cli_json):
    out = run_cli_json("events", "na62-2015", "lmu-ltau", "--mass", "0.05", "--coupling", "1e-3")
    assert out["events"] > 0
    rows = run_cli_json("reach", "e949", "lmu-ltau", "--mass-min", "0.01", "--mass-max", "0.1", "--points", "2")
    assert rows["rows"][0]["coupling_low"] > 0
    spec = run_cli_json("decay-spectrum", "K+", "lmu-ltau", "--mass", "0.05", "--coupling", "1e-3", "--points", "11")
    assert {"branching_ratio", "ratio_to_two_body", "m_miss2", "dgamma_dm_miss2"} <= set(spec)
    assert len(spec["m_miss2"]) == len(spec["dgamma_dm_miss2"]) == 11
    assert spec["branching_ratio"] / spec["ratio_to_two_body"] == pytest.approx(0.6356)  # BR(K -> mu nu), PDG
    emu = run_cli_json("decay-spectrum", "K+", "emu-scalar", "--mass", "0.2", "--coupling", "1e-2", "--lepton", "e")
    assert emu["kind"] == "emu_scalar"
    for args, message in [(("K+", "lmu-ltau", "--mass", "0.39"), "m_K - m_mu"), (("D+", "lmu-ltau", "--mass", "0.1"), "unknown meson"),
                          (("K+", "emu-scalar", "--mass", "0.1"), "diagonal muon coupling"),
                          (("K+", "emu-scalar", "--mass", "0.05", "--lepton", "e"), "on-shell muon")]:
        code, _, err = run_cli("decay-spectrum", *args, "--coupling", "1e-3")
        assert code == 2 and message in err and "Traceback" not in err
    code, _, err = run_cli("events", "na62-2015", "lmu-ltau", "--mass", "0.05", "--coupling", "1e-3", "--set", "meson_decays=-1")
    assert code == 2 and "meson_decays" in err


def test_k_e_nu_phi_computed_against_001():
    # 001 estimates BR(K -> e nu phi) ~ h^2/(8 pi^2) = 1.27e-2 h^2, flat in m_phi; the amplitude (a virtual muon,
    # chirality flip by m_mu) gives 3.2e-3 h^2 just above m_mu and 1.9e-5 h^2 at 001's benchmark 3 m_mu
    import numpy as np

    from muonreach.constants import M_MU
    from muonreach.constraints.computed import get_bound

    assert KaonDecay("emu_scalar", 0.107).branching_ratio() == pytest.approx(3.24e-3, rel=0.01)
    assert KaonDecay("emu_scalar", 3 * M_MU).branching_ratio() == pytest.approx(1.94e-5, rel=0.01)
    # the 220-230 MeV/c window: p_e,max = (m_K^2 - m_phi^2)/(2 m_K) < 220 MeV above m_phi = 163 MeV, so no bound there;
    # below, h_max ~ 5: no constraint within the (g-2) region of 001 (h ~ 3e-3), unlike 001's h < 7e-2
    rows = get_bound("k-e-nu-phi").evaluate(get_model_spec("emu-scalar"), np.array([0.05, 0.107, 0.17]))
    assert np.isnan(rows.low[0]) and np.isnan(rows.low[2]) and rows.low[1] > 1.0


def test_vector_with_an_em_current_is_refused():
    # a dark photon (or a muon vector with tree-level mixing) also radiates off the K+: the amplitudes here have only
    # the lepton lines, and muon-line emission alone would give a spurious 1/m_V^2 growth for the conserved EM current.
    # The L_mu - L_tau loop mixing (|g_e/g_mu| = e/67 ~ 4.5e-3) is neglected as in 1902.07715.
    from muonreach.errors import InvalidParameter
    from muonreach.production.meson import model_decay

    for name, sets in (("dark-photon", {}), ("vector-muon", {"eps": "1e-3"})):
        with pytest.raises(InvalidParameter, match="radiates off the K\\+"):
            model_decay(get_model_spec(name).build(0.1, 1e-3, sets))
    decay, g = model_decay(get_model_spec("lmu-ltau").build(0.1, 1e-3, {}))
    assert decay.nu_ratio == 1.0 and g == 1e-3
    assert model_decay(get_model_spec("vector-muon").build(0.1, 1e-3, {"eps": "1e-6"}))[0].nu_ratio == 0.0
