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
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceError, InvalidParameter, KinematicallyForbidden, UnknownName
from ..models.base import Mediator
from ..models.registry import ModelSpec
from ..specfields import Fields, parse_toml_text, require_schema
from ..validation import PERTURBATIVE_LIMIT


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
    #: True: each mass is computed on its own, so a figure may split the masses over processes (plot/pool.py);
    #: False: the masses share an expensive set-up (e.g. one event sample), kept in one process.
    per_mass: bool = True

    def evaluate(self, spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object] | None = None) -> BoundRows:
        """The excluded intervals of ``spec`` at ``masses`` (GeV); InvalidParameter if the bound does not apply."""
        if not self.applies_to(spec):
            raise InvalidParameter(f"bound {self.name!r} does not apply to model {spec.name!r}")
        return self.compute(spec, np.asarray(masses, dtype=float), dict(overrides or {}))


def input_fields(file_name: str) -> Fields:
    """The top-level fields of ``constraints/inputs/<file_name>`` (schema checked and consumed)."""
    from importlib import resources

    origin = f"muonreach constraints/inputs/{file_name}"
    doc = parse_toml_text(resources.files(__package__).joinpath("inputs", file_name).read_bytes(), origin)
    require_schema(doc, origin)
    top = Fields(doc, origin)
    top.raw("schema")
    return top


_BOUNDS: dict[str, ComputedBound] = {}
#: Modules that register the shipped bounds (imported on first lookup).
BOUND_MODULES: tuple[str, ...] = ("muonreach.constraints.emu", "muonreach.constraints.lepton_decays",
                                  "muonreach.constraints.monophoton", "muonreach.constraints.zdecays",
                                  "muonreach.constraints.babar4mu", "muonreach.constraints.supernova",
                                  "muonreach.constraints.trident", "muonreach.constraints.neff")


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


def excluded_interval(excess: Callable[[float], float], g_min: float = 1e-9, g_max: float = PERTURBATIVE_LIMIT,
                      points: int = 49, rtol: float = 1e-6) -> tuple[float, float]:
    """(low, high) edges of the first coupling interval where ``excess(g) > 0`` (signal above the limit).

    ``excess`` is e.g. log(signal(g) / limit). It is sampled on ``points`` log-spaced couplings in [g_min, g_max]
    and each sign change refined by bisection in log g to relative precision ``rtol``. ``low`` is NaN when nothing
    on the grid is excluded, ``high`` NaN when the exclusion reaches g_max (the BoundRows conventions). A region
    narrower than the grid step (a factor (g_max/g_min)^(1/(points-1)) = 1.6 by default) can be missed: bounds whose
    signal is monotonic in g (rate ~ g^2 times a branching ratio) have a single edge. If ``excess`` raises
    InvalidParameter (the model leaves its perturbative range, e.g. g_tau > 4 pi in the lepton-specific model),
    the grid ends at the last valid coupling.
    """
    grid = np.geomspace(g_min, g_max, points)
    computed: list[float] = []
    for g in grid:
        try:
            computed.append(excess(float(g)))
        except InvalidParameter:
            break
    grid = grid[: len(computed)]
    values = np.array(computed)
    if np.any(np.isnan(values)):
        raise ConvergenceError("a computed bound's signal is NaN on the coupling grid")
    above = values > 0.0
    if not above.any():
        return math.nan, math.nan
    i = int(np.argmax(above))

    def refine(a: float, b: float) -> float:  # excess(a) and excess(b) have opposite signs
        fa = excess(a) > 0.0
        while b / a > 1.0 + rtol:
            mid = math.sqrt(a * b)
            if (excess(mid) > 0.0) == fa:
                a = mid
            else:
                b = mid
        return math.sqrt(a * b)

    low = float(grid[0]) if i == 0 else refine(float(grid[i - 1]), float(grid[i]))  # i = 0: down to g_min
    rest = np.nonzero(~above[i:])[0]
    if rest.size == 0:
        return low, math.nan
    j = i + int(rest[0])
    return low, refine(float(grid[j - 1]), float(grid[j]))


def yukawa(model: Mediator, lepton: str) -> float:
    """The Yukawa g_l of ``model`` to lepton l (0 if it has none or its production kind is not a scalar)."""
    try:
        kind, g = model.production_coupling(lepton)
    except InvalidParameter:
        return 0.0
    return g if kind == "scalar" else 0.0


def invisible_fraction(model: Mediator) -> float:
    """BR(S -> invisible) of ``model``; 1 for a stable mediator (it escapes)."""
    try:
        return model.invisible_branching_ratio()
    except KinematicallyForbidden:
        return 1.0  # stable: escapes


def dimuon_fraction(model: Mediator) -> float:
    """BR(X -> mu+ mu-) of ``model`` (channel ``"mu_mu"``); 0 if it is closed or the mediator cannot decay."""
    try:
        return model.branching_ratios().get("mu_mu", 0.0)
    except KinematicallyForbidden:
        return 0.0
