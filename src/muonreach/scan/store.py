"""The scan result as an xarray Dataset, in memory or in a Zarr store, and the completion markers of chunks.

Layout of an output ``DIR.zarr`` (Zarr format 3, the metadata xarray writes, read with ``xarray.open_zarr``):

* one coordinate per axis, one data variable per observable output (its own dimensions), ``status`` (int8:
  0 ok, 1 failed, -1 not computed) and ``failure`` (the reason, '' when ok) on all dimensions;
* Zarr chunks aligned with the work chunks (a block of the mass and model-parameter axes, whole along the
  other axes), so two tasks never write the same Zarr chunk;
* ``_muonreach_chunks/<id>.done``: one marker per finished chunk (in a Zarr sub-group, which
  ``xarray.open_zarr`` ignores), created atomically (write to a temporary name, then rename) after all the
  chunk's arrays are written. It holds the chunk id and the sha256 of the chunk's values as written. On
  resume a marker is trusted only if it parses, names its own chunk, and the chunk's values read back from
  the store have that digest; any other chunk (no marker, a fake or stale marker, deleted or corrupt chunk
  files) is computed again and overwritten in full. Markers of chunks the spec does not have are ignored;
* ``_muonreach_chunks/writer.lock``: locked (``fcntl.flock``, released when the process ends) by the one
  process writing the store; a second writer is refused;
* attributes: the spec (TOML text and canonical JSON), its sha256 (``spec_hash``), the muonreach version, the
  model, and the (g-2) datasets and experiment files used (with the sha256 of each file).

The store is created atomically too: written under a temporary name
(``.<name>.partial-<host>-<pid>-<random>``) and renamed into place; temporary stores left by a process
of this host that no longer runs (killed while creating one) are removed by the next run.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SpecError
from .compute import STATUS_NOT_COMPUTED, ChunkResult
from .spec import ScanSpec, required

if TYPE_CHECKING:
    import zarr

MARKERS: str = "_muonreach_chunks"
FORMAT: str = "muonreach-scan/1"
MARKERS_ATTRS: dict[str, str] = {
    "description": "muonreach: one '<chunk>.done' file per finished chunk (written after its data)"}
FAILURE_LONG_NAME: str = "why the point failed ('' when it did not)"
LOCK: str = "writer.lock"  # in the markers folder (a file at the top would make zarr warn)


def _strings(values) -> np.ndarray:
    return np.array(list(values), dtype=np.dtypes.StringDType())


def coordinates(spec: ScanSpec) -> dict[str, tuple]:
    """One coordinate per axis (with units and descriptions as attributes)."""
    out = {}
    for a in spec.axes:
        if all(isinstance(v, str) for v in a.values):
            values = _strings(a.values)
        else:
            values = np.asarray(a.values)
        attrs: dict[str, Any] = {"role": a.role, "spacing": a.spacing}
        if a.role == "mass":
            attrs |= {"units": "GeV", "long_name": "mediator mass"}
        elif a.role == "coupling":
            attrs |= {"long_name": spec.coupling_name, "description": f"the model's scanned coupling {spec.coupling_name}"}
        elif a.role == "experiment":
            attrs |= {"long_name": "experiment"}
        elif a.role == "model":
            attrs |= {"long_name": f"model parameter {a.name}"}
        else:
            attrs |= {"long_name": f"experiment parameter {a.name}"}
        out[a.name] = (a.name, values, attrs)
    return out


def variable_attrs(spec: ScanSpec) -> dict[str, dict]:
    attrs = {}
    for o in spec.observables:
        common = {"observable": o.kind}
        if o.kind == "events":
            attrs[o.variables[0]] = common | {
                "long_name": "expected signal events", "units": "1",
                "experiment": o.experiment or "(experiment axis)",
                "note": "0 where the beam cannot produce the boson (kinematically forbidden)"}
        elif o.kind == "delta_a":
            lepton = required(o.lepton, "the lepton of delta_a")
            attrs[o.variables[0]] = common | {"long_name": f"one-loop Delta a_{lepton}", "units": "1", "lepton": lepton}
        elif o.kind == "pull":
            ds = spec.dataset(required(o.dataset, "the dataset of pull"))
            attrs[o.variables[0]] = common | {
                "long_name": f"(Delta a_{ds.lepton}(model) - Delta a) / sigma for dataset {ds.name}", "units": "sigma",
                "dataset": ds.name, "lepton": ds.lepton, "dataset_delta": ds.delta, "dataset_sigma": ds.sigma}
        elif o.kind == "omega_h2":
            attrs[o.variables[0]] = common | {"long_name": "relic density Omega h^2 (muonreach.cosmo.relic)", "units": "1"}
        else:
            for var, edge in zip(o.variables, ("lower", "upper")):
                attrs[var] = common | {
                    "long_name": f"{edge} {spec.coupling_name} edge of the region with N >= N_CL signal events",
                    "experiment": o.experiment or "(experiment axis)",
                    "nan_means": "no sensitivity" if edge == "lower" else
                                 "no sensitivity, or no upper edge below the perturbative limit"}
    return attrs


def dataset_attrs(spec: ScanSpec) -> dict[str, Any]:
    """Provenance (DESIGN.md: outputs record the muonreach version, the spec and the data sets used)."""
    from .. import __version__

    return {
        "format": FORMAT,
        "title": spec.name or "muonreach scan",
        "description": spec.description,
        "muonreach_version": __version__,
        "spec_hash": spec.hash,
        "spec_toml": spec.source_text,
        "spec": json.dumps(spec.canonical(), sort_keys=True),
        "model": spec.model,
        "coupling_name": spec.coupling_name,
        "fixed_model_parameters": json.dumps(dict(spec.model_fixed)),
        "fixed_experiment_parameters": json.dumps(dict(spec.experiment_fixed)),
        "fixed_mass": "" if spec.mass is None else repr(spec.mass),
        "fixed_coupling": "" if spec.coupling is None else repr(spec.coupling),
        "gm2_datasets": json.dumps([{"name": d.name, "lepton": d.lepton, "delta": d.delta, "sigma": d.sigma,
                                     "reference": d.reference} for _, d in spec.datasets]),
        "experiments": json.dumps([{"name": n, "file": origin, "sha256": digest, "source": spec.experiment(n).source}
                                   for n, origin, digest in spec.experiment_files]),
        "chunks": json.dumps({a.name: c for a, c in zip(spec.outer_axes, spec.chunks)}),
        "status_codes": "0: ok; 1: failed (reason in 'failure'); -1: not computed (run the scan again to resume)",
    }


def empty_arrays(spec: ScanSpec) -> dict[str, np.ndarray]:
    """In-memory arrays of every variable, before any chunk: NaN, status -1, failure ''."""
    shapes = {v: tuple(spec.axis_length(d) for d in dims) for v, dims in spec.variable_dims().items()}
    arrays: dict[str, np.ndarray] = {v: np.full(s, np.nan) for v, s in shapes.items()}
    arrays["status"] = np.full(spec.shape, STATUS_NOT_COMPUTED, dtype=np.int8)
    arrays["failure"] = np.full(spec.shape, "", dtype=object)
    return arrays


def place(arrays: dict[str, np.ndarray], spec: ScanSpec, res: ChunkResult) -> None:
    """Copy a chunk's values into full in-memory arrays."""
    var_dims = spec.variable_dims()
    for var, values in res.variables.items():
        arrays[var][_region(var_dims[var], res.slices)] = values
    arrays["status"][_region(spec.dims, res.slices)] = res.status
    arrays["failure"][_region(spec.dims, res.slices)] = res.failure


def build_dataset(spec: ScanSpec, arrays: dict[str, np.ndarray]):
    """The xarray Dataset of in-memory arrays (same variables, coordinates and attributes as the store)."""
    import xarray as xr

    var_dims = spec.variable_dims()
    vattrs = variable_attrs(spec)
    data = {v: (var_dims[v], arrays[v], vattrs[v]) for v in var_dims}
    data["status"] = (spec.dims, arrays["status"], _status_attrs())
    data["failure"] = (spec.dims, _strings(arrays["failure"].ravel()).reshape(spec.shape),
                       {"long_name": FAILURE_LONG_NAME})
    return xr.Dataset(data, coords=coordinates(spec), attrs=dataset_attrs(spec))


def _status_attrs() -> dict:
    return {"long_name": "status of the grid point", "flag_values": [-1, 0, 1],
            "flag_meanings": "not_computed ok failed"}


def _region(dims: tuple[str, ...], slices: dict[str, slice]) -> tuple:
    return tuple(slices.get(d, slice(None)) for d in dims)


# ------------------------------------------------------------------------------------------------------
# Zarr store
# ------------------------------------------------------------------------------------------------------


#: The ``_FillValue`` attribute xarray's ``to_zarr`` gives a float64 array (base64 of the little-endian NaN):
#: written by :func:`_create_store` so that its metadata is the same as xarray's (tests/test_scan.py compares them).
_NAN_FILL: str = base64.standard_b64encode(np.float64(np.nan).tobytes()).decode()


def _create_store(path: Path, spec: ScanSpec) -> None:
    """Create the store's metadata and coordinates with zarr directly: the same files, byte for byte, as
    xarray's ``to_zarr(compute=False)`` of the empty dataset (Zarr 3, zstd level 0; float64 arrays with a NaN
    fill value and xarray's ``_FillValue`` attribute, ``status`` filled with -1, ``failure`` with ''), at a
    third of its cost; the data chunks are left to the tasks."""
    import zarr

    group = zarr.open_group(str(path), mode="w-", zarr_format=3, attributes=dataset_attrs(spec))

    def array(name: str, dims: tuple[str, ...], dtype: Any, chunks: tuple[int, ...], fill: Any, attrs: dict):
        shape = tuple(spec.axis_length(d) for d in dims)
        return group.create_array(name, shape=shape, dtype=dtype, chunks=chunks, fill_value=fill,
                                  dimension_names=list(dims), attributes=attrs)

    for name, (dim, values, attrs) in coordinates(spec).items():
        if values.dtype.kind == "f":
            array(name, (dim,), values.dtype, values.shape, np.nan, attrs | {"_FillValue": _NAN_FILL})[...] = values
        elif values.dtype.kind in "TUO":
            array(name, (dim,), np.dtypes.StringDType(), values.shape, "", attrs)[...] = _strings(values)
        else:  # integers, booleans: zarr's default fill value, as xarray leaves it
            array(name, (dim,), values.dtype, values.shape, None, attrs)[...] = values
    vattrs = variable_attrs(spec)
    for v, dims in spec.variable_dims().items():
        array(v, dims, np.float64, spec.zarr_chunks(dims), np.nan, vattrs[v] | {"_FillValue": _NAN_FILL})
    chunks = spec.zarr_chunks(spec.dims)
    array("status", spec.dims, np.int8, chunks, STATUS_NOT_COMPUTED, _status_attrs())
    array("failure", spec.dims, np.dtypes.StringDType(), chunks, "", {"long_name": FAILURE_LONG_NAME})
    group.create_group(MARKERS, attributes=MARKERS_ATTRS)


def stored_attrs(out: Path) -> dict | None:
    """The attributes of an existing scan store (None if ``out`` is not one)."""
    import zarr

    if not (out / "zarr.json").is_file():
        return None
    try:
        return dict(zarr.open_group(str(out), mode="r").attrs)
    except Exception:
        return None


def stored_chunking(out: Path, spec: ScanSpec) -> ScanSpec | None:
    """``spec`` with the chunking recorded in the existing store ``out`` (its ``chunks`` attribute), or None
    if there is no readable one (then :func:`prepare` says what is wrong)."""
    attrs = stored_attrs(Path(out))
    try:
        sizes = json.loads(attrs["chunks"]) if attrs is not None else None
        return None if sizes is None else spec.with_chunks(tuple(int(sizes[a.name]) for a in spec.outer_axes))
    except (KeyError, TypeError, ValueError):
        return None


def prepare(out: Path, spec: ScanSpec) -> None:
    """Create the store (atomically) or check that an existing one belongs to this spec (then
    :func:`verified_chunks` under :func:`locked` tells which chunks are done)."""
    out = Path(out)
    if out.exists():
        attrs = stored_attrs(out)
        if attrs is None or attrs.get("format") != FORMAT:
            raise SpecError(f"output {out} exists and is not a muonreach scan; choose another --out")
        if attrs.get("spec_hash") != spec.hash:
            raise SpecError(f"output {out} holds a scan of a different spec (hash {str(attrs.get('spec_hash'))[:12]}, "
                            f"this spec {spec.hash[:12]}); cannot resume: choose another --out or delete it")
        from .. import __version__

        if attrs.get("muonreach_version") != __version__:
            raise SpecError(f"output {out} was written by muonreach {attrs.get('muonreach_version')}, this is "
                            f"{__version__}; cannot resume (the numbers could differ): choose another --out")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(out)
    tmp = out.with_name(f"{_partial_prefix(out)}{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        _create_store(tmp, spec)
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if out.exists():  # created by someone else meanwhile: check it
            prepare(out, spec)
            return
        raise SpecError(f"cannot create output {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _partial_prefix(out: Path) -> str:
    return f".{out.name}.partial-"


def _remove_stale_partials(out: Path) -> None:
    """Remove temporary stores of ``out`` left by a process of this host that no longer runs."""
    prefix, host = _partial_prefix(out), socket.gethostname()
    for p in out.parent.glob(f"{prefix}*"):
        h, _, rest = p.name.removeprefix(prefix).rpartition("-")[0].rpartition("-")
        if h != host or not rest.isdigit():
            continue
        try:
            os.kill(int(rest), 0)
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
        except OSError:  # alive, or not ours to signal
            continue


def _ensure_markers(out: Path) -> None:
    """The markers sub-group, created again if it was deleted (its chunks are then computed again)."""
    if (out / MARKERS / "zarr.json").is_file():
        return
    import zarr

    zarr.open_group(str(out), mode="r+").create_group(MARKERS, attributes=MARKERS_ATTRS)


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the store's writer lock (``fcntl.flock`` on ``_muonreach_chunks/writer.lock``) for the block; a
    SpecError if another process holds it. The lock goes with the process, so a killed scan leaves no stale
    lock."""
    import fcntl

    path = Path(out) / MARKERS / LOCK
    try:
        _ensure_markers(Path(out))
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SpecError(f"cannot lock output {out}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            raise SpecError(f"output {out} is being written by another muonreach scan ({holder}); "
                            "wait for it to finish or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def marked_chunks(out: Path) -> set[int]:
    """Chunk ids with a marker file (not verified: see :func:`verified_chunks`)."""
    folder = Path(out) / MARKERS
    if not folder.is_dir():
        return set()
    return {int(p.name.removesuffix(".done")) for p in folder.iterdir()
            if p.name.endswith(".done") and p.name.removesuffix(".done").isdigit()}


def done_chunks(out: Path, spec: ScanSpec | None = None) -> set[int]:
    """Chunk ids whose marker is trusted: all markers, or with ``spec`` only the verified ones."""
    return marked_chunks(out) if spec is None else verified_chunks(out, spec)


def chunk_digest(spec: ScanSpec, slices: dict[str, slice], variables: dict[str, np.ndarray], status: np.ndarray,
                 failure: np.ndarray) -> str:
    """sha256 of a chunk's values (every variable in spec order as float64, status as int8, the failure
    strings), the same whether taken from a :class:`ChunkResult` or read back from the store."""
    h = hashlib.sha256()
    for var in spec.variable_dims():
        h.update(var.encode() + b"\0")
        h.update(np.ascontiguousarray(variables[var], dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(status, dtype=np.int8).tobytes())
    h.update("\0".join(str(f) for f in np.asarray(failure).ravel()).encode())
    h.update(json.dumps({k: [v.start, v.stop] for k, v in sorted(slices.items())}).encode())
    return h.hexdigest()


def _array(group: zarr.Group, name: str) -> zarr.Array:
    """The array ``name`` of a scan store (SpecError if the store holds something else there)."""
    import zarr

    node = group[name]
    if not isinstance(node, zarr.Array):
        raise SpecError(f"scan store: {name!r} is not an array (the store is damaged)")
    return node


def _read_chunk(group, spec: ScanSpec, slices: dict[str, slice]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    var_dims = spec.variable_dims()
    variables = {v: np.asarray(group[v][_region(var_dims[v], slices)]) for v in var_dims}
    region = _region(spec.dims, slices)
    return variables, np.asarray(group["status"][region]), np.asarray(group["failure"][region])


def verified_chunks(out: Path, spec: ScanSpec) -> set[int]:
    """The chunks whose marker can be trusted: it parses, names its chunk, and the chunk's values read back
    from the store have the digest it records (so no fake marker, deleted or corrupt chunk file passes). An
    ``auto_chunks`` spec is taken with the store's chunking."""
    import zarr

    if spec.auto_chunks:
        spec = stored_chunking(out, spec) or spec
    folder = Path(out) / MARKERS
    candidates = sorted(c for c in marked_chunks(out) if c < spec.n_chunks)
    if not candidates:
        return set()
    try:
        group = zarr.open_group(str(out), mode="r")
    except Exception:
        return set()
    done = set()
    for cid in candidates:
        try:
            record = json.loads((folder / f"{cid}.done").read_text())
            if not isinstance(record, dict) or record.get("chunk") != cid:
                continue
            slices = spec.chunk_slices(cid)
            variables, status, failure = _read_chunk(group, spec, slices)
        except Exception:  # unreadable marker or chunk data: compute the chunk again
            continue
        if (status != STATUS_NOT_COMPUTED).all() and record.get("sha256") == chunk_digest(spec, slices, variables, status, failure):
            done.add(cid)
    return done


def mark_done(out: Path, cid: int, digest: str) -> None:
    """Write chunk ``cid``'s marker (atomically) with the digest of its values."""
    folder = Path(out) / MARKERS
    folder.mkdir(exist_ok=True)  # a deleted markers folder is recreated: its chunks are recomputed
    tmp = folder / f".{cid}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.write_text(json.dumps({"chunk": cid, "sha256": digest}))
    os.replace(tmp, folder / f"{cid}.done")


def write_chunk(out: Path, spec: ScanSpec, res: ChunkResult, marker: bool = True) -> str:
    """Write a chunk's arrays into its region of the store (all arrays at once), then (with ``marker``) its
    completion marker. Returns the digest of the values written, which a resume compares with the values it
    reads back (:func:`verified_chunks`): the store keeps float64, int8 and strings exactly, so the two agree
    unless the chunk's files changed since.

    Idempotent: writing the same chunk twice writes the same bytes."""
    from zarr.core.sync import sync  # zarr's own bridge to its event loop (what Array.__setitem__ uses)

    arrays = _open_arrays(Path(out), spec)
    var_dims = spec.variable_dims()
    region = _region(spec.dims, res.slices)
    jobs = [arrays[var].async_array.setitem(_region(var_dims[var], res.slices), values)
            for var, values in res.variables.items()]
    jobs.append(arrays["status"].async_array.setitem(region, res.status))
    jobs.append(arrays["failure"].async_array.setitem(region, _strings(res.failure.ravel()).reshape(res.failure.shape)))
    sync(_gather(jobs))
    digest = chunk_digest(spec, res.slices, res.variables, res.status, res.failure)
    if marker:
        mark_done(out, res.cid, digest)
    return digest


async def _gather(jobs: list) -> None:
    import asyncio

    await asyncio.gather(*jobs)


#: Arrays of the stores this process writes, by (path, spec hash), with the identity (inode, mtime) of the
#: store's zarr.json when they were opened: a chunk write then costs no metadata reads, and a store that
#: was deleted or created again at the same path is opened again (or fails to open).
_OPEN: dict[tuple[str, str], tuple[tuple[int, int], dict[str, zarr.Array]]] = {}


def _open_arrays(out: Path, spec: ScanSpec) -> dict[str, zarr.Array]:
    import zarr

    key = (str(out.absolute()), spec.hash)
    st = os.stat(out / "zarr.json")  # FileNotFoundError if the store is gone
    ident = (st.st_ino, st.st_mtime_ns)
    found = _OPEN.get(key)
    if found is None or found[0] != ident:
        group = zarr.open_group(str(out), mode="r+")
        found = (ident, {name: _array(group, name) for name in [*spec.variable_dims(), "status", "failure"]})
        if len(_OPEN) >= 16:
            _OPEN.clear()
        _OPEN[key] = found
    return found[1]


def open_result(out: Path, spec: ScanSpec | None = None):
    """The stored Dataset (lazy), variables in the order of the spec's observables."""
    import xarray as xr

    ds = xr.open_zarr(str(out), consolidated=False)
    if spec is not None:
        order = [v for o in spec.observables for v in o.variables] + ["status", "failure"]
        ds = ds[[v for v in order if v in ds.data_vars]]
    return ds
