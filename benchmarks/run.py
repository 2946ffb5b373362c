"""Benchmarks: each measured next to a naive baseline in the same run (`make bench`).

Until the reach layer lands this times the one-loop (g-2) band over 200 masses: muonreach's
coupling-scaling (one integral per mass, g^2 structure) against a naive root-find of the band edge by
repeated integration.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import optimize

from muonreach.constants import M_MU
from muonreach.gm2 import loops
from muonreach.gm2.bands import favored_band
from muonreach.gm2.datasets import get_dataset


def bench_gm2_band(n_masses: int = 200) -> None:
    ds = get_dataset("pdg2016")
    masses = np.geomspace(1e-3, 10.0, n_masses)
    t0 = time.perf_counter()
    fast = [favored_band(loops.scalar(M_MU, m, 1.0), ds, 2.0).high for m in masses]
    t_fast = time.perf_counter() - t0

    target = ds.delta + 2 * ds.sigma
    sub = masses[:: max(1, n_masses // 10)]
    t0 = time.perf_counter()
    naive = [optimize.brentq(lambda lg, m=m: loops.scalar(M_MU, m, 10.0**lg) - target, -8, 1, xtol=1e-14) for m in sub]
    t_naive = (time.perf_counter() - t0) * n_masses / len(sub)
    diff = max(abs(10.0**n / fast[i * max(1, n_masses // 10)] - 1.0) for i, n in enumerate(naive))
    print(f"(g-2) 2-sigma band, {n_masses} masses: muonreach {t_fast:.3f} s, naive root-finding {t_naive:.3f} s "
          f"(scaled from {len(sub)} masses), speed-up {t_naive / t_fast:.1f}x, max relative difference {diff:.1e}")
    assert math.isfinite(t_fast)


if __name__ == "__main__":
    bench_gm2_band()
