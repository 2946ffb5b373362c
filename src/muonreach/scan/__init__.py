"""Grid scans: many masses, couplings, model and experiment parameters at once (docs/scans.md).

A scan spec (TOML) names the model, the grid axes and the observables; :func:`run_scan` evaluates it on
dask.distributed (a LocalCluster by default, or an existing cluster) and returns an ``xarray.Dataset``,
kept in memory or written chunk by chunk to a Zarr store that an interrupted run resumes.

Importing this package does not import dask, xarray or zarr; :func:`run_scan` does.
"""

from __future__ import annotations

from .compute import STATUS_FAILED, STATUS_NOT_COMPUTED, STATUS_OK, compute_chunk
from .runner import ScanReport, failure_summary, run_scan
from .spec import Axis, Observable, ScanSpec, load_spec, parse_spec

__all__ = [
    "STATUS_FAILED",
    "STATUS_NOT_COMPUTED",
    "STATUS_OK",
    "Axis",
    "Observable",
    "ScanReport",
    "ScanSpec",
    "compute_chunk",
    "failure_summary",
    "load_spec",
    "parse_spec",
    "run_scan",
]
