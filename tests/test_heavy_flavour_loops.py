"""muonreach.heavy.flavour (004 eqs. (2.16)-(2.19)) and the charged scalar-fermion loop of gm2.loops."""

import math

import numpy as np
import pytest

from muonreach.constants import M_MU
from muonreach.errors import InvalidParameter, UnknownName
from muonreach.gm2 import loops
from muonreach.heavy import flavour

PAPER_RATIO_BOUNDS = {"mu-e": 1e-5, "tau-mu": 7e-3, "tau-e": 6e-3}  # 004 eq. (2.19), Delta a_mu = 2.79e-9


def test_clfv_ratio_bounds_against_004_eq_2_19():
    ours = flavour.ratio_bounds(2.79e-9)
    # Documented finding (docs/heavy.md): our rate gives bounds sqrt(2) weaker than the printed ones for all
    # three decays. The paper prints one significant figure, so ratio / sqrt(2) must round to its number
    # (within half a unit of the last digit: 10 % for 6e-3 .. 7e-3, 50 % for 1e-5).
    for name, quoted in PAPER_RATIO_BOUNDS.items():
        scaled = ours[name] / math.sqrt(2.0)
        digit = 10 ** math.floor(math.log10(quoted))
        assert abs(scaled - quoted) <= 0.5 * digit, (name, ours[name], quoted)
    # the mu -> e gamma bound agrees with the printed 1e-5 even without the factor (one figure)
    assert round(ours["mu-e"] / 1e-5) == 1


def test_clfv_rate_scaling_and_errors():
    # Gamma scales as r^2 Delta a^2 and m_i^5: tau/mu ratio of widths for equal r is (m_tau/m_mu)^5
    w_mu = flavour.radiative_width("mu", 1e-5, 2e-9)
    assert flavour.radiative_width("mu", 2e-5, 2e-9) == pytest.approx(4 * w_mu, rel=1e-14, abs=0)
    assert flavour.radiative_width("mu", 1e-5, 4e-9) == pytest.approx(4 * w_mu, rel=1e-14, abs=0)
    with pytest.raises(InvalidParameter):
        flavour.radiative_width("e", 1.0, 2e-9)
    with pytest.raises(UnknownName):
        flavour.ratio_bound("mu-tau", 2e-9)
    with pytest.raises(InvalidParameter):
        flavour.ratio_bound("mu-e", -1e-9)


def test_scalar_fermion_loop_limits():
    # neutral scalar, photon on the lepton line: identical to scalar_exchange (same integrand)
    for ms in (0.01, 1.0, 300.0):
        assert loops.scalar_fermion_loop(M_MU, M_MU, ms, -1, 0, 0.8, 0.3) == pytest.approx(
            loops.scalar_exchange(M_MU, M_MU, ms, 0.8, 0.3), rel=1e-12, abs=0)
    # charged scalar with a (nearly) massless neutral fermion and a chiral coupling c:
    # -c^2 m^2 / (96 pi^2 M^2) (charged-Higgs classic); corrections O(m_l^2/M^2) ~ 1e-7 here
    c, ms = 1.0, 300.0
    assert loops.scalar_fermion_loop(M_MU, 1e-9 * M_MU, ms, 0, -1, c / 2, c / 2) == pytest.approx(
        -c**2 * M_MU**2 / (96 * math.pi**2 * ms**2), rel=1e-6, abs=0)
    with pytest.raises(InvalidParameter):
        loops.scalar_fermion_loop(M_MU, 1.0, 1.0, -1, 1, 1.0, 0.0)


@pytest.mark.parametrize("mf,ms,qf", [(1e3, 1.5e3, -1), (3e3, 1e3, 0), (2e3, 2e3, -2), (5e4, 7e4, 1), (1e3, 1e5, -1),
                                      (1e5, 1e3, 0.5)])
def test_heavy_limit_matches_the_exact_loop(mf, ms, qf):
    qs = -1 - qf
    exact = loops.scalar_fermion_loop(M_MU, mf, ms, qf, qs, 0.7, 0.3)
    heavy = loops.scalar_fermion_loop_heavy(M_MU, mf, ms, qf, qs, 0.7, 0.3)
    # neglected terms are O(m_mu^2 / M^2) < 1e-8 here; quadrature errors ~1e-9
    assert heavy == pytest.approx(exact, rel=1e-7, abs=0)


def test_heavy_limit_vectorises():
    mf = np.array([1e3, 2e3, 4e3])
    out = loops.scalar_fermion_loop_heavy(M_MU, mf, 1.5e3, -1, 0, 0.7, 0.3)
    assert out.shape == (3,)
    for k in range(3):
        assert out[k] == pytest.approx(loops.scalar_fermion_loop_heavy(M_MU, mf[k], 1.5e3, -1, 0, 0.7, 0.3), rel=1e-14, abs=0)
    with pytest.raises(InvalidParameter):
        loops.scalar_fermion_loop_heavy(M_MU, -1.0, 1.0, -1, 0, 1, 0)
