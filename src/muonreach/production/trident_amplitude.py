"""Squared matrix element of nu_mu(k1) gamma(q) -> nu_mu(k2) mu+(p+) mu-(p-) for a four-fermion interaction
with vector and axial muon couplings, computed numerically by Dirac traces (full muon mass).

Interaction (the SM after Fierz; 004_7de0b22078876a0d.txt lines ~4912-5147, notes-004-part2.md S7, arXiv:1406.2332
eqs. (4), (7)):

    L = -(G_F/sqrt 2) [nubar gamma^a (1 - gamma5) nu] [mubar gamma_a (C_V - C_A gamma5) mu],

SM: C_V = 1/2 + 2 sin^2 theta_W, C_A = 1/2 (W + Z); pure V-A (W only): C_V = C_A = 1. The photon couples to the
muon line (two diagrams, A = (p- - q)^2 - m^2, B = (q - p+)^2 - m^2). With the amplitude
M = (G_F e/sqrt 2) N_a H^a (the factor G_F^2 e^2/2 of 1406.2332 eq. (4); the extraction's "G_F e sqrt 2" is
garbled), the squared matrix element summed over all spins and photon polarisations is

    sum |M|^2 = (G_F^2 e^2 / 2) [C_V^2 T_VV + C_A^2 T_AA - C_V C_A T_VA],

where T_XY = L_ab H^ab_XY are the three Lorentz-invariant trace contractions returned by :func:`trace_terms`
(L^ab = Tr[k2/ gamma^a (1 - g5) k1/ (1 + g5) gamma^b], H^ab the muon-line tensor with the photon polarisation sum
-g_mn). Because they do not depend on C_V, C_A, a momentum-dependent C_V (the Z' propagator) costs nothing more.
In the massless-muon limit sum|M|^2/2 (photon average) for V-A equals 512 |M_{V-A}|^2 of 1406.2332 eq. (6):
checked in tests/test_trident.py, which settles the signs read from the garbled extraction.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_METRIC = np.array([1.0, -1.0, -1.0, -1.0])

# Dirac representation
_I2 = np.eye(2)
_Z2 = np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex), np.array([[1, 0], [0, -1]], complex)]
GAMMA: NDArray[np.complex128] = np.array(
    [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG])
GAMMA5: NDArray[np.complex128] = 1j * GAMMA[0] @ GAMMA[1] @ GAMMA[2] @ GAMMA[3]
_ONE = np.eye(4, dtype=complex)
#: gamma^0 is diagonal with entries +-1: the Dirac adjoint is a sign pattern on the conjugate transpose
_BAR_SIGNS = np.outer(GAMMA[0].diagonal().real, GAMMA[0].diagonal().real)
#: each gamma matrix has one non-zero entry (+-1, +-i) per row and per column: (gamma^mu)_{i, _ROW[mu, i]} and
#: (gamma^mu)_{_COL[mu, k], k}, so products with it are permutations and phases (exact, no sums)
_ROW = np.abs(GAMMA).argmax(axis=2)
_COL = np.abs(GAMMA).argmax(axis=1)
_ROW_PHASE = np.take_along_axis(GAMMA, _ROW[:, :, None], axis=2)  # (mu, i, 1)
_COL_PHASE = np.take_along_axis(GAMMA, _COL[:, None, :], axis=1)  # (mu, 1, k)


def dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Minkowski product (+,-,-,-) of arrays of four-vectors (..., 4)."""
    return a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1] - a[..., 2] * b[..., 2] - a[..., 3] * b[..., 3]


def slash(p: NDArray[np.float64]) -> NDArray[np.complex128]:
    """p_mu gamma^mu for an array of four-vectors (N, 4) -> (N, 4, 4)."""
    return np.einsum("nm,mij->nij", p * _METRIC, GAMMA)


def _bar(o: NDArray[np.complex128]) -> NDArray[np.complex128]:
    """Dirac adjoint gamma0 O^dagger gamma0 over the last two axes."""
    return np.multiply(_BAR_SIGNS, np.conj(np.swapaxes(o, -1, -2)), order="C")


def _left_spinor(k: NDArray[np.float64]) -> NDArray[np.complex128]:
    """sqrt(2E) xi_-(k): the helicity -1/2 two-spinor of a massless momentum (N, 4) -> (N, 2)."""
    e = k[:, 0]
    theta = np.arccos(np.clip(k[:, 3] / e, -1.0, 1.0))
    phi = np.arctan2(k[:, 2], k[:, 1])
    xi = np.stack([-np.exp(-1j * phi) * np.sin(theta / 2.0), np.cos(theta / 2.0) + 0j], axis=-1)
    return np.sqrt(2.0 * e)[:, None] * xi


_SIGMA_BAR = np.array([np.eye(2, dtype=complex)] + [-s for s in _SIG])


def neutrino_current(k1: NDArray[np.float64], k2: NDArray[np.float64]) -> NDArray[np.complex128]:
    """N^a = ubar(k2) gamma^a (1 - gamma5) u(k1) = 2 u_L(k2)^dagger sigmabar^a u_L(k1) (Weyl basis; basis-independent
    up to a phase). N^a N^b* equals the trace L^ab (checked in tests/test_trident.py)."""
    return 2.0 * np.einsum("ni,aij,nj->na", np.conj(_left_spinor(k2)), _SIGMA_BAR, _left_spinor(k1))


def lepton_tensor(k1: NDArray[np.float64], k2: NDArray[np.float64]) -> NDArray[np.complex128]:
    """L^ab = Tr[k2/ gamma^a (1 - gamma5) k1/ (1 + gamma5) gamma^b] by Dirac traces (the check of neutrino_current)."""
    return 2.0 * np.einsum("nij,ajk,nkl,lm,bmi->nab", slash(k2), GAMMA, slash(k1), _ONE + GAMMA5, GAMMA, optimize=True)


def _gamma_left(x: NDArray[np.complex128]) -> NDArray[np.complex128]:
    """gamma^mu X for every mu: (N, 4, 4) -> (N, mu, 4, 4) (rows of X permuted, times phases: no sums)."""
    return _ROW_PHASE * x[:, _ROW, :]


def _gamma_right(x: NDArray[np.complex128]) -> NDArray[np.complex128]:
    """X gamma^mu for every mu: (N, 4, 4) -> (N, mu, 4, 4)."""
    return x[:, :, _COL].transpose(0, 2, 1, 3) * _COL_PHASE


def trace_terms(k1, k2, q, pm, pp, m: float) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(T_VV, T_AA, T_VA) per event (module docstring); momenta (N, 4) in GeV, muon mass ``m``.

    Summed over all spins and both photon polarisations (no average). The massless-neutrino tensor
    L^ab = Tr[k2/ gamma^a (1 - g5) k1/ (1 + g5) gamma^b] has rank one, L^ab = N^a N^b* (:func:`neutrino_current`),
    so N is contracted into the muon line first: O_X^mu = gamma^mu S(p- - q) N/_X + N/_X S(q - p+)
    gamma^mu (photon next to ubar(p-), or next to v(p+)), N/_V = N_a gamma^a, N/_A = N_a gamma^a gamma5, and
    T_XY = -sum_mu g_mumu Tr[(p-/ + m) O_X^mu (p+/ - m) Obar_Y^mu] (+ the mirror term for X != Y).
    """
    k1, k2, q, pm, pp = (np.asarray(x, dtype=float) for x in (k1, k2, q, pm, pp))
    a = dot(pm - q, pm - q) - m * m
    b = dot(q - pp, q - pp) - m * m
    s1 = (slash(pm - q) + m * _ONE) / a[:, None, None]
    s2 = (slash(q - pp) + m * _ONE) / b[:, None, None]
    n_up = neutrino_current(k1, k2)
    n_slash = np.einsum("na,a,aij->nij", n_up, _METRIC, GAMMA)  # N_a gamma^a
    pm_s = (slash(pm) + m * _ONE)[:, None]
    pp_s = (slash(pp) - m * _ONE)[:, None]
    xs, ys = {}, {}
    for key, nx in (("V", n_slash), ("A", n_slash @ GAMMA5)):
        o = _gamma_left(s1 @ nx) + _gamma_right(nx @ s2)  # (N, mu, 4, 4)
        xs[key] = pm_s @ o
        ys[key] = pp_s @ _bar(o)
    out = []
    for kx, ky in (("V", "V"), ("A", "A"), ("V", "A")):
        t = -np.einsum("nmij,nmji,m->n", xs[kx], ys[ky], _METRIC)
        if kx != ky:
            t = t - np.einsum("nmij,nmji,m->n", xs[ky], ys[kx], _METRIC)
        out.append(t.real)
    return out[0], out[1], out[2]


def eq6_massless(k1, k2, q, pm, pp) -> NDArray[np.float64]:
    """|M_{V-A}|^2 of 1406.2332 eq. (6) (massless muons; 004 lines 4996-5065), with the signs as read in
    notes-004-part2.md S7: used only to check :func:`trace_terms` (512 |M_{V-A}|^2 = (1/2) T_VA-sum)."""
    d = lambda x, y: dot(np.asarray(x, float), np.asarray(y, float))
    a = -2.0 * d(pm, q)
    b = -2.0 * d(q, pp)
    k1p, k2p, k1m, k2m = d(k1, pp), d(k2, pp), d(k1, pm), d(k2, pm)
    qk1, qk2, qp, qm, pq = d(q, k1), d(q, k2), d(q, pp), d(q, pm), d(pp, pm)
    return (k1p * qk2 * qm / a**2 + k2m * qk1 * qp / b**2
            + (2 * k1p * k2m * pq - k2m * pq * qk1 - k1p * pq * qk2 - k1p * k2m * qm
               + k1p * k2p * qm + k1m * k2m * qp - k1p * k2m * qp) / (a * b))
