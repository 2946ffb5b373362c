"""From omega_a and omega~'_p to a_mu: the correction budget, the average of run groups, the fundamental constants.

Source: FNAL Muon g-2 Run-1 PRL (B. Abi et al., Phys. Rev. Lett. 126 (2021) 141801, arXiv:2104.03281), excerpted
in ``004_7de0b22078876a0d.txt`` lines 113-227 (Tables I and II) and catalogued in ``notes-004-part1.md`` S03.
The PRL's Eqs. 2 and 4 are not in the excerpt; their published forms (notes [EXT]) are

* Eq. 4: R'_mu = f_clock omega_a^m (1 + C_e + C_p + C_ml + C_pa) / [f_calib <omega'_p x M> (1 + B_k + B_q)],
* Eq. 2: a_mu = R'_mu (mu'_p(T_r) / mu_e) (m_mu / m_e) (g_e / 2), magnitudes, T_r = 34.7 C.

The inputs (Table I, Table II, CODATA 2018 constants) live in ``gm2/data/fnal_run1.toml``; the world averages
recomputed by :func:`recompute_averages` are listed in ``gm2/data/averages.toml``.

Run-group average: the PRL says the group uncertainties are dominated by statistics (largely uncorrelated) while
most systematics are fully correlated across groups. :func:`average_groups` therefore uses the covariance
V_ij = (sigma_i^2 - s^2) delta_ij + s^2, with s the common, fully correlated systematic uncertainty (for Run 1
the Table II total systematic, 157 ppb of R'_mu). This reproduces the quoted chi^2 (6.76 -> "6.8"/3) and the
statistical error (16e-10); the central value comes out 1.1e-10 (0.03 ppm, 1/15 of the error) above the
quoted 0.0037073003, a difference we ascribe to the rounding of the printed group values and to the per-group
systematics, which the PRL does not print (its supplement does). See docs/gm2-measurement.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypedDict

import numpy as np
from scipy import stats

from ...errors import InvalidParameter, SpecError, UnknownName
from ...specfields import Fields, parse_toml_text, require_schema
from ..datasets import registry

__all__ = [
    "Assembly", "Average", "AverageRow", "BudgetItem", "Constants", "RunData", "RunGroup", "a_mu_from_r_mu_prime", "assemble",
    "average_groups", "budget_summary", "correction_factor", "load_run", "r_mu_prime", "recompute_averages",
]

PPB = 1e-9


@dataclass(frozen=True)
class RunGroup:
    """One row of PRL Table I: frequencies (omega/2pi, Hz) and R'_mu (times 1000, total uncertainty)."""

    name: str
    omega_a_hz: float
    omega_a_error_hz: float
    omega_p_hz: float
    omega_p_error_hz: float
    r_x1000: float
    r_x1000_error: float

    @property
    def ratio(self) -> float:
        """omega_a / omega~'_p from the printed frequencies (omega_a already contains the corrections)."""
        return self.omega_a_hz / self.omega_p_hz


@dataclass(frozen=True)
class BudgetItem:
    """One row of PRL Table II: kind 'C' (numerator), 'B' (denominator) or 'none'; ppb of R'_mu."""

    name: str
    kind: str
    category: str
    correction_ppb: float
    uncertainty_ppb: float


@dataclass(frozen=True)
class Constants:
    """The fundamental constants of PRL Eq. 2 (magnitudes), CODATA 2018 plus the water-shielding temperature slope."""

    mu_e_over_mu_p_25: float
    mu_e_over_mu_p_25_error: float
    dsigma_dT: float
    dsigma_dT_error: float
    t_reference_c: float
    t_measurement_c: float
    m_mu_over_m_e: float
    m_mu_over_m_e_error: float
    g_e_over_2: float
    g_e_over_2_error: float

    def mu_p_over_mu_e(self) -> tuple[float, float]:
        """|mu'_p(T_r) / mu_e| and its relative uncertainty.

        mu'_p(T) = mu_p (1 - sigma(T)) with sigma(T) = sigma(25 C) + dsigma/dT (T - 25 C), dsigma/dT = +10.36(30)e-9/K
        (Petley & Donaldson, Metrologia 20 (1984) 81: the NMR frequency falls by 10.36e-9 per K), so the ratio at
        34.7 C is the CODATA 25 C value times (1 - dsigma/dT * 9.7 K) to first order (sigma ~ 2.6e-5)."""
        dt = self.t_measurement_c - self.t_reference_c
        value = (1.0 / self.mu_e_over_mu_p_25) * (1.0 - self.dsigma_dT * dt)
        rel = math.hypot(self.mu_e_over_mu_p_25_error / self.mu_e_over_mu_p_25, self.dsigma_dT_error * abs(dt))
        return value, rel

    def fundamental_terms_ppb(self) -> dict[str, float]:
        """Relative uncertainties (ppb) of the three factors of Eq. 2 (PRL Table II rows)."""
        return {
            "mu_p_over_mu_e": self.mu_p_over_mu_e()[1] / PPB,
            "m_mu_over_m_e": self.m_mu_over_m_e_error / self.m_mu_over_m_e / PPB,
            "g_e_over_2": self.g_e_over_2_error / self.g_e_over_2 / PPB,
        }


@dataclass(frozen=True)
class RunData:
    """Everything a run's assembly needs, plus the quoted results kept for validation."""

    name: str
    reference: str
    arxiv: str
    groups: tuple[RunGroup, ...]
    budget: tuple[BudgetItem, ...]
    constants: Constants
    quoted: dict[str, float]
    quoted_budget: dict[str, float]


@dataclass(frozen=True)
class Average:
    """A generalised-least-squares average with its chi^2 goodness of fit."""

    value: float
    error: float
    stat_error: float
    syst_error: float
    chi2: float
    ndof: int

    @property
    def p_value(self) -> float:
        """P(chi^2 >= observed) for ndof degrees of freedom."""
        return float(stats.chi2.sf(self.chi2, self.ndof))


@dataclass(frozen=True)
class Assembly:
    """R'_mu of a run (average of its groups) and the a_mu it gives."""

    run: str
    average: Average
    a_mu: float
    a_mu_error: float
    stat_ppb: float
    syst_ppb: float
    fundamental_ppb: float

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "run": self.run, "r_mu_prime": self.average.value, "r_mu_prime_error": self.average.error,
            "r_mu_prime_stat": self.average.stat_error, "r_mu_prime_syst": self.average.syst_error,
            "chi2": self.average.chi2, "ndof": self.average.ndof, "p_value": self.average.p_value,
            "a_mu": self.a_mu, "a_mu_error": self.a_mu_error, "stat_ppb": self.stat_ppb, "syst_ppb": self.syst_ppb,
            "fundamental_ppb": self.fundamental_ppb,
        }


def correction_factor(budget: tuple[BudgetItem, ...] | list[BudgetItem]) -> float:
    """(1 + sum C_i) / (1 + sum B_i) of PRL Eq. 4 (exact, not linearised)."""
    c = sum(item.correction_ppb for item in budget if item.kind == "C") * PPB
    b = sum(item.correction_ppb for item in budget if item.kind == "B") * PPB
    return (1.0 + c) / (1.0 + b)


def budget_summary(budget: tuple[BudgetItem, ...] | list[BudgetItem]) -> dict[str, float]:
    """Net correction sum C - sum B and the quadrature sums of the statistical and systematic rows (ppb)."""
    net = sum(i.correction_ppb for i in budget if i.kind == "C") - sum(i.correction_ppb for i in budget if i.kind == "B")
    syst = math.sqrt(sum(i.uncertainty_ppb**2 for i in budget if i.category == "systematic"))
    stat = math.sqrt(sum(i.uncertainty_ppb**2 for i in budget if i.category == "statistical"))
    return {"net_correction_ppb": net, "systematic_ppb": syst, "statistical_ppb": stat}


def r_mu_prime(omega_a_m: float, omega_p: float, budget: tuple[BudgetItem, ...] | list[BudgetItem] = (),
               f_clock: float = 1.0, f_calib: float = 1.0) -> float:
    """PRL Eq. 4: R'_mu from the measured omega_a^m and the field-weighted omega~'_p (any common unit)."""
    if not (omega_a_m > 0 and omega_p > 0 and f_clock > 0 and f_calib > 0):
        raise InvalidParameter("omega_a, omega_p, f_clock and f_calib must be positive")
    return f_clock * omega_a_m / (f_calib * omega_p) * correction_factor(budget)


def average_groups(values, total_errors, correlated_error: float = 0.0) -> Average:
    """GLS average of measurements with total errors sigma_i sharing a fully correlated part ``correlated_error``.

    Covariance V_ij = (sigma_i^2 - s^2) delta_ij + s^2. The returned error is the total; stat_error is the
    uncorrelated part, syst_error = s. chi^2 = r^T V^-1 r with ndof = n - 1."""
    x = np.asarray(values, dtype=float)
    e = np.asarray(total_errors, dtype=float)
    if x.ndim != 1 or x.shape != e.shape or x.size < 2:
        raise InvalidParameter("average_groups needs at least two values with one error each")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(e)) and np.all(e > 0)):
        raise InvalidParameter("values must be finite and errors positive")
    s = float(correlated_error)
    if not (0.0 <= s < float(e.min())):
        raise InvalidParameter(f"the correlated error {s:g} must be >= 0 and below every total error (min {e.min():g})")
    cov = np.diag(e**2 - s**2) + s**2
    inv = np.linalg.inv(cov)
    ones = np.ones_like(x)
    norm = float(ones @ inv @ ones)
    mean = float(ones @ inv @ x) / norm
    resid = x - mean
    chi2 = float(resid @ inv @ resid)
    total = math.sqrt(1.0 / norm)
    stat = math.sqrt(max(total**2 - s**2, 0.0))
    return Average(mean, total, stat, s, chi2, x.size - 1)


def a_mu_from_r_mu_prime(r: float, constants: Constants) -> tuple[float, float]:
    """PRL Eq. 2: a_mu = R'_mu |mu'_p(T_r)/mu_e| (m_mu/m_e) (g_e/2); returns (a_mu, relative error of the constants)."""
    if not r > 0:
        raise InvalidParameter(f"R'_mu must be positive, got {r!r}")
    ratio, _ = constants.mu_p_over_mu_e()
    rel = math.sqrt(sum((v * PPB) ** 2 for v in constants.fundamental_terms_ppb().values()))
    return r * ratio * constants.m_mu_over_m_e * constants.g_e_over_2, rel


def assemble(run: RunData) -> Assembly:
    """Average the run groups (correlated systematic = the budget's systematic total) and convert to a_mu.

    The a_mu uncertainty combines in quadrature the statistical error of the average, the budget's systematic
    total and the fundamental constants (PRL: "statistical, systematic, and fundamental constant uncertainties
    ... combined in quadrature")."""
    summary = budget_summary(run.budget)
    r_values = np.array([g.r_x1000 for g in run.groups]) / 1000.0
    r_errors = np.array([g.r_x1000_error for g in run.groups]) / 1000.0
    r_guess = float(np.mean(r_values))
    syst = summary["systematic_ppb"] * PPB * r_guess
    avg = average_groups(r_values, r_errors, syst)
    a_mu, rel_fund = a_mu_from_r_mu_prime(avg.value, run.constants)
    stat_ppb = avg.stat_error / avg.value / PPB
    fund_ppb = rel_fund / PPB
    total_rel = math.sqrt(stat_ppb**2 + summary["systematic_ppb"] ** 2 + fund_ppb**2) * PPB
    return Assembly(run.name, avg, a_mu, a_mu * total_rel, stat_ppb, summary["systematic_ppb"], fund_ppb)


def _read(name: str) -> dict:
    origin = f"muonreach gm2/data/{name}"
    try:
        data = resources.files("muonreach.gm2").joinpath("data", name).read_bytes()
    except FileNotFoundError:
        raise UnknownName(f"no (g-2) data file {name!r}") from None
    doc = parse_toml_text(data, origin)
    require_schema(doc, origin)
    return doc


#: Run name -> data file in gm2/data.
RUN_FILES = {"run1": "fnal_run1.toml"}


@cache
def load_run(name: str = "run1") -> RunData:
    """The assembly inputs of a FNAL run (``run1``: PRL 126 141801 Tables I and II)."""
    if name not in RUN_FILES:
        raise UnknownName(f"unknown run {name!r}; known: {', '.join(sorted(RUN_FILES))}")
    origin = f"muonreach gm2/data/{RUN_FILES[name]}"
    doc = _read(RUN_FILES[name])
    top = Fields(doc, origin)
    info = top.table("run")
    quoted = {k[len("quoted_"):]: float(info.number(k)) for k in list(info.keys()) if k.startswith("quoted_")}
    run_name, reference, arxiv = info.string("name"), info.string("reference"), info.string("arxiv")
    groups = []
    for gname in list(top.table("groups").data):
        g = top.table("groups").table(gname)
        groups.append(RunGroup(gname, g.positive("omega_a_hz"), g.positive("omega_a_error_hz"), g.positive("omega_p_hz"),
                               g.positive("omega_p_error_hz"), g.positive("r_mu_prime_x1000"), g.positive("r_mu_prime_x1000_error")))
        g.done()
    budget = []
    for bname in list(top.table("budget").data):
        b = top.table("budget").table(bname)
        budget.append(BudgetItem(bname, b.choice("kind", ("C", "B", "none")), b.choice("category", ("statistical", "systematic")),
                                 b.number("correction_ppb"), b.non_negative("uncertainty_ppb")))
        b.done()
    totals = top.table("budget_totals")
    quoted_budget = {k: float(totals.number(k)) for k in list(totals.keys())}
    c = top.table("constants")
    constants = Constants(
        c.positive("mu_e_over_mu_p_shielded_25C"), c.positive("mu_e_over_mu_p_shielded_25C_error"),
        c.number("shielding_temperature_coefficient_per_K"), c.non_negative("shielding_temperature_coefficient_per_K_error"),
        c.number("reference_temperature_C"), c.number("measurement_temperature_C"),
        c.positive("m_mu_over_m_e"), c.positive("m_mu_over_m_e_error"), c.positive("g_e_over_2"), c.non_negative("g_e_over_2_error"),
    )
    c.done()
    if len(groups) < 2:
        raise SpecError(f"{origin}: a run needs at least two groups")
    return RunData(run_name, reference, arxiv, tuple(groups), tuple(budget), constants, quoted, quoted_budget)


class AverageRow(TypedDict):
    """One recomputed world average next to the registry's quoted value (:func:`recompute_averages`)."""

    name: str
    inputs: list[str]
    value: float
    error: float
    chi2: float
    quoted_value: float
    quoted_error: float


def recompute_averages() -> list[AverageRow]:
    """Each world average of ``averages.toml`` recomputed (inverse-variance, uncorrelated) from the registry's
    measurements, next to the value the registry quotes."""
    doc = _read("averages.toml")
    reg = registry()
    rows: list[AverageRow] = []
    for name, entry in Fields(doc, "muonreach gm2/data/averages.toml").table("averages").data.items():
        inputs = [str(i) for i in entry.get("inputs", [])]
        missing = [i for i in inputs if i not in reg.measurements]
        if missing or len(inputs) < 2 or name not in reg.measurements:
            raise SpecError(f"averages.toml: {name!r} needs a registry measurement and >= 2 known inputs (missing {missing})")
        values = np.array([reg.measurements[i].value for i in inputs])
        errors = np.array([reg.measurements[i].uncertainty for i in inputs])
        avg = average_groups(values, errors, 0.0)
        quoted = reg.measurements[name]
        rows.append({"name": str(name), "inputs": inputs, "value": avg.value, "error": avg.error, "chi2": avg.chi2,
                     "quoted_value": quoted.value, "quoted_error": quoted.uncertainty})
    return rows
