"""One-loop (g-2) functions: paper numbers, analytic limits, signs (muonreach.gm2.loops)."""

import math

import numpy as np
import pytest
from numpy.polynomial import polynomial as P

from muonreach.constants import M_E, M_MU
from muonreach.errors import ConvergenceError, InvalidParameter
from muonreach.gm2 import loops

PI2 = math.pi**2


def test_002_benchmark_point():
    # 002 (arXiv:1701.07437) text after eq. (3): g_mu = 5e-4, m_S = 100 MeV gives Delta a_mu "around 1.6e-9".
    # The paper rounds to two digits; we get 1.648e-9, so 5 % tolerance.
    assert loops.scalar(M_MU, 0.100, 5e-4) == pytest.approx(1.6e-9, rel=0.05)
    # regression of our own value (quadrature converged to 1e-9 relative)
    assert loops.scalar(M_MU, 0.100, 5e-4) == pytest.approx(1.64847e-9, rel=1e-5, abs=0)


@pytest.mark.parametrize("m_l", [M_E, M_MU])
def test_scalar_limits(m_l):
    # light scalar: g^2/(8 pi^2) * 3/2 (Leveille 1978); heavy: g^2 m^2/(8 pi^2 M^2) (ln(M^2/m^2) - 7/6).
    # Corrections are O(M/m) and O(m^2/M^2 ln): with the ratios chosen below they are < 1e-4.
    assert loops.scalar(m_l, 1e-6 * m_l, 1.0) == pytest.approx(3.0 / (16 * PI2), rel=1e-4)
    big = 1e4 * m_l
    heavy = m_l**2 / (8 * PI2 * big**2) * (math.log(big**2 / m_l**2) - 7.0 / 6.0)
    assert loops.scalar(m_l, big, 1.0) == pytest.approx(heavy, rel=1e-4, abs=0)


@pytest.mark.parametrize("m_l", [M_E, M_MU])
def test_vector_limits(m_l):
    # light vector: g^2/(8 pi^2) (M^3 paper eq. (2.4) limit 1.3e-10 (g/1e-4)^2); heavy: g^2 m^2/(12 pi^2 M^2)
    # (2006.16277 eq. (4)). Corrections O(M/m), O(m^2/M^2 ln): tolerance 1e-4.
    assert loops.vector(m_l, 1e-6 * m_l, 1.0) == pytest.approx(1.0 / (8 * PI2), rel=1e-4)
    big = 1e4 * m_l
    assert loops.vector(m_l, big, 1.0) == pytest.approx(m_l**2 / (12 * PI2 * big**2), rel=1e-4, abs=0)


def test_m3_paper_light_limits():
    # 004 (M^3 paper, arXiv:1804.03144) eqs. (2.3)-(2.4): vector 1.3e-10 (g/1e-4)^2 for m_V << m_mu (2 digits).
    assert loops.vector(M_MU, 1e-5, 1e-4) == pytest.approx(1.3e-10, rel=0.03)
    # the scalar limit 9.5e-11 printed there uses 1/(16 pi^2); the standard 1/(8 pi^2) (DESIGN.md erratum)
    # gives exactly twice that: 1.9e-10.
    assert loops.scalar(M_MU, 1e-5, 1e-4) == pytest.approx(2 * 9.5e-11, rel=0.01)


@pytest.mark.parametrize("m_l", [M_E, M_MU])
def test_pseudoscalar_and_axial_negative_with_limits(m_l):
    # light pseudoscalar: -g^2/(8 pi^2) * int x^3/x^2 = -g^2/(16 pi^2);
    # heavy pseudoscalar: -g^2 m^2/(8 pi^2 M^2) (ln(M^2/m^2) - 11/6); heavy axial: -5 g^2 m^2/(12 pi^2 M^2).
    for mass in (1e-3 * m_l, m_l, 1e3 * m_l):
        assert loops.pseudoscalar(m_l, mass, 1.0) < 0.0
        assert loops.axial_vector(m_l, mass, 1.0) < 0.0
    assert loops.pseudoscalar(m_l, 1e-6 * m_l, 1.0) == pytest.approx(-1.0 / (16 * PI2), rel=1e-4)
    big = 1e4 * m_l
    heavy_p = -(m_l**2) / (8 * PI2 * big**2) * (math.log(big**2 / m_l**2) - 11.0 / 6.0)
    assert loops.pseudoscalar(m_l, big, 1.0) == pytest.approx(heavy_p, rel=1e-4, abs=0)
    assert loops.axial_vector(m_l, big, 1.0) == pytest.approx(-5 * m_l**2 / (12 * PI2 * big**2), rel=1e-4, abs=0)


def test_axial_light_limit_longitudinal_enhancement():
    # light axial vector: the longitudinal mode gives -g^2 m^2/(4 pi^2 M^2) (leading term for M << m).
    m = 1e-3 * M_MU
    assert loops.axial_vector(M_MU, m, 1.0) == pytest.approx(-(M_MU**2) / (4 * PI2 * m**2), rel=1e-2)


def test_offdiagonal_heavy_limit_001_eq5():
    # 001 eq. (5): Delta a_l = h^2 m_l^2 / (48 pi^2 m_phi^2) for m_phi >> m_mu (both leptons).
    m_phi = 300.0
    for m_l, m_other in ((M_MU, M_E), (M_E, M_MU)):
        expected = m_l**2 / (48 * PI2 * m_phi**2)
        assert loops.chiral_offdiagonal_scalar(m_l, m_other, m_phi, 1.0) == pytest.approx(expected, rel=1e-3, abs=0)


def test_offdiagonal_at_001_benchmark():
    # 001 eq. (7) uses the heavy-limit formula (5) at m_phi = 3 m_mu: h = 3.3e-3 "explains" 251e-11.
    # The full loop function (eqs. (3)-(4)) is 9 % larger there (2.79e-9 vs 2.55e-9): see docs/validation.md.
    full = loops.chiral_offdiagonal_scalar(M_MU, M_E, 3 * M_MU, 3.3e-3)
    assert full == pytest.approx(2.788e-9, rel=1e-3)
    heavy = 3.3e-3**2 / (48 * PI2) / 9
    assert heavy == pytest.approx(2.55e-9, rel=2e-3)


def test_scaling_with_coupling():
    # every contribution is quadratic in the coupling (one loop, two vertices)
    assert loops.scalar(M_MU, 0.05, 2e-3) == pytest.approx(4 * loops.scalar(M_MU, 0.05, 1e-3), rel=1e-12, abs=0)


def test_bad_masses_raise():
    with pytest.raises(InvalidParameter):
        loops.scalar(M_MU, -0.1, 1e-3)
    with pytest.raises(InvalidParameter):
        loops.vector(M_MU, 0.0, 1e-3)
    with pytest.raises(InvalidParameter):
        loops.scalar(M_MU, float("nan"), 1e-3)


_CASES = {
    "scalar": lambda m: loops.scalar(M_MU, m, 1e-3),
    "pseudoscalar": lambda m: loops.pseudoscalar(M_MU, m, 1e-3),
    "vector": lambda m: loops.vector(M_MU, m, 1e-3),
    "axial": lambda m: loops.axial_vector(M_MU, m, 1e-3),
    "e-mu (a_e, internal muon)": lambda m: loops.chiral_offdiagonal_scalar(M_E, M_MU, m, 1e-3),
    "charged loop, photon on F": lambda m: loops.scalar_fermion_loop(M_MU, 2 * M_MU, m, -1.0, 0.0, 0.3, 0.2),
    "charged loop, photon on S": lambda m: loops.scalar_fermion_loop(M_MU, 2 * M_MU, m, 0.0, -1.0, 0.3, 0.2),
    "charged loop, both": lambda m: loops.scalar_fermion_loop(M_MU, 1.7 * M_MU, m, 0.5, -1.5, 0.3, -0.2),
}


@pytest.mark.parametrize("case", sorted(_CASES))
def test_fixed_order_rule_equals_adaptive_quadrature(case, monkeypatch):
    # Independent method: the same integrals by scipy's adaptive quad (relative accuracy 1e-9), forced by an
    # impossible acceptance tolerance. Boson masses 1e-6 .. 1e5 m_mu; the fixed-order result agrees to < 1e-12
    # when measured (1e-10 leaves room for the quad's own 1e-9 target, which it beats by orders of magnitude).
    masses = [M_MU * r for r in (1e-6, 1e-3, 0.05, 0.5, 0.99, 1.0, 2.0, 3.0, 30.0, 1e3, 1e5)]
    fast = [_CASES[case](m) for m in masses]
    monkeypatch.setattr(loops, "_GL_RTOL", -1.0)
    slow = [_CASES[case](m) for m in masses]
    assert fast == pytest.approx(slow, rel=1e-10, abs=0.0)


def _pv_closed_form(m_l, m_f, m_b, c_s, c_p):
    """Independent evaluation of scalar_exchange when l -> F + boson is open: the numerator (a cubic in x) divided
    by the monic quadratic denominator, the polynomial part integrated exactly and the remainder split into
    partial fractions, PV int_0^1 dx/(x - x_i) = ln((1 - x_i)/x_i)."""
    eps, r = m_f / m_l, (m_b / m_l) ** 2
    num = np.array([0.0, 0.0, c_s**2 * (1 + eps) + c_p**2 * (1 - eps), -(c_s**2 + c_p**2)])
    den = np.array([r, -(1 + r - eps**2), 1.0])
    quotient, rem = P.polydiv(num, den)
    antiderivative = P.polyint(quotient)
    x1, x2 = np.sort(np.roots(den[::-1]).real)
    rem = np.pad(rem, (0, 2 - len(rem)))
    a1, a2 = P.polyval(x1, rem) / (x1 - x2), P.polyval(x2, rem) / (x2 - x1)
    pv = P.polyval(1.0, antiderivative) - P.polyval(0.0, antiderivative)
    pv += a1 * math.log((1 - x1) / x1) + a2 * math.log((1 - x2) / x2)
    return pv / (8 * PI2)


@pytest.mark.parametrize("m_phi", [1e-4, 1e-3, 0.01, 0.05, 0.1, 0.104, 0.105])
def test_emu_delta_a_mu_below_the_decay_threshold_is_the_principal_value(m_phi):
    # issue 9: for m_phi < m_mu - m_e (mu -> e phi open) the Feynman denominator has two zeros in (0, 1); the
    # real part of the loop (i0 prescription) is the principal value. Closed form above: agreement 1e-14 .. 1e-11
    # measured, 1e-9 allowed (the closed form loses digits to the partial fractions near the threshold).
    assert loops.chiral_offdiagonal_scalar(M_MU, M_E, m_phi, 1.0) == pytest.approx(
        _pv_closed_form(M_MU, M_E, m_phi, 0.5, 0.5), rel=1e-9)
    assert loops.scalar_exchange(M_MU, M_E, m_phi, 0.3, 0.7) == pytest.approx(
        _pv_closed_form(M_MU, M_E, m_phi, 0.3, 0.7), rel=1e-9)


@pytest.mark.parametrize("m_phi", [1e-3, 0.01, 0.05])
def test_emu_principal_value_is_the_i0_limit(m_phi):
    # Independent method: Re int N/(D - i eps) by adaptive quadrature at eps = 1e-7. Its bias is O(eps / gap)
    # (measured 6e-7 .. 9e-7 at these masses), hence 5e-6.
    from scipy import integrate

    eps, r, width = M_E / M_MU, (m_phi / M_MU) ** 2, 1e-7

    def real_part(x):
        d = (1 - x) * (r - x) + eps**2 * x
        return 0.5 * x * x * (1 - x) * d / (d * d + width * width)

    d_lin = 1 + r - eps**2
    roots = [(d_lin - s * math.sqrt(d_lin**2 - 4 * r)) / 2 for s in (1, -1)]
    value, _ = integrate.quad(real_part, 0.0, 1.0, points=roots, limit=5000, epsabs=0.0, epsrel=1e-12)
    assert loops.chiral_offdiagonal_scalar(M_MU, M_E, m_phi, 1.0) == pytest.approx(value / (8 * PI2), rel=5e-6)


def test_emu_light_boson_limit():
    # m_phi -> 0 (analytic): Delta a_mu = h^2/(16 pi^2) [1/2 - x0 + x0 (1 - x0) ln((1 - x0)/x0)], x0 = 1 - m_e^2/m_mu^2
    # (PV of int x(1-x)/(x - x0)); corrections O(m_phi^2/m_mu^2) = 1e-12 at m_phi = 1e-6 m_mu: 1e-9 allowed.
    x0 = 1 - (M_E / M_MU) ** 2
    limit = (0.5 - x0 + x0 * (1 - x0) * math.log((1 - x0) / x0)) / (16 * PI2)
    assert loops.chiral_offdiagonal_scalar(M_MU, M_E, 1e-6 * M_MU, 1.0) == pytest.approx(limit, rel=1e-9)


def test_emu_at_the_threshold_is_a_clear_error():
    # the one-loop function is singular at m_phi = m_mu - m_e; within ~1e-6 of it the cancellation between the
    # subtracted poles and the remainder cannot be resolved: ConvergenceError naming the threshold
    with pytest.raises(ConvergenceError, match="threshold"):
        loops.chiral_offdiagonal_scalar(M_MU, M_E, (M_MU - M_E) * (1 - 1e-6), 1.0)


def test_validated_mass_range_edges():
    # at the edges of RATIO_RANGE the analytic light (3/(16 pi^2)) and heavy (ln - 7/6) limits still hold to 1e-9;
    # their own corrections are O(M/m) = 1e-15 and O(m^2/M^2 ln) = 4e-15
    lo, hi = loops.RATIO_RANGE
    assert loops.scalar(M_MU, lo * M_MU, 1.0) == pytest.approx(3.0 / (16 * PI2), rel=1e-9)
    heavy = (math.log(hi**2) - 7.0 / 6.0) / (8 * PI2 * hi**2)
    assert loops.scalar(M_MU, hi * M_MU, 1.0) == pytest.approx(heavy, rel=1e-9, abs=0)


@pytest.mark.parametrize("m_boson", [1e200, 1e-20, 2e8 * M_MU, 1e-16 * M_MU])
def test_masses_outside_the_validated_range_are_refused(m_boson):
    # issue 9: OverflowError at m >= ~1e156 GeV and a non-converged integral at m <= ~3e-18 GeV before
    with pytest.raises(InvalidParameter, match="validated range"):
        loops.scalar(M_MU, m_boson, 1e-3)
