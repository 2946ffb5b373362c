"""Benchmark 6 (issue 12): a 100-mass NA64-e reach (na64e-2019, dark photon, invisible) with caches warm, against a
naive baseline: the shower yield by nested adaptive quadrature (scipy quad over the lethargy eps of the e+- track
length, and over x of the IWW dsigma/dx with the flux by quad), turned into the edge with the g^2 scaling of an
invisible boson (eps_low = sqrt(N_CL / Y(1))), at a few masses, scaled per mass."""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import integrate

from muonreach import units
from muonreach.constants import E_CHARGE
from muonreach.experiments.shower import ShowerTrackLength
from muonreach.experiments.spec import load_experiment
from muonreach.models.registry import get_model_spec
from muonreach.production.cross_sections import dsigma_dx_iww_per_chi, iww_chi
from muonreach.reach.contour import events_threshold, reach


def _naive_yield(exp, mass: float) -> float:
    """Events at eps = 1 (coupling eps e; efficiency 1, BR_inv = 1): N n_atom X0 int deps dL/deps int dx dsigma/dx."""
    e0, x0 = exp.energy, exp.target.radiation_length_cm
    track = ShowerTrackLength(exp.target_length / x0, exp.energy_loss)
    e_low = max(mass, exp.x_min * e0) + 0.000511
    eps_max = math.log(e0 / e_low)

    def per_eps(eps: float) -> float:
        energy = e0 * math.exp(-eps)
        lo, hi = max(exp.x_min * e0, mass) / energy, 1.0 - 0.000511 / energy
        if lo >= hi:
            return 0.0
        chi = iww_chi(exp.target, energy, mass, "e", method="quad")
        inner = integrate.quad(lambda x: float(dsigma_dx_iww_per_chi("vector", x, energy, mass, E_CHARGE, "e")),
                               lo, hi, limit=200, epsrel=1e-6)[0]
        return float(track.density(np.array([eps]))[0]) * chi * inner

    # the primary's integrable peak at eps -> 0: split at 1e-6 and 1e-2
    total = sum(integrate.quad(per_eps, a, b, limit=200, epsrel=1e-5)[0]
                for a, b in ((1e-12, 1e-6), (1e-6, 1e-2), (1e-2, eps_max)))
    return exp.particles_on_target * exp.target.n_atom_per_cm3 * units.GEV2_TO_CM2 * x0 * total


def bench_na64e_reach(n_masses: int = 100, n_naive: int = 2) -> None:
    exp = load_experiment("na64e-2019")
    spec = get_model_spec("dark-photon")
    dm = {"alpha_D": 0.1, "m_chi_ratio": 1.0 / 3.0}
    masses = np.geomspace(0.001, 0.3, n_masses)
    reach(exp, spec, masses[:2], dm)  # warm-up (imports, caches)
    t0 = time.perf_counter()
    rows = reach(exp, spec, masses, dm)
    t_fast = time.perf_counter() - t0
    n_cl = events_threshold(exp)
    picks = np.linspace(0, n_masses - 1, n_naive).round().astype(int)
    t0 = time.perf_counter()
    diffs = [abs(math.sqrt(n_cl / _naive_yield(exp, float(masses[i]))) / rows[i].coupling_low - 1.0) for i in picks]
    t_naive = (time.perf_counter() - t0) * n_masses / len(picks)
    print(f"reach na64e-2019/dark-photon, {n_masses} masses: muonreach {t_fast:.3f} s (target <= 5 s) | naive nested "
          f"quad {t_naive:.1f} s (scaled from {len(picks)} masses) | speed-up {t_naive / t_fast:,.0f}x | "
          f"max relative difference of the edges {max(diffs):.1e}")


if __name__ == "__main__":
    bench_na64e_reach()
