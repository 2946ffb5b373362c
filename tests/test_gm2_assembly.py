"""a_mu assembly against the FNAL Run-1 PRL (arXiv:2104.03281, Tables I-II; 004 lines 113-227, notes S03, V6-V8)."""

import math

import numpy as np
import pytest

from muonreach.errors import InvalidParameter, UnknownName
from muonreach.gm2.measurement.assembly import (
    a_mu_from_r_mu_prime,
    assemble,
    average_groups,
    budget_summary,
    correction_factor,
    load_run,
    r_mu_prime,
    recompute_averages,
)


@pytest.fixture(scope="module")
def run1():
    return load_run("run1")


def test_table1_ratios_reproduce_r_column(run1):
    # omega_a / omega_p' of Table I equals its R'_mu column: omega_a is printed to 0.01 Hz (2.2e-8 relative
    # rounding) and R'x1000 to 1e-7 (1.3e-8 relative), so agreement within 3e-8 in R'x1000 is the rounding.
    for g in run1.groups:
        assert g.ratio * 1000 == pytest.approx(g.r_x1000, abs=3e-8)
        # relative errors: omega_a dominates R'_mu (stat), within the 2-digit rounding of the printed errors
        assert g.r_x1000_error / g.r_x1000 == pytest.approx(g.omega_a_error_hz / g.omega_a_hz, rel=0.1)


def test_table2_budget_totals(run1):
    s = budget_summary(run1.budget)
    assert s["net_correction_ppb"] == run1.quoted_budget["total_correction_ppb"]  # 544, exact sum of integers
    assert s["systematic_ppb"] == pytest.approx(run1.quoted_budget["total_systematic_ppb"], abs=0.5)  # 157 printed to 1 ppb
    fund = math.sqrt(sum(v**2 for v in run1.constants.fundamental_terms_ppb().values()))
    assert fund == pytest.approx(run1.quoted_budget["total_fundamental_ppb"], abs=0.5)  # 25: needs the dsigma/dT error
    total = math.sqrt(s["statistical_ppb"] ** 2 + s["systematic_ppb"] ** 2 + fund**2)
    assert total == pytest.approx(run1.quoted_budget["total_uncertainty_ppb"], abs=0.5)  # 462


def test_correction_factor_linearises_to_net(run1):
    # (1+sum C)/(1+sum B) - 1 = sum C - sum B + O(1e-12): 544 ppb to 1e-3 ppb
    assert (correction_factor(run1.budget) - 1) / 1e-9 == pytest.approx(544.0, abs=1e-3)
    assert r_mu_prime(2.0, 1.0, run1.budget) == pytest.approx(2.0 * (1 + 544e-9), rel=1e-12)


def test_run1_average_chi2_and_errors(run1):
    a = assemble(run1)
    q = run1.quoted
    assert a.average.chi2 == pytest.approx(q["chi2"], abs=0.05)  # 6.8 printed to 0.1
    assert a.average.ndof == 3
    # P(6.77; 3) = 8.0 %; the PRL prints 7.8 % (= P(6.8; 3) of its rounded chi2): 0.3 percentage points
    assert a.average.p_value == pytest.approx(q["p_value"], abs=0.003)
    assert a.average.stat_error == pytest.approx(q["r_mu_prime_stat"], abs=0.05e-9)  # (16) in the last digit
    assert a.average.syst_error == pytest.approx(q["r_mu_prime_syst"], abs=0.05e-9)  # (6)
    # central value: 1.1e-10 above the quoted one (0.03 ppm, 1/15 of the error); the group values are
    # rounded to 1e-10 and per-group systematics are not printed (module docstring): tolerance 2e-10
    assert a.average.value == pytest.approx(q["r_mu_prime"], abs=2e-10)


def test_a_mu_from_quoted_r(run1):
    # Eq. 2 with the quoted R' = 0.0037073003: 116 592 038.7e-11 vs 040(54); R' is printed to 1e-10, i.e. a
    # rounding of +-1.6e-11 in a_mu; 2e-11 allows that.
    a_mu, _ = a_mu_from_r_mu_prime(run1.quoted["r_mu_prime"], run1.constants)
    assert a_mu == pytest.approx(run1.quoted["a_mu"], abs=2e-11)


def test_a_mu_assembled(run1):
    a = assemble(run1)
    assert a.a_mu == pytest.approx(run1.quoted["a_mu"], abs=5e-11)  # 042.3 vs 040: the R' offset above (+3.5e-11)
    assert a.a_mu_error == pytest.approx(run1.quoted["a_mu_error"], abs=0.5e-11)  # 54 printed to 1e-11


def test_shielding_temperature_sign(run1):
    # the 25 C CODATA ratio alone gives 116 592 050e-11: the 34.7 C value must be lower (shielding grows with T)
    ratio_34, _ = run1.constants.mu_p_over_mu_e()
    assert ratio_34 < 1 / run1.constants.mu_e_over_mu_p_25
    assert (1 - ratio_34 * run1.constants.mu_e_over_mu_p_25) == pytest.approx(10.36e-9 * 9.7, rel=1e-6, abs=0)


def test_average_independent_method():
    # uncorrelated: GLS = inverse-variance weights; with a common offset s the weights are those of the
    # uncorrelated parts (Monte-Carlo-free identity)
    x, e = np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0])
    w = 1 / e**2
    a = average_groups(x, e)
    assert a.value == pytest.approx((w * x).sum() / w.sum(), rel=1e-12)
    assert a.chi2 == pytest.approx((w * (x - a.value) ** 2).sum(), rel=1e-12, abs=0)
    s = 0.5
    b = average_groups(x, e, s)
    ws = 1 / (e**2 - s**2)
    assert b.value == pytest.approx((ws * x).sum() / ws.sum(), rel=1e-12)
    assert b.error == pytest.approx(math.sqrt(1 / ws.sum() + s**2), rel=1e-12, abs=0)


def test_world_averages_recomputed():
    # registry values are quoted to 1e-11 (2021, 2023) or 1e-12 (2025); the papers' averages treat the inputs
    # as uncorrelated. Tolerances: 0.5e-11 on the value (rounding), 0.5e-11 on the error.
    rows = {r["name"]: r for r in recompute_averages()}
    assert set(rows) == {"wa-2021", "wa-2023", "wa-2025"}
    for r in rows.values():
        assert r["value"] == pytest.approx(r["quoted_value"], abs=0.5e-11)
        assert r["error"] == pytest.approx(r["quoted_error"], abs=0.5e-11)


def test_bad_input():
    with pytest.raises(UnknownName):
        load_run("run9")
    with pytest.raises(InvalidParameter):
        average_groups([1.0, 2.0], [1.0, 1.0], 1.5)
    with pytest.raises(InvalidParameter):
        average_groups([1.0, float("nan")], [1.0, 1.0])
    with pytest.raises(InvalidParameter):
        r_mu_prime(-1.0, 1.0)


def test_cli_gm2_assemble(run_cli_json, run_cli):
    out = run_cli_json("gm2-assemble", "run1")
    assert set(out) >= {"r_mu_prime", "r_mu_prime_error", "chi2", "ndof", "p_value", "a_mu", "a_mu_error"}
    assert out["a_mu"] == pytest.approx(116592040e-11, abs=5e-11)  # as test_a_mu_assembled
    code, _, err = run_cli("gm2-assemble", "run9")
    assert code == 2 and err.count("\n") == 1
