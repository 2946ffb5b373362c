"""Event generation (`muonreach generate`, issue 10): unweighted events per second, next to a naive baseline.

The generator's grid envelope (mc/unweighting.py, 8 x 32 x 16 cells) against plain accept-reject under one flat
envelope (1.5 x the largest presampled density over the whole cube), both vectorised on the same density, for
200 000 events of each case of CASES. The grid pays where the density is peaked (light bosons: x -> 0 and
forward angles); for smooth spectra the flat envelope is as fast, but it has no protection against a
violated envelope (the grid sampler detects and restarts). Prints the time, the unweighting efficiency and the
relative difference of the mean boson energy of the two samples (both are exact samplers: it is MC noise).
"""

from __future__ import annotations

import os
import time

import numpy as np

from muonreach.mc.generate import generate, setup

#: (experiment, model, mass, coupling, model parameters): a smooth spectrum, a peaked one (light boson), a shower.
CASES = (("na64mu-2018", "scalar-muon", 0.1, 5e-4, {"g_chi": 1.0}),
         ("na64mu-2018", "scalar-muon", 0.005, 5e-4, {"g_chi": 1.0}),
         ("e137", "scalar-lepton", 0.05, 1e-5, {}))


def _flat_envelope(density, n: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    presample = density(rng.random((8 * 32 * 16 * 24, 3)))
    bound = 1.5 * presample.max()
    kept, trials = [], 0
    while sum(len(k) for k in kept) < n:
        u = rng.random((500_000, 3))
        f = density(u)
        if np.any(f > bound):
            raise RuntimeError("flat envelope violated: raise its safety factor")
        kept.append(u[rng.random(len(u)) * bound < f])
        trials += len(u)
    points = np.concatenate(kept)[:n]
    return points, n / trials


def bench_events(n: int = 200_000) -> None:
    for case in CASES:
        _bench_case(case, n)
    for case in EXACT_CASES:
        _bench_exact(case, n)


#: Exact 2 -> 3 sampling: a thin target (2 energy nodes of the tables) and a thick one (the Fermilab dump: the
#: muon ranges out, 9 energy nodes).
EXACT_CASES = (CASES[0], ("fnal-mu-dump", "scalar-muon", 0.05, 1e-4, {}))


def _bench_exact(case: tuple, n: int) -> None:
    """Exact 2 -> 3 sampling (mc/exact.py) against the WW sampler in the same run, same events: the tables are
    built (and cached) first and timed apart; the per-event rate is then the sampler's, in wall time and in this
    process's CPU time (the machine is shared: the load average is printed; CPU time is the one-core figure)."""
    *point, sets = case
    t0 = time.perf_counter()
    setup(*point, 10, 1, {**sets, "approximation": "exact"})
    t_table = time.perf_counter() - t0
    rates = {}
    for approximation in ("ww", "exact"):
        t0, c0 = time.perf_counter(), time.process_time()
        events = generate(*point, n, 1, {**sets, "approximation": approximation})
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rates[approximation] = (n / wall, n / cpu, events.info.unweighting_efficiency)
    (ww, ww_cpu, e_ww), (ex, ex_cpu, e_ex) = rates["ww"], rates["exact"]
    print(f"generate {n} events ({point[0]}, {point[1]}, m = {point[2]} GeV), exact 2 -> 3: {ex:,.0f} events/s "
          f"wall, {ex_cpu:,.0f} per CPU s (target >= 1e5; unweighting efficiency {e_ex:.2f}; tables {t_table:.1f} s, "
          f"cached afterwards) | WW {ww:,.0f} wall, {ww_cpu:,.0f} per CPU s (efficiency {e_ww:.2f}) | exact/WW rate "
          f"{ex_cpu / ww_cpu:.2f} | load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _bench_case(case: tuple, n: int) -> None:
    *point, sets = case
    t0 = time.perf_counter()
    events = generate(*point, n, 1, sets)
    t_fast = time.perf_counter() - t0
    production = setup(*point, 10, 1, sets).production
    t0 = time.perf_counter()
    points, efficiency = _flat_envelope(production.density, n, np.random.default_rng(1))
    energy = production.kinematics(points, np.random.default_rng(2))["boson"][:, 0]
    t_naive = time.perf_counter() - t0
    diff = abs(float(np.mean(energy)) / float(np.mean(events.columns["boson_e"])) - 1.0)
    print(f"generate {n} events ({point[0]}, {point[1]}, m = {point[2]} GeV): muonreach {t_fast:.2f} s ({n / t_fast:,.0f} events/s, "
          f"unweighting efficiency {events.info.unweighting_efficiency:.2f}, with decays and selection) | naive flat "
          f"envelope {t_naive:.2f} s (efficiency {efficiency:.3f}, production only) | speed-up {t_naive / t_fast:.1f}x "
          f"| <E_X> difference {diff:.1e}")


if __name__ == "__main__":
    bench_events()
