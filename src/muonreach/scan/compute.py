"""The work of one chunk: every observable at every grid point of one block of the outer axes.

Pure and deterministic (the same spec and chunk id give the same numbers on any worker), so a chunk can be
computed twice -- a dask retry, a worker that died after writing -- without changing the result.

The structure of the problem is used as DESIGN.md asks. For one outer point (mass and model parameters) and
one experiment variant, the yield calculator is built once and ``events(g)`` is evaluated for the whole
coupling axis in one call. Delta a_l is evaluated at the largest and smallest |g| and at half the largest: if
it scales exactly as g^2 (or does not depend on g) there, the row is filled by that scaling, otherwise every
point is evaluated directly. The model itself is built at every point, so a point the model rejects (a
coupling beyond the perturbative range, an invalid dark-matter mass ...) is recorded as failed.

Failures: an exception while computing a value marks the grid points that depend on it as failed
(``status = 1``) with the reason ``"<variable>: <ExceptionType>: <message>"``; the other points and
variables are unaffected. Two outcomes are physics rather than failures: a boson that the beam cannot
produce (KinematicallyForbidden) gives zero signal events and no reach edges (NaN, as ``muonreach reach``
gives null).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import KinematicallyForbidden, MuonReachError
from .spec import Observable, ScanSpec, required

STATUS_OK: int = 0
STATUS_FAILED: int = 1
STATUS_NOT_COMPUTED: int = -1
#: Relative tolerances of the run-time check of the g^2 scaling of Delta a (as in the yields' width check).
_SCALING_RTOL: float = 1e-10
_MAX_REASON: int = 400


@dataclass
class ChunkResult:
    """Values of every variable on one chunk (the variable's own dimensions), with the per-point status."""

    cid: int
    slices: dict[str, slice]
    variables: dict[str, np.ndarray]
    status: np.ndarray  # int8, all dimensions
    failure: np.ndarray  # str, all dimensions ('' where the point is fine)
    points: int = 0
    n_failed: int = 0


@dataclass
class _Failures:
    """Reasons by variable and index (in the variable's chunk array)."""

    by_var: dict[str, dict[tuple, str]] = field(default_factory=dict)

    def add(self, var: str, index: tuple, exc: BaseException | str) -> None:
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        text = f"{var}: {text}"
        self.by_var.setdefault(var, {})[index] = text[:_MAX_REASON]


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def chunk_shape(spec: ScanSpec, slices: dict[str, slice], dims: tuple[str, ...]) -> tuple[int, ...]:
    return tuple((slices[d].stop - slices[d].start) if d in slices else spec.axis_length(d) for d in dims)


def compute_chunk(spec: ScanSpec, cid: int, head: ChunkResult | None = None) -> ChunkResult:
    """Evaluate every observable of ``spec`` on chunk ``cid`` (see the module docstring). ``head``: a block at
    the chunk's first corner already computed (the runner's pilot, :func:`muonreach.scan.runner.pilot`):
    only the rest of the chunk is computed. Every grid point depends on its own outer point only, so the
    result is the same, bit for bit, as computing the whole chunk."""
    slices = spec.chunk_slices(cid)
    if head is None:
        return compute_block(spec, slices, cid)
    return merge_blocks(spec, cid, slices, [head, *(compute_block(spec, b, cid) for b in _rest(slices, head.slices))])


def _rest(whole: dict[str, slice], corner: dict[str, slice]) -> list[dict[str, slice]]:
    """Disjoint blocks covering ``whole`` minus ``corner`` (a block sharing its start on every axis): block k
    runs over the corner on the axes before k, beyond it on axis k, and over the whole after k."""
    names = list(whole)
    blocks = []
    for k, name in enumerate(names):
        if corner[name].stop < whole[name].stop:
            blocks.append({n: corner[n] if j < k else whole[n] for j, n in enumerate(names)}
                          | {name: slice(corner[name].stop, whole[name].stop)})
    return blocks


def merge_blocks(spec: ScanSpec, cid: int, slices: dict[str, slice], parts: list[ChunkResult]) -> ChunkResult:
    """The chunk ``slices`` assembled from blocks that cover it exactly once."""
    var_dims = spec.variable_dims()

    def region(dims: tuple[str, ...], part: ChunkResult) -> tuple:
        return tuple(slice(part.slices[d].start - slices[d].start, part.slices[d].stop - slices[d].start)
                     if d in slices else slice(None) for d in dims)

    arrays = {v: np.full(chunk_shape(spec, slices, d), np.nan) for v, d in var_dims.items()}
    shape = chunk_shape(spec, slices, spec.dims)
    status = np.full(shape, STATUS_NOT_COMPUTED, dtype=np.int8)
    failure = np.full(shape, "", dtype=object)
    for part in parts:
        for v, values in part.variables.items():
            arrays[v][region(var_dims[v], part)] = values
        status[region(spec.dims, part)] = part.status
        failure[region(spec.dims, part)] = part.failure
    if sum(p.points for p in parts) != status.size or (status == STATUS_NOT_COMPUTED).any():
        raise ValueError(f"chunk {cid}: the blocks do not cover the chunk exactly")
    return ChunkResult(cid, slices, arrays, status, failure, points=int(status.size),
                       n_failed=sum(p.n_failed for p in parts))


def compute_block(spec: ScanSpec, slices: dict[str, slice], cid: int = -1) -> ChunkResult:
    """Every observable on the block ``slices`` of the outer axes (whole along the others)."""
    from ..models.registry import get_model_spec

    mspec = get_model_spec(spec.model)
    var_dims = spec.variable_dims()
    arrays = {v: np.full(chunk_shape(spec, slices, d), np.nan) for v, d in var_dims.items()}
    failures = _Failures()
    outer = spec.outer_axes
    outer_values = [a.values[slices[a.name]] for a in outer]
    couplings = spec.coupling_values
    has_c = spec.axis("coupling") is not None
    needs_coupling = any(o.uses_coupling for o in spec.observables)

    for oidx in np.ndindex(*(len(v) for v in outer_values)):
        point = {a.name: vals[i] for a, vals, i in zip(outer, outer_values, oidx)}
        mass = float(point["mass"]) if "mass" in point else required(spec.mass, "the mass")
        overrides = dict(spec.model_fixed)
        overrides.update({a.name: point[a.name] for a in outer if a.role == "model"})
        ok = np.ones(len(couplings), dtype=bool)
        if needs_coupling:  # build the model at every point: it validates the point
            for j, g in enumerate(couplings):
                try:
                    mspec.build(mass, float(g), overrides)
                except Exception as exc:
                    ok[j] = False
                    failures.add("model", oidx + ((j,) if has_c else ()), _point_reason(spec, g, exc))
        rows: dict[str, tuple[np.ndarray, dict[int, str]]] = {}

        def delta_row(lepton: str, rows=rows, mass=mass, overrides=overrides, ok=ok) -> tuple[np.ndarray, dict[int, str]]:
            if lepton not in rows:
                rows[lepton] = _delta_a_row(mspec, mass, couplings, overrides, lepton, ok)
            return rows[lepton]

        for obs in spec.observables:
            if obs.kind in ("delta_a", "pull"):
                values, reasons = delta_row(required(obs.lepton, f"the lepton of {obs.kind}"))
                if obs.kind == "pull":
                    values = spec.dataset(required(obs.dataset, "the dataset of pull")).pull(values)
                _put_row(arrays, failures, obs.variables[0], oidx, values, reasons, has_c, ok)
            elif obs.kind == "omega_h2":
                from ..cosmo import relic

                values = np.full(len(couplings), np.nan)
                reasons = {}
                for k in np.flatnonzero(ok).tolist():
                    try:
                        values[k] = float(relic.omega_h2(spec.model, mass, float(couplings[k]), dict(overrides)))
                    except Exception as exc:
                        reasons[k] = _reason(exc)
                _put_row(arrays, failures, obs.variables[0], oidx, values, reasons, has_c, ok)
            else:
                for eidx, exp in _experiment_variants(spec, obs):
                    index = oidx + eidx
                    if obs.kind == "events":
                        values, reasons = _events_row(exp, mspec, mass, couplings, overrides, ok)
                        _put_row(arrays, failures, obs.variables[0], index, values, reasons, has_c, ok)
                    else:
                        _put_reach(arrays, failures, obs.variables, index, exp, mspec, mass, overrides)

    status, failure = _status(spec, slices, var_dims, failures)
    return ChunkResult(cid, slices, arrays, status, failure, points=int(status.size),
                       n_failed=int(np.count_nonzero(status == STATUS_FAILED)))


def _point_reason(spec: ScanSpec, g: float, exc: BaseException) -> str:
    return f"{spec.coupling_name} = {g:g}: {_reason(exc)}"


def _experiment_variants(spec: ScanSpec, obs: Observable):
    """(index along the observable's experiment-side dims, Experiment) for every variant it needs."""
    exp_axes = [a for a in spec.axes
                if (a.role == "experiment" and obs.experiment is None) or a.role == "exp_param"]
    fixed = dict(spec.experiment_fixed)
    for eidx in np.ndindex(*(len(a) for a in exp_axes)):
        name = obs.experiment
        over = dict(fixed)
        for a, i in zip(exp_axes, eidx):
            if a.role == "experiment":
                name = a.values[i]
            else:
                over[a.name] = a.values[i]
        yield eidx, _variant(spec, required(name, "the experiment"), tuple(sorted(over.items())))


_VARIANTS: dict[tuple, Any] = {}


def _variant(spec: ScanSpec, name: str, over: tuple) -> Any:
    """An experiment with overrides (cached per worker; building one is cheap but not free)."""
    key = (spec.hash, name, over)
    found = _VARIANTS.get(key)
    if found is None:
        try:
            found = spec.experiment(name).with_overrides(dict(over))
        except Exception as exc:
            found = exc
        if len(_VARIANTS) > 10_000:
            _VARIANTS.clear()
        _VARIANTS[key] = found
    return found


def _delta_a_row(mspec, mass: float, g: np.ndarray, overrides: dict, lepton: str,
                 ok: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """Delta a_lepton over the coupling row (module docstring: g^2 scaling checked at run time)."""
    out = np.full(len(g), np.nan)
    reasons: dict[int, str] = {}
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return out, reasons

    def direct(x: float) -> float:
        return float(mspec.build(mass, x, overrides).delta_a(lepton))

    gi = g[idx]
    g_big = float(gi[np.argmax(np.abs(gi))])
    if idx.size >= 3 and g_big != 0.0:
        g_small = float(gi[np.argmin(np.abs(gi))])
        try:
            d_big, d_half, d_small = direct(g_big), direct(0.5 * g_big), direct(g_small)
        except MuonReachError:  # a probe point is invalid: evaluate point by point below, with reasons
            d_big = d_half = d_small = math.nan
        if _close(d_half, 0.25 * d_big) and _close(d_small, d_big * (g_small / g_big) ** 2):
            out[idx] = d_big * (gi / g_big) ** 2
            return out, reasons
        if _close(d_half, d_big) and _close(d_small, d_big):
            out[idx] = d_big
            return out, reasons
    for j in idx:
        try:
            out[j] = direct(float(g[j]))
        except Exception as exc:
            reasons[int(j)] = _reason(exc)
    return out, reasons


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_SCALING_RTOL, abs_tol=0.0)


def _events_row(exp, mspec, mass: float, g: np.ndarray, overrides: dict,
                ok: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """Signal events for the whole coupling row from one yield calculator."""
    from ..experiments.calculator import calculator

    out = np.full(len(g), np.nan)
    idx = np.flatnonzero(ok)
    if isinstance(exp, Exception):
        return out, {int(j): _reason(exp) for j in idx}
    if idx.size == 0:
        return out, {}
    try:
        calc = calculator(exp, mspec, mass, overrides)
        out[idx] = calc.events(g[idx])
    except KinematicallyForbidden:
        out[idx] = 0.0  # not produced: no signal (physics, not a failure)
    except Exception as exc:
        return out, {int(j): _reason(exc) for j in idx}
    return out, {}


def _put_row(arrays: dict, failures: _Failures, var: str, index: tuple, values: np.ndarray,
             reasons: dict[int, str], has_c: bool, ok: np.ndarray) -> None:
    """Store a coupling row; a non-finite value at a valid point is a failure (no silent NaN)."""
    for j_np in np.flatnonzero(ok):
        j = int(j_np)
        if j in reasons:
            failures.add(var, index + ((j,) if has_c else ()), reasons[j])
        elif not math.isfinite(values[j]):
            failures.add(var, index + ((j,) if has_c else ()), f"non-finite value ({values[j]})")
    arrays[var][index] = values if has_c else values[0]


def _put_reach(arrays: dict, failures: _Failures, variables: tuple[str, ...], index: tuple, exp, mspec,
               mass: float, overrides: dict) -> None:
    from ..reach.contour import reach

    low, high = variables
    try:
        if isinstance(exp, Exception):
            raise exp
        row = reach(exp, mspec, np.array([mass]), overrides)[0]
        arrays[low][index] = np.nan if row.coupling_low is None else row.coupling_low
        arrays[high][index] = np.nan if row.coupling_high is None else row.coupling_high
    except KinematicallyForbidden:
        pass  # no sensitivity: both edges NaN
    except Exception as exc:
        failures.add(low.removesuffix("_low"), index, exc)


def _status(spec: ScanSpec, slices: dict[str, slice], var_dims: dict[str, tuple[str, ...]],
            failures: _Failures) -> tuple[np.ndarray, np.ndarray]:
    """Status and failure reasons on all dimensions: a point fails if any value it depends on failed."""
    dims = spec.dims
    shape = chunk_shape(spec, slices, dims)
    status = np.zeros(shape, dtype=np.int8)
    failure = np.full(shape, "", dtype=object)
    point_dims = tuple(a.name for a in spec.outer_axes) + (("coupling",) if spec.axis("coupling") else ())
    for var, entries in failures.by_var.items():
        vdims = point_dims if var == "model" else var_dims.get(var, var_dims.get(var + "_low", ()))
        for index, text in entries.items():
            where = tuple(index[vdims.index(d)] if d in vdims else slice(None) for d in dims)
            status[where] = STATUS_FAILED
            sub = failure[where]
            if isinstance(sub, np.ndarray):
                sub[...] = np.where(sub == "", text, sub + "; " + text)
            else:
                failure[where] = text if not sub else f"{sub}; {text}"
    return status, failure
