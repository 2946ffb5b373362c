"""Edges of the region N(g) >= N_CL in coupling, at one mass.

N(g) grows like g^2 at small g (production) and, for displaced decays, is cut off at large g (the boson
decays before the fiducial volume), so the sensitive region is an interval [g_low, g_high] -- an "island"
in the (mass, coupling) plane. The edges are found by scanning log g on a grid (0.1 decade), refining the
maximum with a bounded optimiser so that a narrow island between grid points is not missed, then solving
N = N_CL with Brent's method on each side. ``g_high`` is None when the region extends to the perturbative
limit (e.g. an invisible signature has no upper edge); (None, None) means no sensitivity at this mass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..validation import PERTURBATIVE_LIMIT

LOG_G_MIN: float = -12.0
LOG_G_MAX: float = math.log10(PERTURBATIVE_LIMIT)
GRID_STEP: float = 0.1


@dataclass(frozen=True)
class Edges:
    low: float | None
    high: float | None

    @property
    def sensitive(self) -> bool:
        return self.low is not None


def find_edges(events: Callable[[np.ndarray], np.ndarray], n_cl: float, log_g_min: float = LOG_G_MIN,
               log_g_max: float = LOG_G_MAX) -> Edges:
    """Lower and upper coupling edges of {g : events(g) >= n_cl}; ``events`` takes an array of couplings."""
    log_g = np.arange(log_g_min, log_g_max + 1e-12, GRID_STEP)
    log_g[-1] = min(log_g[-1], log_g_max)
    n = np.asarray(events(10.0**log_g))
    f = np.log(np.maximum(n, 1e-300)) - math.log(n_cl)
    best = int(np.argmax(f))
    if f[best] < 0.0:
        lo_b, hi_b = log_g[max(best - 1, 0)], log_g[min(best + 1, len(log_g) - 1)]
        res = optimize.minimize_scalar(
            lambda lg: -math.log(max(float(events(np.array([10.0**lg]))[0]), 1e-300)),
            bounds=(lo_b, hi_b), method="bounded", options={"xatol": 1e-6},
        )
        if -res.fun < math.log(n_cl):
            return Edges(None, None)
        peak = float(res.x)
    else:
        peak = float(log_g[best])

    def g_of(lg: float) -> float:
        return math.log(max(float(events(np.array([10.0**lg]))[0]), 1e-300)) - math.log(n_cl)

    def solve(a: float, b: float) -> float:
        return 10.0 ** optimize.brentq(g_of, a, b, xtol=1e-10, rtol=1e-12)

    # lower edge: last grid point below the peak where f < 0
    below = np.nonzero((log_g < peak) & (f < 0.0))[0]
    if len(below) == 0:
        low = 10.0**log_g_min  # sensitive down to the bottom of the scan: report the scan limit
    else:
        i = below[-1]
        low = solve(log_g[i], min(log_g[i + 1], peak) if log_g[i + 1] <= peak else peak)
    above = np.nonzero((log_g > peak) & (f < 0.0))[0]
    if len(above) == 0:
        high = None
    else:
        j = above[0]
        high = solve(max(log_g[j - 1], peak), log_g[j])
    return Edges(low, high)
