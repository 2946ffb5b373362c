"""Every shipped figure, as `muonreach figure NAME --out FILE.png` runs it in a fresh interpreter (issue 16 goal 4:
the main figure <= 4 s, every figure <= 10 s): cold (an empty cache directory: every table and layer computed)
and warm (the same directory again: layers read back), next to the one-process baseline (``--workers 1``, the
per-mass work of the layers in the calling process as before the figure pool) measured cold in the same run.

Wall and CPU seconds (the command and its worker processes) and the load average are printed per figure: on a
shared machine the wall time follows the load, the CPU time much less. ``--only NAME ...`` restricts the list;
``--no-baseline`` skips the one-process runs.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_figure(name: str, cache_dir: str, out: Path, workers: int | None = None) -> tuple[float, float]:
    """(wall s, CPU s incl. the figure's worker processes) of one `muonreach figure` run in a fresh interpreter."""
    cmd = [sys.executable, "-m", "muonreach", "figure", name, "--out", str(out)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    env = {**os.environ, "MUONREACH_CACHE_DIR": cache_dir}
    cpu0, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if done.returncode != 0:
        raise RuntimeError(f"{name}: exit {done.returncode}: {done.stderr.strip()[-400:]}")
    return wall, cpu


def bench_figures(names: list[str] | None = None, baseline: bool = True) -> None:
    from muonreach.plot import list_specs

    names = names or list_specs()
    print(f"figures in a fresh interpreter ({os.cpu_count()} CPUs): wall / CPU seconds; cold = empty cache, warm = "
          "the same cache again; one process = --workers 1, cold")
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"{name}.png"
            load = os.getloadavg()[0]
            cold = run_figure(name, str(Path(tmp) / "cache"), out)
            warm = run_figure(name, str(Path(tmp) / "cache"), out)
            line = (f"{name:<15} cold {cold[0]:6.1f} s (CPU {cold[1]:6.1f}) | warm {warm[0]:5.1f} s (CPU {warm[1]:5.1f})")
            if baseline:
                one = run_figure(name, str(Path(tmp) / "cache-1"), out, workers=1)
                line += f" | one process cold {one[0]:6.1f} s (CPU {one[1]:6.1f}) | speed-up {one[0] / cold[0]:.2f}x"
            print(f"{line} | load {load:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)


def bench_drawing(name: str = "000-fig5", rounds: int = 3) -> None:
    """Drawing alone: ``render.draw`` of one figure's layers (read from the disk cache, computed first if absent)
    with the unlabelled minor ticks as marker lines, next to matplotlib's own Tick per minor tick, alternated in
    one process after a warm-up draw; best CPU seconds per draw and whether the two PNGs are the same pixels."""
    import numpy as np
    from matplotlib.image import imread

    from muonreach.plot import load_spec, render
    from muonreach.plot.layers import compute_all

    spec = load_spec(name)
    data = compute_all(spec)
    marks = render._minor_ticks_as_marks
    best = {"marks": math.inf, "ticks": math.inf}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        render.draw(spec, data, Path(tmp) / "warm.png")
        for _ in range(rounds):
            for how in ("marks", "ticks"):
                render._minor_ticks_as_marks = marks if how == "marks" else (lambda ax: None)
                try:
                    cpu0 = time.process_time()
                    render.draw(spec, data, Path(tmp) / f"{how}.png")
                    best[how] = min(best[how], time.process_time() - cpu0)
                finally:
                    render._minor_ticks_as_marks = marks
        same = np.array_equal(imread(Path(tmp) / "marks.png"), imread(Path(tmp) / "ticks.png"))
    print(f"drawing {name} (PNG, dpi {spec.dpi}): minor ticks as marker lines {best['marks']:.2f} CPU-s | matplotlib's "
          f"Tick per minor tick {best['ticks']:.2f} CPU-s | {best['ticks'] / best['marks']:.2f}x | same pixels: {same} "
          f"| load {load:.1f} -> {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="figure names (default: every shipped spec)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-process runs")
    parser.add_argument("--drawing", action="store_true", help="only the drawing benchmark (000-fig5's layers)")
    args = parser.parse_args()
    if args.drawing:
        bench_drawing()
    else:
        bench_figures(args.only, baseline=not args.no_baseline)
