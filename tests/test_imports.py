"""Every module imports on its own, first, in a fresh interpreter (no import cycles through the CLI), and the
version is read without importlib.metadata (issue 9)."""

import pkgutil
import subprocess
import sys

import muonreach

MODULES = sorted(m.name for m in pkgutil.walk_packages(muonreach.__path__, "muonreach.") if not m.name.endswith("__main__"))


def test_every_module_imports_first_in_a_fresh_interpreter():
    # one interpreter per module, started in a single batch to keep the suite fast
    procs = {name: subprocess.Popen([sys.executable, "-c", f"import {name}"], stderr=subprocess.PIPE, text=True) for name in MODULES}
    failures = {}
    for name, proc in procs.items():
        _, err = proc.communicate()
        if proc.returncode != 0:
            failures[name] = err.strip().splitlines()[-1]
    assert not failures, failures


def test_version_matches_installed_metadata():
    from importlib.metadata import version

    assert muonreach.__version__ == version("muonreach")
    out = subprocess.run([sys.executable, "-c", "import sys, muonreach; print('importlib.metadata' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
