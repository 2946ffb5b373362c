"""The figure pool (muonreach.plot.pool): the per-mass work of reach, bound and relic layers spread over worker
processes gives the same numbers as one process; workers inherit --no-cache and never nest pools."""

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

from muonreach import cache
from muonreach.plot import layers, pool
from muonreach.plot.spec import parse_spec

SPEC = """
schema = 1
name = "pool-test"
[defaults]
plane = "coupling"
benchmark = { g_chi = 1.0, m_chi_ratio = 0.3333333333333333 }
x = { min = 0.01, max = 10.0 }
y = { min = 1e-6, max = 1.0 }
[[panels]]
model = "scalar-lepton"
[[panels.layers]]
type = "reach"
options = { experiment = "na64mu-2018", points = 13 }
[[panels.layers]]
type = "bound"
options = { name = "monophoton-belle2", points = 9 }
[[panels.layers]]
type = "bound"
options = { name = "z-tautau-invisible", points = 5 }
[[panels.layers]]
type = "relic"
options = { points = 8 }
"""


def _spec():
    return parse_spec(tomllib.loads(SPEC), "pool-test.toml")


def test_layers_on_any_number_of_workers_equal_one_process():
    # each mass is computed on its own, or (relic) in blocks fixed by the masses alone: blocks on other processes
    # give the same floats (repr: bit for bit) on 1, 2 and 3 workers
    with cache.bypass():
        serial = layers.compute_all(_spec(), workers=1)
        for workers in (2, 3):
            assert repr(layers.compute_all(_spec(), workers=workers)) == repr(serial), workers
    assert all(ldata.shapes for ldata in serial[0])  # something was computed in every layer


def test_relic_curve_is_the_same_on_any_number_of_workers():
    # the blocks of masses depend on the masses only: the same floats on 1, 2, 3 processes and on the shared pool
    from muonreach.cosmo.relic import RELIC_BLOCK, relic_curve

    masses = np.geomspace(0.05, 5.0, 2 * RELIC_BLOCK + 1)  # three blocks
    bench = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}
    one = relic_curve("scalar-muon", masses, bench, workers=1)
    assert all(g is not None for g in one)
    for workers in (2, 3):
        assert relic_curve("scalar-muon", masses, bench, workers=workers) == one, workers
    with pool.figure_pool(2):
        assert relic_curve("scalar-muon", masses, bench, workers=pool.pool_workers(), executor=pool.executor()) == one


def test_relic_blocks_are_contiguous_even_and_fixed_by_the_masses():
    from muonreach.cosmo.relic import RELIC_BLOCK, relic_blocks

    masses = list(np.geomspace(0.01, 10.0, 3 * RELIC_BLOCK + 1))
    blocks = relic_blocks(masses)
    assert len(blocks) == 4 and [m for b in blocks for m in b] == masses
    assert max(map(len, blocks)) - min(map(len, blocks)) <= 1 and max(map(len, blocks)) <= RELIC_BLOCK
    assert relic_blocks(masses[:RELIC_BLOCK]) == [masses[:RELIC_BLOCK]] and relic_blocks([]) == []


def _bypassed_and_nested(_):
    return cache.bypassed(), pool.active(), pool.executor() is None, os.getpid()


def test_workers_inherit_the_bypass_and_open_no_pool():
    with cache.bypass(), pool.figure_pool(2):
        got = pool.map_blocks(_bypassed_and_nested, [0, 1, 2, 3])
    assert all(b and not active and no_pool for b, active, no_pool, _ in got)
    assert all(pid != os.getpid() for *_, pid in got)
    with pool.figure_pool(2):
        assert not any(b for b, *_ in pool.map_blocks(_bypassed_and_nested, [0, 1]))


def test_outside_a_figure_pool_work_stays_in_this_process():
    assert not pool.active() and pool.executor() is None
    assert [pid for *_, pid in pool.map_blocks(_bypassed_and_nested, [0, 1, 2])] == [os.getpid()] * 3
    assert len(pool.mass_blocks(np.arange(10.0))) == 1
    with pool.figure_pool(1):
        assert pool.executor() is None
        assert [pid for *_, pid in pool.map_blocks(_bypassed_and_nested, [0, 1])] == [os.getpid()] * 2


def test_mass_blocks_are_contiguous_and_cover_every_mass():
    masses = np.geomspace(0.01, 10.0, 23)
    with pool.figure_pool(2):
        blocks = pool.mass_blocks(masses)
        assert len(blocks) == pool.BLOCKS_PER_WORKER * 2
        assert np.array_equal(np.concatenate(blocks), masses)
        assert len(pool.mass_blocks(masses[:3])) == 3  # never an empty block


def _refuse(value):
    from muonreach.errors import InvalidParameter

    if value == 2:
        raise InvalidParameter(f"value {value} refused in process {os.getpid()}")
    return value


def test_an_error_in_a_worker_arrives_with_its_class_and_message():
    from muonreach.errors import InvalidParameter

    with pool.figure_pool(2), pytest.raises(InvalidParameter, match="value 2 refused in process") as err:
        pool.map_blocks(_refuse, [0, 1, 2, 3])
    assert str(os.getpid()) not in str(err.value)  # raised in a worker, re-raised here


def _wait_for(path):
    deadline = time.monotonic() + 60.0
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} was never written")
        time.sleep(0.01)
    return "waited"


def _touch(path):
    with open(path, "a") as out:
        out.write("touched\n")
    return "touched"


def test_the_blocks_of_every_layer_are_submitted_before_any_is_waited_for(tmp_path):
    # the first job's block waits for a file that only the second job's block writes: both return only if the
    # blocks of both jobs were on the workers before this process waited for the first (one job after the other,
    # the first block would time out); the second pass takes the planned blocks' results (the file is written once)
    flag = str(tmp_path / "flag")
    jobs = [lambda: pool.map_blocks(_wait_for, [flag]), lambda: pool.map_blocks(_touch, [flag]), lambda: "no blocks"]
    with pool.figure_pool(2):
        done = pool.plan(jobs)
        assert done == {2: "no blocks"}
        assert [job() for job in jobs[:2]] == [["waited"], ["touched"]]
    assert Path(flag).read_text() == "touched\n"
    assert pool.plan(jobs) == {}  # outside a figure pool nothing is planned


def test_relic_through_the_plan_equals_the_relic_on_the_pool_directly():
    # the relic curve's blocks go through the plan as the Executor of relic_curve: the same blocks, the same floats
    head = SPEC.split("[[panels.layers]]", maxsplit=1)[0]
    spec = parse_spec(tomllib.loads(head + '[[panels.layers]]\ntype = "reach"\noptions = { experiment = "na64mu-2018", points = 4 }\n'
                                    '[[panels.layers]]\ntype = "relic"\noptions = { points = 5 }\n'), "pool-test.toml")
    panel = spec.panels[0]
    with cache.bypass():
        planned = layers.compute_all(spec, workers=2)
        with pool.figure_pool(2):
            direct = [layers.compute(layer, panel) for layer in panel.layers]
    assert repr(planned[0]) == repr(direct)
    assert planned[0][1].shapes  # a relic line was drawn


#: Run in a fresh interpreter: a figure whose bound layer fails in a worker (for its upper masses), next to a
#: reach layer. The error must reach the caller as the same class with its message and the layer's location, and
#: the pool must end: no worker process left behind.
_FAILING_FIGURE = r"""
import multiprocessing, sys, tomllib
from muonreach import cache
from muonreach.errors import InvalidParameter
from muonreach.plot import layers
from muonreach.plot.spec import parse_spec

real = layers._bound_block

def refusing(args):
    if float(args[2][0]) > 0.3:
        raise InvalidParameter(f"block from {float(args[2][0]):.3g} GeV refused")
    return real(args)

layers._bound_block = refusing
spec = parse_spec(tomllib.loads(sys.argv[1]), "pool-test.toml")
try:
    with cache.bypass():
        layers.compute_all(spec, workers=2)
except InvalidParameter as exc:
    print("raised:", exc)
else:
    print("nothing raised")
print("children left:", len(multiprocessing.active_children()))
"""


def test_an_error_in_a_worker_ends_the_figure_with_that_error_and_no_process_left():
    proc = subprocess.run([sys.executable, "-c", _FAILING_FIGURE, SPEC], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("raised: ") and "GeV refused" in lines[0] and "pool-test.toml" in lines[0], proc.stdout
    assert lines[-1] == "children left: 0"
