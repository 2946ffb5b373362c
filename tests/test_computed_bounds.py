"""The computed-bound registry and its plot layer: a new constraint is one module plus one registration."""

import math

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


# --- the coupling scan (computed.excluded_interval) ---------------------------------------------------------

def _reference_interval(excess, g_min=1e-9, g_max=computed.PERTURBATIVE_LIMIT, points=49, rtol=1e-6, **_):
    """The scan before the speed-up (main 5a80ec2): every grid point, each edge bisected in log g to ``rtol``."""
    grid = np.geomspace(g_min, g_max, points)
    values = []
    for g in grid:
        try:
            values.append(excess(float(g)))
        except InvalidParameter:
            break
    above = np.array(values) > 0.0
    if not above.any():
        return math.nan, math.nan

    def refine(a, b):
        fa = excess(a) > 0.0
        while b / a > 1.0 + rtol:
            mid = math.sqrt(a * b)
            a, b = (mid, b) if (excess(mid) > 0.0) == fa else (a, mid)
        return math.sqrt(a * b)

    i = int(np.argmax(above))
    low = float(grid[0]) if i == 0 else refine(float(grid[i - 1]), float(grid[i]))
    rest = np.nonzero(~above[i:])[0]
    return low, (math.nan if rest.size == 0 else refine(float(grid[i + rest[0] - 1]), float(grid[i + rest[0]])))


def _counted(f):
    calls = []

    def excess(g):
        calls.append(g)
        return f(g)

    return excess, calls


def _steep_until_invalid(g):
    if g > 0.75:  # like g_tau > 4 pi in the lepton-specific model
        raise InvalidParameter("beyond the perturbative range")
    return math.log(g**4 / (1e-8 + 0.1 * g**2) / 3e-5)  # slope 4 below 3e-4, 2 above: the rate bounds' structure


_SIGNALS = {  # name: (excess, max_slope it honours)
    "saturating": (lambda g: math.log(4 * g * g / (1 + g * g) / 2.0), 2.0),
    "closed": (lambda g: min(math.log(g / 1e-3), math.log(1e-2 / g)), 1.0),
    "g^4": (lambda g: math.log(g**4 / 1e-8), 4.0),
    "invalid above 0.75": (_steep_until_invalid, 4.0),
    "never": (lambda g: -1.0, 0.0),
    "always": (lambda g: 1.0, 0.0),
    "threshold": (lambda g: 1.0 if g > 1e-4 else -math.inf, 0.0),  # no signal below 1e-4 (log-rate -inf)
}


@pytest.mark.parametrize("name", sorted(_SIGNALS))
def test_scan_agrees_with_the_full_grid_and_bisection(name):
    f, slope = _SIGNALS[name]
    reference = _reference_interval(f)
    for max_slope in (None, computed.RATE_SLOPE, slope or None):  # also the tight bound the signal honours
        excess, calls = _counted(f)
        edges = computed.excluded_interval(excess, max_slope=max_slope)
        for new, old in zip(edges, reference, strict=True):
            # bisection stops within rtol/2 of the edge, Brent within ~rtol/2 in ln g: 1e-6 apart at most
            assert (math.isnan(new) and math.isnan(old)) or new == pytest.approx(old, rel=1e-6, abs=0.0), (name, edges)
    if name in ("saturating", "g^4"):  # the slope bound skips grid points: far fewer than the 49 + 2 x 20 before
        assert len(calls) < 30


def test_scan_falls_back_to_every_grid_point_when_the_slope_bound_is_wrong():
    # slope 40 > RATE_SLOPE: the first point (-550) would skip the whole grid; the secant check catches it
    low, high = computed.excluded_interval(lambda g: 40.0 * math.log(g / 1e-3), max_slope=computed.RATE_SLOPE)
    assert low == pytest.approx(1e-3, rel=1e-6, abs=0.0) and math.isnan(high)


def test_scan_raises_on_a_nan_signal():
    from muonreach.errors import ConvergenceError

    for max_slope in (None, computed.RATE_SLOPE):
        with pytest.raises(ConvergenceError, match="NaN"):
            computed.excluded_interval(lambda g: math.nan if g > 1e-3 else -1.0, max_slope=max_slope)


# every shipped rate bound on the models of the figures: the curves before (full grid, bisection) and after
_DM = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}  # 000 Fig. 5's benchmark
_SHIPPED = [("sn1987a-muon", "scalar-muon", 1e-3, 0.1, _DM), ("sn1987a-lepton", "scalar-lepton", 1e-3, 0.1, _DM),
            ("monophoton-babar", "scalar-lepton", 0.01, 100.0, _DM), ("monophoton-belle2", "scalar-muon", 0.01, 100.0, _DM),
            ("z-4mu", "scalar-muon", 0.01, 100.0, _DM), ("z-tautau-invisible", "scalar-lepton", 0.01, 100.0, _DM),
            ("z-gamma-invisible", "scalar-lepton", 0.01, 100.0, _DM), ("tau-mu-invisible", "scalar-lepton", 1e-3, 1.2, _DM),
            ("babar-4mu", "lmu-ltau", 0.22, 7.6, {})]


@pytest.mark.parametrize("name, model, lo, hi, overrides", _SHIPPED)
def test_shipped_bounds_unchanged_by_the_scan(monkeypatch, name, model, lo, hi, overrides):
    import importlib

    masses = np.geomspace(lo, hi, 7)
    bound, spec = computed.get_bound(name), get_model_spec(model)
    new = bound.evaluate(spec, masses, overrides)
    for module in computed.BOUND_MODULES:
        monkeypatch.setattr(importlib.import_module(module), "excluded_interval", _reference_interval, raising=False)
    old = bound.evaluate(spec, masses, overrides)
    for a, b in ((new.low, old.low), (new.high, old.high)):
        assert np.array_equal(np.isnan(a), np.isnan(b))
        ok = ~np.isnan(b)
        assert np.allclose(a[ok], b[ok], rtol=1e-6, atol=0.0)  # the two refinements' rtol (1e-6): measured <= 5.5e-7
    assert not np.all(np.isnan(old.low)) or name == "z-gamma-invisible"  # something excluded (z-gamma: beyond 4 pi)
