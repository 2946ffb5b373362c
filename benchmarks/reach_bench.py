"""Reach at the integrand limit (issue 16 goal 1; `make bench` calls :func:`bench_reach_batch` from run.py).

For each signature, the batch edge search (``reach(..., method="batch")``, the default: all masses at once,
muonreach.reach.batch) next to the per-mass search it replaces (``method="per-mass"``: find_edges at each mass),
measured in the same run on the same masses after one warm-up pass of each (imports; the exact-production tables
of fnal-mu-dump are read from the disk cache, or computed once in the warm-up). Printed per case: ms per mass of
both (wall clock and process CPU, the machine's load average next to them), the speed-up, and the largest
relative difference of the edges (goal: <= 1e-4; both methods find the same roots to 1e-10 in log10 g).

Cases: na64mu-2018 (invisible with visible_escape, 000's dark-matter benchmark g_chi = 1, m_chi = m_S/3, 200
masses 10 MeV-10 GeV; issue goal <= 0.1 ms/mass), the same without visible_escape (the pure invisible
signature: one integral per mass), na64mu-2017 (decay_beyond, IWW) and fnal-mu-dump (decay_in_volume, exact
2 -> 3 production), 100 masses 1 MeV-1 GeV of 002 Fig. 5 model B (issue goal <= 0.5 ms/mass).
Then the width model alone (:func:`bench_width_model`): the coupling fits of all masses at once next to the
per-mass construction they replace, in the same run; and two parts of the batch path next to the methods they
replaced (:func:`bench_parts`): the IWW photon fluxes of the yield grid (one row of beam energies per mass sharing
its G2 nodes, production.flux.photon_flux_rows, vs the per-point rule photon_flux_fast) and the edges' roots
(reach.batch.chandrupatla in numpy vs scipy.optimize.elementwise.find_root, the same brackets and tolerances).
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

DM = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}
CASES = (
    ("na64mu-2018", {}, "scalar-muon", DM, (0.01, 10.0, 200)),
    ("na64mu-2018", {"visible_escape": False}, "scalar-muon", DM, (0.01, 10.0, 200)),
    ("na64mu-2017", {}, "scalar-muon", {}, (1e-3, 1.0, 100)),
    ("fnal-mu-dump", {}, "scalar-muon", {}, (1e-3, 1.0, 100)),
)


def _timed(reach, *args, **kwargs) -> tuple[list, float, float]:
    """(result, wall s, process CPU s) of one reach call."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = reach(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def max_edge_difference(a, b) -> float:
    """Largest relative difference of two reach results' edges (inf if one has an edge the other lacks)."""
    worst = 0.0
    for ra, rb in zip(a, b):
        for x, y in ((ra.coupling_low, rb.coupling_low), (ra.coupling_high, rb.coupling_high)):
            if (x is None) != (y is None):
                return math.inf
            if x is not None:
                worst = max(worst, abs(x / y - 1.0))
    return worst


def bench_reach_batch() -> None:
    from muonreach.experiments.spec import load_experiment
    from muonreach.models.registry import get_model_spec
    from muonreach.reach.contour import reach

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    print(f"reach at the integrand limit (load average {load:.2f} on {os.cpu_count()} CPUs)")
    for name, sets, model, benchmark, (lo, hi, n) in CASES:
        exp = load_experiment(name).with_overrides(sets)
        spec = get_model_spec(model)
        masses = np.geomspace(lo, hi, n)
        for method in ("per-mass", "batch"):  # warm-up: imports, exact tables
            reach(exp, spec, masses, benchmark, method=method)
        new, wall_new, cpu_new = _timed(reach, exp, spec, masses, benchmark, method="batch")
        old, wall_old, cpu_old = _timed(reach, exp, spec, masses, benchmark, method="per-mass")
        label = name + "".join(f" {k}={v}" for k, v in sets.items())
        print(f"  {label} ({exp.signature.name}, {model}), {n} masses: batch {1e3 * wall_new / n:.3f} ms/mass "
              f"(CPU {1e3 * cpu_new / n:.3f}) | per-mass {1e3 * wall_old / n:.3f} ms/mass (CPU {1e3 * cpu_old / n:.3f}) | "
              f"speed-up {wall_old / wall_new:.1f}x | max edge difference {max_edge_difference(new, old):.1e} "
              f"(goal <= 1e-4)")
    bench_width_model()
    bench_parts()


def _best(fn, *args, repeat: int = 5) -> tuple[object, float]:
    """(result, best process CPU s of ``repeat`` calls)."""
    best = math.inf
    for _ in range(repeat):
        out, _wall, cpu = _timed(fn, *args)
        best = min(best, cpu)
    return out, best


def bench_parts() -> None:
    """The photon fluxes of the na64mu-2018 yield grid (200 masses x 8 energies) and the roots of the batch edges
    (na64mu-2017 decay_beyond, 100 masses: the brackets the scan leaves), new next to old, alternated."""
    from scipy.optimize import elementwise

    from muonreach.experiments.beam import energy_ranges
    from muonreach.experiments.production import _GL_E
    from muonreach.experiments.spec import load_experiment
    from muonreach.production.flux import iww_t_limits, photon_flux_fast, photon_flux_rows
    from muonreach.reach import batch

    exp = load_experiment("na64mu-2018")
    masses = np.geomspace(0.01, 10.0, 200)
    lo = energy_ranges(exp, masses)[0][:, None]
    energy = 0.5 * (exp.energy + lo) + 0.5 * (exp.energy - lo) * _GL_E[0]
    t_min, t_max = iww_t_limits(masses[:, None], exp.lepton, energy)
    for _ in range(2):  # alternated
        rows, cpu_rows = _best(photon_flux_rows, exp.target, t_min, t_max[:, 0])
        point, cpu_point = _best(photon_flux_fast, exp.target, t_min, t_max)
    print(f"  IWW photon flux of the yield grid, 200 masses x {energy.shape[1]} energies: rows {1e3 * cpu_rows / 200:.4f} "
          f"CPU ms/mass | per point {1e3 * cpu_point / 200:.4f} | speed-up {cpu_point / cpu_rows:.1f}x | max relative "
          f"difference {np.max(np.abs(rows / point - 1.0)):.1e}")
    brackets = _root_brackets()
    if brackets is None:
        return
    f, a, b, fa, fb = brackets
    scipy_root = lambda: elementwise.find_root(f, (a, b), args=(np.arange(a.size),), tolerances={
        "xatol": batch.ROOT_XATOL, "xrtol": batch.ROOT_XRTOL}).x
    numpy_root = lambda: batch.chandrupatla(f, a, b, fa, fb, batch.ROOT_XATOL, batch.ROOT_XRTOL)
    for _ in range(2):
        new, cpu_new = _best(numpy_root)
        old, cpu_old = _best(scipy_root)
    print(f"  edge roots na64mu-2017 ({a.size} brackets): numpy Chandrupatla {1e3 * cpu_new:.2f} CPU ms | scipy "
          f"find_root {1e3 * cpu_old:.2f} (its two end evaluations included) | speed-up {cpu_old / cpu_new:.1f}x | max "
          f"difference {np.max(np.abs(np.asarray(new) - np.asarray(old))):.1e} in log10 g")


def _root_brackets():
    """(f(x, k), a, b, f(a), f(b)) of the edge brackets of the na64mu-2017 batch reach (captured from the search)."""
    from muonreach.experiments.calculator import calculators
    from muonreach.experiments.spec import load_experiment
    from muonreach.models.registry import get_model_spec
    from muonreach.reach import batch
    from muonreach.reach.contour import _batch, events_threshold

    exp = load_experiment("na64mu-2017")
    calcs = calculators(exp, get_model_spec("scalar-muon"), np.geomspace(1e-3, 1.0, 100), {})
    seen: list = []
    original = batch.chandrupatla

    def capture(f, a, b, fa, fb, *args, **kwargs):
        seen.append((f, a.copy(), b.copy(), fa.copy(), fb.copy()))
        return original(f, a, b, fa, fb, *args, **kwargs)

    batch.chandrupatla = capture
    try:
        _batch(calcs, events_threshold(exp))
    finally:
        batch.chandrupatla = original
    return seen[0] if seen else None


def _mass_by_mass(spec, masses, overrides, production) -> list:
    from muonreach.experiments.couplings import CouplingDependence

    return [CouplingDependence(spec, m, overrides, production) for m in masses]


def bench_width_model() -> None:
    """The per-mass width model of the batch reach (the coupling fits of experiments.couplings): all masses at once
    (CouplingDependence.many on the model's array form) next to the constructor mass by mass (the previous
    method), the largest relative difference of the fitted width coefficients printed."""
    from muonreach.experiments.couplings import CouplingDependence
    from muonreach.models.registry import get_model_spec

    production = lambda model: model.production_coupling("mu")[1]
    for model, overrides, (lo, hi, n) in (("scalar-muon", DM, (0.01, 10.0, 200)), ("scalar-muon", {}, (1e-3, 1.0, 100))):
        spec, masses = get_model_spec(model), list(np.geomspace(lo, hi, n))
        best_new, best_old = (math.inf, math.inf), (math.inf, math.inf)
        for _ in range(3):  # alternated, best of 3
            new, wall, cpu = _timed(CouplingDependence.many, spec, masses, overrides, production)
            best_new = min(best_new, (wall, cpu))
            old, wall, cpu = _timed(_mass_by_mass, spec, masses, overrides, production)
            best_old = min(best_old, (wall, cpu))
        worst = 0.0
        for a, b in zip(new, old):
            for ca, cb in zip(a.polynomials() or (), b.polynomials() or ()):
                scale = max(abs(v) for v in cb) or 1.0
                worst = max(worst, max(abs(x - y) for x, y in zip(ca, cb)) / scale)
        print(f"  width model {model} {overrides or ''}, {n} masses: all at once {1e3 * best_new[0] / n:.3f} ms/mass "
              f"(CPU {1e3 * best_new[1] / n:.3f}) | mass by mass {1e3 * best_old[0] / n:.3f} ms/mass (CPU "
              f"{1e3 * best_old[1] / n:.3f}) | speed-up {best_old[0] / best_new[0]:.1f}x | max coefficient "
              f"difference {worst:.1e}")


if __name__ == "__main__":
    bench_reach_batch()
