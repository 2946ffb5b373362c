"""Reach contours: for each mass, the coupling edges where an experiment sees at least N_CL signal events, or, for
the binned statistics of a meson-decay search (``[statistics] statistic``, :mod:`.binned`), where the binned test
statistic reaches its threshold."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConvergenceError, InvalidParameter, KinematicallyForbidden
from ..experiments.calculator import EventCalculator, calculator, calculators, grid_calculator
from ..experiments.production import production_channel
from ..experiments.spec import Experiment
from ..models.registry import ModelSpec
from ..validation import positive
from .batch import batch_edges
from .binned import BinnedTest, binned_test, search_bins
from .edges import LOG_G_MIN, Edges, find_edges
from .stack import StackedYields
from .statistics import upper_limit

if TYPE_CHECKING:
    pass


def events_threshold(exp: Experiment) -> float:
    """N_CL of an experiment: ``events_cl`` background-free, else the CLs limit at the same CL.

    The confidence level is the one ``events_cl`` stands for background free, CL = 1 - exp(-events_cl)
    (3 events: 95.0 %, 2.3 events: 90.0 %). The background is ``[statistics] background``, or the whole window's of
    a ``background_model`` (the event count of a binned search)."""
    background = exp.background if exp.background_model is None else float(search_bins(exp).background.sum())
    if background == 0.0 and not exp.observed:
        return exp.events_cl
    cl = -math.expm1(-exp.events_cl)
    return upper_limit(cl, background, exp.observed)


def _binned_statistic(calc, test: BinnedTest) -> Callable[[np.ndarray], np.ndarray]:
    """g -> the binned test statistic (Lambda or the best cut's S/sigma_B) of the calculator's signal."""
    return lambda g: test.statistic(calc.binned_events(g, test.bins))


class ReachWarning(UserWarning):
    """A mass of a reach scan left without edges because its yield could not be computed (the message says why)."""


@dataclass(frozen=True)
class ReachRow:
    mass: float
    coupling_low: float | None
    coupling_high: float | None


#: ``method`` of :func:`reach`: "batch" (all masses at once, :mod:`.batch`), "per-mass" (find_edges per mass, the
#: reference and benchmark baseline; also used by binned statistics and event-level signatures) or "auto" (batch
#: from BATCH_MIN_MASSES masses on: below, its fixed cost of ~2 ms exceeds the saving; measured, docs/reach.md).
REACH_METHODS: tuple[str, ...] = ("auto", "batch", "per-mass")
BATCH_MIN_MASSES: int = 6


def reach(exp: Experiment, spec: ModelSpec, masses: np.ndarray, overrides: dict | None = None,
          method: str = "auto") -> list[ReachRow]:
    """Edges of the N >= N_CL region at each mass (None where there is no sensitivity / no upper edge)."""
    if method not in REACH_METHODS:
        raise InvalidParameter(f"unknown reach method {method!r}; use one of {', '.join(REACH_METHODS)}")
    masses = np.asarray(masses, dtype=float)
    if method == "auto":
        method = "batch" if masses.size >= BATCH_MIN_MASSES else "per-mass"
    for m in masses:
        positive("mass", m)
    production_channel(exp.channel).check_mass(exp, float(masses.max()))  # the heaviest mass must be reachable
    test = binned_test(exp)
    n_cl = events_threshold(exp) if test is None else test.threshold
    calcs: dict | None = None
    if method == "batch":
        with contextlib.suppress(ConvergenceError):  # a mass whose yield cannot be computed: per mass, with a warning
            calcs = calculators(exp, spec, masses, overrides)
    if not calcs:  # per-mass method, or nothing in the batch (then the per-mass loop says why: every mass forbidden)
        calcs = _per_mass_calculators(exp, spec, masses, overrides)
    grids = {i: c for i, c in calcs.items() if isinstance(c, EventCalculator)}
    if method == "batch" and test is None and len(grids) == len(calcs):
        edges = _batch(grids, n_cl)
    else:
        edges = {i: _edges(calc, n_cl, test) for i, calc in calcs.items()}
    return [ReachRow(float(m), edges[i].low, edges[i].high) if i in edges else ReachRow(float(m), None, None)
            for i, m in enumerate(masses)]


def _per_mass_calculators(exp: Experiment, spec: ModelSpec, masses: np.ndarray, overrides: dict | None) -> dict:
    """:func:`calculator` mass by mass, by index, leaving out forbidden masses and empty samples; KinematicallyForbidden
    if every mass is (e.g. A' -> chi1 chi2 closed for m1 + m2 > m_A': say so); a mass whose yield raises
    ConvergenceError is left out with a :class:`ReachWarning` (a single-mass call raises)."""
    calcs = {}
    forbidden = 0
    for i, m in enumerate(masses):
        try:
            calc = calculator(exp, spec, float(m), overrides)
        except KinematicallyForbidden as exc:
            forbidden += 1
            if forbidden == masses.size:
                raise KinematicallyForbidden(f"at every mass of the range: {exc}") from None
            continue
        except ConvergenceError as exc:  # e.g. exact production of a heavy boson at the end of its x window
            if masses.size == 1:
                raise
            warnings.warn(f"{exp.name}: no reach edges at m = {float(m):g} GeV, the yield could not be computed: "
                          f"{exc}", ReachWarning, stacklevel=3)
            continue
        if calc.sample.total_weight > 0.0:
            calcs[i] = calc
    return calcs


def _scan_range(calc, floor: float | None) -> tuple[float, float]:
    """(log10 g_min, log10 g_max) of the coupling scan: from just below the reach floor to the largest valid g."""
    log_g_max = math.log10(calc.g_max)
    log_g_min = LOG_G_MIN if floor is None else math.log10(floor) - 0.05
    return min(max(log_g_min, LOG_G_MIN), log_g_max - 0.2), log_g_max


def _edges(calc, n_cl: float, test: BinnedTest | None) -> Edges:
    """find_edges at one mass (the per-mass method)."""
    statistic: Callable[[np.ndarray], np.ndarray]
    if test is None:
        statistic = calc.events
        floor = calc.reach_floor(n_cl)  # N(g) <= g_prod(g)^2 sum(w): no coupling below it reaches N_CL
    else:
        grid = grid_calculator(calc)
        statistic = _binned_statistic(grid, test)
        # S_i(g) <= g_prod^2 W_i (P <= 1) and the statistics grow with every S_i: the P = 1 yields bound them
        floor = grid.reach_floor(test.events_needed(grid.bin_weights(test.bins)))
    log_g_min, log_g_max = _scan_range(calc, floor)
    return find_edges(statistic, n_cl, log_g_min=log_g_min, log_g_max=log_g_max)


def _batch(calcs: dict[int, EventCalculator], n_cl: float) -> dict[int, Edges]:
    """The edges of all masses by the batch search (same scan ranges as the per-mass method)."""
    if not calcs:
        return {}
    ranges = np.array([_scan_range(c, c.reach_floor(n_cl)) for c in calcs.values()])
    edges = batch_edges(StackedYields.build(list(calcs.values())), n_cl, ranges[:, 0], ranges[:, 1])
    return dict(zip(calcs, edges))
