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
from scipy.optimize import brentq

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


#: A bound on |d excess / d ln g| for the rate-type bounds (excess = ln(rate / limit)): the rate is a Yukawa
#: squared (log-slope 2) times a branching ratio, whose log-slope lies in [-2, 2] when every partial width is a
#: g-independent term plus one growing as g^2, so |slope| <= 4; twice that as the margin for interferences (an
#: observed secant steeper than this makes the scan fall back to every grid point, :func:`excluded_interval`).
RATE_SLOPE: float = 8.0


def excluded_interval(excess: Callable[[float], float], g_min: float = 1e-9, g_max: float = PERTURBATIVE_LIMIT,
                      points: int = 49, rtol: float = 1e-6, max_slope: float | None = None) -> tuple[float, float]:
    """(low, high) edges of the first coupling interval where ``excess(g) > 0`` (signal above the limit).

    ``excess`` is e.g. log(signal(g) / limit). It is sampled on ``points`` log-spaced couplings in [g_min, g_max]
    and each sign change refined by Brent's method in ln g to relative precision ``rtol`` (a bracketing method:
    it converges for any sign change; a few evaluations for the smooth log-rates). ``low`` is NaN when nothing
    on the grid is excluded, ``high`` NaN when the exclusion reaches g_max (the BoundRows conventions). A region
    narrower than the grid step (a factor (g_max/g_min)^(1/(points-1)) = 1.6 by default) can be missed: bounds whose
    signal is monotonic in g (rate ~ g^2 times a branching ratio) have a single edge. If ``excess`` raises
    InvalidParameter (the model leaves its perturbative range, e.g. g_tau > 4 pi in the lepton-specific model),
    the grid ends at the last valid coupling (every larger coupling is taken to be invalid too).

    ``max_slope``: a bound on |d excess / d ln g| that the caller knows from the structure of its signal (e.g.
    :data:`RATE_SLOPE`). The grid points closer to an evaluated one than |excess| / max_slope (in ln g) cannot
    change sign and are skipped, so the same grid points are found with ~4x fewer evaluations. The bound is
    checked on the evaluated points: a secant steeper than ``max_slope`` redoes the scan on every grid point.
    """
    grid = np.geomspace(g_min, g_max, points)
    scan = _Scan(excess, grid)
    if max_slope is not None:
        edges = scan.edges(max_slope)
        for e in edges:  # the points below the edges (the brackets of the refinement) go into the slope check too
            if e:
                scan.value(e - 1)
        if scan.slopes_within(max_slope):
            return scan.refined(edges, rtol)
        scan = _Scan(excess, grid)
    return scan.refined(scan.edges(None), rtol)


class _Scan:
    """``excess`` on a grid of couplings ``g`` (``grid``: ln g), evaluated on demand (:func:`excluded_interval`)."""

    def __init__(self, excess: Callable[[float], float], g: NDArray[np.float64]) -> None:
        self.excess, self.g, self.grid = excess, g, np.log(g)
        self.values: dict[int, float] = {}
        self.end = g.size  # grid points from the first invalid coupling on are dropped

    def value(self, k: int) -> float | None:
        """excess at grid point k, None if the coupling is invalid (the grid then ends at k)."""
        if k >= self.end:
            return None
        if k not in self.values:
            try:
                v = self.excess(float(self.g[k]))
            except InvalidParameter:
                self.end = k
                return None
            if math.isnan(v):
                raise ConvergenceError("a computed bound's signal is NaN on the coupling grid")
            self.values[k] = v
        return self.values[k]

    def first(self, start: int, positive: bool, max_slope: float | None) -> int | None:
        """The first valid grid index >= start where (excess > 0) == positive (None: none). With ``max_slope``, the
        points it proves to keep the sign of the last evaluated one are skipped; the last valid point is always
        evaluated, so every skip lies between evaluated points (:meth:`slopes_within` checks them)."""
        k, last = start, None
        while True:
            v = self.value(k)
            if v is not None:
                if (v > 0.0) == positive:
                    return k
                last = k
            elif last is None:
                return None
            else:
                self._find_end(last)
            if last >= self.end - 1:
                return None  # the rest of the valid grid keeps the sign (evaluated, or proven by max_slope)
            step = last + 1
            known = self.values[last]
            if max_slope is not None and math.isfinite(known):
                step = max(step, int(np.searchsorted(self.grid, self.grid[last] + abs(known) / max_slope, side="left")))
            k = min(step, self.end - 1)

    def _find_end(self, valid: int) -> None:
        """Bisect for the first invalid grid point above the valid point ``valid`` (self.end: an invalid one)."""
        while self.end - valid > 1:
            mid = (valid + self.end) // 2
            if self.value(mid) is not None:  # an invalid one lowers self.end
                valid = mid

    def edges(self, max_slope: float | None) -> tuple[int | None, int | None]:
        """Grid indices (i, j): the first excluded point and the first allowed one after it (None: none)."""
        i = self.first(0, True, max_slope)
        return (None, None) if i is None else (i, self.first(i, False, max_slope))

    def slopes_within(self, max_slope: float) -> bool:
        """True if no secant between consecutive evaluated (finite) points is steeper than ``max_slope``."""
        ks = [k for k in sorted(self.values) if math.isfinite(self.values[k])]
        return all(abs(self.values[b] - self.values[a]) <= max_slope * (self.grid[b] - self.grid[a]) * (1.0 + 1e-9)
                   for a, b in zip(ks[:-1], ks[1:], strict=True))

    def refined(self, edges: tuple[int | None, int | None], rtol: float) -> tuple[float, float]:
        i, j = edges
        if i is None:
            return math.nan, math.nan
        low = float(self.g[0]) if i == 0 else self.root(i - 1, i, rtol)  # i = 0: down to g_min
        return low, (math.nan if j is None else self.root(j - 1, j, rtol))

    def root(self, a: int, b: int, rtol: float) -> float:
        """The sign change of excess between grid points a and b, by Brent's method in ln g (xtol: rtol / 2)."""
        known = {float(self.grid[a]): self.value(a), float(self.grid[b]): self.value(b)}  # evaluated: both valid

        def f(x: float) -> float:  # -inf (no signal) floored: the sign, all a bracketing method needs, is kept
            v = known.get(x)
            if v is None:
                v = self.excess(math.exp(x))
                if math.isnan(v):
                    raise ConvergenceError("a computed bound's signal is NaN while refining an edge")
            return max(v, -_FLOOR)

        return math.exp(brentq(f, float(self.grid[a]), float(self.grid[b]), xtol=0.5 * rtol))


_FLOOR = 1e3  # |ln(rate / limit)| beyond which the value only matters by its sign


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
