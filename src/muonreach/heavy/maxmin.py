"""The max-min search of 004 eqs. (2.2)/(2.7): over a scenario's parameter space, with Delta a_mu fixed to the
observed value, the largest possible mass of the lightest charged BSM state (Table 4 of arXiv:2101.10334).

Parametrisation (scale-free): masses m_X = lambda exp(u_X), u_X in [-U, U] (X = R, A, B); couplings as fractions
of their criterion bounds (:mod:`.criteria`): y1 = f1 y_max / c1, y2 = f2 y_max [m_mu/m_tau if MFV] / c2, and the
mixing kappa = f_mix kappa_max(m_A, m_B) / cmix (SSF) or y12 = f_mix y_max / cmix, y12' = f_mix2 y_max / cmix2
(FFS; with ``channels="helicity"`` both then scaled onto the helicity bound,
:func:`.criteria.higgs_yukawa_scale`). Delta a_mu scales as 1/lambda^2 up to O(v^2/M^2), so lambda is solved
by the fixed point lambda <- lambda sqrt(Delta a(lambda) / Delta a_obs) (converged to < 1e-6 in ``iterations`` steps, checked).
Naturalness is a penalty (the muon-mass ratio is scale-free, the Higgs one grows as lambda^2). The global
optimiser is scipy's differential_evolution over the whole population at once (vectorised), seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import differential_evolution

from ..errors import InvalidParameter
from .criteria import CHANNELS, higgs_yukawa_scale, mfv_factor, naturalness_excess, trilinear_max, yukawa_max
from .ew import Point, Scenario, charged_mass_arrays, delta_a_array, group_factors

U_MAX = 3.0  # mass ratios up to e^3 ~ 20 between the multiplets
LAMBDA0 = 1.0e4  # GeV, starting scale of the fixed point
FEASIBLE_TOL = 1e-6  # the optimum sits on a criterion boundary; re-evaluated alone it may exceed it by ~1e-7
CRITERIA = {"unitarity": (False, False), "mfv": (True, False), "natural": (False, True), "natural_mfv": (True, True)}


@dataclass(frozen=True)
class Search:
    """One max-min problem: scenario, observed Delta a_mu, N_BSM, which criteria apply, and the unitarity
    treatment of the FFS Higgs Yukawas (``channels``, :func:`.criteria.higgs_yukawa_scale`)."""

    scenario: Scenario
    delta_obs: float
    n_bsm: int = 1
    mfv: bool = False
    natural: bool = False
    iterations: int = 6
    channels: str = "helicity"

    def __post_init__(self) -> None:
        if not (self.delta_obs > 0 and np.isfinite(self.delta_obs)):
            raise InvalidParameter(f"Delta a_mu must be > 0 for the max-min search, got {self.delta_obs:g}")
        if self.n_bsm < 1:
            raise InvalidParameter(f"N_BSM must be >= 1, got {self.n_bsm}")
        if self.channels not in CHANNELS:
            raise InvalidParameter(f"channels must be one of {', '.join(CHANNELS)}, got {self.channels!r}")

    @property
    def bounds(self) -> list[tuple[float, float]]:
        n_mix = 1 if self.scenario.model == "SSF" else 2
        return [(-U_MAX, U_MAX)] * 3 + [(0.0, 1.0)] * 2 + [(-1.0, 1.0)] * n_mix

    def point(self, x: np.ndarray, lam) -> Point:
        """The parameter point of the (D, S) array ``x`` at scale(s) ``lam``."""
        g, y_max = group_factors(self.scenario), yukawa_max()
        m_r, m_a, m_b = (lam * np.exp(x[i]) for i in range(3))
        y1 = x[3] * y_max / g["y1"]
        y2 = x[4] * y_max * (mfv_factor() if self.mfv else 1.0) / g["y2"]
        if self.scenario.model == "SSF":
            mix, mix2 = x[5] * trilinear_max(m_a, m_b) / g["mix"], 0.0
        else:
            mix = x[5] * y_max / g["mix"] if g["mix"] > 0 else 0.0 * x[5]
            mix2 = x[6] * y_max / g["mix2"] if g["mix2"] > 0 else 0.0 * x[6]
            scale = higgs_yukawa_scale(self.scenario, mix, mix2, self.channels)
            mix, mix2 = mix * scale, mix2 * scale
        return Point(m_r, m_a, m_b, y1, y2, mix, mix2, self.n_bsm)

    def evaluate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For a (D, S) population: the lightest charged mass (GeV) with Delta a = Delta a_obs, the scale, and
        a violation measure (0 where feasible)."""
        x = np.asarray(x, float).reshape(len(self.bounds), -1)
        lam = np.full(x.shape[1], LAMBDA0)
        bad = np.zeros(x.shape[1], bool)
        for _ in range(self.iterations):
            da, tach = delta_a_array(self.scenario, self.point(x, lam))
            bad |= tach | ~(da > 0)
            lam = np.where(bad, LAMBDA0, lam * np.sqrt(np.where(bad, 1.0, da / self.delta_obs)))
        p = self.point(x, lam)
        lightest = np.minimum.reduce(np.broadcast_arrays(*charged_mass_arrays(self.scenario, p)))
        violation = np.where(bad, 1.0, 0.0)
        if self.natural:
            violation = violation + np.maximum(naturalness_excess(self.scenario, p) - 1.0, 0.0)
        return lightest, lam, violation

    def objective(self, x: np.ndarray) -> np.ndarray:
        """-(lightest charged mass)/TeV where feasible, 1 + violation elsewhere (vectorised)."""
        lightest, _, violation = self.evaluate(x)
        return np.where(violation > 0, 1.0 + np.log1p(violation), -lightest / 1e3)


@dataclass(frozen=True)
class Result:
    """Outcome of one max-min search: the largest lightest-charged mass (TeV), the point, and diagnostics
    (``evaluations``: scipy's nfev, one vectorised call per generation, each over the whole population)."""

    max_mass_tev: float
    point: Point
    delta_a: float
    feasible: bool
    evaluations: int


def solve(search: Search, seed: int = 1, maxiter: int = 200, popsize: int = 15, tol: float = 1e-4) -> Result:
    """Run differential_evolution (seeded, vectorised, no gradient polish) and return the best point. It stops
    when the population's objective spread is below ``tol`` of its mean (0.01 %) or after ``maxiter``
    generations; different seeds agree to < 1 % (tested)."""
    res = differential_evolution(search.objective, search.bounds, seed=seed, maxiter=maxiter, popsize=popsize,
                                 tol=tol, atol=0.0, polish=False, vectorized=True, updating="deferred",
                                 init="sobol", mutation=(0.5, 1.0), recombination=0.9)
    x = np.asarray(res.x, float)[:, None]
    lightest, lam, violation = search.evaluate(x)
    p = search.point(x[:, 0], float(lam[0]))
    da, _ = delta_a_array(search.scenario, p)
    return Result(float(lightest[0]) / 1e3, p, float(da), bool(violation[0] <= FEASIBLE_TOL), int(res.nfev))


def column_search(scenario: Scenario, column: str, delta_obs: float, channels: str = "helicity") -> Search:
    """The search of one Table 4 column, e.g. ``"natural_mfv_n10"``, with the FFS Higgs-Yukawa unitarity
    treatment ``channels``."""
    name, _, n = column.rpartition("_n")
    if name not in CRITERIA or not n.isdigit():
        raise InvalidParameter(f"unknown Table 4 column {column!r}")
    mfv, natural = CRITERIA[name]
    return Search(scenario, delta_obs, int(n), mfv, natural, channels=channels)
