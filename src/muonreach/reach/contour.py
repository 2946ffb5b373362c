"""Reach contours: for each mass, the coupling edges where an experiment sees at least N_CL signal events, or, for
the binned statistics of a meson-decay search (``[statistics] statistic``, :mod:`.binned`), where the binned test
statistic reaches its threshold."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, KinematicallyForbidden
from ..experiments.calculator import calculator, grid_calculator
from ..experiments.production import production_channel
from ..experiments.spec import Experiment
from ..models.registry import ModelSpec
from ..validation import positive
from .binned import BinnedTest, binned_test, search_bins
from .edges import LOG_G_MIN, find_edges
from .statistics import upper_limit


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


def reach(exp: Experiment, spec: ModelSpec, masses: np.ndarray, overrides: dict | None = None) -> list[ReachRow]:
    """Edges of the N >= N_CL region at each mass (None where there is no sensitivity / no upper edge)."""
    masses = np.asarray(masses, dtype=float)
    for m in masses:
        positive("mass", m)
    production_channel(exp.channel).check_mass(exp, float(masses.max()))  # the heaviest mass must be reachable
    test = binned_test(exp)
    n_cl = events_threshold(exp) if test is None else test.threshold
    rows = []
    forbidden: list[KinematicallyForbidden] = []
    for m in masses:
        try:
            calc = calculator(exp, spec, float(m), overrides)
        except KinematicallyForbidden as exc:
            forbidden.append(exc)
            if len(forbidden) == masses.size:  # closed everywhere (e.g. A' -> chi1 chi2 for m1 + m2 > m_A'): say so
                raise KinematicallyForbidden(f"at every mass of the range: {exc}") from None
            rows.append(ReachRow(float(m), None, None))
            continue
        except ConvergenceError as exc:  # e.g. exact production of a heavy boson at the end of its x window
            if len(masses) == 1:
                raise
            warnings.warn(f"{exp.name}: no reach edges at m = {float(m):g} GeV, the yield could not be computed: "
                          f"{exc}", ReachWarning, stacklevel=2)
            rows.append(ReachRow(float(m), None, None))
            continue
        if calc.sample.total_weight <= 0.0:
            rows.append(ReachRow(float(m), None, None))
            continue
        log_g_max = math.log10(calc.g_max)
        statistic: Callable[[np.ndarray], np.ndarray]
        if test is None:
            statistic = calc.events
            floor = calc.reach_floor(n_cl)  # N(g) <= g_prod(g)^2 sum(w): no coupling below it reaches N_CL
        else:
            grid = grid_calculator(calc)
            statistic = _binned_statistic(grid, test)
            # S_i(g) <= g_prod^2 W_i (P <= 1) and the statistics grow with every S_i: the P = 1 yields bound them
            floor = grid.reach_floor(test.events_needed(grid.bin_weights(test.bins)))
        log_g_min = LOG_G_MIN if floor is None else math.log10(floor) - 0.05
        edges = find_edges(statistic, n_cl, log_g_min=min(max(log_g_min, LOG_G_MIN), log_g_max - 0.2), log_g_max=log_g_max)
        rows.append(ReachRow(float(m), edges.low, edges.high))
    return rows
