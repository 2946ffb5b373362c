"""Bounds on g_chi (muonreach.cosmo.bounds): 000 = arXiv:1807.03790 Sec. 2.3 and 4.3."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from muonreach.cosmo import bounds
from muonreach.errors import InvalidParameter

RATIO_THIRD = 1.0 / 3.0  # 000 eq. (2.8)
RATIO_RES = 1.0 / (2.0 * math.sqrt(1.1))  # 000 eq. (2.9) with eps_R = 0.1


def test_sigma_t_normalisation_of_000_eq_2_10() -> None:
    # Source: 000 eq. (2.10) quotes 1.7e-5 cm^2/g (g/1)^4 (m_chi/GeV) (GeV/m_S)^4 (two digits).
    # By hand: 1/(4 pi) GeV^-3 x 0.38938e-27 cm^2 / 1.78266e-24 g = 1.7382e-5 cm^2/g.
    assert bounds.sigma_t_over_m_cm2_g(1.0, 1.0, 1.0) == pytest.approx(1.7382e-5, rel=1e-4)
    assert bounds.sigma_t_over_m_cm2_g(1.0, 1.0, 1.0) == pytest.approx(1.7e-5, rel=0.03)  # paper's 2 digits
    # scalings g^4 m_chi m_S^-4 (tolerance: floating point)
    ref = bounds.sigma_t_over_m_cm2_g(0.5, 0.2, 0.3)
    assert bounds.sigma_t_over_m_cm2_g(1.0, 0.2, 0.3) == pytest.approx(16 * ref, rel=1e-12, abs=0)
    assert bounds.sigma_t_over_m_cm2_g(0.5, 0.4, 0.3) == pytest.approx(2 * ref, rel=1e-12, abs=0)
    assert bounds.sigma_t_over_m_cm2_g(0.5, 0.2, 0.6) == pytest.approx(ref / 16, rel=1e-12, abs=0)


@pytest.mark.parametrize("ratio", [RATIO_THIRD, RATIO_RES])
def test_000_statement_g1_disfavoured_below_20_mev(ratio: float) -> None:
    # Source: 000 Sec. 2.3: "g_chi = 1 (0.1) is disfavored for m_S < 20 MeV (1 MeV)" with sigma_T/m < 1 cm^2/g,
    # for m_chi = m_S/3 and m_S/(2 sqrt(1 + eps_R)) (Fig. 1). The paper reads its boundaries off a log plot,
    # so a loose band is tested: 15-25 MeV and 0.7-1.3 MeV. muonreach: 18.0 / 20.2 MeV and 0.83 / 0.94 MeV.
    m1 = bounds.sidm_excluded_below(1.0, ratio)
    m01 = bounds.sidm_excluded_below(0.1, ratio)
    assert 0.015 < m1 < 0.025
    assert 0.0007 < m01 < 0.0013
    # consistency with the forward function: just below the boundary excluded, just above allowed
    assert bounds.self_interaction(1.0, 0.99 * m1 * ratio, 0.99 * m1).excluded
    assert not bounds.self_interaction(1.0, 1.01 * m1 * ratio, 1.01 * m1).excluded
    # the boundary lies in the Born regime (alpha = 0.08 < m_S/m_chi = 2-3), so eq. (2.10) applies there
    assert bounds.self_interaction(1.0, m1 * ratio, m1, strict=True).born


def test_born_flag_and_strict_mode() -> None:
    # Source: 000 Sec. 2.3 / Fig. 1: eq. (2.10) holds for alpha_chi << m_S/m_chi and m_chi v/m_S <~ 1.
    inside = bounds.self_interaction(1.0, 0.01, 0.03)
    assert inside.born and inside.alpha_chi == pytest.approx(1 / (4 * math.pi))
    heavy = bounds.self_interaction(4.0, 10.0, 0.1)  # alpha m_chi/m_S = 1.27 * 100
    assert not heavy.born
    with pytest.raises(InvalidParameter, match="Born"):
        bounds.self_interaction(4.0, 10.0, 0.1, strict=True)
    fast = bounds.self_interaction(0.1, 10.0, 1e-3, v_rel=1e-3)  # m_chi v/m_S = 10
    assert not fast.born


def test_running_coupling_matches_numerical_rge() -> None:
    # Source: 000 eq. (2.11), dg/dln mu = 5 g^3/(16 pi^2); the analytic solution is checked against a numerical
    # integration of the ODE (tolerance 1e-8: the ODE solver's rtol).
    g0, mu0, mu = 1.0, 0.01, 1000.0
    sol = solve_ivp(lambda t, g: 5 * g**3 / (16 * math.pi**2), (0.0, math.log(mu / mu0)), [g0], rtol=1e-11, atol=0)
    assert bounds.running_coupling(g0, mu0, mu) == pytest.approx(sol.y[0, -1], rel=1e-8)


def test_landau_pole_formula() -> None:
    # Analytic Landau pole of the one-loop RGE: mu_L = mu0 exp(8 pi^2 / (5 g0^2)); g diverges there.
    g0, mu0 = 2.0, 0.05
    mu_l = bounds.landau_pole(g0, mu0)
    assert mu_l == pytest.approx(mu0 * math.exp(8 * math.pi**2 / 20.0), rel=1e-12)
    assert bounds.running_coupling(g0, mu0, mu_l * (1 - 1e-9)) > 1e3
    with pytest.raises(InvalidParameter, match="Landau pole"):
        bounds.running_coupling(g0, mu0, mu_l * 1.01)


@pytest.mark.parametrize("m_s", [1e-3, 0.01, 0.1, 1.0])
def test_max_perturbative_coupling(m_s: float) -> None:
    # Source: 000 Fig. 1: above the dash-dotted line alpha_chi runs to >= 4 pi at 1 TeV or below.
    # At g_max exactly alpha(1 TeV) = 4 pi (tolerance 1e-10, round-off), and the Landau pole lies above 1 TeV.
    g_max = bounds.max_perturbative_coupling(m_s)
    g_tev = bounds.running_coupling(g_max, m_s, 1000.0)
    assert g_tev**2 / (4 * math.pi) == pytest.approx(4 * math.pi, rel=1e-10)
    assert bounds.landau_pole(g_max, m_s) > 1000.0
    assert bounds.running_coupling(0.99 * g_max, m_s, 1000.0) ** 2 / (4 * math.pi) < 4 * math.pi
    # By hand at m_S = 10 MeV: 1/g^2 = 1/(16 pi^2) + 5 ln(1e5)/(8 pi^2) = 0.73546 -> g = 1.1661
    if m_s == 0.01:
        assert g_max == pytest.approx(1.1661, abs=1e-4)
    # 000 takes g_chi = 1 for m_S > 20 MeV: perturbative up to 1 TeV there
    if m_s >= 0.01:
        assert g_max > 1.0


def test_dm_electron_cross_section_hand_value() -> None:
    # Source: 000 eq. (4.1). Hand value: g_chi = 1, g_e = 1e-4, m_S = 0.1 GeV, m_chi = m_S/3;
    # mu = 0.51099895e-3 * 0.033333 / 0.033844 = 5.03284e-4 GeV;
    # sigma = mu^2 * 1e-8 / (pi * 1e-4) = 8.0624e-12 GeV^-2 = 3.1393e-39 cm^2 (1 GeV^-2 = 0.389379e-27 cm^2).
    val = bounds.dm_electron_cross_section_cm2(1.0, 1e-4, 0.1 / 3, 0.1)
    assert val == pytest.approx(3.1393e-39, rel=2e-4, abs=0)  # 5 digits carried by hand
    # heavy DM: mu -> m_e
    heavy = bounds.dm_electron_cross_section_cm2(1.0, 1e-4, 1e6, 0.1)
    assert heavy == pytest.approx((0.51099895e-3) ** 2 * 1e-8 / (math.pi * 1e-4) * 0.3893793721e-27, rel=1e-6, abs=0)


def test_input_errors() -> None:
    with pytest.raises(InvalidParameter):
        bounds.sigma_t_over_m_cm2_g(1.0, -1.0, 0.1)
    with pytest.raises(InvalidParameter):
        bounds.sigma_t_over_m_cm2_g(20.0, 1.0, 0.1)  # beyond 4 pi
    with pytest.raises(InvalidParameter):
        bounds.dm_electron_cross_section_cm2(1.0, float("nan"), 0.1, 0.3)
    assert np.isinf(bounds.landau_pole(0.0, 1.0))
