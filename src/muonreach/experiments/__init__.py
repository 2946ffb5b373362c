"""Experiments: data files (beam, target, geometry, selection, signature) and the yield code for each signature."""

from .calculator import EventCalculator, calculator
from .efficiency import Efficiency
from .production import ProductionChannel, production_channel, register_channel
from .sample import BosonSample
from .signatures import Signature, register_signature, signature_class
from .spec import Experiment, list_experiments, load_experiment

__all__ = [
    "BosonSample",
    "Efficiency",
    "EventCalculator",
    "Experiment",
    "ProductionChannel",
    "Signature",
    "calculator",
    "list_experiments",
    "load_experiment",
    "production_channel",
    "register_channel",
    "register_signature",
    "signature_class",
]
