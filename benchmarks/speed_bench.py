"""Benchmarks of issue 16 (`make bench` calls :func:`bench_speed` from benchmarks/run.py), each next to the
method it replaces, measured in the same run, with the agreement printed.

1. Relic set-up (:class:`muonreach.cosmo.freezeout.FreezeOut`: thermal average on 201 temperatures and the
   splines) for the muon- and lepton-specific scalars at 12 masses, with the break points of the relic targets:
   the panels in v = sqrt(s) - threshold shared by all temperatures (sigma(s) evaluated once per node) vs the
   previous grid of panels in u = v/T per temperature (:func:`_per_temperature_integral`, sigma(s) at every
   node of every temperature); max relative change of the rate printed.
2. Relic solve: TR-BDF2 (the default) vs the same with the previous stage solver (:func:`_newton_before`:
   Newton to a step of 1e-13 and f(y) from a fresh sinh) and vs scipy's Radau (``method="radau"``, the
   reference) on the same problems at the tolerance of the relic targets, CPU time, best of 3 alternated;
   max |Delta Omega/Omega| against both printed (issue goal <= 2e-4 against Radau).
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
    from muonreach.cosmo.annihilation import break_points, dark_sector
    from muonreach.models.registry import get_model_spec

    for name in MODELS:
        spec = get_model_spec(name)
        for m in MASSES:
            model = spec.build(float(m), 1e-3, BENCHMARK)
            yield dark_sector(model), break_points(model)


def _per_temperature_integral(sigma, m_i, m_j, temperatures, poles, label):
    """The thermal integral J_ij(T) as computed before the shared grid (the baseline of bench_relic_setup): per
    temperature, composite Gauss-Legendre on panels in u graded towards u = 0 and every pole, uniform of step 2
    up to u = 40 and growing by 1.25 beyond, up to U_MAX."""
    from muonreach.cosmo import freezeout as fo

    t = temperatures[:, None]
    threshold, delta2 = m_i + m_j, (m_i - m_j) ** 2
    grading = 3.0 ** np.arange(math.ceil(math.log(fo.U_MAX / 1e-6) / math.log(3.0)) + 1)
    regular = np.concatenate((np.arange(0.0, 40.0, 2.0), 40.0 * 1.25 ** np.arange(math.ceil(math.log(2.0) / math.log(1.25)) + 1)))
    columns = [np.broadcast_to(regular, (t.shape[0], regular.size)), np.broadcast_to(1e-6 * grading, (t.shape[0], grading.size))]
    for mass, width in poles:
        centre = (mass - threshold) / t
        w = width / (2.0 * t) if width > 0.0 else np.full_like(t, 1e-6)
        w = np.maximum(w, 1e-13 * np.maximum(1.0, np.abs(centre)))
        k_max = math.ceil(math.log(max(float(np.max((fo.U_MAX + np.abs(centre)) / w)), 1.0)) / math.log(3.0)) + 1
        offsets = w * 3.0 ** np.arange(k_max)
        columns += [centre, centre + offsets, centre - offsets]
    edges = np.sort(np.clip(np.concatenate(columns, axis=1), 0.0, fo.U_MAX), axis=1)
    row, panel = np.nonzero(edges[:, 1:] > edges[:, :-1])
    left, right = edges[row, panel], edges[row, panel + 1]
    half = 0.5 * (right - left)[:, None]
    u = (0.5 * (right + left)[:, None] + half * fo._GL_X).ravel()
    w = (half * fo._GL_W).ravel()
    rows = np.repeat(row, fo._GL_X.size)
    tt = temperatures[rows]
    tu = tt * u
    sqrt_s = threshold + tu
    s = sqrt_s * sqrt_s
    p2 = tu * (2.0 * threshold + tu) * (s - delta2) / (4.0 * s)
    f = w * np.exp(-u) * sigma(s) * p2 * s * fo.k1e(sqrt_s / tt)
    return np.bincount(rows, weights=f, minlength=temperatures.size).astype(float)


@contextlib.contextmanager
def _replaced(name: str, baseline: object) -> Iterator[None]:
    """muonreach.cosmo.freezeout.<name> replaced by a baseline of this file while inside."""
    from muonreach.cosmo import freezeout as fo

    saved = getattr(fo, name)
    setattr(fo, name, baseline)
    try:
        yield
    finally:
        setattr(fo, name, saved)


def bench_relic_setup() -> None:
    from muonreach.cosmo.freezeout import FreezeOut
    from muonreach.cosmo.relic import RELIC_RTOL

    problems = list(_problems())
    FreezeOut(*problems[0], rtol=RELIC_RTOL)  # warm-up
    t_new = t_old = math.inf
    for _ in range(3):  # alternating, best of 3
        t0 = time.perf_counter()
        new = [FreezeOut(s, p, rtol=RELIC_RTOL) for s, p in problems]
        t_new = min(t_new, time.perf_counter() - t0)
        with _replaced("_pair_integral", _per_temperature_integral):
            t0 = time.perf_counter()
            old = [FreezeOut(s, p, rtol=RELIC_RTOL) for s, p in problems]
            t_old = min(t_old, time.perf_counter() - t0)
    diff = max(float(np.max(np.abs(np.expm1(a.rate.log_rate.c[-1] - b.rate.log_rate.c[-1])))) for a, b in zip(new, old))
    n = len(problems)
    print(f"relic set-up, {n} problems: {1e3 * t_new / n:.1f} ms each | per-temperature u grid (before) "
          f"{1e3 * t_old / n:.1f} ms | speed-up {t_old / t_new:.2f}x | max rate change {diff:.1e}")


def _newton_before(a: float, b: float, base: float, ch: float, guess: float) -> tuple[float, float] | None:
    """The TR-BDF2 stage solver before relicfast (the baseline of bench_relic_solve): the same Newton iteration,
    stopped at a step of 1e-13 (one iteration more) and f(y) from a fresh sinh."""
    y = guess
    for _ in range(30):
        d = min(max(y, -700.0), 700.0)
        step = (y - base + ch * (a * math.sinh(d) + b)) / (1.0 + ch * a * math.cosh(d))
        y -= step
        if abs(step) <= 1e-13 * (1.0 + abs(y)):
            d = min(max(y, -700.0), 700.0)
            return y, -a * math.sinh(d) - b
    return None


def bench_relic_solve() -> None:
    from muonreach.cosmo.freezeout import FreezeOut
    from muonreach.cosmo.relic import RELIC_RTOL

    problems = [FreezeOut(s, p, rtol=RELIC_RTOL) for s, p in _problems()]
    scales = (1e-2, 1.0, 1e2)
    methods = ("trbdf2", "before", "radau")
    times = dict.fromkeys(methods, math.inf)
    omegas: dict[str, list[float]] = {}
    for _ in range(3):  # alternating, best of 3 (CPU time: the machine is shared)
        for method in methods:
            with _replaced("_newton", _newton_before) if method == "before" else contextlib.nullcontext():
                t0 = time.process_time()
                omegas[method] = [problem.solve(scale, method="radau" if method == "radau" else "trbdf2").omega_h2
                                  for problem in problems for scale in scales]
                times[method] = min(times[method], time.process_time() - t0)
    n = len(problems) * len(scales)

    def diff(ref: str) -> float:
        return max(abs(a / b - 1.0) for a, b in zip(omegas["trbdf2"], omegas[ref]))

    print(f"relic solve, {n} solutions (CPU): TR-BDF2 {1e3 * times['trbdf2'] / n:.2f} ms each | previous stage "
          f"solver {1e3 * times['before'] / n:.2f} ms (max |dOmega/Omega| {diff('before'):.1e}) | Radau (reference) "
          f"{1e3 * times['radau'] / n:.2f} ms | speed-up {times['radau'] / times['trbdf2']:.1f}x | "
          f"max |dOmega/Omega| {diff('radau'):.1e} (goal <= 2e-4)")


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
