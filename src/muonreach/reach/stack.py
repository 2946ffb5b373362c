"""Signal yields N(m, g) of many masses at once, for the batch edge search of :mod:`.batch`.

The per-mass calculators of :mod:`muonreach.experiments.calculator` (boson sample, efficiency weights, coupling
dependence) are stacked as rows of padded (mass, entry) arrays, so that any batch of (mass, coupling) pairs costs one
vectorised pass: N = g_prod^2 sum_i w_i P_i with the same signature probability P_i as the per-mass
:meth:`~muonreach.experiments.calculator.EventCalculator.events`. Two short cuts, both exact to the stated bound:

* the width model: on the fast path of :mod:`muonreach.experiments.couplings` (g_prod affine, widths quadratic in
  g, each verified at a probe) the polynomials of all masses are evaluated as arrays, in the same Horner order
  as numpy's ``polyval`` (the per-mass path); exact-path masses are rebuilt per coupling as there, all pairs of a
  pass in one call of the model's array form (:meth:`CouplingDependence.exact_many`);
* the kinematics: a signature bounds P_i by the branching ratios and the ranges of momentum and depth of a mass's
  weighted entries (:meth:`~muonreach.experiments.signatures.Signature.sample_bounds`: a decay beyond the detector
  of a boson that lives long enough is certain to 1e-12 for every entry); where P_max - P_min <= BOUND_RTOL
  P_max (an invisible signature; or one whose visible escape is negligible) N is g_prod^2 W (P_min + P_max)/2 with
  W = sum_i w_i, one integral per mass, to a relative 5e-13, else the entries are summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceError
from ..experiments.calculator import EventCalculator
from ..experiments.couplings import CouplingDependence
from ..experiments.sample import BosonSample
from ..experiments.signatures import Decays, SampleRanges

#: Bounds of the signature probability closer than this (relative) fix N without summing the entries: the
#: midpoint is within 5e-13 of N, far below the edges' root tolerance (1e-10 in log10 g) and the 1e-4 goal.
BOUND_RTOL: float = 1e-12
#: Entries per vectorised pass of the entry sums.
CHUNK_ENTRIES: int = 8192


@dataclass(frozen=True)
class _EntryDecays(Decays):
    """Decays with one column per entry (widths repeated from their (mass, coupling) pair), the branching ratios
    computed once per pair and repeated: the same numbers as :meth:`Decays.branching` on the repeated widths,
    without a per-entry pass (signatures ask for them twice per probability)."""

    per_entry: tuple[NDArray, NDArray, NDArray] = (np.zeros(0), np.zeros(0), np.zeros(0))

    @classmethod
    def of_pairs(cls, mass: NDArray, inv: NDArray, vis: NDArray, width: int) -> _EntryDecays:
        """Pair k's values on entries k * width ... (k + 1) * width - 1."""
        expand = lambda a: np.repeat(a, width)[None, :]
        br = Decays(0.0, inv, vis).branching()  # per pair (the mass does not enter)
        return cls(expand(mass), expand(inv), expand(vis), (expand(br[0]), expand(br[1]), expand(br[2])))

    def branching(self) -> tuple[NDArray, NDArray, NDArray]:
        return self.per_entry


def _padded(coefficients: Sequence[tuple[float, ...]], degree: int) -> NDArray[np.float64]:
    """(n_masses, degree + 1) coefficient array, zero-padded."""
    if all(len(c) == degree + 1 for c in coefficients):
        return np.array(coefficients, dtype=float).reshape(len(coefficients), degree + 1)
    out = np.zeros((len(coefficients), degree + 1))
    for j, c in enumerate(coefficients):
        out[j, : len(c)] = c
    return out


def _horner(c: NDArray[np.float64], g: NDArray[np.float64]) -> NDArray[np.float64]:
    """sum_k c[:, k] g^k per row, in numpy polyval's order (highest power first)."""
    out = c[:, -1] + 0.0 * g
    for k in range(c.shape[1] - 2, -1, -1):
        out = c[:, k] + out * g
    return out


_FIELDS: tuple[str, ...] = ("energy", "momentum", "depth", "beam_energy")


def _ranges(calcs: Sequence[EventCalculator]) -> SampleRanges:
    """Momentum and depth ranges of each calculator's entries with non-zero weight (1 GeV and 0 cm without any:
    its yield is 0); all calculators in one pass (reductions over the concatenated entries)."""
    starts = np.cumsum([0] + [len(c.sample) for c in calcs[:-1]])
    used = np.concatenate([c.weight for c in calcs]) != 0.0
    out = []
    for name in ("momentum", "depth"):
        values = np.concatenate([getattr(c.sample, name) for c in calcs])
        low = np.minimum.reduceat(np.where(used, values, np.inf), starts)
        high = np.maximum.reduceat(np.where(used, values, -np.inf), starts)
        empty = ~np.isfinite(low)
        fill = 1.0 if name == "momentum" else 0.0
        out += [np.where(empty, fill, low), np.where(empty, fill, high)]
    return SampleRanges(*out)


@dataclass(frozen=True)
class StackedYields:
    """The samples of all masses as rows of padded (n_masses, n_entries) arrays (:attr:`rows`); padding entries have
    weight 0 (and momentum 1 GeV, depth 0: finite probabilities)."""

    calcs: tuple[EventCalculator, ...]
    masses: NDArray[np.float64]
    total: NDArray[np.float64]  # W_j = sum of the weights of mass j
    polynomial: NDArray[np.bool_]  # mass j on the polynomial fast path
    coefficients: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]  # g_prod, Gamma_inv, Gamma_vis
    ranges: SampleRanges  # momentum and depth ranges of each mass's weighted entries (the signature's sample bounds)

    @classmethod
    def build(cls, calcs: Sequence[EventCalculator]) -> StackedYields:
        """Stack calculators of one experiment (at different masses; each with a non-empty sample)."""
        calcs = tuple(calcs)
        polys = [c.couplings.polynomials() for c in calcs]
        fast = np.array([p is not None for p in polys], dtype=bool)
        zero = ((0.0,), (0.0,), (0.0,))
        chosen = [p if p is not None else zero for p in polys]
        coefficients = (_padded([p[0] for p in chosen], 1), _padded([p[1] for p in chosen], 2),
                        _padded([p[2] for p in chosen], 2))
        total = np.array([c.weight.sum() for c in calcs])
        return cls(calcs, np.array([c.mass for c in calcs]), total, fast, coefficients, _ranges(calcs))

    @cached_property
    def rows(self) -> dict[str, NDArray[np.float64]]:
        """energy, momentum, depth, beam_energy, weight (sample weight) and w (times the efficiency) as padded
        (n_masses, n_entries) arrays; stacked on first use (only entry sums need them)."""
        width = max(len(c.sample) for c in self.calcs)
        fill = {"momentum": 1.0}
        rows = {name: np.full((len(self.calcs), width), fill.get(name, 0.0)) for name in (*_FIELDS, "weight", "w")}
        for j, c in enumerate(self.calcs):
            n = len(c.sample)
            for name in (*_FIELDS, "weight"):
                rows[name][j, :n] = getattr(c.sample, name)
            rows["w"][j, :n] = c.weight
        return rows

    def couplings(self, j: NDArray[np.int64], g: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
        """(g_prod, Gamma_inv, Gamma_vis) at the pairs (mass index j, coupling g), 1-D arrays."""
        prod, inv, vis = (np.empty(g.shape) for _ in range(3))
        fast = self.polynomial[j]
        if np.any(fast):
            jf, gf = j[fast], g[fast]
            c_prod, c_inv, c_vis = (c[jf] for c in self.coefficients)
            prod[fast] = _horner(c_prod, gf)
            inv[fast] = np.maximum(_horner(c_inv, gf), 0.0)
            vis[fast] = np.maximum(_horner(c_vis, gf), 0.0)
        exact = np.flatnonzero(~fast)
        if exact.size:  # exact path: the models rebuilt at these couplings, all pairs in one array evaluation
            deps = [self.calcs[k].couplings for k in j[exact]]
            prod[exact], inv[exact], vis[exact] = CouplingDependence.exact_many(deps, g[exact])
        return prod, inv, vis

    def bounds(self, j: NDArray[np.int64], g: NDArray[np.float64]) -> tuple[NDArray, NDArray, tuple[NDArray, ...]]:
        """(N_min, N_max, (g_prod, Gamma_inv, Gamma_vis)) at the pairs (mass index j, coupling g): N bounded by the signature's
        branching-ratio bounds, g_prod^2 W P_min <= N <= g_prod^2 W P_max, without summing the entries."""
        prod, inv, vis = self.couplings(j, g)
        exp = self.calcs[0].experiment
        r = self.ranges
        p_min, p_max = exp.signature.sample_bounds(Decays(self.masses[j], inv, vis), exp.geometry, SampleRanges(
            r.momentum_min[j], r.momentum_max[j], r.depth_min[j], r.depth_max[j]))
        scale = prod**2 * self.total[j]
        return scale * np.broadcast_to(p_min, g.shape), scale * np.broadcast_to(p_max, g.shape), (prod, inv, vis)

    def events(self, j: NDArray[np.int64], g: NDArray[np.float64]) -> NDArray[np.float64]:
        """N at the pairs (mass index j, coupling g) (1-D arrays of equal length)."""
        j = np.asarray(j, dtype=np.int64)
        g = np.asarray(g, dtype=float)
        n_min, n_max, (prod, inv, vis) = self.bounds(j, g)
        out = 0.5 * (n_min + n_max)
        open_ = (n_max - n_min) > BOUND_RTOL * n_max
        if np.any(open_):
            out[open_] = prod[open_] ** 2 * self._entry_sums(j[open_], inv[open_], vis[open_])
        if not np.all(np.isfinite(out)):
            bad = int(j[~np.isfinite(out)][0])
            raise ConvergenceError(f"{self.calcs[0].experiment.name}: non-finite signal yield at m = "
                                   f"{self.calcs[bad].mass:g} GeV (exposure or couplings out of range)")
        return out

    def _entry_sums(self, j: NDArray[np.int64], inv: NDArray, vis: NDArray) -> NDArray[np.float64]:
        """sum_i w_i P_i over the entries of mass j[k] with the widths (inv[k], vis[k]), for each k; in chunks of
        about CHUNK_ENTRIES entries (temporaries that stay in cache: 5-10x faster than one pass over 1e6 entries)."""
        width = self.rows["w"].shape[1]
        step = max(1, CHUNK_ENTRIES // width)
        out = np.empty(j.size)
        exp = self.calcs[0].experiment
        for first in range(0, j.size, step):
            part = slice(first, first + step)
            jj = j[part]
            sub = BosonSample(*(self.rows[name][jj].ravel() for name in (*_FIELDS, "weight")))
            decays = _EntryDecays.of_pairs(self.masses[jj], inv[part], vis[part], width)
            p = exp.signature.probability(sub, exp.geometry, decays)
            out[part] = np.einsum("ij,ij->i", p.reshape(jj.size, width), self.rows["w"][jj])
        return out
