"""The scan result as an xarray Dataset, in memory or in a Zarr store, and the completion markers of chunks.

Layout of an output ``DIR.zarr`` (Zarr format 3, written by xarray, read with ``xarray.open_zarr``):

* one coordinate per axis, one data variable per observable output (its own dimensions), ``status`` (int8:
  0 ok, 1 failed, -1 not computed) and ``failure`` (the reason, '' when ok) on all dimensions;
* Zarr chunks aligned with the work chunks (a block of the mass and model-parameter axes, whole along the
  other axes), so two tasks never write the same Zarr chunk;
* ``_muonreach_chunks/<id>.done``: one empty marker per finished chunk (in a Zarr sub-group, which
  ``xarray.open_zarr`` ignores), created atomically (write to a
  temporary name, then rename) after all the chunk's arrays are written. A chunk counts as done only when
  its marker exists; a chunk interrupted half-way is computed again and overwritten in full;
* attributes: the spec (TOML text and canonical JSON), its sha256 (``spec_hash``), the muonreach version, the
  model, and the (g-2) datasets and experiment files used (with the sha256 of each file).

The store is created atomically too: written under a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError
from .compute import STATUS_NOT_COMPUTED, ChunkResult
from .spec import ScanSpec

MARKERS: str = "_muonreach_chunks"
FORMAT: str = "muonreach-scan/1"


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
            attrs[o.variables[0]] = common | {"long_name": f"one-loop Delta a_{o.lepton}", "units": "1", "lepton": o.lepton}
        elif o.kind == "pull":
            ds = spec.dataset(o.dataset)
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
    shapes = {v: tuple(len(spec.axis(d)) for d in dims) for v, dims in spec.variable_dims().items()}
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
                       {"long_name": "why the point failed ('' when it did not)"})
    return xr.Dataset(data, coords=coordinates(spec), attrs=dataset_attrs(spec))


def _status_attrs() -> dict:
    return {"long_name": "status of the grid point", "flag_values": [-1, 0, 1],
            "flag_meanings": "not_computed ok failed"}


def _region(dims: tuple[str, ...], slices: dict[str, slice]) -> tuple:
    return tuple(slices.get(d, slice(None)) for d in dims)


# ------------------------------------------------------------------------------------------------------
# Zarr store
# ------------------------------------------------------------------------------------------------------


def _template(spec: ScanSpec):
    """The dataset with lazy (never computed) dask arrays: writing it creates the store's metadata only."""
    import dask.array as da
    import xarray as xr

    var_dims = spec.variable_dims()
    vattrs = variable_attrs(spec)
    data = {}
    encoding = {}
    for v, dims in var_dims.items():
        shape = tuple(len(spec.axis(d)) for d in dims)
        chunks = spec.zarr_chunks(dims)
        data[v] = (dims, da.full(shape, np.nan, chunks=chunks), vattrs[v])
        encoding[v] = {"chunks": chunks}
    chunks = spec.zarr_chunks(spec.dims)
    data["status"] = (spec.dims, da.full(spec.shape, STATUS_NOT_COMPUTED, dtype=np.int8, chunks=chunks), _status_attrs())
    encoding["status"] = {"chunks": chunks, "fill_value": STATUS_NOT_COMPUTED}
    data["failure"] = (spec.dims, da.full(spec.shape, "", dtype=np.dtypes.StringDType(), chunks=chunks),
                       {"long_name": "why the point failed ('' when it did not)"})
    encoding["failure"] = {"chunks": chunks}
    ds = xr.Dataset(data, coords=coordinates(spec), attrs=dataset_attrs(spec))
    return ds, encoding


def stored_attrs(out: Path) -> dict | None:
    """The attributes of an existing scan store (None if ``out`` is not one)."""
    import zarr

    if not (out / "zarr.json").is_file():
        return None
    try:
        return dict(zarr.open_group(str(out), mode="r").attrs)
    except Exception:
        return None


def prepare(out: Path, spec: ScanSpec) -> set[int]:
    """Create the store (atomically) or check that an existing one belongs to this spec; chunk ids done."""
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
        return done_chunks(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        ds, encoding = _template(spec)
        ds.to_zarr(str(tmp), mode="w-", compute=False, consolidated=False, encoding=encoding, zarr_format=3)
        import zarr

        zarr.open_group(str(tmp), mode="r+").create_group(MARKERS, attributes={
            "description": "muonreach: one '<chunk>.done' file per finished chunk (written after its data)"})
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if out.exists():  # created by someone else meanwhile: check it
            return prepare(out, spec)
        raise SpecError(f"cannot create output {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return set()


def done_chunks(out: Path) -> set[int]:
    folder = Path(out) / MARKERS
    if not folder.is_dir():
        return set()
    return {int(p.name.removesuffix(".done")) for p in folder.iterdir()
            if p.name.endswith(".done") and p.name.removesuffix(".done").isdigit()}


def mark_done(out: Path, cid: int) -> None:
    folder = Path(out) / MARKERS
    tmp = folder / f".{cid}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.write_text("")
    os.replace(tmp, folder / f"{cid}.done")


def write_chunk(out: Path, spec: ScanSpec, res: ChunkResult, marker: bool = True) -> None:
    """Write a chunk's arrays into its region of the store, then (with ``marker``) its completion marker.

    Idempotent: writing the same chunk twice writes the same bytes."""
    import zarr

    group = zarr.open_group(str(out), mode="r+")
    var_dims = spec.variable_dims()
    for var, values in res.variables.items():
        group[var][_region(var_dims[var], res.slices)] = values
    region = _region(spec.dims, res.slices)
    group["status"][region] = res.status
    group["failure"][region] = _strings(res.failure.ravel()).reshape(res.failure.shape)
    if marker:
        mark_done(out, res.cid)


def open_result(out: Path, spec: ScanSpec | None = None):
    """The stored Dataset (lazy), variables in the order of the spec's observables."""
    import xarray as xr

    ds = xr.open_zarr(str(out), consolidated=False)
    if spec is not None:
        order = [v for o in spec.observables for v in o.variables] + ["status", "failure"]
        ds = ds[[v for v in order if v in ds.data_vars]]
    return ds
