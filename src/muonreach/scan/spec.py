"""Scan specifications: a TOML file naming the model, the grid axes and the observables (docs/scans.md).

Everything is validated here, before any computation starts: model and experiment names, every parameter
and axis value, the observables and the chunking. Each problem raises :class:`~muonreach.errors.SpecError`
with a one-line message naming the place in the file.

The parsed :class:`ScanSpec` is plain, picklable data (the experiments and (g-2) datasets it uses are
resolved here, on the client, and travel with it), so dask workers need nothing but muonreach itself.

Dimension order of the result is canonical, whatever the order of the ``[[axis]]`` entries:
mass, model parameters, experiment, experiment parameters, coupling. A chunk of work spans the whole
experiment-side and coupling axes and a block of the mass and model-parameter axes (the *outer* axes), so
every variable, whatever its dimensions, is written by exactly one chunk per block.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import product
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ..errors import MuonReachError, SpecError, UnknownName
from ..specfields import decode_utf8, parse_toml_text, read_bytes

SCHEMA: int = 1
#: Target number of grid points per chunk when ``[execution]`` sets no chunking and the runner does not size the
#: chunks from a pilot evaluation (``ScanSpec.auto_chunks``, :func:`muonreach.scan.runner.pilot`).
DEFAULT_CHUNK_POINTS: int = 1000
#: Default number of times dask re-runs a chunk whose task raised (worker deaths are handled by dask's
#: ``distributed.scheduler.allowed-failures``).
DEFAULT_RETRIES: int = 2

OBSERVABLE_KINDS: tuple[str, ...] = ("events", "delta_a", "pull", "omega_h2", "reach")
_OBS_KEYS = {
    "events": {"kind", "experiment", "name"},
    "delta_a": {"kind", "lepton", "name"},
    "pull": {"kind", "dataset", "lepton", "name"},
    "omega_h2": {"kind", "name"},
    "reach": {"kind", "experiment", "name"},
}
_TOP_KEYS = {"schema", "name", "description", "model", "experiment", "axis", "observable", "execution"}
_AXIS_KEYS = {"name", "values", "min", "max", "points", "spacing"}
_EXEC_KEYS = {"chunk_points", "chunks", "retries"}
RESERVED_NAMES = {"status", "failure", "model"}
#: Roles of the axes, in the canonical dimension order.
ROLES: tuple[str, ...] = ("mass", "model", "experiment", "exp_param", "coupling")


@dataclass(frozen=True)
class Axis:
    """One grid axis: ``role`` is mass, coupling, model (a model parameter), experiment or exp_param."""

    name: str
    role: str
    values: tuple[Any, ...]
    spacing: str = "list"  # list | linear | log (for the record)

    def __len__(self) -> int:
        return len(self.values)


_T = TypeVar("_T")


def required(value: _T | None, what: str) -> _T:
    """A spec field that validation guarantees for this observable or point (SpecError if it is missing)."""
    if value is None:
        raise SpecError(f"scan spec: {what} is missing")
    return value


@dataclass(frozen=True)
class Observable:
    """One requested output. ``variables`` are the names of the data variables it fills."""

    kind: str
    variables: tuple[str, ...]
    experiment: str | None = None  # events/reach at a fixed experiment (None: the experiment axis)
    lepton: str | None = None  # delta_a and pull
    dataset: str | None = None  # pull

    @property
    def uses_coupling(self) -> bool:
        """Reach edges are per mass: the only observable whose dimensions exclude the coupling."""
        return self.kind != "reach"

    @property
    def uses_experiments(self) -> bool:
        return self.kind in ("events", "reach")


@dataclass(frozen=True)
class ScanSpec:
    """A validated scan specification (see the module docstring and docs/scans.md)."""

    model: str
    coupling_name: str
    model_fixed: tuple[tuple[str, Any], ...]
    experiment_fixed: tuple[tuple[str, Any], ...]
    mass: float | None
    coupling: float | None
    axes: tuple[Axis, ...]
    observables: tuple[Observable, ...]
    chunks: tuple[int, ...]  # chunk size along each outer axis
    experiments: tuple[tuple[str, Any], ...]  # name -> Experiment (resolved on the client)
    datasets: tuple[tuple[str, Any], ...]  # name -> gm2 Dataset
    experiment_files: tuple[tuple[str, str, str], ...]  # (name, origin, sha256 of the file)
    retries: int = DEFAULT_RETRIES
    name: str = ""
    description: str = ""
    source_text: str = ""
    auto_chunks: bool = False  # no chunking in [execution]: the runner may choose it (``chunks`` is the default)

    # --- axes ---------------------------------------------------------------------------------------
    def axis(self, name: str) -> Axis | None:
        for a in self.axes:
            if a.name == name:
                return a
        return None

    def axis_length(self, name: str) -> int:
        """Number of values on the axis ``name`` (UnknownName if the scan has no such axis)."""
        ax = self.axis(name)
        if ax is None:
            raise UnknownName(f"the scan has no axis {name!r}")
        return len(ax)

    def axes_with_role(self, *roles: str) -> tuple[Axis, ...]:
        return tuple(a for a in self.axes if a.role in roles)

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def outer_axes(self) -> tuple[Axis, ...]:
        """Axes along which the grid is split into chunks: the mass and model parameters."""
        return self.axes_with_role("mass", "model")

    @property
    def coupling_values(self) -> np.ndarray:
        ax = self.axis("coupling")
        return np.asarray(ax.values if ax is not None else [self.coupling], dtype=float)

    def observable_dims(self, obs: Observable) -> tuple[str, ...]:
        """Dimensions of the variables of ``obs`` (canonical order)."""
        dims = []
        for a in self.axes:
            on_experiment_axis = a.role == "experiment" and obs.uses_experiments and obs.experiment is None
            if (a.role in ("mass", "model") or on_experiment_axis or (a.role == "exp_param" and obs.uses_experiments)
                    or (a.role == "coupling" and obs.uses_coupling)):
                dims.append(a.name)
        return tuple(dims)

    def variable_dims(self) -> dict[str, tuple[str, ...]]:
        return {v: self.observable_dims(o) for o in self.observables for v in o.variables}

    # --- chunks -------------------------------------------------------------------------------------
    @property
    def chunk_grid(self) -> tuple[int, ...]:
        return tuple(-(-len(a) // c) for a, c in zip(self.outer_axes, self.chunks))

    @property
    def n_chunks(self) -> int:
        return math.prod(self.chunk_grid)

    def chunk_slices(self, cid: int) -> dict[str, slice]:
        """The block of the outer axes that chunk ``cid`` covers (C order over the chunk grid)."""
        if not 0 <= cid < self.n_chunks:
            raise IndexError(f"chunk {cid} out of range (0..{self.n_chunks - 1})")
        index = np.unravel_index(cid, self.chunk_grid) if self.chunk_grid else ()
        return {a.name: slice(int(i) * c, min((int(i) + 1) * c, len(a)))
                for a, c, i in zip(self.outer_axes, self.chunks, index)}

    def chunk_points(self, cid: int) -> int:
        sl = self.chunk_slices(cid)
        return math.prod((sl[a.name].stop - sl[a.name].start) if a.name in sl else len(a) for a in self.axes)

    def with_chunk_points(self, target: int) -> ScanSpec:
        """This spec chunked into blocks of about ``target`` points (as ``[execution] chunk_points``)."""
        outer = list(self.outer_axes)
        return self.with_chunks(_chunk_sizes(list(self.axes), outer, {}, max(1, int(target))))

    def with_chunks(self, chunks: tuple[int, ...]) -> ScanSpec:
        """This spec with the given chunk size along each outer axis (no longer ``auto_chunks``)."""
        if len(chunks) != len(self.outer_axes) or any(c < 1 for c in chunks):
            raise ValueError(f"chunk sizes {chunks} do not fit the outer axes {[a.name for a in self.outer_axes]}")
        return dataclasses.replace(self, chunks=tuple(min(int(c), len(a)) for c, a in zip(chunks, self.outer_axes)),
                                   auto_chunks=False)

    def zarr_chunks(self, dims: tuple[str, ...]) -> tuple[int, ...]:
        """Zarr chunk shape of a variable with ``dims``: the chunk size along outer axes, whole elsewhere."""
        sizes = {a.name: c for a, c in zip(self.outer_axes, self.chunks)}
        return tuple(sizes[d] if d in sizes else self.axis_length(d) for d in dims)

    # --- identity -----------------------------------------------------------------------------------
    def canonical(self) -> dict:
        """Everything that determines the numbers and the layout, as JSON-able data (hashed for resume)."""
        return {
            "schema": SCHEMA,
            "model": self.model,
            "model_fixed": [[k, v] for k, v in self.model_fixed],
            "experiment_fixed": [[k, v] for k, v in self.experiment_fixed],
            "mass": self.mass,
            "coupling": self.coupling,
            "axes": [{"name": a.name, "role": a.role, "values": list(a.values)} for a in self.axes],
            "observables": [dataclasses.asdict(o) | {"variables": list(o.variables)} for o in self.observables],
            "chunks": list(self.chunks),
            "experiments": {k: e.as_dict() for k, e in self.experiments},
            "datasets": {k: dataclasses.asdict(d) for k, d in self.datasets},
        }

    @cached_property
    def hash(self) -> str:
        """sha256 of :meth:`canonical` (stored in the output; a resume with another spec is refused)."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def experiment(self, name: str):
        return dict(self.experiments)[name]

    def dataset(self, name: str):
        return dict(self.datasets)[name]


# ------------------------------------------------------------------------------------------------------
# parsing
# ------------------------------------------------------------------------------------------------------


def load_spec(source: str | Path | Mapping) -> ScanSpec:
    """A :class:`ScanSpec` from a TOML file path, TOML text (containing a newline) or a parsed mapping."""
    if isinstance(source, ScanSpec):
        return source
    if isinstance(source, Mapping):
        return parse_spec(dict(source), "spec", Path.cwd())
    text_source = str(source)
    if isinstance(source, str) and "\n" in source:  # TOML text rather than a path
        return parse_text(source, "spec", Path.cwd())
    path = Path(text_source)
    text = decode_utf8(read_bytes(path, "scan spec"), path.name)
    return parse_text(text, path.name, path.resolve().parent)


def parse_text(text: str, origin: str, base: Path) -> ScanSpec:
    return parse_spec(parse_toml_text(text, origin), origin, base, text)


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


class _Ctx:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def error(self, where: str, message: str) -> SpecError:
        return SpecError(_one_line(f"{self.origin}: {where}: {message}"))


def _check_keys(ctx: _Ctx, where: str, table: Any, allowed: set[str]) -> dict:
    if not isinstance(table, dict):
        raise ctx.error(where, "must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ctx.error(where, f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    return table


def parse_spec(raw: dict, origin: str = "spec", base: Path | None = None, text: str = "") -> ScanSpec:
    """Validate a parsed TOML document and return the :class:`ScanSpec` (SpecError on any problem)."""
    from ..experiments.spec import overridable

    OVERRIDABLE = overridable()
    ctx = _Ctx(origin)
    base = base or Path.cwd()
    _check_keys(ctx, "top level", raw, _TOP_KEYS)
    if raw.get("schema", SCHEMA) != SCHEMA:
        raise ctx.error("schema", f"unsupported schema {raw.get('schema')!r} (this muonreach reads schema {SCHEMA})")

    # --- model ------------------------------------------------------------------------------------
    name, mspec, fixed_mass, fixed_coupling, model_fixed = _parse_model(ctx, raw, OVERRIDABLE)
    coupling_aliases = {"coupling", mspec.coupling}

    # --- fixed experiment parameters --------------------------------------------------------------
    exp_table = raw.get("experiment", {})
    _check_keys(ctx, "[experiment]", exp_table, set(OVERRIDABLE))
    experiment_fixed = {}
    for key, value in exp_table.items():
        experiment_fixed[key] = _parse_exp_value(ctx, f"[experiment] {key}", key, value)

    # --- axes -------------------------------------------------------------------------------------
    raw_axes = raw.get("axis", [])
    if not isinstance(raw_axes, list):
        raise ctx.error("[[axis]]", "must be an array of tables ([[axis]] entries)")
    axes: list[Axis] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw_axes, 1):
        where = f"[[axis]] #{i}"
        _check_keys(ctx, where, entry, _AXIS_KEYS)
        aname = entry.get("name")
        if not isinstance(aname, str) or not aname:
            raise ctx.error(where, "missing 'name'")
        where = f"[[axis]] {aname!r}"
        if aname in coupling_aliases:
            role, aname = "coupling", "coupling"
        elif aname == "mass":
            role = "mass"
        elif aname == "experiment":
            role = "experiment"
        elif aname in mspec.params:
            role = "model"
        elif aname in OVERRIDABLE:
            role = "exp_param"
        else:
            raise ctx.error(where, f"unknown parameter {aname!r}: not mass, {mspec.coupling}, experiment, a parameter "
                                   f"of model {name!r} ({', '.join(sorted(mspec.params)) or 'none'}) or an experiment "
                                   f"parameter ({', '.join(sorted(OVERRIDABLE))})")
        if aname in seen:
            raise ctx.error(where, "given twice")
        seen.add(aname)
        if (role == "mass" and fixed_mass is not None) or (role == "coupling" and fixed_coupling is not None) \
                or aname in model_fixed or aname in experiment_fixed:
            raise ctx.error(where, "is both an axis and a fixed value")
        values, spacing = _axis_values(ctx, where, entry, numeric_ok=_numeric(role, aname, mspec))
        parsed: list[Any] = []
        for v in values:
            if role == "mass":
                parsed.append(_positive(ctx, where, v))
            elif role == "coupling":
                parsed.append(_coupling(ctx, where, v))
            elif role == "experiment":
                if not isinstance(v, str) or not v:
                    raise ctx.error(where, f"experiment names must be strings, got {v!r}")
                parsed.append(v)
            elif role == "model":
                parsed.append(_parse_model_value(ctx, where, mspec, aname, v))
            else:
                parsed.append(_parse_exp_value(ctx, where, aname, v))
        if len(set(map(repr, parsed))) != len(parsed):
            raise ctx.error(where, "has repeated values")
        axes.append(Axis(aname, role, tuple(parsed), spacing))
    axes.sort(key=lambda a: ROLES.index(a.role))  # stable: keeps the file's order within a role

    if fixed_mass is None and not any(a.role == "mass" for a in axes):
        raise ctx.error("[model]", "no mass: give a 'mass' axis or [model] mass = ...")

    # --- observables ------------------------------------------------------------------------------
    observables, datasets, experiment_names = _parse_observables(ctx, raw, axes)

    # --- every axis must matter -------------------------------------------------------------------
    needs_coupling = any(o.uses_coupling for o in observables)
    uses_exp = any(o.uses_experiments for o in observables)
    uses_exp_axis = any(o.uses_experiments and o.experiment is None for o in observables)
    for a in axes:
        if a.role == "coupling" and not needs_coupling:
            raise ctx.error(f"[[axis]] {a.name!r}", "no observable depends on the coupling (reach edges are per mass)")
        if a.role == "experiment" and not uses_exp_axis:
            raise ctx.error("[[axis]] 'experiment'", "no events or reach observable uses the experiment axis "
                                                     "(each names its own experiment)")
        if a.role == "exp_param" and not uses_exp:
            raise ctx.error(f"[[axis]] {a.name!r}", "an experiment parameter, but no events or reach observable")
    if experiment_fixed and not uses_exp:
        raise ctx.error("[experiment]", "experiment parameters given, but no events or reach observable")
    if needs_coupling and fixed_coupling is None and not any(a.role == "coupling" for a in axes):
        raise ctx.error("[model]", f"no coupling: give a '{mspec.coupling}' axis or [model] {mspec.coupling} = ...")

    # --- experiments: load, apply the fixed and axis parameters -----------------------------------
    experiments, files = {}, []
    if uses_exp:
        for ename in dict.fromkeys(experiment_names):
            experiments[ename], origin, digest = _load_experiment(ctx, ename, base)
            files.append((ename, origin, digest))
        exp_param_axes = [a for a in axes if a.role == "exp_param"]
        combos = math.prod(len(a) for a in exp_param_axes) * max(len(experiments), 1)
        for ename, base_exp in experiments.items():
            try:
                fixed = base_exp.with_overrides(experiment_fixed)
            except MuonReachError as exc:
                raise ctx.error(f"[experiment] (for {ename})", str(exc)) from None
            if combos <= 100_000:
                for combo in product(*(a.values for a in exp_param_axes)):
                    over = dict(zip((a.name for a in exp_param_axes), combo))
                    try:
                        fixed.with_overrides(over)
                    except MuonReachError as exc:
                        raise ctx.error(f"[[axis]] {', '.join(over)} (for {ename})", str(exc)) from None
            else:
                for a in exp_param_axes:
                    for v in a.values:
                        try:
                            fixed.with_overrides({a.name: v})
                        except MuonReachError as exc:
                            raise ctx.error(f"[[axis]] {a.name!r} (for {ename})", str(exc)) from None

    # --- execution --------------------------------------------------------------------------------
    chunks, retries = _parse_execution(ctx, raw, axes, mspec.coupling)
    execution = raw.get("execution", {})

    return ScanSpec(
        model=name,
        coupling_name=mspec.coupling,
        model_fixed=tuple(sorted(model_fixed.items())),
        experiment_fixed=tuple(sorted(experiment_fixed.items())),
        mass=fixed_mass,
        coupling=fixed_coupling,
        axes=tuple(axes),
        observables=tuple(observables),
        chunks=chunks,
        experiments=tuple(experiments.items()),
        datasets=tuple(sorted(datasets.items())),
        experiment_files=tuple(files),
        retries=retries,
        name=str(raw.get("name", "")),
        description=str(raw.get("description", "")),
        source_text=text,
        auto_chunks="chunks" not in execution and "chunk_points" not in execution,
    )


def _parse_model(ctx: _Ctx, raw: dict, experiment_keys) -> tuple[str, Any, float | None, float | None, dict[str, Any]]:
    """The ``[model]`` section: (name, model spec, fixed mass, fixed coupling, fixed model parameters)."""
    from ..models.registry import get_model_spec

    model_table = raw.get("model")
    if model_table is None:
        raise ctx.error("[model]", "missing (give at least the model name)")
    if not isinstance(model_table, dict):
        raise ctx.error("[model]", "must be a table")
    name = model_table.get("name")
    if not isinstance(name, str) or not name:
        raise ctx.error("[model]", "missing 'name' (see `muonreach list models`)")
    try:
        mspec = get_model_spec(name)
    except MuonReachError as exc:
        raise ctx.error("[model] name", str(exc)) from None
    coupling_aliases = {"coupling", mspec.coupling}
    fixed_mass = fixed_coupling = None
    model_fixed: dict[str, Any] = {}
    for key, value in model_table.items():
        if key == "name":
            continue
        where = f"[model] {key}"
        if key == "mass":
            fixed_mass = _positive(ctx, where, value)
        elif key in coupling_aliases:
            fixed_coupling = _coupling(ctx, where, value)
        elif key in mspec.params:
            model_fixed[key] = _parse_model_value(ctx, where, mspec, key, value)
        elif key in experiment_keys:
            raise ctx.error(where, f"{key!r} is an experiment parameter: put it in [experiment]")
        else:
            raise ctx.error(where, f"model {name!r} has no parameter {key!r}; settable: "
                                   f"{', '.join(sorted(mspec.params)) or 'none'} (and mass, {mspec.coupling})")
    try:
        mspec.resolve(model_fixed)
    except MuonReachError as exc:
        raise ctx.error("[model]", str(exc)) from None
    return name, mspec, fixed_mass, fixed_coupling, model_fixed


def _parse_observables(ctx: _Ctx, raw: dict, axes: list[Axis]) -> tuple[list[Observable], dict[str, Any], list[str]]:
    """The ``[[observable]]`` section: observables, the (g-2) datasets they use, the experiments they name."""
    raw_obs = raw.get("observable", [])
    if not isinstance(raw_obs, list) or not raw_obs:
        raise ctx.error("[[observable]]", "no observables: add at least one [[observable]] entry")
    has_exp_axis = any(a.role == "experiment" for a in axes)
    observables = []
    datasets: dict[str, Any] = {}
    experiment_names: list[str] = [v for a in axes if a.role == "experiment" for v in a.values]
    for i, entry in enumerate(raw_obs, 1):
        where = f"[[observable]] #{i}"
        if not isinstance(entry, dict):
            raise ctx.error(where, "must be a table")
        kind = entry.get("kind")
        if kind not in OBSERVABLE_KINDS:
            raise ctx.error(where, f"unknown observable kind {kind!r}; known: {', '.join(OBSERVABLE_KINDS)}")
        where = f"[[observable]] #{i} ({kind})"
        _check_keys(ctx, where, entry, _OBS_KEYS[kind])
        custom = entry.get("name")
        if custom is not None and (not isinstance(custom, str) or not custom.replace("_", "").replace("-", "").isalnum()):
            raise ctx.error(where, f"name must be letters, digits, '_' or '-', got {custom!r}")
        experiment = lepton = dataset = None
        if kind in ("events", "reach"):
            experiment = entry.get("experiment")
            if experiment is None:
                if not has_exp_axis:
                    raise ctx.error(where, "needs 'experiment = NAME' (or an 'experiment' axis)")
                suffix = ""
            else:
                if not isinstance(experiment, str) or not experiment:
                    raise ctx.error(where, f"experiment must be a name, got {experiment!r}")
                experiment_names.append(experiment)
                suffix = "_" + _short(experiment)
            default = "events" + suffix if kind == "events" else "reach" + suffix
            stem = custom or default
            variables = (stem,) if kind == "events" else (f"{stem}_low", f"{stem}_high")
        elif kind == "delta_a":
            lepton = entry.get("lepton", "mu")
            if lepton not in ("mu", "e"):
                raise ctx.error(where, f"lepton must be 'mu' or 'e', got {lepton!r}")
            variables = (custom or f"delta_a_{lepton}",)
        elif kind == "pull":
            from ..gm2.datasets import get_dataset

            dname = entry.get("dataset")
            lep = entry.get("lepton", "mu")
            if lep not in ("mu", "e"):
                raise ctx.error(where, f"lepton must be 'mu' or 'e', got {lep!r}")
            if dname is not None and not isinstance(dname, str):
                raise ctx.error(where, f"dataset must be a name, got {dname!r}")
            try:
                ds = get_dataset(dname, lep)
            except MuonReachError as exc:
                raise ctx.error(where, str(exc)) from None
            if "lepton" in entry and ds.lepton != lep:
                raise ctx.error(where, f"dataset {ds.name!r} is for lepton {ds.lepton!r}, not {lep!r}")
            datasets[ds.name] = ds
            dataset, lepton = ds.name, ds.lepton
            variables = (custom or f"pull_{ds.name}",)
        else:  # omega_h2
            variables = (custom or "omega_h2",)
        observables.append(Observable(kind, variables, experiment, lepton, dataset))

    names = [v for o in observables for v in o.variables]
    for v in names:
        if names.count(v) > 1:
            raise ctx.error("[[observable]]", f"two observables fill the variable {v!r}: give one a different 'name'")
        if v in RESERVED_NAMES or v in {a.name for a in axes}:
            raise ctx.error("[[observable]]", f"variable name {v!r} is reserved (an axis, 'status', 'failure' or 'model')")
    return observables, datasets, experiment_names


def _parse_execution(ctx: _Ctx, raw: dict, axes: list[Axis], coupling_name: str) -> tuple[tuple[int, ...], int]:
    """The ``[execution]`` section: chunk sizes along the outer axes and the task retries."""
    exec_table = _check_keys(ctx, "[execution]", raw.get("execution", {}), _EXEC_KEYS)
    target = exec_table.get("chunk_points", DEFAULT_CHUNK_POINTS)
    if not isinstance(target, int) or isinstance(target, bool) or target < 1:
        raise ctx.error("[execution] chunk_points", f"must be a positive integer, got {target!r}")
    retries = exec_table.get("retries", DEFAULT_RETRIES)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ctx.error("[execution] retries", f"must be a non-negative integer, got {retries!r}")
    explicit = _check_keys(ctx, "[execution] chunks", exec_table.get("chunks", {}), {a.name for a in axes} | {coupling_name})
    outer = [a for a in axes if a.role in ("mass", "model")]
    for key, size in explicit.items():
        key_axis = "coupling" if key == coupling_name else key
        if key_axis not in {a.name for a in outer}:
            raise ctx.error(f"[execution] chunks {key!r}", "a chunk always spans the coupling and experiment axes; "
                                                           "chunk sizes apply to the mass and model-parameter axes")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ctx.error(f"[execution] chunks {key!r}", f"must be a positive integer, got {size!r}")
    chunks = _chunk_sizes(axes, outer, explicit, target)
    return chunks, retries


def _chunk_sizes(axes: list[Axis], outer: list[Axis], explicit: dict, target: int) -> tuple[int, ...]:
    """Chunk size along each outer axis: explicit sizes, else as many points as fit ``target`` (last axes first)."""
    inner = math.prod(len(a) for a in axes if a.role not in ("mass", "model"))
    per_chunk = inner
    for a in outer:
        if a.name in explicit:
            per_chunk *= min(explicit[a.name], len(a))
    sizes: dict[str, int] = {}
    for a in reversed(outer):
        if a.name in explicit:
            sizes[a.name] = min(explicit[a.name], len(a))
            continue
        size = max(1, min(len(a), target // max(per_chunk, 1)))
        sizes[a.name] = size
        per_chunk *= size
    return tuple(sizes[a.name] for a in outer)


def _numeric(role: str, name: str, mspec) -> bool:
    from ..experiments.spec import overridable

    OVERRIDABLE = overridable()

    if role in ("mass", "coupling"):
        return True
    if role == "model":
        return mspec.params[name].kind == "float"
    if role == "exp_param":
        return OVERRIDABLE[name].kind in ("float", "int")
    return False


def _axis_values(ctx: _Ctx, where: str, entry: dict, numeric_ok: bool) -> tuple[list, str]:
    has_values = "values" in entry
    has_range = any(k in entry for k in ("min", "max", "points", "spacing"))
    if has_values and has_range:
        raise ctx.error(where, "give either 'values' or 'min', 'max', 'points' (and 'spacing'), not both")
    if has_values:
        values = entry["values"]
        if not isinstance(values, list):
            raise ctx.error(where, "'values' must be a list")
        if not values:
            raise ctx.error(where, "is empty ('values' has no entries)")
        return values, "list"
    if not has_range:
        raise ctx.error(where, "give 'values = [...]' or 'min', 'max', 'points'")
    if not numeric_ok:
        raise ctx.error(where, "is not numeric: list its 'values'")
    missing = [k for k in ("min", "max", "points") if k not in entry]
    if missing:
        raise ctx.error(where, f"missing {missing[0]!r}")
    points = entry["points"]
    if not isinstance(points, int) or isinstance(points, bool):
        raise ctx.error(where, f"points must be an integer, got {points!r}")
    if points < 1:
        raise ctx.error(where, f"is empty (points = {points})")
    lo, hi = (_number(ctx, where, entry[k], k) for k in ("min", "max"))
    spacing = entry.get("spacing", "linear")
    if spacing not in ("linear", "log"):
        raise ctx.error(where, f"spacing must be 'linear' or 'log', got {spacing!r}")
    if points == 1:
        if lo != hi:
            raise ctx.error(where, "points = 1 needs min == max")
    elif not lo < hi:
        raise ctx.error(where, f"min ({lo:g}) must be below max ({hi:g})")
    if spacing == "log":
        if lo <= 0.0:
            raise ctx.error(where, f"log spacing needs min > 0, got {lo:g}")
        vals = np.geomspace(lo, hi, points)
    else:
        vals = np.linspace(lo, hi, points)
    return [float(v) for v in vals], spacing


def _number(ctx: _Ctx, where: str, value: Any, what: str = "value") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ctx.error(where, f"{what} must be a finite number, got {value!r}")
    return float(value)


def _positive(ctx: _Ctx, where: str, value: Any) -> float:
    x = _number(ctx, where, value, "mass")
    if x <= 0.0:
        raise ctx.error(where, f"mass must be positive, got {x:g}")
    return x


def _coupling(ctx: _Ctx, where: str, value: Any) -> float:
    from ..validation import coupling

    x = _number(ctx, where, value, "coupling")
    try:
        return coupling("coupling", x)
    except MuonReachError as exc:
        raise ctx.error(where, str(exc)) from None


def _parse_model_value(ctx: _Ctx, where: str, mspec, key: str, value: Any) -> Any:
    param = mspec.params[key]
    if param.kind == "float" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ctx.error(where, f"{key} must be a number, got {value!r}")
    try:
        parsed = param.parse(key, value)
    except MuonReachError as exc:
        raise ctx.error(where, str(exc)) from None
    return parsed


def _parse_exp_value(ctx: _Ctx, where: str, key: str, value: Any) -> Any:
    from ..experiments.spec import overridable

    OVERRIDABLE = overridable()

    param = OVERRIDABLE[key]
    if param.kind in ("float", "int") and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ctx.error(where, f"{key} must be a number, got {value!r}")
    try:
        parsed = param.parse(key, value)
    except MuonReachError as exc:
        raise ctx.error(where, str(exc)) from None
    return parsed


def _load_experiment(ctx: _Ctx, name: str, base: Path):
    """The Experiment, where it came from and the sha256 of its file (recorded in the output)."""
    from importlib import resources

    from ..experiments.spec import list_experiments, load_experiment

    if name in list_experiments():
        data = resources.files("muonreach.experiments").joinpath("data", f"{name}.toml").read_bytes()
        origin = f"muonreach/experiments/data/{name}.toml"
        target = name
    else:
        path = Path(name)
        if name.endswith(".toml") and not path.is_absolute():
            path = base / path
        target = str(path) if name.endswith(".toml") else name
        data, origin = None, str(path)
    try:
        exp = load_experiment(target)
    except MuonReachError as exc:
        raise ctx.error(f"experiment {name!r}", str(exc)) from None
    if data is None:
        data = read_bytes(target, "experiment")
    return exp, origin, hashlib.sha256(data).hexdigest()


def _short(experiment: str) -> str:
    return Path(experiment).stem if experiment.endswith(".toml") else experiment
