"""Decay-length signatures of a stable or extremely long-lived boson are warning-free (docs/figures.md open point).

exp(-z/L) -> 1 (stable) or 0 (the p = 0 placeholder 1/L = 1e300 of Decays.inverse_decay_length) are exact
limits; numpy must not flag them. Every test runs with RuntimeWarnings turned into errors."""

import warnings

import numpy as np
import pytest

from muonreach.experiments.sample import BosonSample
from muonreach.experiments.signatures import DecayBeyond, DecayInVolume, Decays, Geometry, Invisible
from muonreach.experiments.spec import load_experiment
from muonreach.models.registry import build_model, get_model_spec
from muonreach.reach.contour import reach

MASSES = np.geomspace(1e-3, 0.2, 6)  # below 2 m_mu: the muon-specific vector has no open channel at all


def test_the_vector_is_stable_below_the_muon_threshold():
    # the premise of the reach test below: Gamma = 0 exactly, so 1/L = 0 on every node
    assert all(build_model("vector-muon", float(m), 1e-3, {}).total_width == 0.0 for m in MASSES)


@pytest.mark.parametrize("experiment", ["fnal-mu-dump", "na64mu-2017", "na64mu-2018"])  # in volume, beyond, escape
@pytest.mark.parametrize("method", ["batch", "per-mass"])
def test_reach_of_a_stable_boson_emits_no_runtime_warning(experiment, method):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rows = reach(load_experiment(experiment), get_model_spec("vector-muon"), MASSES, {}, method=method)
    assert len(rows) == MASSES.size


def test_escape_probability_at_the_p_zero_placeholder_over_a_huge_distance():
    # 1/L = 1e300 /cm (p = 0 node) times a 1e10 cm distance overflows the product to +inf: the escape
    # probability must be exactly 0 (decays visible: P_in_volume = 0 too) without a warning, and a stable
    # boson (Gamma = 0) must escape with probability exactly 1
    sample = BosonSample(energy=np.array([0.5, 2.0]), momentum=np.array([0.0, 1.9]), depth=np.zeros(2),
                         beam_energy=np.full(2, 10.0), weight=np.array([0.0, 1.0]))
    geometry = Geometry(target_length=1e10, detector_distance=1e10, detector_length=1e10)
    unstable = Decays(0.5, np.zeros((1, 1)), np.array([[1e-3]]))
    stable = Decays(0.5, np.zeros((1, 1)), np.zeros((1, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        beyond = DecayBeyond({}).probability(sample, geometry, unstable)
        in_volume = DecayInVolume({}).probability(sample, geometry, unstable)
        escape = Invisible({"visible_escape": True}).probability(sample, geometry, stable)
    assert beyond[0, 0] == 0.0 and in_volume[0, 0] == 0.0
    # 1/L = m Gamma/(p hbar c) = 1.3e10 /cm over 3e10 cm is ~4e20 decay lengths: 0 in double precision as well
    assert beyond[0, 1] == 0.0
    assert np.all(escape == 1.0)  # stable: BR_inv = 1 by convention (Decays.branching)
