"""The computed-bound registry and its plot layer: a new constraint is one module plus one registration."""

import numpy as np
import pytest

from muonreach.constraints import computed
from muonreach.errors import InvalidParameter, UnknownName
from muonreach.models.registry import get_model_spec


@pytest.fixture
def toy_bound(monkeypatch):
    """A toy bound excluding g in [1e-3 m/GeV, 1e-1] for the muon-specific scalar only."""
    # a copy of the loaded registry: the shipped bounds stay registered after the test
    monkeypatch.setattr(computed, "_BOUNDS", computed.all_bounds())

    def compute(spec, masses, overrides):
        return computed.BoundRows(masses, 1e-3 * masses, np.where(masses < 1.0, 1e-1, np.nan), ("toy note",))

    return computed.register_bound(computed.ComputedBound(
        "toy", "a toy bound", "nowhere", 0.95, lambda spec: spec.name == "scalar-muon", compute))


def test_registry_lookup_and_applicability(toy_bound):
    assert computed.get_bound("toy") is toy_bound
    assert "toy" in [b.name for b in computed.bounds_for(get_model_spec("scalar-muon"))]
    assert "toy" not in [b.name for b in computed.bounds_for(get_model_spec("dark-photon"))]
    with pytest.raises(UnknownName, match="unknown computed bound"):
        computed.get_bound("nope")
    with pytest.raises(InvalidParameter, match="does not apply"):
        toy_bound.evaluate(get_model_spec("dark-photon"), np.array([0.1]))
    with pytest.raises(ValueError, match="twice"):
        computed.register_bound(toy_bound)


def test_bound_layer_draws_the_excluded_region(toy_bound):
    from muonreach.plot.layers import compute
    from muonreach.plot.spec import parse_spec

    spec = parse_spec({
        "schema": 1, "name": "t",
        "panels": [{"plane": "coupling", "model": "scalar-muon", "x": {"min": 0.01, "max": 10.0}, "y": {"min": 1e-6, "max": 1.0},
                    "layers": [{"type": "bound", "options": {"name": "toy", "points": 20}}]}],
    }, "t.toml")
    data = compute(spec.panels[0].layers[0], spec.panels[0])
    assert "toy note" in data.notes and data.shapes
    (band,) = data.shapes  # one connected region: below 1 GeV capped at 0.1, above it open to the axis top
    assert band.y_low.min() == pytest.approx(1e-5, rel=1e-6)
