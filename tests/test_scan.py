"""Grid scans (muonreach.scan, `muonreach scan`): spec validation, values against the direct API, dask
execution (2-process LocalCluster), interruption and resume, a worker killed mid-scan, failing points.

Clusters of real processes are started three times (2-worker run, killed worker, failing point through the
command line); the other tests use an in-process cluster (``processes=False``) to stay fast.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import run_in_process, run_subprocess
from muonreach.errors import SpecError
from muonreach.scan import STATUS_FAILED, STATUS_NOT_COMPUTED, STATUS_OK, ScanReport, failure_summary, load_spec, run_scan
from muonreach.scan.store import MARKERS, done_chunks

xr = pytest.importorskip("xarray")

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "muonreach" / "scan" / "examples" / "na64-grid.toml"

# 12 masses x 20 couplings x 2 experiments = 480 points, 6 chunks of 2 masses
GRID = """
name = "test-grid"
[model]
name = "scalar-muon"
g_chi = 1.0
m_chi_ratio = 0.3333
[[axis]]
name = "mass"
min = 0.01
max = 5.0
points = 12
spacing = "log"
[[axis]]
name = "g_mu"
min = 1e-6
max = 1e-2
points = 20
spacing = "log"
[[axis]]
name = "experiment"
values = ["na64mu-2018", "m3-phase1"]
[[observable]]
kind = "events"
[[observable]]
kind = "delta_a"
[[observable]]
kind = "pull"
dataset = "wa2025-wp2025"
[[observable]]
kind = "reach"
[execution]
chunks = { mass = 2 }
"""

# dark photon at 45 GeV: its hadronic width needs R(sqrt(s)) beyond the 38.4 GeV table -> DataRangeError
FAILING = """
[model]
name = "dark-photon"
[[axis]]
name = "mass"
values = [0.1, 45.0]
[[axis]]
name = "eps"
values = [1e-4, 1e-3, 1e-2]
[[observable]]
kind = "events"
experiment = "na64mu-2018"
[[observable]]
kind = "delta_a"
"""

# 2 points, Delta a_mu only: the smallest store
MINI = """
[model]
name = "scalar-muon"
g_mu = 1e-3
[[axis]]
name = "mass"
values = [0.1, 0.2]
[[observable]]
kind = "delta_a"
"""


def _data(ds) -> dict:
    """Every data variable and coordinate as numpy (for exact comparisons across runs)."""
    ds = ds.load()
    return {k: np.asarray(ds[k].values) for k in list(ds.data_vars) + list(ds.coords)}


def _assert_same(a, b) -> None:
    _assert_same_values(a, b)
    assert a.attrs == b.attrs


def _assert_same_values(a, b) -> None:
    da, db = _data(a), _data(b)
    assert set(da) == set(db)
    for k in da:
        if da[k].dtype.kind == "f":
            np.testing.assert_array_equal(da[k], db[k], err_msg=k)  # NaN == NaN here; bitwise equality otherwise
        else:
            assert (da[k] == db[k]).all(), k


@pytest.fixture(scope="module")
def reference():
    """The GRID scan in memory on an in-process cluster (threads): the reference for the other runs."""
    return run_scan(GRID, workers=2, processes=False)


# ------------------------------------------------------------------------------------------------------
# spec
# ------------------------------------------------------------------------------------------------------


def test_example_spec_parses():
    spec = load_spec(EXAMPLE)
    assert spec.dims == ("mass", "coupling") and spec.shape == (40, 30)
    assert spec.n_chunks == 10
    dims = spec.variable_dims()
    assert dims["events_na64mu-2018"] == ("mass", "coupling")
    assert dims["reach_na64mu-2018_low"] == ("mass",)  # reach edges are per mass
    assert len(spec.hash) == 64 and spec.hash == load_spec(EXAMPLE).hash


def test_canonical_dimension_order():
    spec = load_spec(GRID.replace('kind = "reach"', 'kind = "reach"\n[[axis]]\nname = "x_min"\nvalues = [0.2, 0.4]'))
    assert spec.dims == ("mass", "experiment", "x_min", "coupling")
    dims = spec.variable_dims()
    assert dims["delta_a_mu"] == ("mass", "coupling")  # no experiment-side dims
    assert dims["events"] == ("mass", "experiment", "x_min", "coupling")
    assert dims["reach_low"] == ("mass", "experiment", "x_min")


BAD_SPECS = {
    "unknown parameter": ('[model]\nname = "scalar-muon"\n[[axis]]\nname = "g_nope"\nvalues = [1.0]\n'
                          '[[axis]]\nname = "mass"\nvalues = [0.1]\n[[observable]]\nkind = "delta_a"', "unknown parameter 'g_nope'"),
    "empty axis": ('[model]\nname = "scalar-muon"\ng_mu = 1e-3\n[[axis]]\nname = "mass"\nvalues = []\n'
                   '[[observable]]\nkind = "delta_a"', "is empty"),
    "empty range": ('[model]\nname = "scalar-muon"\ng_mu = 1e-3\n[[axis]]\nname = "mass"\nmin = 0.1\nmax = 1.0\npoints = 0\n'
                    '[[observable]]\nkind = "delta_a"', "is empty"),
    "malformed TOML": ('[model\nname = "scalar-muon"', "not valid TOML"),
    "unknown observable": ('[model]\nname = "scalar-muon"\nmass = 0.1\ng_mu = 1e-3\n[[observable]]\nkind = "lifetime"',
                           "unknown observable kind 'lifetime'"),
    "unknown model": ('[model]\nname = "axion"\nmass = 0.1\n[[observable]]\nkind = "delta_a"', "unknown model"),
    "unknown experiment": ('[model]\nname = "scalar-muon"\nmass = 0.1\ng_mu = 1e-3\n[[observable]]\nkind = "events"\n'
                           'experiment = "nope"', "unknown experiment"),
    "unused coupling axis": ('[model]\nname = "scalar-muon"\n[[axis]]\nname = "mass"\nvalues = [0.1]\n[[axis]]\nname = "g_mu"\n'
                             'values = [1e-3]\n[[observable]]\nkind = "reach"\nexperiment = "na64mu-2018"', "reach edges are per mass"),
    "no experiment": ('[model]\nname = "scalar-muon"\nmass = 0.1\ng_mu = 1e-3\n[[observable]]\nkind = "events"', "needs 'experiment"),
    "log of zero": ('[model]\nname = "scalar-muon"\ng_mu = 1e-3\n[[axis]]\nname = "mass"\nmin = 0.0\nmax = 1.0\npoints = 3\n'
                    'spacing = "log"\n[[observable]]\nkind = "delta_a"', "log spacing needs min > 0"),
    "negative mass": ('[model]\nname = "scalar-muon"\ng_mu = 1e-3\n[[axis]]\nname = "mass"\nvalues = [0.1, -1]\n'
                      '[[observable]]\nkind = "delta_a"', "mass must be positive"),
    "bad experiment value": ('[model]\nname = "scalar-muon"\nmass = 0.1\ng_mu = 1e-3\n[[axis]]\nname = "x_min"\nvalues = [0.5, 1.5]\n'
                             '[[observable]]\nkind = "events"\nexperiment = "na64mu-2018"', "x_min must be < 1"),
    "chunk along coupling": ('[model]\nname = "scalar-muon"\nmass = 0.1\n[[axis]]\nname = "g_mu"\nvalues = [1e-3, 1e-2]\n'
                             '[[observable]]\nkind = "delta_a"\n[execution]\nchunks = { g_mu = 1 }', "a chunk always spans"),
    "unknown dataset": ('[model]\nname = "scalar-muon"\nmass = 0.1\ng_mu = 1e-3\n[[observable]]\nkind = "pull"\ndataset = "x"',
                        "unknown (g-2) dataset"),
    "typo key": ('[model]\nname = "scalar-muon"\nmass = 0.1\ng_mu = 1e-3\n[[observable]]\nkind = "delta_a"\nlepon = "e"',
                 "unknown key 'lepon'"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_spec_errors_are_one_line(case):
    text, fragment = BAD_SPECS[case]
    with pytest.raises(SpecError) as err:
        load_spec(text + "\n")
    message = str(err.value)
    assert fragment in message and "\n" not in message


@pytest.mark.parametrize("case", ["unknown parameter", "empty axis", "malformed TOML", "unknown observable"])
def test_cli_spec_errors_exit_2_one_line(case, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_SPECS[case][0] + "\n")
    proc = run_in_process("scan", str(path), "--out", str(tmp_path / "o.zarr"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muonreach: error:") and BAD_SPECS[case][1] in lines[0]
    assert not (tmp_path / "o.zarr").exists()


def test_help_lists_scan():
    proc = run_in_process("--help")
    assert proc.returncode == 0 and "scan" in proc.stdout


# ------------------------------------------------------------------------------------------------------
# values
# ------------------------------------------------------------------------------------------------------


def test_values_match_the_direct_api(reference):
    from muonreach.experiments.calculator import calculator
    from muonreach.experiments.spec import load_experiment
    from muonreach.gm2.datasets import get_dataset
    from muonreach.models.registry import get_model_spec
    from muonreach.reach.contour import reach

    ds = reference
    assert (ds.status.values == STATUS_OK).all()
    spec = get_model_spec("scalar-muon")
    dm = {"g_chi": 1.0, "m_chi_ratio": 0.3333}
    couplings = ds.coupling.values
    for i in (0, 5, 11):
        m = float(ds.mass.values[i])
        direct = [spec.build(m, float(g), dm).delta_a("mu") for g in couplings]
        np.testing.assert_allclose(ds.delta_a_mu.values[i], direct, rtol=1e-12)
        pull = get_dataset("wa2025-wp2025").pull(np.asarray(direct))
        np.testing.assert_allclose(ds["pull_wa2025-wp2025"].values[i], pull, rtol=1e-9)
        for name in ("na64mu-2018", "m3-phase1"):
            exp = load_experiment(name)
            n = calculator(exp, spec, m, dm).events(couplings)
            np.testing.assert_allclose(ds.events.sel(experiment=name).values[i], n, rtol=1e-12)
            row = reach(exp, spec, np.array([m]), dm)[0]
            low = ds.reach_low.sel(experiment=name).values[i]
            assert (math.isnan(low) and row.coupling_low is None) or low == pytest.approx(row.coupling_low, rel=1e-12, abs=0)
    assert ds.reach_low.dims == ("mass", "experiment")  # no coupling dimension
    assert ds.delta_a_mu.dims == ("mass", "coupling")


def test_provenance_attributes(reference):
    import json

    from muonreach import __version__

    attrs = reference.attrs
    assert attrs["muonreach_version"] == __version__
    assert attrs["model"] == "scalar-muon" and attrs["coupling_name"] == "g_mu"
    assert 'name = "test-grid"' in attrs["spec_toml"] and json.loads(attrs["spec"])["model"] == "scalar-muon"
    assert [d["name"] for d in json.loads(attrs["gm2_datasets"])] == ["wa2025-wp2025"]
    files = json.loads(attrs["experiments"])
    assert {f["name"] for f in files} == {"na64mu-2018", "m3-phase1"} and all(len(f["sha256"]) == 64 for f in files)
    assert reference.coupling.attrs["long_name"] == "g_mu" and reference.mass.attrs["units"] == "GeV"


PARAMS = """
[model]
name = "scalar-muon"
m_chi_ratio = 0.3333
[experiment]
muons_on_target = 1e13
[[axis]]
name = "mass"
values = [0.05, 0.5]
[[axis]]
name = "g_chi"
values = [0.0, 1.0]
[[axis]]
name = "x_min"
values = [0.2, 0.5]
[[axis]]
name = "coupling"
values = [1e-4, 1e-3]
[[observable]]
kind = "events"
experiment = "na64mu-2018"
"""


def test_model_and_experiment_parameter_axes():
    ds = run_scan(PARAMS, workers=1, processes=False)
    assert ds["events_na64mu-2018"].dims == ("mass", "g_chi", "x_min", "coupling")
    from muonreach.experiments.calculator import calculator
    from muonreach.experiments.spec import load_experiment
    from muonreach.models.registry import get_model_spec

    exp = load_experiment("na64mu-2018").with_overrides({"muons_on_target": 1e13, "x_min": 0.5})
    n = calculator(exp, get_model_spec("scalar-muon"), 0.5, {"g_chi": 1.0, "m_chi_ratio": 0.3333}).events(np.array([1e-4, 1e-3]))
    np.testing.assert_allclose(ds["events_na64mu-2018"].sel(mass=0.5, g_chi=1.0, x_min=0.5).values, n, rtol=1e-12)


def test_omega_h2_with_a_stand_in(monkeypatch):
    calls = []

    def omega_h2(model, mass, coupling, overrides):
        calls.append((model, mass, coupling, dict(overrides)))
        if coupling > 5e-3:
            raise ValueError("stand-in: no freeze-out solution")
        return 0.12 * (1e-3 / coupling) ** 2

    monkeypatch.setattr("muonreach.cosmo.relic.omega_h2", omega_h2)  # the scan runs in this process's threads
    text = """
[model]
name = "scalar-muon"
g_chi = 1.0
[[axis]]
name = "mass"
values = [0.1, 0.3]
[[axis]]
name = "g_mu"
values = [1e-3, 2e-3, 1e-2]
[[observable]]
kind = "omega_h2"
"""
    ds = run_scan(text, workers=1, processes=False)
    np.testing.assert_allclose(ds.omega_h2.values[:, :2], [[0.12, 0.03], [0.12, 0.03]], rtol=1e-12)
    assert calls[0][0] == "scalar-muon" and calls[0][3]["g_chi"] == 1.0
    assert (ds.status.values[:, 2] == STATUS_FAILED).all() and (ds.status.values[:, :2] == STATUS_OK).all()
    assert "omega_h2: ValueError: stand-in: no freeze-out solution" in str(ds.failure.values[0, 2])


def test_failing_points_are_recorded():
    ds = run_scan(FAILING, workers=1, processes=False)
    status = ds.status.sel(mass=45.0).values
    assert (status == STATUS_FAILED).all() and (ds.status.sel(mass=0.1).values == STATUS_OK).all()
    reason = str(ds.failure.sel(mass=45.0).values[0])
    assert reason.startswith("events_na64mu-2018: DataRangeError:") and "38.38" in reason
    assert np.isnan(ds["events_na64mu-2018"].sel(mass=45.0).values).all()
    assert np.isfinite(ds.delta_a_mu.sel(mass=45.0).values).all()  # the other observable is kept
    assert np.isfinite(ds["events_na64mu-2018"].sel(mass=0.1).values).all()
    n_failed, n_missing, lines = failure_summary(ds)
    assert n_failed == 3 and n_missing == 0 and lines[0].startswith("mass=45, eps=0.0001: events_na64mu-2018")


# ------------------------------------------------------------------------------------------------------
# execution: dask LocalCluster, resume, worker death
# ------------------------------------------------------------------------------------------------------


def test_two_worker_local_cluster(tmp_path, reference):
    out = tmp_path / "grid.zarr"
    report = ScanReport(0, 0)
    ds = run_scan(GRID, workers=2, out=out, report=report)
    assert report.computed == 6 and not report.chunk_errors
    assert done_chunks(out) == set(range(6))
    _assert_same(ds, reference)  # processes + Zarr == threads + memory, bit for bit
    again = ScanReport(0, 0)
    ds2 = run_scan(GRID, workers=2, out=out, report=again)  # nothing left to do
    assert again.already_done == 6 and again.computed == 0
    _assert_same(ds2, reference)


def test_interrupt_and_resume(tmp_path, reference):
    import zarr

    out = tmp_path / "grid.zarr"
    first = ScanReport(0, 0)
    part = run_scan(GRID, workers=2, processes=False, out=out, max_chunks=2, report=first)
    assert first.computed == 2 and done_chunks(out) == {0, 1}
    status = part.status.values
    assert (status[:4] == STATUS_OK).all() and (status[4:] == STATUS_NOT_COMPUTED).all()
    assert np.isnan(part.delta_a_mu.values[4:]).all()
    # a chunk interrupted half-way: data written, no marker
    zarr.open_group(str(out), mode="r+")["delta_a_mu"][6:8, :] = -1.0
    with pytest.raises(SpecError, match="different spec"):
        run_scan(GRID.replace("points = 20", "points = 21"), workers=1, processes=False, out=out)
    second = ScanReport(0, 0)
    ds = run_scan(GRID, workers=2, processes=False, out=out, report=second)
    assert second.already_done == 2 and second.computed == 4
    _assert_same(ds, reference)


def _kill_once_hook():
    """Fault injection, test side: a function to run on each worker that makes the first chunk task reaching
    its completion marker create ``marker`` and kill its own worker process, after writing the chunk's data
    but before the marker -- the worst moment. A closure, so that cloudpickle sends it to the worker
    processes by value (they cannot import this test module)."""

    def install(marker: str) -> None:
        import os

        from muonreach.scan import store

        original = store.mark_done

        def mark_done(out, cid, digest):
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return original(out, cid, digest)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os._exit(17)

        store.mark_done = mark_done

    return install


def test_worker_killed_mid_scan(tmp_path, reference):
    from distributed import Client

    from muonreach.scan.runner import local_cluster

    marker = tmp_path / "killed"
    out = tmp_path / "grid.zarr"
    report = ScanReport(0, 0)
    with local_cluster(2, processes=True) as cluster, Client(cluster, set_as_default=False) as client:
        client.run(_kill_once_hook(), str(marker))
        ds = run_scan(GRID, scheduler=client, out=out, report=report)
        ds = ds.load()
    assert marker.exists()  # a worker did die (after writing its data, before its marker)
    assert int(marker.read_text()) != os.getpid()
    assert report.computed == 6 and not report.chunk_errors  # each chunk reported once
    assert sorted(p.name for p in (out / MARKERS).iterdir() if p.name.endswith(".done")) == [f"{i}.done" for i in range(6)]
    _assert_same(ds, reference)  # nothing lost, nothing written twice differently


def test_cli_failing_point_exits_nonzero(tmp_path):
    spec = tmp_path / "failing.toml"
    spec.write_text(FAILING)
    out = tmp_path / "failing.zarr"
    proc = run_subprocess("scan", str(spec), "--out", str(out), "--workers", "1", "--no-progress")
    assert proc.returncode == 1, proc.stderr
    assert "3 of 6 points failed" in proc.stderr
    assert "mass=45, eps=0.0001: events_na64mu-2018: DataRangeError" in proc.stderr
    ds = xr.open_zarr(out, consolidated=False)
    assert int((ds.status.values == STATUS_FAILED).sum()) == 3


def test_fixed_coupling_gives_per_mass_variables():
    text = """
[model]
name = "scalar-muon"
g_mu = 1e-3
[[axis]]
name = "mass"
values = [0.1, 0.2, 0.4]
[[observable]]
kind = "events"
experiment = "na64mu-2018"
[[observable]]
kind = "delta_a"
[[observable]]
kind = "reach"
experiment = "na64mu-2018"
"""
    ds = run_scan(text, workers=1, processes=False)
    assert ds.delta_a_mu.dims == ("mass",) and ds.status.dims == ("mass",)
    from muonreach.models.registry import get_model_spec

    assert ds.delta_a_mu.values[1] == pytest.approx(get_model_spec("scalar-muon").build(0.2, 1e-3).delta_a("mu"), rel=1e-12, abs=0)
    assert ds.attrs["fixed_coupling"] == "0.001" and (ds.status.values == STATUS_OK).all()


def test_cli_on_an_existing_scheduler(tmp_path, run_cli, reference):
    """`--scheduler ADDRESS` runs the same spec unchanged on a running cluster (here an in-process one)."""
    import json

    from muonreach.scan.runner import local_cluster

    spec = tmp_path / "grid.toml"
    spec.write_text(GRID)
    out = tmp_path / "grid.zarr"
    with local_cluster(2, processes=False) as cluster:
        code, stdout, stderr = run_cli("scan", str(spec), "--scheduler", cluster.scheduler_address, "--out", str(out),
                                       "--no-progress", "--json")
        assert code == 0, stderr
        assert len(cluster.scheduler.workers) == 2  # the cluster survives the scan
    payload = json.loads(stdout)
    assert payload["chunks_done"] == 6 and payload["failed_points"] == 0 and payload["points"] == 480
    _assert_same(xr.open_zarr(out, consolidated=False)[list(reference.data_vars)], reference)


def test_a_chunk_whose_task_fails_is_reported_and_resumed(tmp_path, monkeypatch, reference):
    """A task that raises (after its retries) leaves its chunk without a marker, its points failed with the
    reason; the next run computes it."""
    from muonreach.scan import runner

    real = runner.compute_chunk

    def broken(spec, cid):
        if cid == 1:
            raise OSError("disk on fire")
        return real(spec, cid)

    monkeypatch.setattr(runner, "compute_chunk", broken)  # seen by in-process (thread) workers
    out = tmp_path / "grid.zarr"
    report = ScanReport(0, 0)
    ds = run_scan(GRID.replace("[execution]", "[execution]\nretries = 0"), workers=2, processes=False, out=out,
                  report=report)
    assert set(report.chunk_errors) == {1} and "OSError: disk on fire" in report.chunk_errors[1]
    assert done_chunks(out) == {0, 2, 3, 4, 5}
    assert (ds.status.values[2:4] == STATUS_FAILED).all() and (ds.status.values[:2] == STATUS_OK).all()
    assert "chunk 1: OSError: disk on fire" in str(ds.failure.values[2, 0, 0])
    monkeypatch.setattr(runner, "compute_chunk", real)
    again = ScanReport(0, 0)
    ds = run_scan(GRID.replace("[execution]", "[execution]\nretries = 0"), workers=2, processes=False, out=out,
                  report=again)
    assert again.computed == 1 and not again.chunk_errors
    for var in reference.data_vars:  # attributes differ: spec_toml has the retries line
        np.testing.assert_array_equal(ds[var].values, reference[var].values)


# ------------------------------------------------------------------------------------------------------
# the store on resume: markers verified, damaged chunks recomputed, one writer, leftovers removed
# ------------------------------------------------------------------------------------------------------


def test_markers_verify_with_failed_points_and_a_recreated_store(tmp_path):
    """The marker's digest is taken from the values written; it must equal the digest of the values read back
    (NaN events, failure strings and all), also when the store is deleted and created again at the same path
    in the same process (whose open arrays are cached)."""
    import shutil

    from muonreach.scan.store import stored_chunking, verified_chunks

    out = tmp_path / "failing.zarr"
    spec = load_spec(FAILING)
    first = _data(run_scan(FAILING, out=out))
    assert verified_chunks(out, spec) == set(range(stored_chunking(out, spec).n_chunks))  # the pilot's chunking
    assert int((first["status"] == STATUS_FAILED).sum()) == 3
    shutil.rmtree(out)
    again = run_scan(FAILING, out=out)
    assert verified_chunks(out, spec) == set(range(stored_chunking(out, spec).n_chunks))  # the pilot's chunking
    for k, v in _data(again).items():
        assert np.array_equal(v, first[k], equal_nan=v.dtype.kind == "f"), k


@pytest.mark.parametrize("text", [GRID, PARAMS, FAILING])
def test_store_metadata_is_what_xarray_writes(tmp_path, text):
    """The store is created with zarr directly (faster); its metadata and coordinate files must equal, byte for
    byte, what xarray's to_zarr(compute=False) writes for the empty dataset (built here independently from
    the same attributes: NaN/-1/'' fill values, Zarr chunks = work chunks)."""
    import json

    import dask.array as da
    import zarr

    from muonreach.scan.store import FAILURE_LONG_NAME, MARKERS_ATTRS, _status_attrs, coordinates, dataset_attrs, prepare, variable_attrs

    spec = load_spec(text)
    data, encoding = {}, {}
    for v, dims in spec.variable_dims().items():
        shape, chunks = tuple(spec.axis_length(d) for d in dims), spec.zarr_chunks(dims)
        data[v] = (dims, da.full(shape, np.nan, chunks=chunks), variable_attrs(spec)[v])
        encoding[v] = {"chunks": chunks}
    chunks = spec.zarr_chunks(spec.dims)
    data["status"] = (spec.dims, da.full(spec.shape, STATUS_NOT_COMPUTED, dtype=np.int8, chunks=chunks), _status_attrs())
    encoding["status"] = {"chunks": chunks, "fill_value": STATUS_NOT_COMPUTED}
    data["failure"] = (spec.dims, da.full(spec.shape, "", dtype=np.dtypes.StringDType(), chunks=chunks),
                       {"long_name": FAILURE_LONG_NAME})
    encoding["failure"] = {"chunks": chunks}
    expected = tmp_path / "xarray.zarr"
    xr.Dataset(data, coords=coordinates(spec), attrs=dataset_attrs(spec)).to_zarr(
        str(expected), mode="w-", compute=False, consolidated=False, encoding=encoding, zarr_format=3)
    zarr.open_group(str(expected), mode="r+").create_group(MARKERS, attributes=MARKERS_ATTRS)
    prepare(tmp_path / "direct.zarr", spec)

    def files(root: Path) -> dict:
        return {str(p.relative_to(root)): json.loads(p.read_text()) if p.name == "zarr.json" else p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert files(tmp_path / "direct.zarr") == files(expected)


@pytest.fixture(scope="module")
def finished_store(tmp_path_factory):
    """A complete Zarr store of GRID (in-process cluster); tests damage copies of it."""
    out = tmp_path_factory.mktemp("store") / "grid.zarr"
    run_scan(GRID, workers=2, processes=False, out=out)
    return out


def _copy(store: Path, tmp_path: Path) -> Path:
    import shutil

    out = tmp_path / "grid.zarr"
    shutil.copytree(store, out)
    return out


def test_resume_verifies_markers_and_recomputes_damaged_chunks(tmp_path, finished_store, reference):
    """Markers are not trusted blindly: a corrupt or deleted chunk file, an empty, foreign or wrong-digest
    marker each make their chunk be computed again; markers of chunks the spec does not have are ignored."""
    import json

    from muonreach.scan.store import verified_chunks

    out = _copy(finished_store, tmp_path)
    spec = load_spec(GRID)
    assert verified_chunks(out, spec) == set(range(6))
    # chunk c covers masses 2c, 2c+1: Zarr chunk (c, 0) of delta_a_mu (mass, g_mu), (c, 0, 0) of status
    (out / "delta_a_mu" / "c" / "0" / "0").write_bytes(b"not a zarr chunk")  # corrupt data
    (out / "status" / "c" / "1" / "0" / "0").unlink()                        # deleted data (reads back as -1)
    markers = out / MARKERS
    (markers / "2.done").write_text("")                                         # empty (an old-style marker)
    (markers / "3.done").write_text(json.dumps({"chunk": 3, "sha256": "0" * 64}))  # wrong digest
    (markers / "4.done").write_text((markers / "5.done").read_text())           # another chunk's marker
    (markers / "99.done").write_text("")                                        # a chunk the spec does not have
    assert verified_chunks(out, spec) == {5}
    report = ScanReport(0, 0)
    ds = run_scan(GRID, workers=2, processes=False, out=out, report=report)
    assert report.already_done == 1 and report.computed == 5 and not report.chunk_errors
    _assert_same(ds, reference)
    assert verified_chunks(out, spec) == set(range(6))


def test_deleted_markers_folder_is_recovered(tmp_path, finished_store, reference):
    """Without its markers the store is computed again (same values), nothing is marked failed."""
    import shutil

    out = _copy(finished_store, tmp_path)
    shutil.rmtree(out / MARKERS)
    report = ScanReport(0, 0)
    ds = run_scan(GRID, workers=2, processes=False, out=out, report=report)
    assert report.already_done == 0 and report.computed == 6 and not report.chunk_errors
    assert (ds.status.values == STATUS_OK).all()
    _assert_same(ds, reference)
    assert done_chunks(out) == set(range(6))


def test_a_second_writer_is_refused(tmp_path, finished_store):
    from muonreach.scan.store import locked

    out = _copy(finished_store, tmp_path)
    with locked(out), pytest.raises(SpecError, match=rf"being written by another muonreach scan \(pid {os.getpid()}"):
        run_scan(GRID, workers=1, processes=False, out=out)
    ds = run_scan(GRID, workers=1, processes=False, out=out)  # the lock went with the first writer
    assert (ds.status.values == STATUS_OK).all()


def test_partial_stores_of_dead_processes_are_removed(tmp_path):
    """A temporary store left by a process killed while creating it goes at the next run; one of a live
    process (which may still be creating it) stays."""
    import socket
    import subprocess

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    stale = tmp_path / f".grid.zarr.partial-{host}-{int(dead.stdout)}-0123abcd"
    alive = tmp_path / f".grid.zarr.partial-{host}-{os.getpid()}-0123abcd"
    for p in (stale, alive):
        p.mkdir()
        (p / "zarr.json").write_text("{}")
    run_scan(MINI, workers=1, processes=False, out=tmp_path / "grid.zarr")
    assert not stale.exists() and alive.exists()


def test_bad_scheduler_fails_before_anything_is_written(tmp_path, run_cli):
    from muonreach.errors import InvalidParameter

    out = tmp_path / "grid.zarr"
    for address in ("tcp://127.0.0.1:1", "nonsense", "foo://host:1"):
        with pytest.raises(InvalidParameter, match="cannot connect to the dask scheduler"):
            run_scan(MINI, scheduler=address, out=out)
        assert not out.exists() and not list(tmp_path.iterdir())
    spec = tmp_path / "mini.toml"
    spec.write_text(MINI)
    code, _, stderr = run_cli("scan", str(spec), "--scheduler", "tcp://127.0.0.1:1", "--out", str(out))
    assert code == 2 and stderr.count("\n") == 1 and stderr.startswith("muonreach: error: cannot connect"), stderr
    assert not out.exists()


def _no_cluster(*args, **kwargs):
    raise AssertionError("a LocalCluster was started")


def test_small_scan_without_workers_starts_no_cluster(tmp_path, reference, monkeypatch):
    # no --workers / --scheduler and the whole GRID scan estimated under SERIAL_SECONDS: every chunk in this
    # process, identical to the cluster's result, in memory and in a store (markers written)
    from muonreach.scan import runner

    monkeypatch.setattr(runner, "local_cluster", _no_cluster)
    report = ScanReport(0, 0)
    _assert_same(run_scan(GRID, report=report), reference)
    assert report.computed == 6 and not report.chunk_errors and report.points_computed > 0
    out = tmp_path / "grid.zarr"
    _assert_same(run_scan(GRID, out=out), reference)
    assert len(done_chunks(out)) == 6


def test_scan_moves_to_a_cluster_when_the_estimate_is_large(reference, monkeypatch):
    # with a zero threshold, the first chunk runs here and the remaining five on a (thread) cluster
    from muonreach.scan import runner

    started = []
    real = runner.local_cluster
    monkeypatch.setattr(runner, "SERIAL_SECONDS", 0.0)
    monkeypatch.setattr(runner, "local_cluster", lambda n, processes=True: started.append(n) or real(n, processes))
    report = ScanReport(0, 0)
    _assert_same(run_scan(GRID, processes=False, report=report), reference)
    assert report.computed == 6 and len(started) == 1


def test_explicit_workers_always_use_the_cluster(monkeypatch):
    from muonreach.scan import runner

    monkeypatch.setattr(runner, "local_cluster", _no_cluster)
    with pytest.raises(AssertionError, match="LocalCluster"):
        run_scan(MINI, workers=1, processes=False)


def test_failing_chunk_in_process_is_recorded(monkeypatch):
    # a chunk task that raises (after the retries) is recorded as a chunk error, as on the cluster
    from muonreach.scan import runner

    monkeypatch.setattr(runner, "local_cluster", _no_cluster)
    monkeypatch.setattr(runner, "compute_chunk", lambda spec, cid, head=None: (_ for _ in ()).throw(OSError("disk gone")))
    report = ScanReport(0, 0)
    ds = run_scan(MINI, report=report)
    assert report.chunk_errors and all("OSError: disk gone" in r for r in report.chunk_errors.values())
    assert (ds.status.values == STATUS_FAILED).all()


# ------------------------------------------------------------------------------------------------------
# chunks sized from a pilot evaluation (no chunking in [execution])
# ------------------------------------------------------------------------------------------------------

GRID_AUTO = GRID.replace("[execution]\nchunks = { mass = 2 }\n", "")


def test_explicit_chunking_wins_over_the_pilot():
    from muonreach.scan.runner import pilot

    assert load_spec(GRID_AUTO).auto_chunks and not load_spec(GRID).auto_chunks
    explicit = load_spec(GRID_AUTO + "[execution]\nchunk_points = 80\n")
    assert not explicit.auto_chunks and explicit.chunks == (2,)
    assert pilot(explicit, 2) == (explicit, None)


@pytest.mark.parametrize(("overhead", "pilot_seconds", "chunk"), [
    (1e3, 0.03, 2),  # huge overhead: capped so that 2 workers get CHUNKS_PER_WORKER = 3 chunks each (12 // 6 masses)
    (0.0, 0.0, 2),   # no overhead: the pilot's own points (2 masses, the minimum: the first only warms up)
])
def test_pilot_sizes_chunks_and_its_points_are_kept(monkeypatch, reference, overhead, pilot_seconds, chunk):
    """Chunk size from the rule's two bounds (the measured cost in between is machine-dependent); the pilot's
    points are the first corner of chunk 0 and the result is the reference's, bit for bit."""
    from muonreach.scan import runner

    monkeypatch.setattr(runner, "CHUNK_OVERHEAD_SECONDS", overhead)
    monkeypatch.setattr(runner, "PILOT_SECONDS", pilot_seconds)
    spec, head = runner.pilot(load_spec(GRID_AUTO), 2)
    assert spec.chunks == (chunk,) and not spec.auto_chunks
    assert head is not None and head.slices["mass"].start == 0 and head.slices["mass"].stop <= chunk
    report = ScanReport(0, 0)
    ds = run_scan(GRID_AUTO, workers=2, processes=False, report=report)
    _assert_same_values(ds, reference)
    assert report.computed == report.total_chunks == spec.n_chunks
    assert json.loads(ds.attrs["chunks"]) == {"mass": chunk}


def test_pilot_head_gives_the_same_chunk_on_two_outer_axes():
    """Chunk 0 from a pilot corner plus the rest (two outer axes: mass and g_chi) equals the chunk computed whole."""
    from muonreach.scan.compute import compute_block, compute_chunk

    spec = load_spec(PARAMS).with_chunks((2, 2))
    head = compute_block(spec, {"mass": slice(0, 1), "g_chi": slice(0, 1)})
    whole, merged = compute_chunk(spec, 0), compute_chunk(spec, 0, head)
    for v in whole.variables:
        np.testing.assert_array_equal(merged.variables[v], whole.variables[v])
    assert (merged.status == whole.status).all() and (merged.failure == whole.failure).all()
    assert merged.points == whole.points == 16


def test_auto_chunked_store_resumes_with_its_own_chunking(tmp_path, monkeypatch, reference):
    """A resumed auto-chunked store keeps the chunking it was created with, whatever a new pilot would say."""
    from muonreach.scan import runner

    out = tmp_path / "auto.zarr"
    monkeypatch.setattr(runner, "CHUNK_OVERHEAD_SECONDS", 1e3)  # 2 masses per chunk (as above)
    first = ScanReport(0, 0)
    run_scan(GRID_AUTO, workers=2, processes=False, out=out, max_chunks=2, report=first)
    assert first.computed == 2 and first.total_chunks == 6 and done_chunks(out) == {0, 1}
    monkeypatch.setattr(runner, "CHUNK_OVERHEAD_SECONDS", 0.0)  # a new pilot would choose otherwise
    monkeypatch.setattr(runner, "PILOT_SECONDS", 0.0)
    again = ScanReport(0, 0)
    ds = run_scan(GRID_AUTO, workers=1, processes=False, out=out, report=again)
    assert again.already_done == 2 and again.computed == 4 and again.total_chunks == 6
    _assert_same_values(ds, reference)


def test_pilot_sizes_are_evened_out(monkeypatch):
    # 100 masses, 1 worker: the cap is 100 // 3 = 33 masses per chunk (4 chunks); evened out to 4 chunks of 25
    from muonreach.scan import runner

    monkeypatch.setattr(runner, "CHUNK_OVERHEAD_SECONDS", 1e3)
    masses = ", ".join(f"{0.01 * (k + 1):.2f}" for k in range(100))
    spec, head = runner.pilot(load_spec(MINI.replace("values = [0.1, 0.2]", f"values = [{masses}]")), 1)
    assert spec.chunks == (25,) and spec.n_chunks == 4
    assert head is not None and head.slices["mass"].stop <= 25


def test_pilot_chunk_count_is_a_multiple_of_the_workers(monkeypatch):
    # 100 masses, 2 workers: the cap 100 // 6 = 16 masses evens out to 15, i.e. 7 chunks (4 rounds on 2
    # workers, at most 7 / 4 = 1.75x); the nearest multiple of 2 with the fewer chunks: 6 chunks of 17
    from muonreach.scan import runner

    monkeypatch.setattr(runner, "CHUNK_OVERHEAD_SECONDS", 1e3)
    masses = ", ".join(f"{0.01 * (k + 1):.2f}" for k in range(100))
    spec = load_spec(MINI.replace("values = [0.1, 0.2]", f"values = [{masses}]"))
    assert runner.pilot(spec, 2)[0].chunks == (17,) and runner.pilot(spec, 2)[0].n_chunks == 6
    # the same rule alone: 8 workers and 25 chunks of 4 have no multiple of 8 within half to twice 25 (kept)
    assert runner._rounds_filled(100, 4, 1, 8, 1) == 4 and runner._rounds_filled(100, 15, 1, 2, 1) == 17
    assert runner._rounds_filled(12, 5, 1, 2, 6) == 6  # 3 chunks -> 2 of 6, the pilot's 6 masses still fit
