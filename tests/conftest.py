"""Shared test helpers."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from muonreach.cli import main


@pytest.fixture
def run_cli():
    """Run the command line in-process; returns (exit_code, stdout, stderr)."""

    def _run(*args: str):
        runner = CliRunner()
        result = runner.invoke(main, list(args), standalone_mode=True)
        return result.exit_code, result.stdout, result.stderr

    return _run


@pytest.fixture
def run_cli_json(run_cli):
    def _run(*args: str):
        code, out, err = run_cli(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    return _run


def run_subprocess(*args: str) -> subprocess.CompletedProcess:
    """Run the installed console script's module in a fresh interpreter (exit codes as a user sees them)."""
    return subprocess.run([sys.executable, "-m", "muonreach", *args], capture_output=True, text=True)


def run_in_process(*args: str) -> subprocess.CompletedProcess:
    """Run the command line in this interpreter, with the result shaped as :func:`run_subprocess`'s.

    The same `main` as the console script (`python -m muonreach` only calls it), so the same error handler:
    exit code 2 and one line for bad input; an uncaught exception gives exit code 1 here as there. Use
    :func:`run_subprocess` where a test is about the fresh interpreter itself (start-up, import-time output)."""
    result = CliRunner().invoke(main, list(args), standalone_mode=True)
    return subprocess.CompletedProcess(["muonreach", *args], result.exit_code, result.stdout, result.stderr)


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """The test session writes its disk cache into a temporary directory (never the user's cache). Under
    pytest-xdist the workers of one run share it (the run's base directory, new for every run; writes are
    atomic), so a layer or table that tests on both workers use is computed once per run, as in a serial run.
    Tests of the cache itself, and of cold behaviour, point it at a directory of their own."""
    import os

    from muonreach import cache

    previous = os.environ.get(cache.ENV_DIR)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp().parent / "muonreach-cache"  # the run's base, above popen-gwN
        shared.mkdir(exist_ok=True)
        os.environ[cache.ENV_DIR] = str(shared)
    else:
        os.environ[cache.ENV_DIR] = str(tmp_path_factory.mktemp("muonreach-cache"))
    yield
    if previous is None:
        os.environ.pop(cache.ENV_DIR, None)
    else:
        os.environ[cache.ENV_DIR] = previous


@pytest.fixture(autouse=True)
def _one_figure_worker_under_xdist(monkeypatch):
    """Under pytest-xdist (`make test` runs `-n 2`) each test worker is one of the CPUs already: figures drawn
    by tests use one process (no pool of their own on top), as `--workers 1` would; the numbers do not depend on
    the worker count (tests/test_figure_pool.py checks that with explicit counts)."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        from muonreach.plot import pool

        monkeypatch.setattr(pool, "default_workers", lambda: 1)


#: Modules with the longest tests (`--durations`, docs/speed.md "suite3"), collected first so that under
#: pytest-xdist no long test starts last while the other worker is idle. Module order only: tests inside a
#: module keep their order (module-scoped fixtures such as the browser's are set up once).
SLOW_FIRST = ("test_figures.py", "test_serve_browser.py", "test_heavy_maxmin.py", "test_scan.py",
              "test_gm2_wiggle.py", "test_imports.py", "test_trident.py", "test_mc_exact.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: the rest as collected
