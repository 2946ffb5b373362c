"""Edges of {g : N(m, g) >= N_CL} at many masses at once: :func:`.edges.find_edges` vectorised across masses.

Same construction and the same answer (tests/test_reach_batch.py): per mass a 0.1-decade grid in log g from the
reach floor to g_max; the connected run of grid points with N >= N_CL that holds the grid maximum; its edges by a
bracketed root of ln N - ln N_CL (Chandrupatla's method, scipy.optimize.elementwise.find_root, to 1e-10 in
log10 g like find_edges' brentq); with no grid point above N_CL the maximum is refined between its neighbours
(bounded golden section to 1e-6 in log10 g, find_edges uses scipy's bounded Brent: both only decide whether a
narrow island between grid points reaches N_CL). Every step evaluates all masses in one call of
:class:`.stack.StackedYields`, and most grid points cost no entry sum: the signature's branching-ratio bounds
(P_min <= P <= P_max) fix the sign of N - N_CL wherever N_CL lies outside [g_prod^2 W P_min, g_prod^2 W P_max],
and N itself where the bounds coincide (invisible signatures: one integral per mass). Entries are summed only at
grid points the bounds leave open, at the candidates for the grid maximum of a mass with no grid point above
N_CL (those whose upper bound exceeds the best value found), and inside the root brackets.

Coarse-to-fine signs (``coarse``, default COARSE = 4 grid steps = 0.4 decade; ``coarse=1`` is find_edges' grid):
the sign of N - N_CL is first found on every coarse-th grid point (and the last); only blocks between coarse
points whose known signs differ are then signed point by point, until every sign change lies between neighbours;
the other points take the sign of their block. A mass without sensitivity looks for its grid maximum only within
one block of the coarse maximum. Assumed (and tested against coarse = 1 and the per-mass search on the shipped
experiments): no region or gap narrower than 0.4 decade hides between two coarse points of equal sign, and ln N
is unimodal within a block of its coarse maximum. Both hold for the shipped signatures, whose N(g) is g_prod^2
times a smooth function of the widths (islands g^2 exp(-c g^2) are log-concave in ln g).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import elementwise

from .edges import GRID_STEP, Edges
from .stack import BOUND_RTOL, StackedYields

#: Root tolerance in log10 g (as find_edges' brentq: xtol 1e-10, rtol 1e-12).
ROOT_XATOL: float = 1e-10
ROOT_XRTOL: float = 1e-12
#: Refinement of a grid maximum below N_CL: golden-section steps until the interval is below this (log10 g).
REFINE_XATOL: float = 1e-6
#: Coarse grid of the scan, in grid steps (0.4 decade; module docstring).
COARSE: int = 4
_GOLDEN: float = (math.sqrt(5.0) - 1.0) / 2.0


def _grid(log_g_min: NDArray, log_g_max: NDArray) -> tuple[NDArray, NDArray]:
    """(log g (n_m, K), valid mask): each row the grid of find_edges, padded with its last point."""
    rows = []
    for lo, hi in zip(log_g_min, log_g_max):
        row = np.arange(lo, hi + 1e-12, GRID_STEP)
        row[-1] = min(row[-1], hi)
        rows.append(row)
    width = max(len(r) for r in rows)
    valid = np.zeros((len(rows), width), dtype=bool)
    grid = np.empty((len(rows), width))
    for i, r in enumerate(rows):
        grid[i, : len(r)], grid[i, len(r):], valid[i, : len(r)] = r, r[-1], True
    return grid, valid


def _log_excess(n: NDArray, n_cl: float) -> NDArray:
    return np.log(np.maximum(n, 1e-300)) - math.log(n_cl)


def _signs(f: NDArray, lower: NDArray, upper: NDArray, valid: NDArray) -> tuple[NDArray, NDArray]:
    """(known f >= 0, known f < 0): from the value where computed, else from the bounds."""
    known = ~np.isnan(f)
    pos = valid & np.where(known, f >= 0.0, lower >= 0.0)
    neg = valid & np.where(known, f < 0.0, upper < 0.0)
    return pos, neg


def _block_any(a: NDArray, coarse: int) -> NDArray:
    """Per block of ``coarse`` grid steps (columns b * coarse ... (b + 1) * coarse, both ends): any(a)."""
    n, width = a.shape
    blocks = (width - 1) // coarse + 1
    padded = np.zeros((n, blocks * coarse + 1), dtype=bool)
    padded[:, :width] = a
    return padded[:, : blocks * coarse].reshape(n, blocks, coarse).any(axis=2) | padded[:, coarse::coarse]


def _scan(yields: StackedYields, grid: NDArray, valid: NDArray, n_cl: float, coarse: int) -> tuple[NDArray, NDArray]:
    """(f = ln N - ln N_CL where computed, else nan; f >= 0) on the grid, entries summed only where needed."""
    jj, kk = np.nonzero(valid)
    lo, hi, _ = yields.bounds(jj, 10.0 ** grid[jj, kk])
    f = np.full(grid.shape, np.nan)
    fixed = (hi - lo) <= BOUND_RTOL * hi
    f[jj[fixed], kk[fixed]] = _log_excess(0.5 * (lo + hi)[fixed], n_cl)
    upper, lower = np.full(grid.shape, -np.inf), np.full(grid.shape, -np.inf)
    upper[jj, kk], lower[jj, kk] = _log_excess(hi, n_cl), _log_excess(lo, n_cl)
    undecided = valid & np.isnan(f) & (lower < 0.0) & (upper >= 0.0)  # sign not fixed by the bounds
    col = np.arange(grid.shape[1])[None, :]
    length = valid.sum(axis=1)[:, None]
    _fill(yields, grid, f, undecided & ((col % coarse == 0) | (col == length - 1)), n_cl)  # the coarse grid
    block = col // coarse
    while True:  # blocks with both signs: their points are evaluated until every sign change is between neighbours
        pos, neg = _signs(f, lower, upper, valid)
        mixed = np.take_along_axis(_block_any(pos, coarse) & _block_any(neg, coarse), np.broadcast_to(block, f.shape), 1)
        need = undecided & np.isnan(f) & mixed
        if not need.any():
            break
        _fill(yields, grid, f, need, n_cl)
    block_pos = np.take_along_axis(_block_any(pos, coarse), np.broadcast_to(block, f.shape), 1)
    positive = pos | (valid & ~pos & ~neg & block_pos)  # the rest has the sign of its block
    # masses with no grid point above N_CL: the grid maximum is needed; only points whose bound exceeds the best
    # value found can hold it (and, on a coarse grid, only those next to the coarse maximum)
    none = ~positive.any(axis=1)
    computed = np.where(np.isnan(f), -np.inf, f)
    candidates = valid & none[:, None] & np.isnan(f) & (upper > computed.max(axis=1)[:, None])
    if coarse > 1:
        candidates &= np.abs(col - np.argmax(computed, axis=1)[:, None]) < coarse
    _fill(yields, grid, f, candidates, n_cl)
    # masses with several runs above N_CL: the maximum decides the run, so the run's points are evaluated
    starts = positive & ~np.concatenate([np.zeros((len(grid), 1), bool), positive[:, :-1]], axis=1)
    several = starts.sum(axis=1) > 1
    _fill(yields, grid, f, valid & several[:, None] & np.isnan(f) & positive, n_cl)
    return f, positive


def _fill(yields: StackedYields, grid: NDArray, f: NDArray, where: NDArray, n_cl: float) -> None:
    jj, kk = np.nonzero(where)
    if jj.size:
        f[jj, kk] = _log_excess(yields.events(jj, 10.0 ** grid[jj, kk]), n_cl)


def _refine(yields: StackedYields, j: NDArray, a: NDArray, b: NDArray, n_cl: float) -> tuple[NDArray, NDArray]:
    """(argmax, max of f) on [a, b] per pair by golden section (f unimodal near a grid maximum)."""
    f = lambda x: _log_excess(yields.events(j, 10.0**x), n_cl)
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = f(c), f(d)
    while np.max(b - a) > REFINE_XATOL:
        left = fc > fd  # the maximum lies in [a, d]
        a, b = np.where(left, a, c), np.where(left, d, b)
        c_new = np.where(left, b - _GOLDEN * (b - a), d)
        d_new = np.where(left, c, a + _GOLDEN * (b - a))
        x_new = np.where(left, c_new, d_new)
        f_new = f(x_new)
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = c_new, d_new
    ends = np.stack([a, b, c, d])
    values = np.stack([f(a), f(b), fc, fd])
    pick = np.argmax(values, axis=0)
    cols = np.arange(len(j))
    return ends[pick, cols], values[pick, cols]


def _roots(yields: StackedYields, j: NDArray, a: NDArray, b: NDArray, n_cl: float) -> NDArray:
    """g at ln N = ln N_CL in [10^a, 10^b] for each pair (sign change guaranteed by the scan)."""
    if j.size == 0:
        return np.zeros(0)
    f = lambda x, jj: _log_excess(yields.events(jj.astype(np.int64), 10.0**x), n_cl)
    res = elementwise.find_root(f, (a, b), args=(j.astype(float),),
                                tolerances={"xatol": ROOT_XATOL, "xrtol": ROOT_XRTOL})
    return 10.0 ** np.asarray(res.x)


def batch_edges(yields: StackedYields, n_cl: float, log_g_min: NDArray, log_g_max: NDArray,
                coarse: int = COARSE) -> list[Edges]:
    """Edges at every mass of ``yields`` (rows of log_g_min / log_g_max: the scan range of each mass). ``coarse`` = 1
    evaluates the sign at every grid point as find_edges does; > 1 first on every coarse-th point (module docstring)."""
    n_m = len(yields.calcs)
    grid, valid = _grid(np.asarray(log_g_min, float), np.asarray(log_g_max, float))
    f, positive = _scan(yields, grid, valid, n_cl, coarse)
    length = valid.sum(axis=1)
    peak_index = np.where(np.isnan(f) & positive, np.inf, np.where(valid, np.nan_to_num(f, nan=-np.inf), -np.inf))
    best = np.argmax(peak_index, axis=1)  # inf (an unevaluated point above N_CL) wins: the single run
    sensitive: NDArray[np.bool_] = np.asarray(positive.any(axis=1))
    peak = grid[np.arange(n_m), best]
    # no grid point above N_CL: refine the maximum between its neighbours (find_edges' bounded optimiser)
    flat = np.flatnonzero(~sensitive)
    if flat.size:
        lo_i, hi_i = np.maximum(best[flat] - 1, 0), np.minimum(best[flat] + 1, length[flat] - 1)
        x, fx = _refine(yields, flat, grid[flat, lo_i], grid[flat, hi_i], n_cl)
        reached = fx >= 0.0
        sensitive[flat[reached]] = True
        peak[flat[reached]] = x[reached]
    low_pairs: list[tuple[int, float, float]] = []
    high_pairs: list[tuple[int, float, float]] = []
    low = np.full(n_m, np.nan)
    high = np.full(n_m, np.nan)
    for m in (int(k) for k in np.flatnonzero(sensitive)):
        row, neg = grid[m, : length[m]], ~positive[m, : length[m]]
        below = np.nonzero((row < peak[m]) & neg)[0]
        if len(below) == 0:
            low[m] = 10.0 ** log_g_min[m]
        else:
            i = below[-1]
            low_pairs.append((m, float(row[i]), float(min(row[i + 1], peak[m]))))
        above = np.nonzero((row > peak[m]) & neg)[0]
        if len(above):
            k = above[0]
            high_pairs.append((m, float(max(row[k - 1], peak[m])), float(row[k])))
    pairs = low_pairs + high_pairs
    if pairs:
        jj, a, b = (np.array(v) for v in zip(*pairs))
        roots = _roots(yields, jj.astype(np.int64), a, b, n_cl)
        n_low = len(low_pairs)
        low[jj[:n_low].astype(int)] = roots[:n_low]
        high[jj[n_low:].astype(int)] = roots[n_low:]
    return [Edges(float(low[m]), None if math.isnan(high[m]) else float(high[m])) if sensitive[m] else Edges(None, None)
            for m in range(n_m)]
