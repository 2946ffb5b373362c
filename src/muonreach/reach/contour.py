"""Reach contours: for each mass, the coupling edges where an experiment sees at least N_CL signal events."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import KinematicallyForbidden
from ..experiments.calculator import calculator
from ..experiments.production import production_channel
from ..experiments.spec import Experiment
from ..models.registry import ModelSpec
from ..validation import positive
from .edges import LOG_G_MIN, find_edges
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


def reach(exp: Experiment, spec: ModelSpec, masses: np.ndarray, overrides: dict | None = None) -> list[ReachRow]:
    """Edges of the N >= N_CL region at each mass (None where there is no sensitivity / no upper edge)."""
    masses = np.asarray(masses, dtype=float)
    for m in masses:
        positive("mass", m)
    production_channel(exp.channel).check_mass(exp, float(masses.max()))  # the heaviest mass must be reachable
    n_cl = events_threshold(exp)
    rows = []
    for m in masses:
        try:
            calc = calculator(exp, spec, float(m), overrides)
        except KinematicallyForbidden:
            rows.append(ReachRow(float(m), None, None))
            continue
        if calc.sample.total_weight <= 0.0:
            rows.append(ReachRow(float(m), None, None))
            continue
        log_g_max = math.log10(calc.g_max)
        floor = calc.reach_floor(n_cl)  # N(g) <= g_prod(g)^2 sum(w): no coupling below it reaches N_CL
        log_g_min = LOG_G_MIN if floor is None else math.log10(floor) - 0.05
        edges = find_edges(calc.events, n_cl, log_g_min=min(max(log_g_min, LOG_G_MIN), log_g_max - 0.2), log_g_max=log_g_max)
        rows.append(ReachRow(float(m), edges.low, edges.high))
    return rows
