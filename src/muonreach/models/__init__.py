"""Mediator models: one module per family; `registry` names them for the command line."""

from .base import Mediator
from .registry import ModelSpec, Param, build_model, get_model_spec, model_specs, register

__all__ = ["Mediator", "ModelSpec", "Param", "build_model", "get_model_spec", "model_specs", "register"]
