"""The exact 2 -> 3 |M|^2 (production/exact/amplitudes.py, phase_space.py) against explicit 4x4 gamma-matrix
products contracted with the hadronic tensor, gauge invariance of the photon current, and its float64
conditioning. Independent of the symbolic trace code: everything here is numeric Dirac algebra."""

from __future__ import annotations

import math

import numpy as np
import pytest

from muonreach.constants import M_E, M_MU
from muonreach.production.exact import dirac
from muonreach.production.exact.amplitudes import lepton_trace, trace_polynomials
from muonreach.production.exact.phase_space import Kinematics, emission, invariants_a, invariants_b, momenta_a, two_body

_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]
_G = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG]
_G5 = 1j * _G[0] @ _G[1] @ _G[2] @ _G[3]
_ETA = np.diag([1.0, -1.0, -1.0, -1.0])
_ONE = np.eye(4, dtype=complex)


def _slash(p):
    return sum(_ETA[i, i] * p[i] * _G[i] for i in range(4))


def _dot(a, b):
    return a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3]


def _bar(mat):
    return _G[0] @ mat.conj().T @ _G[0]


def _vertices(kind, k, mx, m, mp):
    """[(vertex matrix a, vertex matrix b, weight)] of the X polarisation sum; P_R for the chiral scalar."""
    if kind == "vector":
        kl = _ETA @ k
        return [(_G[a], _G[b], -_ETA[a, b] + kl[a] * kl[b] / mx**2) for a in range(4) for b in range(4)]
    v = {"scalar": _ONE, "pseudoscalar": 1j * _G5, "chiral": 0.5 * (_ONE + _G5)}[kind]
    return [(v, v, 1.0)]


def _lepton_tensor(kind, p, k, pp, q, m, mp, mx):
    """L^{mu nu} = sum_spins,pols [ubar' Gamma^mu u][ubar' Gamma^nu u]^* from explicit 4x4 products."""
    s_in = (_slash(p + q) + m * _ONE) / (_dot(p + q, p + q) - m * m)  # internal lepton of the incoming flavour
    s_out = (_slash(p - k) + mp * _ONE) / (_dot(p - k, p - k) - mp * mp)  # internal lepton of the outgoing flavour
    L = np.zeros((4, 4), complex)
    for va, vb, pol in _vertices(kind, k, mx, m, mp):
        if pol == 0:
            continue
        for mu in range(4):
            g1 = va @ s_in @ _G[mu] + _G[mu] @ s_out @ va
            for nu in range(4):
                g2 = vb @ s_in @ _G[nu] + _G[nu] @ s_out @ vb
                L[mu, nu] += pol * np.trace((_slash(pp) + mp * _ONE) @ g1 @ (_slash(p) + m * _ONE) @ _bar(g2))
    return L


def _contract(L, a, b):
    al, bl = _ETA @ a, _ETA @ b  # lower the indices
    return (al @ L @ bl).real


def _random_point(rng, m, mp, mx, big_m, energy):
    kin = Kinematics(energy, m, mp, mx, big_m)
    for _ in range(200):
        x = rng.uniform(0.05, 0.95)
        em = emission(kin, np.array(x * energy), mx, mp)
        if not em.k > 0:
            continue
        delta = em.delta_min * math.exp(rng.uniform(0.0, math.log(em.delta_max / em.delta_min)))
        tb = two_body(kin, em, np.array(delta), mp)
        if not tb.t_min < tb.t_plus:
            continue
        t = math.exp(rng.uniform(math.log(tb.t_min), math.log(min(tb.t_plus, 50 * tb.t_min + 1.0))))
        return kin, em, tb, np.array(t), rng.uniform(0, 2 * math.pi)
    raise AssertionError("no phase-space point found")


_MASSES = [  # (kind, m, m', m_X, M, E): moderate kinematics so that component arithmetic is exact to ~1e-12
    ("scalar", 0.105, 0.105, 0.3, 4.0, 3.0),
    ("pseudoscalar", 0.105, 0.105, 0.2, 6.0, 2.5),
    ("vector", 0.105, 0.105, 0.25, 5.0, 3.0),
    ("scalar", 0.0005, 0.0005, 0.05, 3.0, 1.0),
    ("vector", 0.0005, 0.0005, 0.03, 3.0, 1.0),
    ("chiral", 0.105, 0.0005, 0.3, 4.0, 3.0),  # mu N -> e N phi
    ("chiral", 0.0005, 0.105, 0.3, 4.0, 3.0),  # e N -> mu N phi
]


@pytest.mark.parametrize(("kind", "m", "mp", "mx", "big_m", "energy"), _MASSES)
def test_trace_polynomial_matches_explicit_gamma_matrices(kind, m, mp, mx, big_m, energy) -> None:
    # L^{mu nu} (P + P')_mu (P + P')_nu from explicit 4x4 Dirac matrices (with i gamma5, P_R and the full vector
    # polarisation sum -g + k k / m_X^2) equals 4 M^2 T of amplitudes.lepton_trace at random points built by
    # phase_space.momenta_a; exact identity -> 1e-9 (rounding of 4x4 products of O(10) numbers).
    rng = np.random.default_rng(11)
    for _ in range(6):
        kin, em, tb, t, phi = _random_point(rng, m, mp, mx, big_m, energy)
        mom = momenta_a(kin, em, tb, t, np.array(phi), rng.uniform(0, 2 * math.pi))
        p = np.array([energy, 0.0, 0.0, kin.p])
        k, q, pp, big_pp = mom["k"], mom["q"], mom["p_out"], mom["P_out"]
        big_p = np.array([big_m, 0.0, 0.0, 0.0])
        # the momenta are on shell and conserve four-momentum
        assert _dot(pp, pp) == pytest.approx(mp * mp, rel=1e-9, abs=1e-12)
        assert _dot(big_pp, big_pp) == pytest.approx(big_m**2, rel=1e-12)
        assert _dot(q, q) == pytest.approx(-float(t), rel=1e-9, abs=0)
        np.testing.assert_allclose(p + big_p, pp + k + big_pp, rtol=1e-12, atol=1e-12)
        L = _lepton_tensor(kind, p, k, pp, q, m, mp, mx)
        explicit = _contract(L, big_p + big_pp, big_p + big_pp)
        inv = invariants_a(kin, em, tb, t, np.cos(np.array(phi)))
        base = "scalar" if kind == "chiral" else kind
        ours = 4 * big_m**2 * float(lepton_trace(base, inv, flavour_changing=kind == "chiral"))
        assert ours == pytest.approx(explicit, rel=1e-9)
        # invariants of the code = invariants of the explicit momenta
        assert float(inv.pq) == pytest.approx(_dot(p, q), rel=1e-9, abs=1e-12)
        assert float(inv.kq) == pytest.approx(_dot(k, q), rel=1e-9, abs=1e-12)
        assert float(inv.kp) == pytest.approx(_dot(k, p), rel=1e-9, abs=0)


@pytest.mark.parametrize(("kind", "m", "mp", "mx", "big_m", "energy"), _MASSES)
def test_photon_current_is_gauge_invariant(kind, m, mp, mx, big_m, energy) -> None:
    # q_mu L^{mu nu} = 0: the two diagrams cancel for any vertex (internal masses m and m' on their lines), so
    # (P + P') -> (P + P') + lambda q leaves |M|^2 unchanged. Tolerance: relative to the size of single terms.
    rng = np.random.default_rng(5)
    for _ in range(4):
        kin, em, tb, t, phi = _random_point(rng, m, mp, mx, big_m, energy)
        mom = momenta_a(kin, em, tb, t, np.array(phi))
        p = np.array([energy, 0.0, 0.0, kin.p])
        L = _lepton_tensor(kind, p, mom["k"], mom["p_out"], mom["q"], m, mp, mx)
        eps = 2 * np.array([big_m, 0, 0, 0]) - mom["q"]
        scale = np.abs(L).max() * np.abs(eps).max() * np.abs(mom["q"]).max()
        assert np.abs(L @ (_ETA @ mom["q"])).max() < 1e-9 * scale
        assert np.abs((_ETA @ mom["q"]) @ L).max() < 1e-9 * scale
        base = _contract(L, eps, eps)
        for lam in (-3.0, 0.7, 25.0):
            shifted = eps + lam * mom["q"]
            assert _contract(L, shifted, shifted) == pytest.approx(base, rel=1e-8)


def test_vector_polarisation_sum_needs_no_k_k_term() -> None:
    # For m = m' the vector current is conserved: k_a J^a = 0, so -g_ab alone (what the trace polynomials use)
    # gives the full sum -g_ab + k_a k_b / m_X^2; for the explicit check the k k term is kept in _vertices.
    rng = np.random.default_rng(3)
    kin, em, tb, t, phi = _random_point(rng, 0.105, 0.105, 0.2, 5.0, 3.0)
    mom = momenta_a(kin, em, tb, t, np.array(phi))
    p = np.array([3.0, 0.0, 0.0, kin.p])
    s_in = (_slash(p + mom["q"]) + 0.105 * _ONE) / (_dot(p + mom["q"], p + mom["q"]) - 0.105**2)
    s_out = (_slash(p - mom["k"]) + 0.105 * _ONE) / (_dot(p - mom["k"], p - mom["k"]) - 0.105**2)
    eps = _slash(2 * np.array([5.0, 0, 0, 0]) - mom["q"])
    current = _slash(mom["k"]) @ s_in @ eps + eps @ s_out @ _slash(mom["k"])  # k_a Gamma^a between spinors
    sandwich = (_slash(mom["p_out"]) + 0.105 * _ONE) @ current @ (_slash(p) + 0.105 * _ONE)
    assert np.abs(sandwich).max() < 1e-10 * np.abs(current).max()


def test_pseudoscalar_and_chiral_reductions() -> None:
    # T_P(m, m') = T_S(-m, m') and T_chiral = (T_S(m) + T_S(-m))/4 are identities of the code; at m = m' the chiral
    # sum is the average of scalar and pseudoscalar (checked against matrices above). Exact -> 1e-13.
    rng = np.random.default_rng(2)
    kin, em, tb, t, phi = _random_point(rng, 0.105, 0.105, 0.3, 5.0, 3.0)
    inv = invariants_a(kin, em, tb, t, np.cos(np.array(phi)))
    s, p = lepton_trace("scalar", inv), lepton_trace("pseudoscalar", inv)
    assert float(lepton_trace("scalar", inv, flavour_changing=True)) == pytest.approx(float(s + p) / 4, rel=1e-13, abs=0)


def test_trace_kernel_identities() -> None:
    # The symbolic kernel: Tr[a b] = 4 a.b, Tr[a b c d] = 4 (ab cd - ac bd + ad bc), gamma^a gamma_a = 4 (Tr 16),
    # Tr[g^a x g_a y] = -8 x.y, Tr[g^a w x y z g_a u v] from the 4-slash Chisholm identity vs direct matrices.
    assert dirac.trace(dirac.slash((1.0, "a")) and dirac.times(dirac.slash((1.0, "a")), dirac.slash((1.0, "b")))) == {("a.b",): 4.0}
    four = dirac.trace(dirac.times(*(dirac.slash((1.0, v)) for v in "abcd")))
    assert four == {("a.b", "c.d"): 4.0, ("a.c", "b.d"): -4.0, ("a.d", "b.c"): 4.0}
    assert dirac.trace(dirac.times(dirac.slash((1.0, dirac.INDEX)), dirac.slash((1.0, dirac.INDEX)))) == {(): 16.0}
    rng = np.random.default_rng(0)
    vecs = {v: rng.normal(size=4) for v in "uvwxyz"}
    string = (dirac.INDEX, "w", "x", "y", "z", dirac.INDEX, "u", "v")
    poly = dirac.trace([(1.0, (), string)])
    value = sum(c * np.prod([_dot(vecs[s[0]], vecs[s[2]]) for s in mono]) for mono, c in poly.items())
    direct = sum(_ETA[a, a] * np.trace(_G[a] @ _slash(vecs["w"]) @ _slash(vecs["x"]) @ _slash(vecs["y"]) @ _slash(vecs["z"])
                                          @ _G[a] @ _slash(vecs["u"]) @ _slash(vecs["v"])) for a in range(4))
    assert value == pytest.approx(direct.real, rel=1e-12)


def test_trace_polynomials_are_cached_and_small() -> None:
    pieces = trace_polynomials("vector")
    assert set(pieces) == {"11", "22", "12"}
    assert trace_polynomials("vector") is pieces
    assert all(0 < len(p) < 60 for p in pieces.values())


def _point_longdouble(dtype, energy, m, mx, x, delta_factor, t_factor, phi):
    big_m = dtype(193.0)
    kin = Kinematics(dtype(energy), dtype(m), dtype(m), dtype(mx), big_m)
    em = emission(kin, np.asarray(dtype(x) * kin.energy), dtype(mx), dtype(m))
    tb = two_body(kin, em, em.delta_min * dtype(delta_factor), dtype(m))
    t = tb.t_min * dtype(t_factor)
    return invariants_a(kin, em, tb, t, np.cos(np.asarray(dtype(phi))))


@pytest.mark.parametrize(("energy", "m", "mx"), [(100.0, M_E, 0.001), (100.0, M_E, 0.1), (160.0, M_MU, 0.01), (3.0, M_MU, 0.5)])
@pytest.mark.parametrize("kind", ["scalar", "vector"])
def test_float64_conditioning(energy, m, mx, kind) -> None:
    # float64 against 80-bit extended precision (3 more digits) of the same formulas: where G2 does not vanish
    # (t >= 3 t_min) the relative error stays below 1e-5 (observed <= 1e-8 for muons, 2e-6 for
    # 100 GeV electrons at 1 MeV); near t_min, where |M|^2 -> 0, it is larger but irrelevant.
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("no extended precision on this platform")
    for x in (0.3, 0.9, 0.999):
        for fd in (1.5, 30.0):
            for ft in (3.0, 1e3):
                for phi in (0.3, 2.5):
                    args = (energy, m, mx, x, fd, ft, phi)
                    lo = float(lepton_trace(kind, _point_longdouble(np.float64, *args)))
                    hi = float(lepton_trace(kind, _point_longdouble(np.longdouble, *args)))
                    assert lo == pytest.approx(hi, rel=1e-5), args


def test_parametrisation_b_reproduces_a_at_a_point() -> None:
    # Parametrisation B (lepton emitted first) at the point that A builds: the same invariants (1e-9).
    rng = np.random.default_rng(9)
    kin, em, tb, t, phi = _random_point(rng, 0.105, 0.105, 0.3, 5.0, 3.0)
    mom = momenta_a(kin, em, tb, t, np.array(phi))
    inv_a = invariants_a(kin, em, tb, t, np.cos(np.array(phi)))
    p = np.array([3.0, 0.0, 0.0, kin.p])
    pp = mom["p_out"]
    em_b = emission(kin, np.array(pp[0]), 0.105, 0.3)
    delta_b = 0.3**2 - _dot(p - pp, p - pp)
    tb_b = two_body(kin, em_b, np.array(delta_b), 0.3)
    # azimuth of q about V' = p - p' in B's frame: solve from p.q (cos phi_B enters linearly)
    inv0, _ = invariants_b(kin, em_b, tb_b, t, np.array(0.0))
    inv1, _ = invariants_b(kin, em_b, tb_b, t, np.array(1.0))
    cos_b = (float(inv_a.pq) - float(inv0.pq)) / (float(inv1.pq) - float(inv0.pq))
    inv_b, e_k = invariants_b(kin, em_b, tb_b, t, np.array(cos_b))
    assert float(e_k) == pytest.approx(float(mom["k"][0]), rel=1e-10)
    for name in ("pq", "kq", "kp", "ep", "ek", "d1", "d2"):
        assert float(getattr(inv_b, name)) == pytest.approx(float(getattr(inv_a, name)), rel=1e-8), name
