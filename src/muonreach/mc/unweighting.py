"""Unweighted sampling of a non-negative density on the unit cube by accept-reject under a grid envelope.

The cube is cut into ``cells`` (a regular grid); the envelope in each cell is ``SAFETY`` times the largest
density seen at ``presample`` random points of that cell. A trial picks a cell with probability proportional
to its envelope volume, a uniform point inside it, and keeps it with probability f/envelope. The kept points
are distributed exactly as f wherever f <= envelope. A trial with f above its cell's envelope would bias the
sample, so the envelope of that cell is raised and generation restarts from the beginning with the same
random stream (deterministic; at most ``MAX_RESTARTS`` times, and only while the expected acceptance stays
above ``MIN_EFFICIENCY``; otherwise ConvergenceError). The presample also
estimates the integral of f (plain Monte Carlo, with its standard error).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceError, KinematicallyForbidden

#: Envelope over the largest presampled density of a cell.
SAFETY: float = 1.5
#: Envelope raises (each followed by a restart) before giving up.
MAX_RESTARTS: int = 8
#: Lowest expected acceptance (integral over envelope volume): below it a spike dominates the envelope and
#: generation would take unbounded time, so it stops with ConvergenceError.
MIN_EFFICIENCY: float = 1e-4
#: Largest batch of trial points (bounded memory).
MAX_BATCH: int = 2_000_000

Density = Callable[[NDArray[np.float64]], NDArray[np.float64]]


@dataclass
class GridSampler:
    """Accept-reject sampler of ``density`` (points (n, d) in [0, 1)^d -> values (n,)) (module docstring)."""

    density: Density
    cells: tuple[int, ...]
    presample: int = 32

    def __post_init__(self) -> None:
        self.dim = len(self.cells)
        self.n_cells = math.prod(self.cells)
        self._shape = np.array(self.cells)
        self.envelope = np.zeros(self.n_cells)
        self.integral = math.nan
        self.integral_error = math.nan
        self.trials = 0
        self.accepted = 0
        self.restarts = 0

    def _points(self, cell: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.float64]:
        corner = np.stack(np.unravel_index(cell, self.cells), axis=-1)
        return (corner + rng.random((cell.size, self.dim))) / self._shape

    def build(self, rng: np.random.Generator) -> None:
        """Presample every cell: the envelope and the integral estimate. KinematicallyForbidden if f = 0."""
        cell = np.repeat(np.arange(self.n_cells), self.presample)
        values = self.density(self._points(cell, rng))
        if not np.all(np.isfinite(values)) or np.any(values < 0.0):
            raise ConvergenceError("the event density is negative or not finite at a presampled point")
        self.integral = float(values.mean())
        self.integral_error = float(values.std(ddof=1) / math.sqrt(values.size))
        self.envelope = SAFETY * values.reshape(self.n_cells, self.presample).max(axis=1)
        if self.integral <= 0.0:
            raise KinematicallyForbidden("the event density vanishes everywhere: no events can be generated")

    @property
    def efficiency(self) -> float:
        """Accepted over tried points so far."""
        return self.accepted / self.trials if self.trials else math.nan

    def accept(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """Exactly ``n`` accepted points from ``rng``; raises :class:`EnvelopeViolation` on f > envelope."""
        out: list[NDArray[np.float64]] = []
        have = 0
        volume = self.envelope.sum()
        probability = self.envelope / volume
        cumulative = np.cumsum(probability)
        while have < n:
            want = min(max(int(1.2 * (n - have) / self._expected_efficiency(volume)), 1024), MAX_BATCH)
            cell = np.minimum(np.searchsorted(cumulative, rng.random(want), side="right"), self.n_cells - 1)
            points = self._points(cell, rng)
            values = self.density(points)
            bound = self.envelope[cell]
            over = values > bound
            if np.any(over):
                raise EnvelopeViolation(cell[over], values[over])
            keep = rng.random(want) * bound < values
            self.trials += want
            self.accepted += int(keep.sum())
            out.append(points[keep])
            have += int(keep.sum())
        return np.concatenate(out)[:n]

    def _expected_efficiency(self, volume: float) -> float:
        return self.integral * self.n_cells / volume

    def raise_envelope(self, violation: EnvelopeViolation) -> None:
        """Lift the envelope of the violated cells above what was seen there; count the restart."""
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise ConvergenceError(
                f"event generation: the density exceeded its envelope {MAX_RESTARTS} times (a peak narrower than "
                f"the {'x'.join(map(str, self.cells))} grid); increase the presample"
            )
        np.maximum.at(self.envelope, violation.cells, SAFETY * violation.values)
        efficiency = self._expected_efficiency(self.envelope.sum())
        if efficiency < MIN_EFFICIENCY:
            raise ConvergenceError(
                f"event generation: a spike of the density makes the unweighting efficiency {efficiency:.1e} "
                f"(< {MIN_EFFICIENCY:g}); the presampled integral misses it, so the cross section is unreliable"
            )


class EnvelopeViolation(Exception):
    """A trial point above its cell's envelope (internal: triggers a restart)."""

    def __init__(self, cells: NDArray[np.int64], values: NDArray[np.float64]) -> None:
        super().__init__("density above envelope")
        self.cells = cells
        self.values = values
