"""Mono-photon signal e+e- -> gamma X (production/monophoton.py) and its recast bounds (constraints/monophoton.py)."""

import math

import numpy as np
import pytest

from muonreach import constants as c
from muonreach.constraints import get_limit
from muonreach.constraints.computed import excluded_interval, get_bound
from muonreach.constraints.monophoton import recast
from muonreach.errors import InvalidParameter, KinematicallyForbidden
from muonreach.gm2.bands import model_band, model_exclusion
from muonreach.gm2.datasets import get_dataset
from muonreach.models.diphoton import f_half
from muonreach.models.registry import get_model_spec
from muonreach.production import dirac as d
from muonreach.production import monophoton as mp

BENCH = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}


def _kinematics(s, m, cos):
    e = math.sqrt(s) / 2
    p1, p2 = np.array([[e, 0, 0, e]]), np.array([[e, 0, 0, -e]])
    k0 = (s - m * m) / (2 * math.sqrt(s))
    k = np.array([[k0, k0 * math.sqrt(1 - cos * cos), 0, k0 * cos]])
    return p1, p2, k, p1 + p2 - k


def _photon_sum(currents, p1, p2):
    # sum over spins and photon polarisations of |vbar(p2) Gamma^mu u(p1) eps_mu|^2 (massless e+-)
    return d.vector_current_trace(d.slash(p2), currents, d.slash(p1), -np.broadcast_to(d.METRIC, (1, 4, 4)))[0]


def _yukawa_currents(p1, k, q):
    t, u = d.dot(p1 - k, p1 - k)[0], d.dot(p1 - q, p1 - q)[0]
    return np.stack([d.slash(p1 - k) @ d.GAMMA[m] / t + d.GAMMA[m] @ d.slash(p1 - q) / u for m in range(4)], axis=1)


def _diphoton_currents(p1, p2, k, s):
    big_p = p1 + p2
    pk = d.dot(big_p, k)[0]
    return np.stack([(pk * d.GAMMA[n] - d.slash(k)[0] * big_p[0, n])[None] / s for n in range(4)], axis=1)


def _to_dsigma(s, m, amp2_sum):
    return (1 - m * m / s) * amp2_sum / 4 / (32 * math.pi * s)  # dsigma/dcos = (1/32 pi s)(|p_f|/|p_i|) <|M|^2>


@pytest.mark.parametrize("s, m, cos", [(108.16, 3.0, 0.3), (108.16, 0.05, -0.7), (50.0, 6.0, 0.1)])
def test_scalar_amplitudes_from_dirac_traces(s, m, cos):
    # independent method: spin sums by explicit 4x4 Dirac matrices (e = g = G = 1, then the couplings restored);
    # the closed forms of the module docstring must agree to rounding (1e-10)
    p1, p2, k, q = _kinematics(s, m, cos)
    e2 = 4 * math.pi * c.ALPHA
    yuk = _to_dsigma(s, m, e2 * _photon_sum(_yukawa_currents(p1, k, q), p1, p2))
    assert mp.yukawa_dsigma_dcos(s, m, 1.0, np.array(cos)) == pytest.approx(yuk, rel=1e-10, abs=0)
    dip = _to_dsigma(s, m, e2 * _photon_sum(_diphoton_currents(p1, p2, k, s), p1, p2))
    assert mp.diphoton_dsigma_dcos(s, m, 1.0, np.array(cos)) == pytest.approx(dip, rel=1e-10, abs=0)
    # no interference for massless electrons: the mixed trace has an odd number of gamma matrices
    first = np.einsum("nij,nmjk,nkl->nmil", d.slash(p2), _yukawa_currents(p1, k, q), d.slash(p1))
    mixed = np.einsum("nmil,nkli,mk->", first, d.bar(_diphoton_currents(p1, p2, k, s)), -d.METRIC)
    assert abs(mixed) < 1e-12 * abs(yuk * s * s)


def _polarisations(q, m):
    n = q[0, 1:] / np.linalg.norm(q[0, 1:])
    a = np.cross(n, [0.0, 1.0, 0.0])
    a /= np.linalg.norm(a)
    b = np.cross(n, a)
    pm = np.linalg.norm(q[0, 1:])
    return [np.r_[0, a], np.r_[0, b], np.r_[pm / m, q[0, 0] / m * n]]


@pytest.mark.parametrize("s, m, cos", [(108.16, 3.0, 0.3), (108.16, 0.5, -0.7)])
def test_vector_amplitude_from_dirac_traces(s, m, cos):
    # the A' reference: both polarisation sums explicit (three massive states), tolerance rounding
    p1, p2, k, q = _kinematics(s, m, cos)
    t, u = d.dot(p1 - k, p1 - k)[0], d.dot(p1 - q, p1 - q)[0]
    total = 0.0
    for eps in _polarisations(q, m):
        es = d.slash(eps[None, :])
        cur = np.stack([es @ d.slash(p1 - k) @ d.GAMMA[mu] / t + d.GAMMA[mu] @ d.slash(p1 - q) @ es / u
                        for mu in range(4)], axis=1)
        total += _photon_sum(cur, p1, p2)
    e2 = 4 * math.pi * c.ALPHA
    assert mp.vector_dsigma_dcos(s, m, 1.0, np.array(cos)) == pytest.approx(_to_dsigma(s, m, e2 * total), rel=1e-10, abs=0)


def test_dirac_basics():
    # Tr[gamma^mu gamma^nu] = 4 g^{mu nu}; gamma5^2 = 1
    tr = np.einsum("mij,nji->mn", d.GAMMA, d.GAMMA)
    assert np.allclose(tr, 4 * d.METRIC) and np.allclose(d.GAMMA5 @ d.GAMMA5, d.IDENTITY)


def test_acceptance_integrals_against_closed_forms():
    s, m = 108.16, 2.0
    # the diphoton total over all angles is the ALP-like alpha G^2 (1 - m^2/s)^3 / 24
    full = mp.acceptance_integral(lambda x: mp.diphoton_dsigma_dcos(s, m, 1.0, x), -1.0, 1.0)
    assert full == pytest.approx(c.ALPHA * (1 - m * m / s) ** 3 / 24, rel=1e-12, abs=0)
    # the Yukawa term integrates 1/(1 - c^2) to atanh: 48 Gauss nodes on [-0.4, 0.6] are exact to 1e-12
    got = mp.acceptance_integral(lambda x: mp.yukawa_dsigma_dcos(s, m, 1.0, x), -0.4, 0.6)
    ref = c.ALPHA * (s * s + m**4) / (2 * s * s * (s - m * m)) * (math.atanh(0.6) + math.atanh(0.4))
    assert got == pytest.approx(ref, rel=1e-12, abs=0)


def test_form_factor_at_b_factory_virtuality():
    # the electron loop at q^2 = s has rho = s/(4 m_e^2) ~ 1e8: the logarithms' arguments are computed without
    # cancellation; for a heavy S (tau -> 0) and rho tau >> 1 the loop goes to 0 like the on-shell one, and
    # F_1/2 changes smoothly with rho (two neighbouring rho within 1e-6 relative)
    tau, rho = 4 * c.M_E**2 / 0.5**2, 108.16 / (4 * c.M_E**2)
    a, b = f_half(tau, rho), f_half(tau, rho * (1 + 1e-9))
    assert math.isfinite(abs(a)) and abs(a - b) < 1e-6 * abs(a)
    assert abs(a) < 1e-3


def test_recast_of_the_dark_photon_returns_its_own_curve():
    # the method check of the issue: A' recast to the A' (no CL conversion) gives the input eps; tolerance 1e-4
    # from BR(A' -> chi chi) = 1 - O(eps^2 alpha / alpha_D) ~ 1e-5 and the bisection (1e-6)
    curve = get_limit("babar-invisible-2017")
    masses = np.array([0.01, 0.5, 2.1, 5.0, 7.5])
    rows = recast("babar-invisible-2017", get_model_spec("dark-photon"), masses, {"alpha_D": 0.5}, 10.4, -0.4, 0.6)
    expected = np.exp(np.interp(np.log(masses), np.log(curve.x), np.log(curve.y)))
    assert rows.low == pytest.approx(expected, rel=1e-4)
    assert np.all(np.isnan(rows.high))


def test_000_statements_on_where_mono_photon_bites():
    # 000 Sec. 4.4: BaBar "is not sensitive to any of the parameter space not already excluded by a_mu" (lepton- and
    # muon-specific) and Belle II (50 ab^-1) probes the a_mu-favoured region of the lepton-specific model for
    # m_S ~ 100-1000 MeV. Checked against the PDG 2016 bands of 000 eq. (1.1).
    data = get_dataset("pdg2016")
    masses = np.array([0.02, 0.1, 0.3, 1.0, 3.0])
    for name in ("scalar-lepton", "scalar-muon"):
        spec = get_model_spec(name)
        rows = get_bound("monophoton-babar").evaluate(spec, masses, BENCH)
        for m, low in zip(masses, rows.low):
            excl = model_exclusion(lambda g, m=m, spec=spec: spec.build(m, g, BENCH), data)
            assert math.isnan(low) or low > excl
    spec = get_model_spec("scalar-lepton")
    belle = get_bound("monophoton-belle2").evaluate(spec, np.array([0.3, 0.6, 1.0]), BENCH)
    for m, low in zip((0.3, 0.6, 1.0), belle.low):
        band = model_band(lambda g, m=m: spec.build(m, g, BENCH), data)
        assert low < band.high


def _levi_civita():
    eps = np.zeros((4, 4, 4, 4))
    for perm in __import__("itertools").permutations(range(4)):
        eps[perm] = np.linalg.det(np.eye(4)[list(perm)])
    return eps  # eps^{0123} = +1


@pytest.mark.parametrize("cos", [0.0, 0.5, -0.9])
def test_scalar_and_alp_s_channel_have_the_same_angular_distribution(cos):
    # 000 Sec. 4.4 finds the scalar bound weaker than the ALP one by sqrt(1.8) in BaBar's acceptance (sqrt(1.5) for
    # all angles). With a constant coupling G and massless electrons, the s-channel X F F (scalar) and X F Ftilde
    # (ALP, -(G/4) a F Ftilde) amplitudes squared agree at every angle (Dirac traces here): the angular acceptance
    # cannot produce such a factor. Not reproduced; see docs/constraints.md.
    s, m = 108.16, 1.0
    p1, p2, k, _ = _kinematics(s, m, cos)
    big_p = (p1 + p2)[0] @ d.METRIC
    k_low = k[0] @ d.METRIC
    tensor = np.einsum("mnrs,r,s->mn", _levi_civita(), big_p, k_low)  # eps^{mu nu rho sigma} P_rho k_sigma
    gamma_low = np.einsum("mk,kij->mij", d.METRIC, d.GAMMA)
    alp = np.stack([np.einsum("m,mij->ij", tensor[:, n], gamma_low)[None] / s for n in range(4)], axis=1)
    scalar = _photon_sum(_diphoton_currents(p1, p2, k, s), p1, p2)
    assert _photon_sum(alp, p1, p2) == pytest.approx(scalar, rel=1e-10)


def test_no_bound_without_invisible_decays_and_bad_inputs():
    spec = get_model_spec("scalar-lepton")  # 002 model A: no dark matter
    rows = get_bound("monophoton-babar").evaluate(spec, np.array([0.5]), {})
    assert math.isnan(rows.low[0])  # BR_inv = 0: nothing to recast
    with pytest.raises(KinematicallyForbidden):
        mp.signal_cross_section(spec.build(11.0, 1e-3), 108.16, -0.4, 0.6)
    with pytest.raises(InvalidParameter):
        mp.signal_cross_section(spec.build(1.0, 1e-3), 108.16, -1.0, 0.6)


def test_excluded_interval_edges():
    # a rate 4 g^2/(1 + g^2) saturating like g^2 BR_inv, against a limit of 2: excluded above g = 1 (bisection 1e-6)
    low, high = excluded_interval(lambda g: math.log(4 * g * g / (1 + g * g) / 2.0))
    assert low == pytest.approx(1.0, rel=1e-5) and math.isnan(high)
    low, high = excluded_interval(lambda g: min(math.log(g / 1e-3), math.log(1e-2 / g)))  # a closed region
    assert low == pytest.approx(1e-3, rel=1e-5) and high == pytest.approx(1e-2, rel=1e-5)
    assert all(math.isnan(v) for v in excluded_interval(lambda g: -1.0))
