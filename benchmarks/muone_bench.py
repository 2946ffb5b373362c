"""MUonE / inelastic DM (issue 11 target: a 30-mass reach for one splitting in <= 60 s with the events cached).

muonreach: events generated once per mass (cold: generation included, cache off) and reweighted per coupling
(mc/displaced.py); warm: the same reach again with the cached events. Naive baseline: regenerate the events at
every coupling the edge search asks for (generation + decay-distance draw per call,
:func:`muonreach.mc.displaced.regenerated_events` on freshly generated events), timed on a few calls and scaled by
the number of couplings the fast reach evaluated. The edge difference between the two is not printed: the
regenerated counts are noisy (binomial) at the lower edge, which is why the reweighting exists.
"""

from __future__ import annotations

import os
import time

import numpy as np

from muonreach import cache
from muonreach.experiments.spec import load_experiment
from muonreach.mc import displaced
from muonreach.models.registry import get_model_spec
from muonreach.reach.contour import reach


def bench_muone(n_masses: int = 30, delta: float = 0.4) -> None:
    exp = load_experiment("muone")
    spec = get_model_spec("inelastic-dm")
    sets = {"delta": delta}
    masses = np.geomspace(0.05, 1.0, n_masses)
    calls = 0
    original = displaced.DisplacedCalculator.events

    def counted(self, g):
        nonlocal calls
        calls += int(np.size(g))
        return original(self, g)

    displaced.DisplacedCalculator.events = counted  # type: ignore[method-assign]
    os.environ[cache.ENV_OFF] = "1"
    cache.clear_memory()
    t0 = time.perf_counter()
    reach(exp, spec, masses, sets)
    t_cold = time.perf_counter() - t0
    del os.environ[cache.ENV_OFF]
    displaced.DisplacedCalculator.events = original  # type: ignore[method-assign]
    reach(exp, spec, masses, sets)  # fill the cache
    t0 = time.perf_counter()
    rows = reach(exp, spec, masses, sets)
    t_warm = time.perf_counter() - t0
    os.environ[cache.ENV_OFF] = "1"
    samples = 3
    t0 = time.perf_counter()
    for k in range(samples):
        cache.clear_memory()
        calc = displaced.event_calculator(exp, spec, float(masses[n_masses // 2]), sets)
        displaced.regenerated_events(calc, 1e-3, k)
    t_one = (time.perf_counter() - t0) / samples
    del os.environ[cache.ENV_OFF]
    found = sum(r.coupling_low is not None for r in rows)
    print(f"muone reach, {n_masses} masses, Delta = {delta} m1: cold {t_cold:.2f} s, cached {t_warm:.2f} s | "
          f"regenerate per coupling {t_one * calls:.0f} s ({calls} couplings x {t_one:.2f} s, scaled from {samples}) "
          f"| speed-up {t_one * calls / t_cold:,.0f}x cold, {t_one * calls / t_warm:,.0f}x cached | "
          f"{found}/{n_masses} masses with a lower edge")


if __name__ == "__main__":
    bench_muone()
