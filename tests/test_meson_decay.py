"""The three-body meson-decay engine (production/meson.py): Dalitz integration against closed forms and adaptive
quadrature, the K -> l nu X amplitudes against explicit Dirac traces, the normalisation of 1902.07715 App. A."""

import math

import numpy as np
import pytest
from scipy import integrate

from muonreach import constants as c
from muonreach.errors import InvalidParameter, KinematicallyForbidden, UnknownName
from muonreach.production import meson as mz

# --- an independent Dirac algebra (Weyl representation) for the trace checks --------------------------------
_S = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
_Z = np.zeros((2, 2))
G = [np.block([[_Z, _S[0]], [_S[0], _Z]])] + [np.block([[_Z, s], [-s, _Z]]) for s in _S[1:]]
G5 = 1j * G[0] @ G[1] @ G[2] @ G[3]
PL, PR = (np.eye(4) - G5) / 2, (np.eye(4) + G5) / 2
ETA = np.diag([1.0, -1, -1, -1])


def sl(p):
    return sum(ETA[m, m] * p[m] * G[m] for m in range(4))


def bar(m):
    return G[0] @ m.conj().T @ G[0]


def dot(a, b):
    return a @ ETA @ b


def boosted(vectors, rng):
    """The same momenta after a random boost along a random axis (traces are Lorentz invariant)."""
    n = rng.normal(size=3)
    n /= np.linalg.norm(n)
    beta = 0.6 * rng.random()
    gam = 1 / math.sqrt(1 - beta**2)
    lam = np.eye(4)
    lam[0, 0] = gam
    lam[0, 1:] = lam[1:, 0] = gam * beta * n
    lam[1:, 1:] += (gam - 1) * np.outer(n, n)
    return [lam @ v for v in vectors]


def random_point(kind_masses, rng):
    """A random Dalitz point (s, t) and the 4-momenta (k, q, l) (boosted out of the kaon frame)."""
    m_x, m_l = kind_masses
    s = rng.uniform(m_x**2, (c.M_K_CHARGED - m_l) ** 2)
    t_lo, t_hi = mz.t_limits(c.M_K_CHARGED, 0.0, m_x, m_l, np.array([s]))
    t = rng.uniform(t_lo[0], t_hi[0])
    k, q, l_ = (v[0] for v in mz.kaon_frame_momenta(np.array([s]), np.array([t]), m_x, m_l))
    return s, t, boosted([k, q, l_], rng)


C2 = mz.lambda_lepton("mu") ** 2 / (2 * c.M_MU**2)  # c^2 of eq. (8): Gamma(K -> mu nu) in the 1/(32 pi) convention


def trace_scalar(k, q, l_, m=c.M_MU):
    p = k + q + l_
    gam = sl(p) @ PL @ (-sl(k) - sl(l_) + m * np.eye(4)) / (dot(k + l_, k + l_) - m**2)
    return C2 * np.trace(sl(q) @ gam @ (sl(k) - m * np.eye(4)) @ bar(gam)).real


def trace_emu(k, q, l_):
    """K+ -> e+ nu phi with the full muon propagator between P_L (K vertex) and P_L (phi vertex mubar P_L e)."""
    p, m = k + q + l_, c.M_MU
    gam = sl(p) @ PL @ (-sl(k) - sl(l_) + m * np.eye(4)) @ PL / (dot(k + l_, k + l_) - m**2)
    return C2 * np.trace(sl(q) @ gam @ (sl(k) - c.M_E * np.eye(4)) @ bar(gam)).real


def trace_vector(k, q, l_, g_mu, g_nu, m_v, m=c.M_MU):
    p = k + q + l_
    h = np.zeros((4, 4))
    gams = [g_mu * sl(p) @ PL @ (-sl(k) - sl(l_) + m * np.eye(4)) @ G[a] / (dot(k + l_, k + l_) - m**2)
            + g_nu * G[a] @ PL @ (sl(q) + sl(l_)) @ sl(p) @ PL / dot(q + l_, q + l_) for a in range(4)]
    for a in range(4):
        for b in range(4):
            h[a, b] = np.trace(sl(q) @ gams[a] @ (sl(k) - m * np.eye(4)) @ bar(gams[b])).real
    low = ETA @ l_
    pol = -ETA + np.outer(low, low) / m_v**2
    return C2 * float(np.sum(pol * h))


LAM2 = mz.lambda_lepton("mu") ** 2


@pytest.mark.parametrize("m_x", [0.02, 0.1, 0.25])
def test_amplitudes_against_explicit_dirac_traces(m_x):
    # (A.7) with its +2 and (A.8) with the m23^4 erratum, and the derived e-mu amplitude, at random points:
    # rounding only (1e-9: the traces of products of ~8 matrices carry ~1e-13 relative errors, the boost a few more)
    rng = np.random.default_rng(int(m_x * 1000))
    for _ in range(5):
        s, t, (k, q, l_) = random_point((m_x, c.M_MU), rng)
        assert mz.scalar_msq(s, t, m_x) * LAM2 == pytest.approx(trace_scalar(k, q, l_), rel=1e-9, abs=0)
        assert mz.vector_conserved_msq(s, t, m_x) * LAM2 == pytest.approx(trace_vector(k, q, l_, 1, 1, m_x), rel=1e-9, abs=0)
        for g_nu in (0.0, -0.7):
            got = mz.vector_msq(np.array([s]), np.array([t]), m_x, 1.0, g_nu)[0] * LAM2
            assert got == pytest.approx(trace_vector(k, q, l_, 1, g_nu, m_x), rel=1e-9, abs=0)
    if m_x + c.M_E > c.M_MU:
        for _ in range(5):
            s, t, (k, q, l_) = random_point((m_x, c.M_E), rng)
            assert mz.emu_scalar_msq(s, t, m_x) * LAM2 == pytest.approx(trace_emu(k, q, l_), rel=1e-9, abs=0)


def test_printed_a8_term_is_wrong():
    # the printed m_phi^2 (m23^2 - m_mu^2 m_K^2) differs from the Dirac trace, the m23^4 form does not (erratum)
    rng = np.random.default_rng(3)
    m_x = 0.1
    s, t, (k, q, l_) = random_point((m_x, c.M_MU), rng)
    mk2, mm2 = c.M_K_CHARGED**2, c.M_MU**2
    printed = (mk2 * (t + mm2) ** 2 - t * ((t + mm2) ** 2 + s * (t - mm2)) + m_x**2 * (t - mm2 * mk2)) / (2 * mm2 * (t - mm2) ** 2)
    assert abs(printed * LAM2 / trace_scalar(k, q, l_) - 1) > 1e-3


def test_dalitz_engine_muon_decay_closed_form():
    # mu -> e nu nubar: |M|^2 = 64 G_F^2 (p_mu.p_nubar)(p_e.p_nu) = 16 G_F^2 (M^2 - t)(t - m_e^2) with 1 = nubar_e,
    # 2 = e, 3 = nu_mu; Gamma = G_F^2 M^5/(192 pi^3) f(x), f = 1 - 8x + 8x^3 - x^4 - 12 x^2 ln x, x = m_e^2/M^2.
    # An exaggerated electron mass tests the mass effects; polynomial integrand: 1e-9 (quadrature exactness)
    big_m, m_e = c.M_MU, 0.3 * c.M_MU
    x = (m_e / big_m) ** 2
    f = 1 - 8 * x + 8 * x**3 - x**4 - 12 * x**2 * math.log(x)
    got = mz.three_body_width(big_m, (0.0, m_e, 0.0), lambda s, t: 16 * c.G_F**2 * (big_m**2 - t) * (t - m_e**2),
                              poles=(0.0, 0.0))
    assert got == pytest.approx(c.G_F**2 * big_m**5 / (192 * math.pi**3) * f, rel=1e-9, abs=0)


def test_dalitz_engine_against_adaptive_quadrature():
    # the fixed-order grid against scipy's adaptive 2-d quadrature (epsrel 1e-8) for the scalar and the
    # vector at 50 MeV: the engine's stated accuracy, 1e-4
    for kind in ("scalar", "vector"):
        d = mz.KaonDecay(kind, 0.05)
        s_max = (c.M_K_CHARGED - c.M_MU) ** 2

        def inner(s, d=d):
            lo, hi = mz.t_limits(c.M_K_CHARGED, 0.0, d.m_x, c.M_MU, np.array([s]))
            return integrate.quad(lambda t: float(d.msq(np.array([s]), np.array([t]))[0]), lo[0], hi[0], epsrel=1e-10)[0]

        ref = integrate.quad(inner, d.m_x**2, s_max, epsrel=1e-8, limit=200, points=[4 * d.m_x**2])[0]
        assert d.width() == pytest.approx(ref / (256 * math.pi**3 * c.M_K_CHARGED**3), rel=1e-4, abs=0)


def test_two_body_normalisation():
    # eq. (A.2): lambda_mu ~ 8.7e-8 (the paper's rounding, f_K and V_us inputs: 2 %)
    assert mz.lambda_lepton("mu") == pytest.approx(8.7e-8, rel=0.02)
    # eq. (A.1) with 1/(32 pi): Gamma(K -> mu nu)/Gamma_K = 0.623 at tree level against PDG 0.6356 and the
    # paper's "BR ~ 0.63" (radiative corrections, not in (A.1), are ~2 %: 3 %)
    ratio = mz.two_body_width("mu") / mz.get_meson("K+").width
    assert ratio == pytest.approx(0.6356, rel=0.03)
    # the printed 1/(2 pi) would be 16 times larger: BR ~ 10, impossible
    assert 16 * ratio > 1
    # K -> e nu / K -> mu nu: the helicity suppression, R_K = 2.57e-5 at tree level (no radiative correction)
    assert mz.two_body_width("e") / mz.two_body_width("mu") == pytest.approx(2.57e-5, rel=5e-3)


# BR(K -> mu nu X)/g^2 of notes-004-part1.md S28 [DERIVED] (f_K = 0.160, V_us = 0.223, Gamma_K = 5.3e-14 MeV,
# so Gamma(K -> mu nu)/Gamma_K = 0.6525 there): regression values of (A.7) and (A.8), three digits.
NOTES_TABLE = {0.001: (0.623, 0.0964), 0.010: (0.223, 0.0575), 0.050: (0.0568, 0.0276), 0.100: (0.0185, 0.0135),
               0.200: (1.99e-3, 2.50e-3), 0.300: (7.53e-5, 1.44e-4)}
NOTES_TWO_BODY = (0.493677 * (2 * 1.1663787e-5 * 0.160 * c.M_MU * 0.223) ** 2 / (32 * math.pi)
                  * (1 - c.M_MU**2 / 0.493677**2) ** 2 / 5.3e-17)


@pytest.mark.parametrize("m_x", sorted(NOTES_TABLE))
def test_branching_ratios_against_notes_table(m_x):
    # the ratio to the two-body width is input-independent; the notes' three digits: 3e-3 (rounding + quadrature)
    vector, scalar = NOTES_TABLE[m_x]
    assert mz.KaonDecay("vector", m_x).ratio_to_two_body() * NOTES_TWO_BODY == pytest.approx(vector, rel=3e-3)
    assert mz.KaonDecay("scalar", m_x).ratio_to_two_body() * NOTES_TWO_BODY == pytest.approx(scalar, rel=3e-3)


def test_light_vector_limits():
    # conserved current (L_mu - L_tau): no 1/m_V^2; the growth at small m_V is logarithmic (soft/collinear emission
    # off the massless neutrino): BR ~ a ln^2 + b ln + c, so the second difference in ln m is small and constant
    br = {m: mz.KaonDecay("vector", m).ratio_to_two_body() for m in (1e-3, 2e-3, 4e-3)}
    assert br[1e-3] / br[2e-3] < 1.3  # would be 4 with 1/m^2
    # muon-only vector (g_nu = 0): the longitudinal mode, |l.M|^2/m_V^2, dominates: BR m_V^2 -> constant
    mo = {m: mz.KaonDecay("vector", m, nu_ratio=0.0).ratio_to_two_body() * m**2 for m in (1e-3, 2e-3)}
    assert mo[1e-3] == pytest.approx(mo[2e-3], rel=0.02)  # next order is O(m_V^2 ln m_V) relative: 2 %
    # ... and the remainder after subtracting the longitudinal term is regular (bounded by the conserved-size rate)
    d = mz.KaonDecay("vector", 1e-3, nu_ratio=0.0)
    nodes = d.nodes()
    s = np.broadcast_to(nodes.s[:, None], nodes.t.shape)
    rest = mz.vector_msq(s, nodes.t, 1e-3, 1.0, 0.0) - mz.longitudinal_msq(s, nodes.t, 1e-3, 1.0, 0.0)
    total_l = np.sum(nodes.weight * mz.longitudinal_msq(s, nodes.t, 1e-3, 1.0, 0.0))
    assert abs(np.sum(nodes.weight * rest)) < 1e-3 * total_l


def test_spectra_integrate_to_the_width():
    # dGamma/dm_miss^2 and dGamma/dp over fine trapezoid grids: 1e-3 (trapezoid error on the grid)
    for d in (mz.KaonDecay("scalar", 0.1), mz.KaonDecay("emu_scalar", 0.15)):
        s = np.linspace(d.m_x**2, (d.m_parent - d.m_lepton) ** 2, 4001)
        assert np.trapezoid(d.dgamma_ds(s), s) == pytest.approx(d.width(), rel=1e-3, abs=0)
        p = np.linspace(0.0, float(d.lepton_momentum(np.array([d.m_x**2]))[0]), 4001)
        assert np.trapezoid(d.dgamma_dp(p), p) == pytest.approx(d.width(), rel=1e-3, abs=0)
    d = mz.KaonDecay("vector", 0.1)
    window = (0.05, 0.15)
    s = np.linspace(*window, 2001)
    assert np.trapezoid(d.dgamma_ds(s), s) == pytest.approx(d.width(window), rel=1e-3, abs=0)


def test_bad_input():
    with pytest.raises(KinematicallyForbidden):
        mz.KaonDecay("scalar", c.M_K_CHARGED - c.M_MU)
    with pytest.raises(KinematicallyForbidden, match="on-shell muon"):
        mz.KaonDecay("emu_scalar", 0.05)
    with pytest.raises(UnknownName):
        mz.KaonDecay("scalar", 0.1, meson="D+")
    with pytest.raises(InvalidParameter):
        mz.KaonDecay("scalar", -0.1)
    with pytest.raises(InvalidParameter):
        mz.KaonDecay("pseudoscalar", 0.1)
    with pytest.raises(KinematicallyForbidden):
        mz.KaonDecay("scalar", 0.1).width((0.16, 0.2))
