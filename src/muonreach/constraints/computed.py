"""Computed bounds: constraints that muonreach evaluates for the model at hand (trident, Delta N_eff,
mono-photon, SN1987A, meson decays ...), as opposed to the data curves of :mod:`.curve`.

A bound is registered once, by name, with the model families it applies to and a function that returns, for
an array of mediator masses, the excluded coupling interval at each mass::

    register_bound(ComputedBound(
        name="trident-ccfr", description="...", source="arXiv:1406.2332 ...", cl=0.95,
        applies_to=lambda spec: spec.name == "lmu-ltau",          # a predicate on the ModelSpec
        compute=my_function))                                      # (spec, masses, overrides) -> BoundRows

``BoundRows.low[i]`` is the coupling above which mass i is excluded and ``high[i]`` the coupling above which it is
allowed again (NaN: no such edge, i.e. excluded up to the perturbative limit; ``low`` NaN: nothing excluded at
that mass). The plot layer ``type = "bound"`` (``options = { name = "trident-ccfr" }``) draws any registered
bound, so a new constraint touches its own module and one registration only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameter, UnknownName
from ..models.registry import ModelSpec


@dataclass(frozen=True)
class BoundRows:
    """Excluded coupling intervals [low, high] per mass (NaN conventions in the module docstring)."""

    mass: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.mass.shape == self.low.shape == self.high.shape):
            raise ValueError("BoundRows arrays must have one entry per mass")


@dataclass(frozen=True)
class ComputedBound:
    """A named constraint computed by muonreach (module docstring)."""

    name: str
    description: str
    source: str
    cl: float
    applies_to: Callable[[ModelSpec], bool]
    compute: Callable[[ModelSpec, NDArray[np.float64], Mapping[str, object]], BoundRows]
    approximate: str = ""  # caveats shown with the layer (empty: none)
    options: Mapping[str, object] = field(default_factory=dict)  # documentation of bound-specific options

    def evaluate(self, spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object] | None = None) -> BoundRows:
        """The excluded intervals of ``spec`` at ``masses`` (GeV); InvalidParameter if the bound does not apply."""
        if not self.applies_to(spec):
            raise InvalidParameter(f"bound {self.name!r} does not apply to model {spec.name!r}")
        return self.compute(spec, np.asarray(masses, dtype=float), dict(overrides or {}))


_BOUNDS: dict[str, ComputedBound] = {}
#: Modules that register the shipped bounds (imported on first lookup).
BOUND_MODULES: tuple[str, ...] = ("muonreach.constraints.emu", "muonreach.constraints.trident",
                                 "muonreach.constraints.neff")


def register_bound(bound: ComputedBound) -> ComputedBound:
    """Add a bound to the registry (names are unique)."""
    if bound.name in _BOUNDS:
        raise ValueError(f"bound {bound.name!r} registered twice")
    _BOUNDS[bound.name] = bound
    return bound


def _load_shipped() -> None:
    for module in BOUND_MODULES:
        importlib.import_module(module)


def get_bound(name: str) -> ComputedBound:
    """A registered bound by name."""
    _load_shipped()
    if name not in _BOUNDS:
        raise UnknownName(f"unknown computed bound {name!r}; known: {', '.join(sorted(_BOUNDS)) or 'none'}")
    return _BOUNDS[name]


def all_bounds() -> dict[str, ComputedBound]:
    """Every registered bound by name."""
    _load_shipped()
    return dict(sorted(_BOUNDS.items()))


def bounds_for(spec: ModelSpec) -> list[ComputedBound]:
    """The bounds that apply to a model."""
    return [b for b in all_bounds().values() if b.applies_to(spec)]
