"""Start-up of the quick commands (issue 9 section 4: under 0.3 s on this machine), next to the baselines.

Each command runs in a fresh interpreter (wall and CPU time, user + sys, medians of ``repeats`` runs: on a loaded
machine the CPU time is the steadier figure), next to ``python -c pass``,
``python -c "import scipy.integrate"`` and an eager-import baseline: the same command after importing what
start-up loaded before it was made lazy (scipy.integrate and scipy.optimize, the full ``particle`` table).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

QUICK = {
    "--help": ["--help"],
    "gm2": ["gm2", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4"],
    "widths": ["widths", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4"],
    "list models": ["list", "models"],
    "list experiments": ["list", "experiments"],
}
_EAGER = ("import scipy.integrate, scipy.optimize; from particle import Particle; Particle.from_pdgid(13).mass; "
          "import sys; sys.argv[0] = 'muonreach'; from muonreach.cli import main; main()")


def _times(argv: list[str], repeats: int) -> tuple[float, float]:
    """Median wall and CPU (user + sys of the child) seconds of running ``argv``."""
    wall, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def bench_startup(repeats: int = 7) -> None:
    py = sys.executable
    empty, empty_cpu = _times([py, "-c", "pass"], repeats)
    scipy_int, scipy_cpu = _times([py, "-c", "import scipy.integrate"], repeats)
    print(f"start-up (medians of {repeats}, wall / cpu): python -c pass {empty:.3f} / {empty_cpu:.3f} s | "
          f"python -c 'import scipy.integrate' {scipy_int:.3f} / {scipy_cpu:.3f} s")
    for label, args in QUICK.items():
        lazy, lazy_cpu = _times([py, "-m", "muonreach", *args], repeats)
        eager, eager_cpu = _times([py, "-c", _EAGER, *args], repeats)
        print(f"    muonreach {label:<17} {lazy:.3f} / {lazy_cpu:.3f} s (overhead over python -c pass "
              f"{lazy - empty:.3f} / {lazy_cpu - empty_cpu:.3f} s, target < 0.3 s) | eager-import baseline "
              f"{eager:.3f} / {eager_cpu:.3f} s | speed-up {eager / lazy:.1f}x")


if __name__ == "__main__":
    bench_startup()
