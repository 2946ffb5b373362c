"""Start-up stays light (issue 9 section 4): the CLI and the quick commands do not import the heavy libraries.

Checked on sys.modules in a fresh interpreter, not by timing (the times are in benchmarks/startup_bench.py).
"""

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy", "matplotlib", "dask", "distributed", "fastapi", "uvicorn", "pyarrow", "plotly", "iminuit", "vegas",
         "xarray", "zarr", "pandas", "particle")

_PROBE = """
import json, sys
from muonreach.cli import main
args = json.loads(sys.argv[1])
if args:
    try:
        main(args, standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)
"""


def _loaded(args: list[str]) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args)], capture_output=True, text=True, check=True)
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library_and_not_numpy():
    loaded = _loaded([])
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "numpy" not in loaded  # `muonreach --help` needs click only


@pytest.mark.parametrize("args", [
    ["gm2", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4"],
    ["gm2", "vector-muon", "--mass", "0.3", "--coupling", "1e-3", "--lepton", "e"],
    ["widths", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4"],
    ["widths", "dark-photon", "--mass", "0.5", "--coupling", "1e-3"],
    ["list", "models"],
    ["list", "experiments"],
    ["list", "datasets"],
    ["list", "materials"],
    ["list", "limits"],
], ids=lambda a: " ".join(a[:2]))
def test_quick_commands_load_no_heavy_library(args):
    loaded = _loaded(args)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
