"""``muonreach scan SPEC.toml``: evaluate a grid scan on dask.distributed and write it to Zarr (docs/scans.md).

Exit codes: 0 all points computed; 1 some points failed (the first few are named on stderr); 2 a bad spec or
option (one line on stderr); 3 the scan stopped before the end (``--max-chunks`` or chunks that could not be
computed): run the same command again to resume; 130 interrupted (Ctrl-C), also resumable.
dask, xarray and zarr are imported inside the command, so ``muonreach --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

EXIT_FAILED_POINTS = 1
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130


@click.command("scan")
@click.argument("spec_file", metavar="SPEC.toml", type=click.Path(dir_okay=False))
@click.option("--workers", type=click.IntRange(1, 4096), default=None,
              help="worker processes of the local dask cluster, always started when given (default: none for a "
                   "scan estimated under 3 s, which runs in this process; else the number of CPUs)")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="run on an existing dask cluster (tcp://host:port) instead of a local one")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="output DIR.zarr (default: SPEC name with .zarr, in the current directory); "
                   "an unfinished output of the same spec is resumed")
@click.option("--max-chunks", type=click.IntRange(1, None), default=None,
              help="compute at most N missing chunks, then stop (resume later)")
@click.option("--progress/--no-progress", default=True, show_default=True, help="progress bar on stderr")
@click.option("--json", "as_json", is_flag=True, help="machine-readable summary on stdout")
def command(spec_file: str, workers: int | None, scheduler: str | None, out: str | None, max_chunks: int | None,
            progress: bool, as_json: bool) -> None:
    """Evaluate the grid scan SPEC.toml (model, axes, observables) and write an xarray dataset to Zarr."""
    from ..errors import InvalidParameter
    from ..scan.spec import load_spec

    if workers is not None and scheduler is not None:
        raise InvalidParameter("give --workers or --scheduler, not both (the cluster at ADDRESS has its own workers)")
    from ..outputs import check_output_directory

    spec = load_spec(spec_file)  # SpecError (exit 2) before anything starts
    # like every other --out: no missing parent created, the .zarr suffix the help promises
    out_path = check_output_directory(out if out is not None else Path(spec_file).stem + ".zarr", ".zarr")

    from ..scan.runner import ScanReport, failure_summary, run_scan

    report = ScanReport(spec.n_chunks, 0)
    try:
        ds = run_scan(spec, workers=workers, scheduler=scheduler, out=out_path, progress=progress,
                      max_chunks=max_chunks, report=report)
    except KeyboardInterrupt:
        click.echo(f"muonreach: interrupted; run the same command again to resume {out_path}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    n_failed, n_missing, lines = failure_summary(ds)
    done, n_chunks = report.already_done + report.computed, report.total_chunks  # the chunking the run used
    variables = [v for o in spec.observables for v in o.variables]
    payload = {
        "out": str(out_path), "points": spec.size, "dims": dict(zip(spec.dims, spec.shape)),
        "variables": variables, "chunks": n_chunks,
        "chunks_done": done, "chunks_resumed": report.already_done, "failed_points": n_failed,
        "missing_points": n_missing, "failures": lines, "chunk_errors": {str(k): v for k, v in report.chunk_errors.items()},
        "seconds": round(report.seconds, 3),
    }
    if as_json:
        click.echo(json.dumps(payload, indent=2))
    else:
        dims = " x ".join(f"{d} {n}" for d, n in zip(spec.dims, spec.shape))
        resumed = f", {report.already_done} resumed from an earlier run" if report.already_done else ""
        click.echo(f"{out_path}: {spec.size} points ({dims}), {done}/{n_chunks} chunks{resumed}; "
                   f"variables: {', '.join(variables)}")
    if n_failed:
        click.echo(f"muonreach: {n_failed} of {spec.size} points failed (status == 1); first {len(lines)}:", err=True)
        for line in lines:
            click.echo(f"  {line}", err=True)
    for cid, reason in list(report.chunk_errors.items())[:5]:
        click.echo(f"muonreach: chunk {cid} could not be computed: {reason}", err=True)
    incomplete = done < n_chunks
    if incomplete:
        click.echo(f"muonreach: scan incomplete: {n_chunks - done} of {n_chunks} chunks missing; "
                   f"run the same command again to resume {out_path}", err=True)
    if n_failed:
        sys.exit(EXIT_FAILED_POINTS)
    if incomplete:
        sys.exit(EXIT_INCOMPLETE)
