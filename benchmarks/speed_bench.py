"""Benchmarks of issue 16 (`make bench` calls :func:`bench_speed` from benchmarks/run.py), each next to the
method it replaces, measured in the same run, with the agreement printed.

1. Relic set-up (:class:`muonreach.cosmo.freezeout.FreezeOut`: thermal average on 201 temperatures and the
   splines) for the muon- and lepton-specific scalars at 12 masses: the thermal-integral grid of today (panels
   growing beyond u = 40) vs the uniform grid of step 2 up to u = 80 used before (max relative change of the
   rate printed).
2. Relic solve: TR-BDF2 (the default) vs scipy's Radau (``method="radau"``, the reference) on the same
   problems at the tolerance of the relic targets; max |Delta Omega/Omega| printed (issue goal <= 2e-4).
3. Figure layers of 000-fig5 (`make run`): computed from scratch (cache bypassed) vs read back from the disk
   cache in a fresh process state (memory copies dropped); the shapes must agree exactly.
4. The 10^4-point benchmark scan of benchmarks/scan_bench.py end to end (as the CLI runs it): without
   ``workers`` (small: no cluster, muonreach.scan.runner.SERIAL_SECONDS) vs a 2-worker LocalCluster started
   for it; the results must be identical.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import time
from collections.abc import Iterator

import numpy as np

MODELS = ("scalar-muon", "scalar-lepton")
BENCHMARK = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}
MASSES = np.geomspace(0.02, 30.0, 12)


def _problems():
    from muonreach.cosmo.annihilation import dark_sector, poles
    from muonreach.models.registry import get_model_spec

    for name in MODELS:
        spec = get_model_spec(name)
        for m in MASSES:
            model = spec.build(float(m), 1e-3, BENCHMARK)
            yield dark_sector(model), poles(model)


@contextlib.contextmanager
def _uniform_grid() -> Iterator[None]:
    """The thermal-integral panels of the previous code: step 2 all the way to U_MAX."""
    from muonreach.cosmo import freezeout as fo

    saved = fo._U_UNIFORM
    fo._U_UNIFORM = fo.U_MAX
    try:
        yield
    finally:
        fo._U_UNIFORM = saved


def bench_relic_setup() -> None:
    from muonreach.cosmo.freezeout import FreezeOut
    from muonreach.cosmo.relic import RELIC_RTOL

    problems = list(_problems())
    FreezeOut(*problems[0], rtol=RELIC_RTOL)  # warm-up
    t0 = time.perf_counter()
    new = [FreezeOut(s, p, rtol=RELIC_RTOL) for s, p in problems]
    t_new = time.perf_counter() - t0
    with _uniform_grid():
        t0 = time.perf_counter()
        old = [FreezeOut(s, p, rtol=RELIC_RTOL) for s, p in problems]
        t_old = time.perf_counter() - t0
    diff = max(float(np.max(np.abs(np.expm1(a.rate.log_rate.c[-1] - b.rate.log_rate.c[-1])))) for a, b in zip(new, old))
    n = len(problems)
    print(f"relic set-up, {n} problems: {1e3 * t_new / n:.1f} ms each | uniform u grid {1e3 * t_old / n:.1f} ms | "
          f"speed-up {t_old / t_new:.2f}x | max rate change {diff:.1e}")


def bench_relic_solve() -> None:
    from muonreach.cosmo.freezeout import FreezeOut
    from muonreach.cosmo.relic import RELIC_RTOL

    problems = [FreezeOut(s, p, rtol=RELIC_RTOL) for s, p in _problems()]
    scales = (1e-2, 1.0, 1e2)
    times = {"trbdf2": 0.0, "radau": 0.0}
    omegas: dict[str, list[float]] = {"trbdf2": [], "radau": []}
    for method in times:
        t0 = time.perf_counter()
        for problem in problems:
            omegas[method] += [problem.solve(scale, method=method).omega_h2 for scale in scales]
        times[method] = time.perf_counter() - t0
    n = len(problems) * len(scales)
    diff = max(abs(a / b - 1.0) for a, b in zip(omegas["trbdf2"], omegas["radau"]))
    print(f"relic solve, {n} solutions: TR-BDF2 {1e3 * times['trbdf2'] / n:.2f} ms each | Radau (reference) "
          f"{1e3 * times['radau'] / n:.2f} ms | speed-up {times['radau'] / times['trbdf2']:.1f}x | "
          f"max |dOmega/Omega| {diff:.1e} (goal <= 2e-4)")


def bench_figure_layers(name: str = "000-fig5") -> None:
    from muonreach import cache
    from muonreach.plot.layers import compute_all
    from muonreach.plot.spec import load_spec

    spec = load_spec(name)
    with tempfile.TemporaryDirectory() as tmp:
        previous = os.environ.get(cache.ENV_DIR)
        os.environ[cache.ENV_DIR] = tmp
        try:
            cache.clear_memory()
            t0 = time.perf_counter()
            cold = compute_all(spec)  # fills the empty cache
            t_cold = time.perf_counter() - t0
            cache.clear_memory()
            t0 = time.perf_counter()
            warm = compute_all(spec)
            t_warm = time.perf_counter() - t0
        finally:
            if previous is None:
                os.environ.pop(cache.ENV_DIR, None)
            else:
                os.environ[cache.ENV_DIR] = previous
            cache.clear_memory()
    same = all(repr(a) == repr(b) for pa, pb in zip(cold, warm) for a, b in zip(pa, pb))
    print(f"figure {name} layers: from the disk cache {t_warm:.2f} s | computed {t_cold:.2f} s | "
          f"speed-up {t_cold / t_warm:.1f}x | identical shapes: {same}")


def bench_scan_end_to_end() -> None:
    from muonreach.scan import run_scan
    from scan_bench import SPEC

    run_scan(SPEC.replace("points = 100", "points = 5"), workers=None)  # warm-up (imports)
    t0 = time.perf_counter()
    here = run_scan(SPEC)
    t_here = time.perf_counter() - t0
    t0 = time.perf_counter()
    cluster = run_scan(SPEC, workers=2)
    t_cluster = time.perf_counter() - t0
    same = all(np.array_equal(np.asarray(here[k].values), np.asarray(cluster[k].values), equal_nan=True)
               for k in here.data_vars if here[k].dtype.kind == "f")
    print(f"scan 10^4 points end to end: in this process {t_here:.2f} s | 2-worker cluster incl. start-up "
          f"{t_cluster:.2f} s | speed-up {t_cluster / t_here:.2f}x | identical: {same}")


def bench_speed() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    print(f"issue 16 speed benchmarks (load average {load:.2f} on {os.cpu_count()} CPUs)")
    bench_relic_setup()
    bench_relic_solve()
    bench_figure_layers()
    bench_scan_end_to_end()


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    bench_speed()
