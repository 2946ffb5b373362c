"""Named models for the command line and the scan layer.

A :class:`ModelSpec` says which parameter ``--coupling`` sets, which parameters ``--set`` may override
(with defaults and a one-line description) and how to build the model object from them. Masses on the
command line are the mediator's; dark-matter masses are given absolutely (``m_chi``) or as a ratio to the
mediator mass (``m_chi_ratio``, default 1/3 as in 000 eq. (2.8) and 001's m_phi = 3 m_1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameter, UnknownName
from ..parameters import Param, resolve
from ..validation import finite
from .base import Mediator

__all__ = ["ModelSpec", "Param", "build_model", "dm_mass", "get_model_spec", "model_specs", "register"]


#: (mass, coupling, parameters) -> (model class, its other fields): elementwise in mass and coupling, so that the
#: same function builds one model (floats) or describes many (arrays, :meth:`ModelSpec.build_many`).
Fields = Callable[[Any, Any, dict], tuple[type[Mediator], dict[str, Any]]]


@dataclass(frozen=True)
class ModelSpec:
    """How to build a named model from (mass, coupling, parameters): a ``builder`` returning the model, or
    ``fields`` (:data:`Fields`: the class and its fields, which also gives :meth:`build_many`)."""

    name: str
    description: str
    coupling: str
    builder: Callable[[float, float, dict], Mediator] | None = None
    params: Mapping[str, Param] = field(default_factory=dict)
    source: str = ""
    mass_symbol: str = "m"  # LaTeX (without $) of the mediator mass on figure axes, e.g. "m_{A'}"
    coupling_symbol: str = ""  # LaTeX of the scanned coupling; default: the coupling name
    fields: Fields | None = None

    def __post_init__(self) -> None:
        if (self.builder is None) == (self.fields is None):
            raise ValueError(f"model {self.name!r}: give a builder or fields, not both or neither")

    @property
    def coupling_label(self) -> str:
        """LaTeX (without $) of the scanned coupling for figure axes."""
        return self.coupling_symbol or self.coupling

    def resolve(self, overrides: Mapping[str, object] | None = None) -> dict:
        """Defaults updated with ``overrides`` (each parsed and range-checked); unknown names raise UnknownName.
        An explicit mass and its ratio (:data:`ALTERNATIVES`) given together are refused: one would be ignored."""
        for explicit, ratio in ALTERNATIVES:
            if overrides and explicit in overrides and ratio in overrides and overrides[explicit] is not None:
                raise InvalidParameter(f"model {self.name!r}: give {explicit} or {ratio}, not both ({explicit} "
                                       f"overrides {ratio})")
        return resolve(self.params, overrides, f"model {self.name!r}")

    def build(self, mass: float, coupling: float, overrides: Mapping[str, object] | None = None) -> Mediator:
        """The model object at the given mediator mass (GeV) and coupling."""
        return self.builder_for(overrides)(mass, coupling)

    def builder_for(self, overrides: Mapping[str, object] | None = None) -> Callable[[float, float], Mediator]:
        """(mass, coupling) -> the model, with ``overrides`` resolved once (for building many models)."""
        values = self.resolve(overrides)

        def build(mass: float, coupling: float) -> Mediator:
            m = finite("mass", mass)
            if m <= 0.0:
                raise InvalidParameter(f"mass must be positive, got {m:g}")
            g = finite(self.coupling, coupling)
            if self.builder is not None:
                return self.builder(m, g, values)
            assert self.fields is not None  # __post_init__
            cls, fields = self.fields(m, g, values)
            return cls(mass=m, **fields)

        return build

    def build_many(self, masses: NDArray[np.float64], couplings: NDArray[np.float64],
                   overrides: Mapping[str, object] | None = None) -> Mediator | None:
        """The models at ``masses`` and ``couplings`` (arrays broadcasting together) as one unchecked instance with
        array fields (:meth:`Mediator.unchecked`), for evaluating widths and production couplings elementwise;
        None for a model given by a ``builder`` or whose class is not array_safe. Nothing is validated: the
        caller builds the same models with :meth:`build` where it needs the checks."""
        if self.fields is None:
            return None
        cls, values = self.fields(np.asarray(masses, dtype=float), np.asarray(couplings, dtype=float),
                                  self.resolve(overrides))
        return cls.unchecked(mass=np.asarray(masses, dtype=float), **values) if cls.array_safe else None


#: (explicit, ratio) parameter pairs of :func:`dm_mass`: at most one of each pair may be set.
ALTERNATIVES: tuple[tuple[str, str], ...] = (("m_chi", "m_chi_ratio"),)


def dm_mass(mass: float, values: Mapping[str, object], key: str = "m_chi", ratio_key: str = "m_chi_ratio") -> float:
    """Dark-matter mass: explicit ``key`` if given, else ``ratio_key`` times the mediator mass."""
    explicit = values.get(key)
    if explicit is not None:
        return float(explicit)  # type: ignore[arg-type]  # a float Param, parsed by ModelSpec.resolve
    ratio = float(values[ratio_key])  # type: ignore[arg-type]
    if not ratio > 0.0:
        raise InvalidParameter(f"{ratio_key} must be positive, got {ratio:g}")
    return ratio * mass


_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add a model to the registry (names are unique)."""
    if spec.name in _REGISTRY:
        raise ValueError(f"model {spec.name!r} registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def get_model_spec(name: str) -> ModelSpec:
    """Look a model up by name (``muonreach list models``)."""
    from . import catalog  # noqa: F401  (registers the shipped models)

    if name not in _REGISTRY:
        raise UnknownName(f"unknown model {name!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def model_specs() -> dict[str, ModelSpec]:
    """All registered models by name."""
    from . import catalog  # noqa: F401

    return dict(sorted(_REGISTRY.items()))


def build_model(name: str, mass: float, coupling: float, overrides: Mapping[str, object] | None = None) -> Mediator:
    """Shortcut: ``get_model_spec(name).build(mass, coupling, overrides)``."""
    return get_model_spec(name).build(mass, coupling, overrides)

