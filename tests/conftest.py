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
