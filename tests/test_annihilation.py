"""Annihilation cross sections of muonreach.cosmo.annihilation: traces, NR limits vs the papers, thresholds, crossing.

Paper files are in ../shared/papers/: 000 = arXiv:1807.03790 (leptophilic scalar), 001 = Gninenko & Krasnikov 2022
(e-mu scalar), 003 = Krnjaic, Rocha, Wang 2024 (inelastic DM), 004 notes = M^3 (arXiv:1804.03144). v is the
Moller (= c.m. relative) velocity; for equal masses s = 4 m^2/(1 - v^2/4) exactly.
"""

import math

import numpy as np
import pytest

from muonreach import constants as c
from muonreach.cosmo.annihilation import (
    annihilation_channels,
    dark_sector,
    poles,
    sigma_fermions_via_vector,
    vector_current_contraction,
)
from muonreach.cosmo.channels import DarkSector
from muonreach.errors import DataRangeError, InvalidParameter
from muonreach.models.dark_photon import (
    DarkPhoton,
    InelasticDM,
    hadronic_width,
    offdiagonal_vector_width,
    vector_to_fermions_width,
)
from muonreach.models.emu_scalar import EmuScalar, phi_to_fermions_width, phi_to_mu_e_width, phi_to_scalars_width
from muonreach.models.kinematics import momentum
from muonreach.models.scalar import LeptophilicScalar, scalar_to_fermions_width, scalar_to_photons_width
from muonreach.models.vector import LmuLtau, MuonVector, vector_to_neutrinos_width, vector_width_from_coupling

ALPHA, E = c.ALPHA, c.E_CHARGE


def approx(expected, rel):
    """pytest.approx with abs=0: the cross sections are ~1e-20 GeV^-2, far below pytest's default abs=1e-12."""
    return pytest.approx(expected, rel=rel, abs=0)


def s_of_v(m: float, v: float) -> float:
    """Equal masses: v = 2 beta, s = 4 m^2/(1 - v^2/4) (exact)."""
    return 4 * m * m / (1 - v * v / 4)


def nr_point(m1: float, m2: float, p: float) -> tuple[float, float]:
    """(s, v) for c.m. momentum p: s = (E1 + E2)^2, v = p sqrt(s)/(E1 E2) (Moller velocity in the c.m. frame)."""
    e1, e2 = math.hypot(m1, p), math.hypot(m2, p)
    s = (e1 + e2) ** 2
    return s, p * math.sqrt(s) / (e1 * e2)


def total(sector: DarkSector, pair=(0, 0)):
    return sector.cross_sections[pair]


def channel(model, name, pair=(0, 0), width="constant"):
    return annihilation_channels(model, width)[pair][name]


def bw(s: float, model) -> float:
    return 1.0 / ((s - model.mass**2) ** 2 + (model.mass * model.total_width) ** 2)


# --- explicit Dirac matrices (Dirac representation), metric (+,-,-,-) -----------------------------------------
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_SIGMA = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
GAMMA = np.array([np.block([[_I2, _Z2], [_Z2, -_I2]])] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIGMA])
G5 = 1j * GAMMA[0] @ GAMMA[1] @ GAMMA[2] @ GAMMA[3]
PL, PR = (np.eye(4) - G5) / 2, (np.eye(4) + G5) / 2
METRIC = np.diag([1.0, -1.0, -1.0, -1.0])
ONE = np.eye(4)


def slash(p):
    return np.einsum("m,mij->ij", METRIC @ p, GAMMA)


def bar(gam):
    return GAMMA[0] @ gam.conj().T @ GAMMA[0]


def spin_tensor(pa, ma, gammas, pb, mb):
    """T^{ij} = Tr[(pa/ + ma) G^i (pb/ + mb) Gbar^j]: sum over spins of (wbar_a G^i w_b)(wbar_a G^j w_b)^*.

    For an antiparticle spinor pass the mass with a minus sign (v vbar = p/ - m).
    """
    a, b = slash(pa) + ma * ONE, slash(pb) + mb * ONE
    return np.array([[np.trace(a @ gi @ b @ bar(gj)) for gj in gammas] for gi in gammas])


def cm_momenta(s, m1, m2, mf1, mf2, cos_t, phi=0.3):
    """p1 (+z), p2, k1 (at angle theta), k2 in the c.m. frame."""
    root = math.sqrt(s)
    p, k = momentum(root, m1, m2), momentum(root, mf1, mf2)
    sin_t = math.sqrt(1 - cos_t**2)
    n = np.array([sin_t * math.cos(phi), sin_t * math.sin(phi), cos_t])
    four = lambda m, v: np.array([math.sqrt(m * m + v @ v), *v])
    z = np.array([0.0, 0.0, 1.0])
    return four(m1, p * z), four(m2, -p * z), four(mf1, k * n), four(mf2, -k * n), p, k


def sigma_from_traces(s, m1, m2, mf1, mf2, msq, dof=4):
    """sigma = (1/dof) int dOmega sum|M|^2 k/(64 pi^2 s p), 8-point Gauss-Legendre in cos(theta) (|M|^2 is quadratic)."""
    x, w = np.polynomial.legendre.leggauss(8)
    vals = []
    for cos_t in x:
        p1, p2, k1, k2, p, k = cm_momenta(s, m1, m2, mf1, mf2, cos_t)
        vals.append(msq(p1, p2, k1, k2))
    return 2 * math.pi * float(np.dot(w, vals)) * k / (64 * math.pi**2 * s * p) / dof


def vector_msq(m1, m2, m_f, chiral=False):
    """sum|M|^2 / (g_dm g_f)^2 / P for [vbar(p2) g^mu u(p1)] [ubar(k1) g_mu (P_L) v(k2)], by explicit traces."""
    gam_f = [g @ PL for g in GAMMA] if chiral else list(GAMMA)

    def msq(p1, p2, k1, k2):
        lchi = spin_tensor(p2, -m2, list(GAMMA), p1, m1)
        lf = spin_tensor(k1, m_f, gam_f, k2, -m_f)
        return np.einsum("mn,ma,nb,ab->", lchi, METRIC, METRIC, lf).real

    return msq


# --- 1. Dirac trace checks ------------------------------------------------------------------------------------


def test_vector_contraction_matches_explicit_traces_at_random_points():
    # The closed form in vector_current_contraction is an algebraic identity for arbitrary four-vectors and
    # masses: compare with explicit 4x4 Dirac matrices at random points. Tolerance 1e-10: rounding only.
    rng = np.random.default_rng(20240611)
    for _ in range(20):
        p1, p2, k1, k2 = rng.normal(size=(4, 4))
        m1, m2, mf = rng.uniform(0.1, 2.0, size=3)
        explicit = vector_msq(m1, m2, mf)(p1, p2, k1, k2)
        assert 16 * vector_current_contraction(p1, p2, k1, k2, m1, m2, mf) == pytest.approx(explicit, rel=1e-10, abs=1e-10)  # O(1) numbers


@pytest.mark.parametrize(
    "m1,m2,m_f,s",
    [(0.3, 0.3, c.M_MU, 0.5), (0.3, 0.33, c.M_MU, 0.6), (1.0, 1.4, c.M_TAU, 9.0), (0.05, 0.2, c.M_E, 0.07)],
)
def test_vector_sigma_from_traces(m1, m2, m_f, s):
    # sigma_fermions_via_vector (angular integral done by hand, unequal masses) vs explicit traces integrated
    # numerically over the angle: checks the |M|^2, its angular average, the flux and phase space. Tolerance 1e-10.
    prop = lambda x: np.ones_like(x)
    expected = sigma_from_traces(s, m1, m2, m_f, m_f, vector_msq(m1, m2, m_f))
    assert sigma_fermions_via_vector(np.array([s]), m1, m2, 1.0, 1.0, m_f, prop)[0] == approx(expected, rel=1e-10)


def test_neutrino_helicity_fraction_from_traces():
    # nubar gamma P_L nu: the gamma5 (epsilon-tensor) part drops against the symmetric dark tensor and the rest
    # is half of the vector trace: helicity_fraction = 1/2. Explicit traces with P_L; tolerance 1e-10.
    m, s = 0.4, 1.1
    prop = lambda x: np.ones_like(x)
    expected = sigma_from_traces(s, m, m, 0.0, 0.0, vector_msq(m, m, 0.0, chiral=True))
    assert sigma_fermions_via_vector(np.array([s]), m, m, 1.0, 1.0, 0.0, prop, 0.5)[0] == approx(expected, rel=1e-10)


def test_leptophilic_lepton_channel_from_traces():
    # [vbar(p2) u(p1)][ubar(k1) v(k2)] with couplings g_chi, g_mu: explicit traces vs the closed form
    # g_chi^2 g_l^2 s beta_chi beta_l^3 P/(16 pi). Tolerance 1e-10.
    model = LeptophilicScalar.muon_specific(0.9, 2e-3, g_chi=0.7, m_chi=0.2)
    s = 0.5

    def msq(p1, p2, k1, k2):
        chi = spin_tensor(p2, -0.2, [ONE], p1, 0.2)[0, 0].real
        lep = spin_tensor(k1, c.M_MU, [ONE], k2, -c.M_MU)[0, 0].real
        return (0.7 * 2e-3) ** 2 * chi * lep * bw(s, model)

    expected = sigma_from_traces(s, 0.2, 0.2, c.M_MU, c.M_MU, msq)
    assert channel(model, "mu_mu")(np.array([s]))[0] == approx(expected, rel=1e-10)


@pytest.mark.parametrize("m1,m2,s", [(0.5, 0.5, 1.2), (0.4, 0.7, 1.5)])
def test_emu_fermion_channel_from_traces(m1, m2, s):
    # psi1(p1) anti-psi2(p2) -> phi* -> e-(k1) mu+(k2): [vbar_2 u_1][ubar_e P_R v_mu] with g, h (001 eqs. (2),
    # (11)): the chirality kills the m_e m_mu term. Explicit traces with P_R; tolerance 1e-10.
    model = EmuScalar(3.0, h_mue=3e-3, dm="fermion", g_dm=0.2, m1=m1, m2=m2)

    def msq(p1, p2, k1, k2):
        chi = spin_tensor(p2, -m2, [ONE], p1, m1)[0, 0].real
        lep = spin_tensor(k1, c.M_E, [PR], k2, -c.M_MU)[0, 0].real
        return (0.2 * 3e-3) ** 2 * chi * lep * bw(s, model)

    expected = sigma_from_traces(s, m1, m2, c.M_E, c.M_MU, msq)
    assert total(dark_sector(model), (0, 1))(np.array([s]))[0] == approx(expected, rel=1e-10)


def test_emu_scalar_dm_channel_from_traces():
    # s1 s2 -> phi* -> e+ mu-: |M|^2 = g^2 h^2 Tr[(k1/ + m_e) P_R (k2/ - m_mu) P_L] P, no spin average
    # (dof = 1 each). Tolerance 1e-10.
    m1, m2, s = 0.3, 0.45, 0.9
    model = EmuScalar(1.2, h_mue=3e-3, dm="scalar", g_dm=0.05, m1=m1, m2=m2)

    def msq(p1, p2, k1, k2):
        return (0.05 * 3e-3) ** 2 * spin_tensor(k1, c.M_E, [PR], k2, -c.M_MU)[0, 0].real * bw(s, model)

    expected = sigma_from_traces(s, m1, m2, c.M_E, c.M_MU, msq, dof=1)
    assert total(dark_sector(model), (0, 1))(np.array([s]))[0] == approx(expected, rel=1e-10)


# --- 2. non-relativistic limits: hand-derived a + b v^2 and the papers ---------------------------------------------


@pytest.mark.parametrize("lepton,ms,mchi", [("mu", 1.0, 1 / 3), ("e", 0.3, 0.1), ("tau", 10.0, 3.0), ("mu", 0.5, 0.4)])
def test_leptophilic_p_wave_coefficient(lepton, ms, mchi):
    # Hand derivation: sigma v = b v^2 + O(v^4), b = g_chi^2 g_l^2 (m^2 - m_l^2)^(3/2) P(4 m^2)/(8 pi m).
    # 000 eq. (2.7) prints g_D^2 g_l^2 (m^2 - m_l^2)^(3/2)/(m (m_S^2 - 4 m^2)^2) <v^2> "roughly": the exact
    # coefficient is 1/(8 pi) (with P -> 1/(m_S^2 - 4m^2)^2 when Gamma << |m_S^2 - 4 m^2|/m_S). The last
    # case has m_chi > m_S/2 (the cross section must hold for any m_chi). Tolerance 1e-5 at v = 1e-3: the
    # O(v^2) relative corrections are ~1e-6.
    model = LeptophilicScalar(ms, g_e=1e-3, g_mu=2e-3, g_tau=3e-3, g_chi=0.8, m_chi=mchi)
    g_l, m_l = model.lepton_couplings[lepton], c.LEPTON_MASSES[lepton]
    v = 1e-3
    sv = channel(model, f"{lepton}_{lepton}")(np.array([s_of_v(mchi, v)]))[0] * v
    b = 0.8**2 * g_l**2 * (mchi**2 - m_l**2) ** 1.5 * bw(4 * mchi**2, model) / (8 * math.pi * mchi)
    assert sv / v**2 == approx(b, rel=1e-5)
    paper_27 = 0.8**2 * g_l**2 * (mchi**2 - m_l**2) ** 1.5 / (mchi * (ms**2 - 4 * mchi**2) ** 2)
    gamma_term = (ms * model.total_width / (ms**2 - 4 * mchi**2)) ** 2  # < 3e-4 here
    assert sv / v**2 == approx(paper_27 / (8 * math.pi), rel=1e-5 + 2 * gamma_term)


def test_leptophilic_scaling_of_000_eq_2_7():
    # 000 eq. (2.7): b ~ g_chi^2 g_l^2 (m^2 - m_l^2)^(3/2)/(m (m_S^2 - 4 m^2)^2). Scale g_chi, g_mu, m_chi and
    # m_S and compare ratios (widths kept negligible: g_chi = 0.1). Tolerance 1e-4: O(Gamma^2, v^2) terms.
    v = 1e-3

    def b(g_chi, g_mu, ms, m):
        model = LeptophilicScalar.muon_specific(ms, g_mu, g_chi=g_chi, m_chi=m)
        return channel(model, "mu_mu")(np.array([s_of_v(m, v)]))[0] * v / v**2

    def formula(g_chi, g_mu, ms, m):
        return g_chi**2 * g_mu**2 * (m**2 - c.M_MU**2) ** 1.5 / (m * (ms**2 - 4 * m**2) ** 2)

    ref = (0.1, 1e-3, 1.0, 0.3)
    for args in [(0.2, 1e-3, 1.0, 0.3), (0.1, 5e-3, 1.0, 0.3), (0.1, 1e-3, 2.5, 0.3), (0.1, 1e-3, 1.0, 0.15)]:
        assert b(*args) / b(*ref) == approx(formula(*args) / formula(*ref), rel=1e-4)


def test_diphoton_p_wave_coefficient():
    # sigma(chi chibar -> gamma gamma) = g_chi^2 beta sqrt(s) Gamma_gg(sqrt s) P/2 (spin-0 factorisation), so
    # b = g_chi^2 m Gamma_gg(2 m) P(4 m^2)/2 with Gamma_gg of 002 eq. (5) at mass 2 m (F_1/2 at p_S^2 = 4 m^2).
    # Tolerance 1e-5 at v = 1e-3.
    model = LeptophilicScalar.lepton_specific(0.5, 1e-3, g_chi=1.0, m_chi=0.2)
    v = 1e-3
    sv = channel(model, "gamma_gamma")(np.array([s_of_v(0.2, v)]))[0] * v
    g_gg = scalar_to_photons_width(0.4, model.lepton_couplings)
    assert sv / v**2 == approx(0.2 * g_gg * bw(0.16, model) / 2, rel=1e-5)


def test_diphoton_uses_form_factor_at_s_not_at_the_pole():
    # Off the pole the effective coupling is F_1/2(4 m_l^2/s, 0), not F_1/2(4 m_l^2/m_S^2, 0): the ratio to the
    # lepton channel at two s values follows Gamma_gg(sqrt s)/Gamma_mumu(sqrt s). Tolerance 1e-10.
    model = LeptophilicScalar.muon_specific(0.6, 1e-3, g_chi=1.0, m_chi=0.15)
    for s in (0.1, 0.5, 2.0):
        ratio = channel(model, "gamma_gamma")(np.array([s]))[0] / channel(model, "mu_mu")(np.array([s]))[0]
        root = math.sqrt(s)
        expected = scalar_to_photons_width(root, model.lepton_couplings) / scalar_to_fermions_width(root, 1e-3, c.M_MU)
        assert ratio == approx(expected, rel=1e-10)


@pytest.mark.parametrize("m1,m2", [(1.0, 1.0), (0.6, 0.9), (2.0, 2.3)])
def test_emu_scalars_s_wave_is_001_eqs_15_16(m1, m2):
    # 001 eq. (15) with eq. (16): sigma v = |M|_1^2 p_ecm/(16 pi (m1 + m2) m1 m2), exact at v -> 0 for any
    # masses (p_ecm = e momentum at sqrt s = m1 + m2). At p = 1e-4 GeV the O(v^2) terms are < 1e-7.
    # Tolerance 1e-6.
    model = EmuScalar(8.0, h_mue=3.3e-3, dm="scalar", g_dm=0.4, m1=m1, m2=m2)
    s, v = nr_point(m1, m2, 1e-4)
    sv = total(dark_sector(model), (0, 1))(np.array([s]))[0] * v
    big = m1 + m2
    msq1 = 0.4**2 * 3.3e-3**2 * (big**2 - c.M_E**2 - c.M_MU**2) / (8.0**2 - big**2) ** 2
    p_e = momentum(big, c.M_E, c.M_MU)
    assert sv == approx(msq1 * p_e / (16 * math.pi * big * m1 * m2), rel=1e-6)


def test_emu_scalars_001_eq_17():
    # 001 eq. (17), m1 = m2 >> m_mu: sigma v = h^2 g^2/(8 pi (m_phi^2 - 4 m1^2)^2) for ONE charge combination
    # (s1 s2 -> e+ mu-); corrections O(m_mu^2/m1^2) = 1e-4 at m1 = 10 GeV; phi width term (Gamma/M)^2 ~ 1e-12.
    # Tolerance 5e-4.
    model = EmuScalar(30.0, h_mue=3.3e-3, dm="scalar", g_dm=2.0, m1=10.0)
    v = 1e-4
    sv = total(dark_sector(model), (0, 1))(np.array([s_of_v(10.0, v)]))[0] * v
    assert sv == approx(3.3e-3**2 * 2.0**2 / (8 * math.pi * (30.0**2 - 400.0) ** 2), rel=5e-4)


@pytest.mark.parametrize("m1,m2", [(1.0, 1.0), (0.6, 0.9)])
def test_emu_fermions_p_wave_is_001_eqs_15_18(m1, m2):
    # 001 eq. (15) with eq. (18) (spin-averaged |M|_2^2 ~ m1 m2 v^2): the v^2 coefficient for ONE charge
    # combination (psi1 anti-psi2 -> e- mu+) agrees exactly. Tolerance 1e-6 at p = 1e-4 GeV (the O(v^2) relative
    # remainder is ~3 v^2 ~ 1e-7).
    model = EmuScalar(8.0, h_mue=3.3e-3, dm="fermion", g_dm=0.3, m1=m1, m2=m2)
    s, v = nr_point(m1, m2, 1e-4)
    sv = total(dark_sector(model), (0, 1))(np.array([s]))[0] * v
    big = m1 + m2
    # the paper's 1/(m_phi^2 - (m1 + m2)^2)^2 with the Breit-Wigner width term added (here (M Gamma)^2 / (M^2 -
    # S^2)^2 = 1.4e-5: phi -> psi1 psi2 at g = 0.3 is not negligible at this tolerance)
    msq2_over_v2 = 0.3**2 / 2 * 3.3e-3**2 * (big**2 - c.M_E**2 - c.M_MU**2) * m1 * m2 * bw(big**2, model)
    p_e = momentum(big, c.M_E, c.M_MU)
    assert sv / v**2 == approx(msq2_over_v2 * p_e / (16 * math.pi * big * m1 * m2), rel=1e-6)


def test_emu_fermions_001_eq_19_is_the_sum_of_two_initial_states():
    # 001 eq. (19): sigma_tot v = h^2 g^2 m1^2 v^2/(8 pi (m_phi^2 - 4 m1^2)^2), the SUM of psi1 psi2bar -> e- mu+
    # and psi1bar psi2 -> e+ mu-. Our sigma_01 is one initial state: exactly half. m1 = m2 = 10 GeV >> m_mu
    # (corrections 1e-4). Tolerance 5e-4.
    model = EmuScalar(30.0, h_mue=3.3e-3, dm="fermion", g_dm=0.5, m1=10.0)
    v = 1e-3
    sv = total(dark_sector(model), (0, 1))(np.array([s_of_v(10.0, v)]))[0] * v
    eq19 = 3.3e-3**2 * 0.5**2 * 100.0 * v**2 / (8 * math.pi * (900.0 - 400.0) ** 2)
    assert sv == approx(eq19 / 2, rel=5e-4)


@pytest.mark.parametrize("lepton", ["e", "mu", "tau"])
def test_dirac_vector_a_plus_b_v2(lepton):
    # Hand derivation for Dirac chi chibar -> V* -> l l (sigma v = K (s + 2m^2)(s + 2m_l^2) beta_l P/s,
    # K = g^2 g_l^2/(6 pi), s = 4 m^2 + m^2 v^2 + O(v^4)):
    #   a = g^2 g_l^2 (2 m^2 + m_l^2) sqrt(1 - m_l^2/m^2) P0/(2 pi),
    #   b/a = m^2 [1/(6m^2) + 1/(4m^2 + 2m_l^2) + m_l^2/(8 m^2 (m^2 - m_l^2)) - 1/(4m^2) + 2 (M^2 - 4m^2) P0].
    # Dark photon, m_chi = 2 GeV, m_A' = 5 GeV. Tolerance 1e-6 on a (v = 1e-4), 1e-3 on b (from v = 0.02,
    # O(v^2) relative remainder 4e-4).
    model = DarkPhoton(5.0, eps=1e-3, alpha_D=0.3, m_chi=2.0)
    m, m_l = 2.0, c.LEPTON_MASSES[lepton]
    g2 = 4 * math.pi * 0.3 * (1e-3 * E) ** 2
    p0 = bw(4 * m * m, model)
    a = g2 * (2 * m * m + m_l**2) * math.sqrt(1 - m_l**2 / m**2) * p0 / (2 * math.pi)
    b_over_a = m * m * (
        1 / (6 * m * m) + 1 / (4 * m * m + 2 * m_l**2) + m_l**2 / (8 * m * m * (m * m - m_l**2)) - 1 / (4 * m * m)
        + 2 * (5.0**2 - 4 * m * m) * p0
    )
    sig = channel(model, f"{lepton}_{lepton}")
    assert sig(np.array([s_of_v(m, 1e-4)]))[0] * 1e-4 == approx(a, rel=1e-6)
    v = 0.02
    assert (sig(np.array([s_of_v(m, v)]))[0] * v - a) / (a * v * v) == approx(b_over_a, rel=1e-3)


@pytest.mark.parametrize("m1,delta", [(0.5, 0.0), (0.5, 0.05), (0.3, 0.2)])
def test_inelastic_s_wave_exact(m1, delta):
    # Hand derivation: a = 4 pi alpha eps^2 alpha_D (S^2 + 2 m_f^2) sqrt(1 - 4 m_f^2/S^2) P(S^2), S = m1 + m2,
    # for any splitting. Tolerance 1e-6 at p = 1e-4 GeV.
    model = InelasticDM(2.0, eps=1e-3, m1=m1, splitting=delta, alpha_D=0.1)
    s, v = nr_point(m1, m1 + delta, 1e-4)
    big2 = (2 * m1 + delta) ** 2
    for lepton in ("e", "mu"):
        m_f = c.LEPTON_MASSES[lepton]
        a = 4 * math.pi * ALPHA * 1e-6 * 0.1 * (big2 + 2 * m_f**2) * math.sqrt(1 - 4 * m_f**2 / big2) * bw(big2, model)
        assert channel(model, f"{lepton}_{lepton}", (0, 1))(np.array([s]))[0] * v == approx(a, rel=1e-6)


def test_inelastic_003_eq_2_limit_and_scaling():
    # 003 eq. (2): sigma v ~ eps^2 alpha_D m1^2/m_A'^4 = y/m1^2 for m_A' >> m1 >> Delta, m_f. Exact
    # coefficient: 16 pi alpha = 0.36680 per unit-charge fermion. m1 = 0.3 GeV, Delta/m1 = 1e-3, m_A' = 30 GeV,
    # e+e- only, alpha_D = 0.02: corrections 2 S^2/m_A'^2 = 8e-4 (propagator), Delta/m1 = 1e-3, (Gamma/m_A')^2
    # = 4e-5. Tolerance 3e-3. (At alpha_D = 0.5 the A' is broad, Gamma/m_A' = 0.17, and the width term alone
    # lowers sigma v by 2.8%: the "limit" needs Gamma << m_A' too.)
    m1, m_a, ad0 = 0.3, 30.0, 0.02

    def sv_of(eps, ad, mm1, ma):
        model = InelasticDM(ma, eps=eps, m1=mm1, splitting=mm1 * 1e-3, alpha_D=ad)
        s, v = nr_point(mm1, mm1 * 1.001, 1e-5)
        return channel(model, "e_e", (0, 1))(np.array([s]))[0] * v

    sv = sv_of(1e-4, ad0, m1, m_a)
    y = 1e-8 * ad0 * (m1 / m_a) ** 4
    assert 16 * math.pi * ALPHA == approx(0.36680, rel=1e-4)
    assert sv == approx(16 * math.pi * ALPHA * y / m1**2, rel=3e-3)
    # scaling in eps^2 alpha_D m1^2/m_A'^4: exact in eps, in alpha_D up to (Gamma/M)^2, masses up to O(m1^2/m_A'^2)
    for eps, ad, mm1, ma in [(2e-4, ad0, 0.3, 30.0), (1e-4, 0.005, 0.3, 30.0), (1e-4, ad0, 0.15, 30.0), (1e-4, ad0, 0.3, 20.0)]:
        expected = (eps / 1e-4) ** 2 * (ad / ad0) * (mm1 / m1) ** 2 * (m_a / ma) ** 4
        assert sv_of(eps, ad, mm1, ma) / sv == approx(expected, rel=3e-3)


def test_lmu_ltau_y_normalisation():
    # M^3 (004 notes S2): y = g_chi^2 g'^2 (m_chi/m_Z')^4. Hand derivation: per charged lepton a -> y/(pi m^2)
    # for m_Z' >> m_chi >> m_l; each neutrino flavour gives half (one helicity). m = 10 GeV, m_Z' = 1000 GeV:
    # corrections m_tau^2/(2 m^2) = 1.6e-2 for taus, 8 m^2/m_Z'^2 = 8e-4 from the propagator. Tolerances 1e-3
    # (mu, nu) and 2e-2 (tau, the exact (1 + m_tau^2/(2 m^2)) sqrt(1 - m_tau^2/m^2) is tested instead at 1e-3).
    m, mz = 10.0, 1000.0
    model = LmuLtau(mz, g=0.01, g_chi=0.5, m_chi=m, loop_mixing=False)
    y = 0.5**2 * 0.01**2 * (m / mz) ** 4
    s = s_of_v(m, 1e-4)
    chans = annihilation_channels(model)[(0, 0)]
    sv = {k: ch(np.array([s]))[0] * 1e-4 for k, ch in chans.items()}
    unit = y / (math.pi * m * m)
    assert sv["mu_mu"] == approx(unit, rel=1e-3)
    r = c.M_TAU**2 / m**2
    assert sv["tau_tau"] == approx(unit * (1 + r / 2) * math.sqrt(1 - r), rel=1e-3)
    assert sv["nu_mu_nu_mu"] == approx(unit / 2, rel=1e-3)
    assert sv["nu_tau_nu_tau"] == approx(unit / 2, rel=1e-3)


# --- 3. thresholds --------------------------------------------------------------------------------------------------


def test_lepton_channels_vanish_exactly_below_their_thresholds():
    # A channel closed below 4 m_f^2 gives exactly 0.0 (contract), and > 0 just above.
    model = LeptophilicScalar.lepton_specific(0.5, 1e-3, g_chi=1.0, m_chi=0.06)
    mu = channel(model, "mu_mu")
    thr = 4 * c.M_MU**2
    below = np.array([4 * 0.06**2 * 1.0001, thr * (1 - 1e-12), thr])
    assert np.all(mu(below) == 0.0)
    assert mu(np.array([thr * (1 + 1e-6)]))[0] > 0.0
    assert channel(model, "e_e")(below[:1])[0] > 0.0
    dp = DarkPhoton(1.0, eps=1e-3, alpha_D=0.1, m_chi=0.06)
    tau = channel(dp, "tau_tau")
    assert np.all(tau(np.array([1.0, 4 * c.M_TAU**2])) == 0.0)
    assert np.all(channel(dp, "hadrons")(np.array([0.2818**2 * 0.999])) == 0.0)  # R = 0 below the table


def test_everything_vanishes_at_and_below_the_initial_threshold():
    # sigma_ij = 0 for s <= (m_i + m_j)^2 (and for s <= 0) in every sector.
    models = [
        LeptophilicScalar.lepton_specific(0.5, 1e-3, g_chi=1.0, m_chi=0.2),
        EmuScalar(1.0, h_mue=3e-3, dm="fermion", g_dm=0.1, m1=0.3, m2=0.35),
        EmuScalar(1.0, h_mue=3e-3, dm="scalar", g_dm=0.1, m1=0.3),
        InelasticDM(1.0, eps=1e-3, m1=0.3, splitting=0.03),
        DarkPhoton(1.0, eps=1e-3, alpha_D=0.1, m_chi=0.3),
        LmuLtau(1.0, g=1e-3, g_chi=0.1, m_chi=0.3),
        MuonVector(1.0, g_mu=1e-3, eps=1e-4, g_chi=0.1, m_chi=0.3),
    ]
    for model in models:
        sector = dark_sector(model)
        for (i, j), sig in sector.cross_sections.items():
            thr = (sector.states[i].mass + sector.states[j].mass) ** 2
            assert np.all(sig(np.array([-1.0, 0.0, 0.5 * thr, thr])) == 0.0)
            assert sig(np.array([thr * 1.01]))[0] > 0.0


# --- 4. crossing: sigma = (4 pi g_J s/p_i^2) Gamma_in(sqrt s) Gamma_out(sqrt s) P(s) ----------------------------------


def factorised(s, p_i, g_j, gamma_in, gamma_out, model):
    """Exact s-channel factorisation (widths of a mediator of mass sqrt s); -> the Breit-Wigner formula at the peak."""
    return 4 * math.pi * g_j * s * gamma_in * gamma_out * bw(s, model) / p_i**2


@pytest.mark.parametrize("s", [0.25, 0.8, 1.0, 3.0])
def test_crossing_leptophilic(s):
    # spin 0, Dirac chi: g_J = 1/4. Gamma_in = Gamma(S(sqrt s) -> chi chibar), Gamma_out = Gamma(S(sqrt s) -> X)
    # from models/scalar.py. Exact identity: tolerance 1e-10.
    model = LeptophilicScalar.lepton_specific(1.0, 1e-3, g_chi=0.5, m_chi=0.12)
    root = math.sqrt(s)
    g_in = scalar_to_fermions_width(root, 0.5, 0.12)
    p_i = momentum(root, 0.12, 0.12)
    for name, g_out in [
        ("mu_mu", scalar_to_fermions_width(root, 1e-3, c.M_MU)),
        ("e_e", scalar_to_fermions_width(root, model.g_e, c.M_E)),
        ("gamma_gamma", scalar_to_photons_width(root, model.lepton_couplings)),
    ]:
        assert channel(model, name)(np.array([s]))[0] == approx(factorised(s, p_i, 0.25, g_in, g_out, model), rel=1e-10)


@pytest.mark.parametrize("m1,delta,s", [(0.3, 0.0, 0.5), (0.3, 0.06, 0.7), (0.2, 0.3, 2.0), (0.1, 0.02, 1.0)])
def test_crossing_vector(m1, delta, s):
    # spin 1, spin-1/2 pair: g_J = 3/4. Exact for unequal masses too: the angular-integrated lepton tensor is
    # transverse, so it projects the dark tensor on -g + k k/s, the polarisation sum of the width
    # offdiagonal_vector_width at mass sqrt s. Hadrons: Gamma_out = eps^2 alpha sqrt(s) R(sqrt s)/3.
    # Tolerance 1e-10 (identity).
    model = InelasticDM(1.0, eps=1e-3, m1=m1, splitting=delta, alpha_D=0.2)
    root, m2 = math.sqrt(s), m1 + delta
    g_in = offdiagonal_vector_width(root, 0.2, m1, m2)
    p_i = momentum(root, m1, m2)
    for name, g_out in [
        ("mu_mu", vector_to_fermions_width(root, 1e-6 * ALPHA, c.M_MU)),
        ("e_e", vector_to_fermions_width(root, 1e-6 * ALPHA, c.M_E)),
        ("hadrons", hadronic_width(root, 1e-3)),
    ]:
        assert channel(model, name, (0, 1))(np.array([s]))[0] == approx(
            factorised(s, p_i, 0.75, g_in, g_out, model), rel=1e-10
        )


def test_crossing_lmu_ltau_neutrinos_and_emu():
    # L_mu - L_tau: Gamma_out(nu) = g^2 sqrt(s)/(24 pi) per flavour; e-mu scalar: spin 0, g_J = 1/4 (fermions)
    # and 1 (scalars), Gamma_in/out from models/emu_scalar.py. Tolerance 1e-10 (identity).
    s = 1.3
    root = math.sqrt(s)
    z = LmuLtau(1.0, g=2e-3, g_chi=0.3, m_chi=0.25)
    g_in = vector_width_from_coupling(root, 0.3, 0.25)
    p_i = momentum(root, 0.25, 0.25)
    nu = factorised(s, p_i, 0.75, g_in, vector_to_neutrinos_width(root, 2e-3), z)
    assert channel(z, "nu_tau_nu_tau")(np.array([s]))[0] == approx(nu, rel=1e-10)
    f = EmuScalar(1.0, h_mue=3e-3, dm="fermion", g_dm=0.2, m1=0.25, m2=0.3)
    p_i = momentum(root, 0.25, 0.3)
    expected = factorised(s, p_i, 0.25, phi_to_fermions_width(root, 0.2, 0.25, 0.3), phi_to_mu_e_width(root, 3e-3), f)
    assert total(dark_sector(f), (0, 1))(np.array([s]))[0] == approx(expected, rel=1e-10)
    sc = EmuScalar(1.0, h_mue=3e-3, dm="scalar", g_dm=0.2, m1=0.25, m2=0.3)
    expected = factorised(s, p_i, 1.0, phi_to_scalars_width(root, 0.2, 0.25, 0.3), phi_to_mu_e_width(root, 3e-3), sc)
    assert total(dark_sector(sc), (0, 1))(np.array([s]))[0] == approx(expected, rel=1e-10)


@pytest.mark.parametrize(
    "model,name,g_j,gamma_in",
    [
        (DarkPhoton(1.0, eps=1e-3, alpha_D=0.01, m_chi=0.3), "mu_mu", 0.75, "chi_chi"),
        (LeptophilicScalar.muon_specific(1.0, 2e-3, g_chi=0.3, m_chi=0.3), "mu_mu", 0.25, "chi_chi"),
        (InelasticDM(1.0, eps=1e-3, m1=0.3, splitting=0.05, alpha_D=0.01), "mu_mu", 0.75, "chi1_chi2"),
        (EmuScalar(1.0, h_mue=3e-3, dm="fermion", g_dm=0.1, m1=0.3, m2=0.35), "e_mu", 0.25, "psi1_psi2"),
    ],
)
def test_narrow_width_relation_near_the_peak(model, name, g_j, gamma_in):
    # Standard resonance formula with the widths AT THE POLE (PDG "Cross-section formulae for specific
    # processes"): sigma = (4 pi/k^2) (2J+1)/((2s1+1)(2s2+1)) (Gamma_in Gamma_out/4)/((E - M)^2 + Gamma^2/4),
    # k the c.m. momentum. Within |E - M| <= Gamma it differs from the full result by O(Gamma/M)/beta^2
    # (here Gamma/M = 2e-4 .. 3e-3; observed <= 1.1% at E = M -+ Gamma): tolerance 3%. At E = M the two are
    # the same expression: tolerance 1e-10.
    widths = model.partial_widths()
    gam = model.total_width
    out = {"mu_mu": "mu_mu", "e_mu": "mu_e"}[name]
    pair = (0, 0) if len(dark_sector(model).states) == 1 else (0, 1)
    states = dark_sector(model).states
    m1, m2 = states[0].mass, states[-1].mass
    for shift in (-1.0, -0.5, 0.0, 0.5, 1.0):
        e = model.mass + shift * gam
        k = momentum(e, m1, m2)
        nw = 4 * math.pi / k**2 * g_j * widths[gamma_in] * widths[out] / 4 / ((e - model.mass) ** 2 + gam**2 / 4)
        assert channel(model, name, pair)(np.array([e * e]))[0] == approx(nw, rel=1e-10 if shift == 0.0 else 0.03)


# --- 5. width schemes, vectorisation, dispatcher, errors -------------------------------------------------------------


def test_running_width_agrees_at_the_pole_and_differs_by_percent_across_it():
    # 000 eq. (2.9) benchmark m_chi = m_S/(2 sqrt(1 + eps_R)), eps_R = 0.1, g_chi = 1, g_mu = 1e-3: the width
    # (Gamma/M = 1.1e-3) is Gamma(S -> chi chibar) ~ beta_chi^3 with beta_chi^2 = 0.09, so sqrt(s) Gamma(sqrt s)
    # changes by ~ 1.5 (Gamma/M)/beta^2 = 1.8% over |s - M^2| = M Gamma (docs/annihilation.md). Identical at
    # s = M^2 (tolerance 1e-12); at s = M^2 -+ M Gamma the ratio running/constant is 1.0176 and 0.9827 (pinned
    # to 1e-3).
    ms = 1.0
    model = LeptophilicScalar.muon_specific(ms, 1e-3, g_chi=1.0, m_chi=ms / (2 * math.sqrt(1.1)))
    gam = model.total_width
    s = np.array([ms**2 - ms * gam, ms**2, ms**2 + ms * gam])
    ratio = total(dark_sector(model, width="running"))(s) / total(dark_sector(model))(s)
    assert ratio[1] == approx(1.0, rel=1e-12)
    assert ratio[0] == approx(1.0176, rel=1e-3)
    assert ratio[2] == approx(0.9827, rel=1e-3)


def test_vectorised_over_s_any_shape():
    # Array in, array out, same shape; equal to element-wise calls (exactly: same floating-point operations).
    model = LeptophilicScalar.lepton_specific(0.5, 1e-3, g_chi=1.0, m_chi=0.2)
    sig = total(dark_sector(model))
    grid = np.linspace(0.1, 2.0, 12).reshape(3, 4)
    out = sig(grid)
    assert out.shape == (3, 4)
    assert np.array_equal(out.ravel(), np.array([sig(np.array([x]))[0] for x in grid.ravel()]))
    assert np.ndim(sig(0.5)) == 0 and float(sig(0.5)) == approx(float(sig(np.array([0.5]))[0]), rel=0)


def test_contract_states_and_pairs():
    # DarkState(name, mass, dof, self_conjugate) per the contract in cosmo/channels.py; pairs listed with i <= j.
    ds = dark_sector(LeptophilicScalar.muon_specific(1.0, 1e-3, g_chi=1.0, m_chi=0.3))
    assert [(s.name, s.mass, s.dof, s.self_conjugate) for s in ds.states] == [("chi", 0.3, 2, False)]
    assert list(ds.cross_sections) == [(0, 0)]
    ds = dark_sector(InelasticDM(1.0, eps=1e-3, m1=0.3, splitting=0.03))
    assert [(s.name, s.dof, s.self_conjugate) for s in ds.states] == [("chi1", 2, True), ("chi2", 2, True)]
    assert ds.states[1].mass == approx(0.33, rel=1e-12) and list(ds.cross_sections) == [(0, 1)]
    ds = dark_sector(EmuScalar(1.0, h_mue=3e-3, dm="fermion", g_dm=0.1, m1=0.3, m2=0.35))
    assert [(s.name, s.mass, s.dof, s.self_conjugate) for s in ds.states] == [("psi1", 0.3, 2, False), ("psi2", 0.35, 2, False)]
    ds = dark_sector(EmuScalar(1.0, h_mue=3e-3, dm="scalar", g_dm=0.1, m1=0.3))
    assert [(s.name, s.dof, s.self_conjugate) for s in ds.states] == [("s1", 1, False), ("s2", 1, False)]
    for model in [
        DarkPhoton(1.0, eps=1e-3, alpha_D=0.1, m_chi=0.3),
        LmuLtau(1.0, g=1e-3, g_chi=0.1, m_chi=0.3),
        MuonVector(1.0, g_mu=1e-3, g_chi=0.1, m_chi=0.3),
    ]:
        ds = dark_sector(model)
        assert [(s.name, s.dof, s.self_conjugate) for s in ds.states] == [("chi", 2, False)]


def test_channel_names_and_sum():
    # The pair cross section is the sum of its channels (annihilation_channels); names as in the models' widths.
    model = DarkPhoton(3.0, eps=1e-3, alpha_D=0.1, m_chi=1.0)
    chans = annihilation_channels(model)[(0, 0)]
    assert set(chans) == {"e_e", "mu_mu", "tau_tau", "hadrons"}
    s = np.array([4.5, 6.0, 9.0])
    assert np.allclose(total(dark_sector(model))(s), sum(ch(s) for ch in chans.values()), rtol=1e-14, atol=0)
    assert set(annihilation_channels(LmuLtau(1.0, g=1e-3, g_chi=0.1, m_chi=0.3))[(0, 0)]) == {
        "mu_mu", "tau_tau", "nu_mu_nu_mu", "nu_tau_nu_tau"
    }


def test_hadrons_are_r_times_massless_muons():
    # DarkCast (arXiv:1801.04847): sigma_had = sigma(mu mu, m_mu = 0) R(sqrt s). Tolerance 1e-12 (identity).
    from muonreach.models.rratio import r_ratio

    model = DarkPhoton(3.0, eps=1e-3, alpha_D=0.1, m_chi=0.6)
    s = 1.02**2 * 4  # sqrt(s) = 2.04 GeV
    prop = lambda x: 1.0 / ((x - 9.0) ** 2 + (3.0 * model.total_width) ** 2)
    massless = sigma_fermions_via_vector(np.array([s]), 0.6, 0.6, math.sqrt(4 * math.pi * 0.1), 1e-3 * E, 0.0, prop)[0]
    assert channel(model, "hadrons")(np.array([s]))[0] == approx(massless * r_ratio(math.sqrt(s)), rel=1e-12)


def test_r_ratio_range_error_propagates():
    # R(sqrt s) is tabulated up to 38.38 GeV: for heavier chi the hadronic channel raises DataRangeError.
    model = InelasticDM(35.0, eps=1e-3, m1=20.0, splitting=1.0, alpha_D=0.1)
    sig = total(dark_sector(model), (0, 1))
    with pytest.raises(DataRangeError):
        sig(np.array([45.0**2]))
    assert sig(np.array([30.0**2]))[0] == 0.0  # below the chi1 chi2 threshold nothing is evaluated


@pytest.mark.parametrize(
    "model",
    [
        LeptophilicScalar.muon_specific(1.0, 1e-3),
        LeptophilicScalar(1.0, g_mu=1e-3, m_chi=0.3),
        EmuScalar(1.0, h_mue=3e-3),
        EmuScalar(1.0, h_mue=3e-3, dm="fermion", g_dm=0.0, m1=0.3),
        DarkPhoton(1.0, eps=1e-3),
        DarkPhoton(1.0, eps=1e-3, m_chi=0.3),
        InelasticDM(1.0, eps=1e-3, m1=0.3, splitting=0.03, alpha_D=0.0),
        LmuLtau(1.0, g=1e-3),
        MuonVector(1.0, g_mu=1e-3),
    ],
)
def test_models_without_dark_matter_raise_one_line(model):
    with pytest.raises(InvalidParameter) as err:
        dark_sector(model)
    assert "\n" not in str(err.value) and type(model).__name__ in str(err.value)
    with pytest.raises(InvalidParameter):
        poles(model)


def test_unknown_width_scheme_raises():
    with pytest.raises(InvalidParameter, match="width"):
        dark_sector(DarkPhoton(1.0, eps=1e-3, alpha_D=0.1, m_chi=0.3), width="complex-mass")


def test_poles_are_mass_and_total_width():
    model = InelasticDM(1.0, eps=1e-3, m1=0.3, splitting=0.03)
    assert poles(model) == [(1.0, model.total_width)]
    model = EmuScalar(1.0, h_mue=3e-3, dm="scalar", g_dm=0.1, m1=0.3)
    assert poles(model) == [(1.0, model.total_width)]


def test_break_points_are_the_pole_and_the_openings_above_threshold():
    from muonreach.cosmo.annihilation import break_points
    from muonreach.models.rratio import SWITCH_GEV

    # chi (0.08 GeV) below the muon: mu+ mu- opens at 2 m_mu; gamma gamma and e+ e- open at 2 m_chi (no point)
    model = LeptophilicScalar(0.24, g_e=1e-3, g_mu=1e-3, g_chi=1.0, m_chi=0.08)
    assert break_points(model) == [(0.24, model.total_width), (2.0 * c.M_MU, 0.0)]
    # chi above the muon: nothing opens above 2 m_chi but tau tau
    model = LeptophilicScalar(1.0, g_e=1e-3, g_mu=1e-3, g_tau=1e-3, g_chi=1.0, m_chi=0.3)
    assert break_points(model) == [(1.0, model.total_width), (2.0 * c.M_TAU, 0.0)]
    # hadrons: the R peaks (rho-omega, phi, ...) above the chi1 chi2 threshold, all below SWITCH_GEV
    model = InelasticDM(1.0, eps=1e-3, m1=0.3, splitting=0.1, alpha_D=0.1)  # pair threshold m1 + m2 = 0.7 GeV
    pts = [p for p, w in break_points(model)[1:]]
    assert all(w == 0.0 for _, w in break_points(model)[1:])
    assert all(p > 0.7 for p in pts)  # nothing at or below the pair threshold
    assert any(abs(p - 0.7826) < 0.01 for p in pts) and any(abs(p - 1.0195) < 0.01 for p in pts)  # omega, phi
    assert [p for p in pts if p < SWITCH_GEV] == sorted(p for p in pts if p < SWITCH_GEV)
    assert max(pts) == pytest.approx(2.0 * c.M_TAU, rel=1e-12)  # tau tau; no peaks above SWITCH_GEV
