"""Edges of {g : N(m, g) >= N_CL} at many masses at once: :func:`.edges.find_edges` vectorised across masses.

Same construction and the same answer (tests/test_reach_batch.py): per mass a 0.1-decade grid in log g from the
reach floor to g_max; the connected run of grid points with N >= N_CL that holds the grid maximum; its edges by a
bracketed root of ln N - ln N_CL (Chandrupatla's method, :func:`chandrupatla`, vectorised here, to 1e-10 in
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

from ..errors import ConvergenceError
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


def _roots(yields: StackedYields, j: NDArray, a: NDArray, b: NDArray, fa: NDArray, fb: NDArray,
           n_cl: float) -> NDArray:
    """g at ln N = ln N_CL in [10^a, 10^b] for each pair (sign change guaranteed by the scan); ``fa``, ``fb``: f at
    the ends where already known (from the scan), else nan (evaluated here)."""
    if j.size == 0:
        return np.zeros(0)
    f = lambda x, k: _log_excess(yields.events(j[k], 10.0**x), n_cl)
    fa, fb = fa.copy(), fb.copy()
    for x, fx in ((a, fa), (b, fb)):
        unknown = np.flatnonzero(np.isnan(fx))
        if unknown.size:
            fx[unknown] = f(x[unknown], unknown)
    return 10.0 ** chandrupatla(f, a, b, fa, fb, ROOT_XATOL, ROOT_XRTOL)


def chandrupatla(f, a: NDArray, b: NDArray, fa: NDArray, fb: NDArray, xatol: float, xrtol: float,
                 maxiter: int = 100) -> NDArray:
    """Roots of f in the brackets [a, b] (f(a) f(b) <= 0), all at once: Chandrupatla's method (T. R. Chandrupatla,
    Adv. Eng. Softw. 28 (1997) 145; the steps and the stopping rule |x2 - x1| < xrtol |x| + xatol of
    scipy.optimize.elementwise.find_root, without its per-call overhead). ``f(x, k)`` evaluates the pairs k at x;
    each step evaluates only the unfinished pairs. Returns the bracket end with the smaller |f|; ConvergenceError
    if a bracket does not close in ``maxiter`` steps."""
    x1, x2, f1, f2 = a.astype(float), b.astype(float), fa.astype(float), fb.astype(float)
    x3, f3 = x2.copy(), f2.copy()
    t = np.full(x1.shape, 0.5)
    k = np.arange(x1.size)  # the unfinished pairs
    out = np.where(np.abs(f1) < np.abs(f2), x1, x2)
    for step in range(maxiter):
        xm = np.where(np.abs(f1) < np.abs(f2), x1, x2)
        fm = np.minimum(np.abs(f1), np.abs(f2))
        dx, tol = np.abs(x2 - x1), np.abs(xm) * xrtol + xatol
        done = (fm == 0.0) | (dx < tol)
        out[k[done]] = xm[done]
        if done.all():
            return out
        live = ~done
        k, x1, x2, x3, f1, f2, f3, t = (v[live] for v in (k, x1, x2, x3, f1, f2, f3, t))
        dx, tol = dx[live], tol[live]
        if step:  # the first step bisects (no third point yet)
            with np.errstate(divide="ignore", invalid="ignore"):
                xi = (x1 - x2) / (x3 - x2)
                phi = (f1 - f2) / (f3 - f2)
                alpha = (x3 - x1) / (x2 - x1)
                iqi = ((1.0 - np.sqrt(1.0 - xi)) < phi) & (phi < np.sqrt(xi))  # inverse quadratic step is safe
                t = np.where(iqi, f1 / (f1 - f2) * f3 / (f3 - f2) - alpha * f1 / (f3 - f1) * f2 / (f2 - f3), 0.5)
        tl = 0.5 * tol / dx
        t = np.clip(t, tl, 1.0 - tl)
        xt = x1 + t * (x2 - x1)
        ft = f(xt, k)
        same = np.sign(ft) == np.sign(f1)
        x3, f3 = np.where(same, x1, x2), np.where(same, f1, f2)
        x2, f2 = np.where(same, x2, x1), np.where(same, f2, f1)
        x1, f1 = xt, ft
    raise ConvergenceError(f"edge search: {k.size} root brackets still open after {maxiter} steps")


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
    low_pairs: list[tuple[int, float, float, float, float]] = []  # (mass, a, b, f(a), f(b)): f nan where unknown
    high_pairs: list[tuple[int, float, float, float, float]] = []
    low = np.full(n_m, np.nan)
    high = np.full(n_m, np.nan)
    for m in (int(k) for k in np.flatnonzero(sensitive)):
        row, neg = grid[m, : length[m]], ~positive[m, : length[m]]
        below = np.nonzero((row < peak[m]) & neg)[0]
        if len(below) == 0:
            low[m] = 10.0 ** log_g_min[m]
        else:
            i = below[-1]
            on_grid = row[i + 1] <= peak[m]
            low_pairs.append((m, float(row[i]), float(row[i + 1] if on_grid else peak[m]), float(f[m, i]),
                              float(f[m, i + 1]) if on_grid else math.nan))
        above = np.nonzero((row > peak[m]) & neg)[0]
        if len(above):
            k = above[0]
            on_grid = row[k - 1] >= peak[m]
            high_pairs.append((m, float(row[k - 1] if on_grid else peak[m]), float(row[k]),
                               float(f[m, k - 1]) if on_grid else math.nan, float(f[m, k])))
    pairs = low_pairs + high_pairs
    if pairs:
        jj, a, b, fa, fb = (np.array(v) for v in zip(*pairs))
        roots = _roots(yields, jj.astype(np.int64), a, b, fa, fb, n_cl)
        n_low = len(low_pairs)
        low[jj[:n_low].astype(int)] = roots[:n_low]
        high[jj[n_low:].astype(int)] = roots[n_low:]
    return [Edges(float(low[m]), None if math.isnan(high[m]) else float(high[m])) if sensitive[m] else Edges(None, None)
            for m in range(n_m)]
