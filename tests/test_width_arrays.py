"""Partial widths of many models at once (Mediator.unchecked / partial_width_arrays, ModelSpec.build_many) against
the models built one at a time, and CouplingDependence.many against the per-mass constructor (issue 16 goal 1).

Tolerances: the array form runs the same formulas on arrays, so the widths agree to rounding: rel 1e-12 (observed
<= 1e-15; the L_mu - L_tau mixing channels differ by an ulp where numpy's complex abs replaces Python's).
The fitted coefficients of CouplingDependence.many sum the fit in extended precision instead of math.fsum: the
same correctly rounded sums but for a cancellation beyond 11 extra bits, so rel 1e-12 of the largest coefficient."""

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from muonreach.errors import DataRangeError, InvalidParameter
from muonreach.experiments.couplings import CouplingDependence
from muonreach.models import scalar
from muonreach.models.base import Mediator
from muonreach.models.registry import ModelSpec, model_specs
from muonreach.models.rratio import r_ratio

WIDTH_RTOL = 1e-12  # module docstring

#: every shipped model (hence every mediator class) with the overrides that open its optional channels
CASES = [
    ("scalar-muon", {}), ("scalar-muon", {"g_chi": 1.0}), ("scalar-lepton", {"g_chi": 0.5, "m_chi": 0.02}),
    ("scalar", {"g_e": 1e-4, "g_tau": 2e-3}),
    ("dark-photon", {}), ("dark-photon", {"alpha_D": 0.5}), ("inelastic-dm", {"delta": 0.3}),
    ("vector-muon", {}), ("vector-muon", {"eps": 1e-3, "g_chi": 0.3}),
    ("lmu-ltau", {}), ("lmu-ltau", {"loop_mixing": False, "g_chi": 0.2}),
    ("emu-scalar", {}), ("emu-scalar", {"dm": "scalar", "g_dm": 0.1}),
    ("emu-scalar", {"dm": "fermion", "g_dm": 0.5, "m2": 0.2}),
]
MASSES = np.geomspace(1e-3, 30.0, 41)  # below and across every threshold (e, mu, tau, pi pi, DM pairs)
COUPLINGS = np.array([1e-6, 1e-3, 0.3])


def test_every_shipped_model_has_an_array_form():
    for name, spec in model_specs().items():
        model = spec.build_many(MASSES, np.full(MASSES.shape, 1e-3))
        assert model is not None and type(model).array_safe, name
    classes = {type(spec.build(0.5, 1e-3)) for spec in model_specs().values()}
    assert len(classes) == 6  # LeptophilicScalar, DarkPhoton, InelasticDM, MuonVector, LmuLtau, EmuScalar


@pytest.mark.parametrize("name, overrides", CASES)
def test_array_widths_equal_the_per_mass_widths(name, overrides):
    spec = model_specs()[name]
    arrays = spec.build_many(MASSES[None, :], COUPLINGS[:, None], overrides)
    assert arrays is not None
    widths = arrays.partial_width_arrays()
    for i, g in enumerate(COUPLINGS):
        for j, m in enumerate(MASSES):
            model = spec.build(float(m), float(g), overrides)
            one = model.partial_widths()
            assert set(one) == set(widths), (name, m)
            for channel, value in one.items():
                assert isinstance(value, float)
                assert widths[channel][i, j] == pytest.approx(value, rel=WIDTH_RTOL, abs=0.0), (name, m, g, channel)
            if type(model).production_coupling is not Mediator.production_coupling:  # radiated off muons
                g_prod = np.broadcast_to(arrays.production_coupling("mu")[1], widths[channel].shape)[i, j]
                assert g_prod == pytest.approx(model.production_coupling("mu")[1], rel=WIDTH_RTOL, abs=0.0)
    assert arrays.invisible_channels() == spec.build(0.5, 1e-3, overrides).invisible_channels()


def test_unchecked_refuses_a_class_without_array_widths():
    class Plain(Mediator):
        def partial_widths(self):
            return {}

        def delta_a(self, lepton="mu"):
            return 0.0

    with pytest.raises(TypeError, match="arrays"):
        Plain.unchecked(mass=np.ones(3))
    spec = ModelSpec("plain", "no array form", "g", lambda m, g, v: Plain(m))
    assert spec.build_many(np.ones(3), np.ones(3)) is None


def test_model_spec_needs_one_way_to_build():
    with pytest.raises(ValueError, match="builder or fields"):
        ModelSpec("none", "neither", "g")


def test_photon_width_memo_is_the_formula():
    # the memo keyed by tau = 4 m_l^2/m^2 returns the array formula's value, for one mass and many couplings
    scalar._f_half_memo.cache_clear()
    masses = np.array([0.05, 0.3, 2.0])
    for g in (1e-4, 1e-2, 1.0):
        arrays = scalar.scalar_to_photons_width(masses, {"e": 0.1 * g, "mu": g})
        for j, m in enumerate(masses):
            assert scalar.scalar_to_photons_width(float(m), {"e": 0.1 * g, "mu": g}) == \
                pytest.approx(arrays[j], rel=WIDTH_RTOL, abs=0.0)
    info = scalar._f_half_memo.cache_info()
    assert info.misses == 6 and info.hits == 12  # 3 masses x 2 leptons, computed once


def test_r_ratio_on_arrays_checks_every_element():
    assert r_ratio(np.array([0.1, 0.8]))[1] == pytest.approx(r_ratio(0.8), rel=1e-15)
    with pytest.raises(DataRangeError):
        r_ratio(np.array([1.0, 50.0]))
    with pytest.raises(InvalidParameter):
        r_ratio(np.array([1.0, -1.0]))


@pytest.mark.parametrize("name, overrides", [("scalar-muon", {"g_chi": 1.0}), ("scalar-lepton", {}),
                                             ("dark-photon", {"alpha_D": 0.5}), ("vector-muon", {"eps": 1e-3}),
                                             ("lmu-ltau", {})])
def test_many_dependences_equal_the_per_mass_ones(name, overrides):
    spec = model_specs()[name]
    production = lambda model: model.production_coupling("mu")[1]
    masses = list(np.geomspace(2e-3, 5.0, 17))
    many = CouplingDependence.many(spec, masses, overrides, production)
    for m, dep in zip(masses, many, strict=True):
        one = CouplingDependence(spec, m, overrides, production)
        assert dep.mass == one.mass and dep.g_max == one.g_max and dep.exact_reason == one.exact_reason
        assert dep.invisible == one.invisible and dep.reference == one.reference
        a, b = dep.polynomials(), one.polynomials()
        assert (a is None) == (b is None)
        for ca, cb in zip(a or (), b or (), strict=True):
            scale = max(abs(v) for v in cb)
            assert np.allclose(ca, cb, rtol=0.0, atol=WIDTH_RTOL * scale), (name, m)
        g = np.geomspace(1e-6, dep.g_max, 9)
        for x, y in zip(dep.widths(g), one.widths(g), strict=True):
            assert np.allclose(x, y, rtol=WIDTH_RTOL, atol=0.0)


@dataclass(frozen=True)
class _Quartic(Mediator):
    """A toy with a g^4 width term 1e-3 of the g^2 one (test_experiments' quartic toy, with an array form)."""

    g: float = 0.0
    array_safe: ClassVar[bool] = True

    def partial_widths(self) -> dict[str, float]:
        return {"mu_mu": self.g**2 * self.mass * (1.0 + 1e-3 * self.g**2) / (8.0 * math.pi)}

    def delta_a(self, lepton: str = "mu") -> float:
        return 0.0

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        return "scalar", self.g


def test_many_sends_a_failing_fit_to_the_exact_path():
    # the probes at g ~ 1e-3 cannot see the g^4 term; the large-coupling check (g_max/10) must, in the array form too
    spec = ModelSpec("quartic-array-toy", "toy with a g^4 width", "g", fields=lambda m, g, v: (_Quartic, {"g": g}))
    production = lambda model: model.production_coupling("mu")[1]
    (dep,) = CouplingDependence.many(spec, [0.3], None, production)
    one = CouplingDependence(spec, 0.3, None, production)
    assert dep.exact_path and dep.exact_reason == one.exact_reason and "quadratic" in dep.exact_reason
    g = np.array([1.0, 4.0])
    assert np.array_equal(dep.widths(g)[1], one.widths(g)[1])
    # without the g^4 term the same toy is on the fast path
    quadratic = ModelSpec("quadratic-array-toy", "toy", "g", fields=lambda m, g, v: (_Quadratic, {"g": g}))
    (fast,) = CouplingDependence.many(quadratic, [0.3], None, production)
    assert not fast.exact_path
    for ca, cb in zip(fast.polynomials() or (), CouplingDependence(quadratic, 0.3, None, production).polynomials() or (),
                      strict=True):
        assert np.allclose(ca, cb, rtol=0.0, atol=WIDTH_RTOL * max(abs(v) for v in cb))


@dataclass(frozen=True)
class _Quadratic(_Quartic):
    def partial_widths(self) -> dict[str, float]:
        return {"mu_mu": self.g**2 * self.mass / (8.0 * math.pi)}


@pytest.mark.parametrize("name, overrides", [("scalar-muon", {"g_chi": 1.0}), ("lmu-ltau", {})])
def test_exact_many_equals_the_exact_path_pair_by_pair(name, overrides):
    # the exact path of the batch (model rebuilt at each coupling) on the array form: the same sums as widths()
    spec = model_specs()[name]
    production = lambda model: model.production_coupling("mu")[1]
    deps = [CouplingDependence(spec, m, overrides, production) for m in (0.003, 0.05, 0.3, 2.0)]
    pairs = [deps[k] for k in (0, 1, 2, 3, 1, 2)]
    g = np.array([1e-5, 1e-3, 0.1, 2.0, 4.0, 1e-7])
    prod, inv, vis = CouplingDependence.exact_many(pairs, g)
    for k, (d, x) in enumerate(zip(pairs, g, strict=True)):
        model = d.model(float(x))
        widths = model.partial_widths()
        assert prod[k] == pytest.approx(production(model), rel=WIDTH_RTOL, abs=0.0)
        assert inv[k] == pytest.approx(sum(w for c, w in widths.items() if c in d.invisible), rel=WIDTH_RTOL, abs=0.0)
        assert vis[k] == pytest.approx(sum(w for c, w in widths.items() if c not in d.invisible), rel=WIDTH_RTOL,
                                   abs=0.0)
    with pytest.raises(InvalidParameter, match="beyond the validity"):
        CouplingDependence.exact_many(pairs[:1], np.array([20.0]))
