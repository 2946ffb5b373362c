"""l -> l' nu nu S (production/lepton_decay_radiation.py) and the tau-decay bound (constraints/lepton_decays.py),
000_2bfc33bcfac4181d.txt Sec. 4.6."""

import math

import numpy as np
import pytest

from muonreach.constants import LEPTON_MASSES
from muonreach.constraints.computed import get_bound
from muonreach.errors import InvalidParameter, KinematicallyForbidden
from muonreach.models.registry import get_model_spec
from muonreach.production import dirac as d
from muonreach.production import lepton_decay_radiation as ldr

BENCH = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}


def test_squared_amplitude_without_scalar_is_the_fermi_result():
    """sum over spins |M|^2 = 128 G_F^2 (P.kbar)(p.k) (textbook muon decay; the spin average is 64)."""
    rng = np.random.default_rng(2)
    m, m_d = LEPTON_MASSES["tau"], LEPTON_MASSES["mu"]
    lepton, nu, nubar, _, _ = ldr.phase_space(rng.random((50, 2)), m, m_d, None)
    parent = np.tile([m, 0.0, 0.0, 0.0], (50, 1))
    want = 128.0 * d.dot(parent, nubar) * d.dot(lepton, nu)
    assert ldr.squared_amplitudes(m, m_d, lepton, nu, nubar, None) == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize("parent,daughter", [("tau", "mu"), ("mu", "e")])
def test_phase_space_reproduces_the_three_body_width(parent, daughter):
    """The recursive phase space and vegas give G_F^2 m^5/(192 pi^3) f(r) (within 4 vegas errors + 1e-4)."""
    m, m_d = LEPTON_MASSES[parent], LEPTON_MASSES[daughter]
    values, errors = ldr._integrate(m, m_d, None, seed=3)
    want = ldr.sm_width_formula(m, m_d)
    assert values[0] == pytest.approx(want, abs=4 * errors[0] + 1e-4 * want)


def test_four_body_phase_space_volume_massless_limit():
    """With |M|^2 = 1 the 4-body volume of massless particles is (2 pi)^-8 (pi/2)^3 M^4/(3! 2!) (the standard
    n-body formula); light masses (1e-4 of M) change it by < 1e-3."""
    m = 1.0
    u = (np.random.default_rng(4).random((400_000, 5)))
    *_, weight = ldr.phase_space(u, m, 1e-4, 1e-4)
    volume = weight.mean()
    want = (2 * math.pi) ** -8 * (math.pi / 2) ** 3 * m**4 / (6 * 2)
    assert volume == pytest.approx(want, rel=4 * weight.std() / math.sqrt(u.shape[0]) / volume + 1e-3)


def test_tau_bounds_match_000_statements():
    """000 Sec. 4.6 at m_S = 20 MeV: tau -> mu nu nu S constrains g_mu <~ 0.5 (muon-specific) and <~ 0.02
    (lepton-specific). Computed: 0.39 and 0.0192 (000 used MadGraph; its numbers are read from the text, '~')."""
    bound = get_bound("tau-mu-invisible")
    muon = bound.evaluate(get_model_spec("scalar-muon"), np.array([0.02]), BENCH).low[0]
    lepton = bound.evaluate(get_model_spec("scalar-lepton"), np.array([0.02]), BENCH).low[0]
    assert 0.3 < muon < 0.5
    assert lepton == pytest.approx(0.02, rel=0.1)
    # the lepton-specific bound is dominated by emission off the tau (m_tau/m_mu enhanced Yukawa)
    r = ldr.interpolated_ratios("tau", 0.02)
    g_tau = LEPTON_MASSES["tau"] / LEPTON_MASSES["mu"]
    assert g_tau**2 * r.r_parent > 100 * r.r_daughter


def test_interpolated_table_matches_direct_integration():
    """Between table masses the cubic log-log interpolation agrees with vegas at that mass within 3 % (vegas errors
    ~0.5-1.5 % on both sides plus interpolation)."""
    masses = ldr.table_masses("tau")
    m_s = float(math.sqrt(masses[3] * masses[4]))
    direct = ldr.radiation_ratios("tau", m_s)
    table = ldr.interpolated_ratios("tau", m_s)
    for name in ("r_parent", "r_daughter"):
        assert getattr(table, name) == pytest.approx(getattr(direct, name), rel=0.03)
    assert table.r_cross == pytest.approx(direct.r_cross, rel=0.05)
    assert ldr.interpolated_ratios("tau", 1.7) is None


def test_bad_inputs():
    with pytest.raises(KinematicallyForbidden):
        ldr.radiation_ratios("tau", 1.8)
    with pytest.raises(KinematicallyForbidden):
        ldr.radiation_ratios("e", 0.01)
    with pytest.raises(InvalidParameter, match="does not apply"):
        get_bound("tau-mu-invisible").evaluate(get_model_spec("dark-photon"), np.array([0.02]))
