"""Reach contours: for each mass, the coupling edges where an experiment sees at least N_CL signal events."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import KinematicallyForbidden
from ..experiments.spec import Experiment
from ..experiments.yields import G_REF, energy_range, yield_calculator
from ..models.registry import ModelSpec
from ..validation import positive
from .edges import LOG_G_MAX, find_edges
from .statistics import upper_limit


def events_threshold(exp: Experiment) -> float:
    """N_CL of an experiment: ``events_cl`` background-free, else the CLs limit at the same CL.

    The confidence level is the one ``events_cl`` stands for background free, CL = 1 - exp(-events_cl)
    (3 events: 95.0 %, 2.3 events: 90.0 %)."""
    if exp.background == 0.0 and not exp.observed:
        return exp.events_cl
    cl = -math.expm1(-exp.events_cl)
    return upper_limit(cl, exp.background, exp.observed)


@dataclass(frozen=True)
class ReachRow:
    mass: float
    coupling_low: float | None
    coupling_high: float | None


def reach(exp: Experiment, spec: ModelSpec, masses: np.ndarray, overrides: dict | None = None,
          method: str = "fast") -> list[ReachRow]:
    """Edges of the N >= N_CL region at each mass (None where there is no sensitivity / no upper edge)."""
    masses = np.asarray(masses, dtype=float)
    for m in masses:
        positive("mass", m)
    energy_range(exp, float(masses.max()))  # the heaviest mass must be reachable by the beam
    n_cl = events_threshold(exp)
    rows = []
    for m in masses:
        try:
            calc = yield_calculator(exp, spec, float(m), overrides, method)
        except KinematicallyForbidden:
            rows.append(ReachRow(float(m), None, None))
            continue
        ceiling = calc.max_events_scale()
        if ceiling <= 0.0:
            rows.append(ReachRow(float(m), None, None))
            continue
        # N(g) <= ceiling (g/G_REF)^2: no coupling below this can reach N_CL
        log_g_floor = math.log10(G_REF * math.sqrt(n_cl / ceiling)) - 0.05
        edges = find_edges(calc.events, n_cl, log_g_min=min(log_g_floor, LOG_G_MAX - 0.2))
        rows.append(ReachRow(float(m), edges.low, edges.high))
    return rows
