"""Adding a model family and a signature touches only the new code and its registration (issue 9 acceptance):
a toy axion-like particle coupled to muons and a toy signature are defined here, registered, and used by the
unchanged engines (events, reach, (g-2) bands, figures axis labels)."""

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from muonreach import constants as c
from muonreach.experiments import signatures
from muonreach.experiments.calculator import calculator
from muonreach.experiments.spec import load_experiment, parse_experiment
from muonreach.gm2 import loops
from muonreach.gm2.bands import model_band
from muonreach.gm2.datasets import get_dataset
from muonreach.models import registry
from muonreach.models.base import Mediator
from muonreach.models.registry import ModelSpec, Param
from muonreach.reach.contour import reach
from muonreach.specfields import parse_toml_text


@dataclass(frozen=True)
class ToyALP(Mediator):
    """A pseudoscalar a with L = -g_a a mubar i g5 mu and a fixed invisible width to a dark pair."""

    g_a: float = 0.0
    gamma_dark: float = 0.0

    def partial_widths(self) -> dict[str, float]:
        beta = math.sqrt(max(1.0 - 4.0 * c.M_MU**2 / self.mass**2, 0.0))
        return {"mu_mu": self.g_a**2 * self.mass * beta / (8.0 * math.pi), "dark": self.gamma_dark}

    def delta_a(self, lepton: str = "mu") -> float:
        return loops.pseudoscalar(c.M_MU, self.mass, self.g_a) if lepton == "mu" else 0.0

    def invisible_channels(self) -> frozenset[str]:
        return frozenset({"dark"})

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        return "pseudoscalar", self.g_a if lepton == "mu" else 0.0


@pytest.fixture
def toy_model(monkeypatch):
    registry.get_model_spec("scalar-muon")  # the shipped catalogue first
    monkeypatch.setitem(registry._REGISTRY, "toy-alp", ModelSpec(
        "toy-alp", "toy ALP coupled to muons", "g_a",
        lambda m, g, v: ToyALP(m, g_a=g, gamma_dark=v["gamma_dark"]),
        {"gamma_dark": Param(1e-9, "invisible width in GeV", low=0.0)},
        mass_symbol="m_a", coupling_symbol="g_{a\\mu}"))
    return registry.get_model_spec("toy-alp")


def test_a_model_missing_a_method_cannot_be_instantiated():
    @dataclass(frozen=True)
    class NoLoop(Mediator):
        def partial_widths(self) -> dict[str, float]:
            return {}

    with pytest.raises(TypeError, match="abstract"):
        NoLoop(0.1)


def test_new_model_family_runs_through_every_engine(toy_model, run_cli_json):
    exp = load_experiment("na64mu-2018")
    calc = calculator(exp, toy_model, 0.1)
    n = float(calc.events(1e-3))
    # invisible signature with visible escape: below 2 m_mu the ALP only decays invisibly, so N = N_produced
    assert n == pytest.approx(calc.max_events(1e-3), rel=1e-9) and n > 0
    (row,) = reach(exp, toy_model, np.array([0.1]))
    assert row.coupling_low is not None and float(calc.events(row.coupling_low)) == pytest.approx(3.0, rel=1e-6)
    # a pseudoscalar gives Delta a_mu < 0: no favoured band for the positive anomaly
    assert model_band(lambda g: toy_model.build(0.1, g), get_dataset("pdg2016")) is None
    out = run_cli_json("events", "na64mu-2018", "toy-alp", "--mass", "0.1", "--coupling", "1e-3")
    assert out["events"] == pytest.approx(n, rel=1e-12)
    from muonreach.plot.render import axis_labels
    from muonreach.plot.spec import parse_spec

    fig = parse_spec({"schema": 1, "name": "t", "panels": [{"plane": "coupling", "model": "toy-alp", "x": {"min": 0.01, "max": 1.0},
                                                           "y": {"min": 1e-6, "max": 1.0}, "layers": []}]}, "t")
    assert axis_labels(fig.panels[0]) == ("$m_a$ [GeV]", "$g_{a\\mu}$")


class DecayInTarget(signatures.Signature):
    """Toy signature: a visible decay inside the target itself, P = BR_vis (1 - exp(-z_rem/L))."""

    name = "decay_in_target"
    description = "toy: visible decay before the end of the target"
    params: ClassVar[dict[str, Param]] = {"scale": Param(1.0, "a toy multiplier of the probability", low=0.0, high=1.0)}

    def probability(self, sample, geometry, decays):
        _, br_vis, _ = decays.branching()
        remaining = geometry.target_length - sample.depth[None, :]
        inside = -np.expm1(-remaining * decays.inverse_decay_length(sample.momentum[None, :]))
        return self.values["scale"] * br_vis * inside


def test_new_signature_is_a_class_and_a_registration(monkeypatch):
    monkeypatch.setitem(signatures.SIGNATURES, DecayInTarget.name, DecayInTarget)
    text = (load_experiment_text("na64mu-2017").replace('kind = "decay_beyond"', 'kind = "decay_in_target"\nscale = 0.5'))
    exp = parse_experiment(parse_toml_text(text, "toy.toml"), "toy.toml")
    assert exp.signature.values == {"scale": 0.5}
    spec = registry.get_model_spec("scalar-muon")
    # a short-lived scalar (large coupling) decays inside the 20 cm of lead: P -> scale * BR_vis = 0.5
    calc = calculator(exp, spec, 0.3)
    g = 1e-2
    assert float(calc.events(g)) == pytest.approx(0.5 * calc.max_events(g), rel=1e-3)
    assert exp.with_overrides({"scale": "0.25"}).signature.values["scale"] == 0.25


def load_experiment_text(name: str) -> str:
    from importlib import resources

    return resources.files("muonreach.experiments").joinpath("data", f"{name}.toml").read_text()
