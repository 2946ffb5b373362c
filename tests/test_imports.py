"""Every module imports on its own, first, with no other muonreach module loaded (no import cycles through the
CLI), and the version is read without importlib.metadata (issue 9)."""

import json
import pkgutil
import subprocess
import sys

import muonreach

MODULES = sorted(m.name for m in pkgutil.walk_packages(muonreach.__path__, "muonreach.") if not m.name.endswith("__main__"))

#: Run in a fresh interpreter. A forked child imports every module and reports the other (standard-library and
#: third-party) modules that this loads; the parent imports those, and no muonreach module, then forks one child
#: per module, which checks that no muonreach module is loaded and imports that module first. Each child is a
#: copy of the parent, so no module's import sees another's: the per-module state is that of a fresh interpreter
#: with the libraries already imported (importing numpy, scipy, matplotlib, dask ... once instead of 171 times).
_RUNNER = r"""
import gc, importlib, json, os, sys, warnings

def ours(name):
    return name == "muonreach" or name.startswith("muonreach.")

def in_child(job):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            message, code = job(), 0
        except BaseException as exc:
            message, code = f"{type(exc).__name__}: {exc}", 1
        with os.fdopen(write, "w") as out:
            out.write(message)
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        message = pipe.read()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), message

def import_all():
    before = set(sys.modules)
    for name in json.loads(sys.argv[1]):
        importlib.import_module(name)
    return json.dumps([m for m in sys.modules if m not in before and not ours(m)])

def import_first(name):
    def job():
        loaded = [m for m in sys.modules if ours(m)]
        if loaded:
            raise AssertionError(f"loaded before the import: {loaded}")
        importlib.import_module(name)
        return ""
    return job

code, libraries = in_child(import_all)
if code != 0:
    sys.exit(f"importing every module in turn failed: {libraries}")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for lib in json.loads(libraries):
        try:
            importlib.import_module(lib)
        except Exception:  # an alias or a module that only imports through its package: the children import it
            pass
assert not [m for m in sys.modules if ours(m)], "a library imported a muonreach module"
gc.freeze()  # the children's garbage collector leaves the libraries' objects alone (no copy-on-write of them)
failures = {}
for name in json.loads(sys.argv[1]):
    code, message = in_child(import_first(name))
    if code != 0:
        failures[name] = message.strip().splitlines()[-1] if message.strip() else f"exit code {code}"
print(json.dumps({"libraries": len(json.loads(libraries)), "failures": failures}))
"""


def test_every_module_imports_first_with_no_other_muonreach_module_loaded():
    proc = subprocess.run([sys.executable, "-c", _RUNNER, json.dumps(MODULES)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["libraries"] > 100  # numpy, scipy, matplotlib ... were imported once, in the parent
    assert not result["failures"], result["failures"]


def test_version_matches_installed_metadata():
    from importlib.metadata import version

    assert muonreach.__version__ == version("muonreach")
    out = subprocess.run([sys.executable, "-c", "import sys, muonreach; print('importlib.metadata' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
