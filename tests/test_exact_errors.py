"""Numerical uncertainties of the exact cross section (issue 10): dsigma/dx with its error estimate (direct and
tabulated), and numerical trouble raising instead of returning a number."""

import numpy as np
import pytest

from muonreach.errors import ConvergenceError
from muonreach.production.exact import dsigma_dx_exact, sigma_exact
from muonreach.production.exact import integrate as integ
from muonreach.production.exact.tables import ACCURACY

CASES = [
    ("vector", 0.1, "Pb", "mu", None, 160.0),
    ("scalar", 0.01, "Pb", "e", None, 100.0),
    ("scalar", 0.3, "Pb", "mu", "e", 160.0),  # flavour-changing mu -> e
    ("pseudoscalar", 0.3, "W", "mu", None, 1.0),  # near threshold
]


@pytest.mark.parametrize("case", CASES)
def test_direct_error_estimate_bounds_the_error(case, monkeypatch):
    """The estimate |fine - coarse| must cover the difference of the fine rule from an independent, much finer
    rule (10, 10, 12 nodes: 4.8x the points in each of u, t and 2x in psi); tolerance: the estimate itself (plus
    1e-7 relative for the reference's own error)."""
    kind, m, material, lepton, final, energy = case
    proc = integ.make_process(kind, m, material, lepton, final)
    lo, hi = proc.x_range(energy)
    x = lo + (hi - lo) * np.array([0.05, 0.4, 0.8, 0.97])
    value, error = dsigma_dx_exact(kind, energy, x, material, m, lepton=lepton, final_lepton=final, tabulated=False,
                                   with_error=True)
    monkeypatch.setitem(integ._RULES, "reference", (10, 10, 12))
    reference = integ._dsigma_dx_rule(proc, energy, x, "reference")
    assert np.all(error > 0) and np.all(error < 1e-2 * value)
    assert np.all(np.abs(value - reference) <= error + 1e-7 * reference)


def test_tabulated_error_and_tolerance():
    """Tabulated: the error is the stated interpolation accuracy plus the table's largest node error; asking for
    less than the interpolation accuracy raises (the table cannot promise it)."""
    args = ("vector", np.array([160.0]), np.array([0.6, 0.9]), "Pb", 0.1)
    value, error = dsigma_dx_exact(*args, x_min=0.5, with_error=True)
    relative = error / value
    assert np.all(relative >= ACCURACY) and np.all(relative < ACCURACY + 1e-3)
    assert np.allclose(dsigma_dx_exact(*args, x_min=0.5), value, rtol=0, atol=0)
    with pytest.raises(ConvergenceError, match="rtol"):
        dsigma_dx_exact(*args, x_min=0.5, rtol=1e-3)


def test_requested_tolerance_that_the_rule_cannot_reach_raises():
    with pytest.raises(ConvergenceError, match="exceeds"):
        dsigma_dx_exact("vector", 160.0, np.array([0.6]), "Pb", 0.1, tabulated=False, rtol=1e-12)
    with pytest.raises(ConvergenceError, match="rtol"):
        sigma_exact("scalar", 160.0, "Pb", 0.1, x_min=0.5, rtol=1e-12)


def test_sigma_error_estimate_meets_the_target():
    """sigma(x > x_min) to the issue's 0.3 %: the estimate is below rtol and covers the difference from 16 x 10
    x nodes of the same inner rule, which isolates the x quadrature (measured 1e-9 - 4e-4 relative over the
    cases of docs/exact-production.md)."""
    proc = integ.make_process("scalar", 1.0, "W")
    value, error = integ.sigma_quadrature(proc, 15.0, 0.4, rtol=3e-3)
    fine, _ = integ.sigma_quadrature(proc, 15.0, 0.4, n_seg=16, n=10, rtol=3e-3)
    assert error < 3e-3 * value
    assert abs(value - fine) <= error


def test_light_boson_off_electrons_t_peak(monkeypatch):
    """1 MeV scalar from 11.2 GeV electrons on W: the lepton propagator peaks narrowly at t ~ Delta E / E_X; without
    that t break point the fine rule was 1.7e-3 off the (14, 14, 16) reference at 0.8 of the window (docs/
    exact-production.md). Measured with the break: 9e-6 / 1.1e-4 / 2.2e-4 at 0.2 / 0.5 / 0.8; tolerance 3e-4."""
    proc = integ.make_process("scalar", 0.001, "W", "e")
    lo, hi = proc.x_range(11.2)
    x = lo + (hi - lo) * np.array([0.2, 0.5, 0.8])
    monkeypatch.setitem(integ._RULES, "reference", (14, 14, 16))
    reference = integ._dsigma_dx_rule(proc, 11.2, x, "reference")
    fine = integ._dsigma_dx_rule(proc, 11.2, x, "fine")
    assert np.all(np.abs(fine / reference - 1.0) < 3e-4)


def test_dsigma_dx_ddelta_is_dsigma_dx_dcos_times_the_jacobian():
    """d^2sigma/(dx dcos) = d^2sigma/(dx dDelta) x 2 |p| |k| at Delta = Delta_min + 2 |p| |k| (1 - cos theta): the
    same inner integral reached through theta (relative 1e-9: the rounding of Delta through theta and back); zero
    outside the Delta range; a bad rule name raises."""
    from muonreach.errors import InvalidParameter
    from muonreach.production.exact.phase_space import emission

    proc = integ.make_process("vector", 0.1, "CsI", "mu")  # a compound: the sum over its nuclei
    energy = 20.0
    lo, hi = proc.x_range(energy)
    x = lo + (hi - lo) * np.array([0.1, 0.5, 0.9])[:, None]
    theta = np.array([1e-4, 3e-3, 3e-2])[None, :]
    dcos, _ = integ.dsigma_dx_dcos(proc, energy, x, theta)
    kin = proc.kinematics(energy, proc.nuclei[0])
    em = emission(kin, x * energy, proc.m_x, proc.mp)
    two_pk = 2.0 * kin.p * em.k
    delta = em.delta_min + two_pk * 2.0 * np.sin(0.5 * theta) ** 2
    for rule in ("fine", "coarse"):
        ddelta = integ.dsigma_dx_ddelta(proc, energy, x, delta, rule)
        assert np.all(ddelta > 0)
        if rule == "fine":
            assert np.allclose(ddelta * two_pk, dcos, rtol=1e-9, atol=0)
    assert np.all(integ.dsigma_dx_ddelta(proc, energy, x, 0.5 * em.delta_min) == 0.0)
    assert np.all(integ.dsigma_dx_ddelta(proc, energy, 1.5 * hi, delta) == 0.0)
    with pytest.raises(InvalidParameter, match="rule"):
        integ.dsigma_dx_ddelta(proc, energy, x, delta, "reference")
