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
from muonreach.mc import displaced, exact
from muonreach.models.registry import get_model_spec
from muonreach.production.exact.integrate import dsigma_dx_dcos
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


def _angles_by_dcos(angles: exact.ExactAngles) -> np.ndarray:
    """ln q of the angular table from dsigma_dx_dcos (the previous construction: fine and coarse rule, via theta)."""
    rows = []
    for e in angles.spectrum.energies:
        x = angles.spectrum._x_of_s(np.array(e), angles.s_nodes)
        xx, vv = np.meshgrid(x, angles.v_nodes, indexing="ij")
        _, omc, dcos_dv = angles.angles(np.full(xx.shape, e), xx, vv)
        dens = dsigma_dx_dcos(angles.process, float(e), xx, 2.0 * np.arcsin(np.sqrt(0.5 * omc)))[0] * dcos_dv
        log_d = np.log(np.maximum(dens, dens.max(axis=1, keepdims=True) * exact.LOG_FLOOR))
        rows.append(log_d - np.log(exact._log_linear_integral(log_d, angles.v_nodes))[:, None])
    return np.array(rows)


def bench_splittings(masses: tuple[float, ...] = (0.05, 0.2, 0.8), deltas: tuple[float, ...] = (0.1, 0.2, 0.4, 0.6)) -> None:
    exp, spec = load_experiment("muone"), get_model_spec("inelastic-dm")
    load = os.getloadavg()[0]
    with cache.bypass():
        prod = exact.ExactProduction.build(exp, "vector", masses[1])
        c0 = time.process_time()
        table = exact.ExactAngles(prod.spectrum)._log_q
        t_new = time.process_time() - c0
        c0 = time.process_time()
        old = _angles_by_dcos(prod.angles)
        t_old = time.process_time() - c0
        print(f"muone angular table (m_A' = {masses[1]:g} GeV, {table.size} nodes): fine rule at the nodes "
              f"{t_new:.2f} CPU-s | dsigma_dx_dcos (fine + coarse, via theta) {t_old:.2f} CPU-s | {t_old / t_new:.1f}x "
              f"| largest |d ln q| {np.max(np.abs(table - old)):.1e} | load {load:.1f}")
        timings, arrays = {}, {}
        for shared in (False, True):
            displaced._PRODUCED.clear()
            c0 = time.process_time()
            for delta in deltas:
                for m in masses:
                    if not shared:
                        displaced._PRODUCED.clear()
                    arrays[shared, delta, m] = displaced.event_calculator(exp, spec, m, {"delta": delta}).arrays
            timings[shared] = time.process_time() - c0
        same = all(np.array_equal(arrays[True, d, m][k], arrays[False, d, m][k])
                   for d in deltas for m in masses for k in arrays[True, d, m])
        print(f"muone events, {len(deltas)} splittings x {len(masses)} masses (cache off): production shared "
              f"{timings[True]:.2f} CPU-s | rebuilt per splitting {timings[False]:.2f} CPU-s | "
              f"{timings[False] / timings[True]:.1f}x | events identical: {same}")
        calc = displaced.event_calculator(exp, spec, masses[1], {"delta": deltas[-1]})
    g = np.geomspace(1e-5, 1e-2, 30)
    a, repeats = calc.arrays, 20
    c0 = time.process_time()
    for _ in range(repeats):
        live = calc.events(g)
    t_live = (time.process_time() - c0) / repeats
    c0 = time.process_time()
    for _ in range(repeats):
        full = calc._terms(g, a["lo"], a["hi"], calc.static)
    t_full = (time.process_time() - c0) / repeats
    print(f"muone N(g) at 30 couplings: {calc._live['lo'].size} live events {1e3 * t_live:.2f} CPU-ms | all "
          f"{calc.static.size} events {1e3 * t_full:.2f} CPU-ms | {t_full / t_live:.1f}x | largest relative "
          f"difference {np.max(np.abs(live / full - 1.0), where=full > 0, initial=0.0):.1e}")


if __name__ == "__main__":
    bench_muone()
    bench_splittings()
