"""NA64 against its published invisible dark-photon limits (docs/electron-beams.md): NA64-e 2016-2018 (DarkCast's
digitisation of arXiv:1906.00176 Fig. 3, shipped as na64e-invisible-2019), NA64-mu 2022 (na64mu-invisible-2022), and the
lepton-specific scalar computed on NA64-e instead of the curve rescaling eps_S = g_e/e of 000 Sec. 4.7."""

import math

import numpy as np
import pytest

from muonreach import constants as c
from muonreach.constraints import get_limit
from muonreach.experiments.spec import load_experiment
from muonreach.models.registry import get_model_spec
from muonreach.reach.contour import reach

MASSES = np.geomspace(0.001, 0.3, 7)
DARK = {"alpha_D": 0.1, "m_chi_ratio": 1.0 / 3.0}


def _edges(experiment: str, model: str, masses, overrides) -> np.ndarray:
    return np.array([r.coupling_low for r in reach(load_experiment(experiment), get_model_spec(model), masses, overrides)])


@pytest.fixture(scope="module")
def na64e_dark_photon():
    return _edges("na64e-2019", "dark-photon", MASSES, DARK)


def test_na64e_dark_photon_against_the_published_2019_limit(na64e_dark_photon):
    # the ratio of the computed 90 % CL eps edge (efficiency 1, IWW, full shower) to the published one: 0.90 at 1 MeV
    # (an effective efficiency ~0.8), falling steadily to 0.42 at 0.3 GeV, where IWW overestimates the electron yield
    # (WW: 0.49) and NA64's own efficiency and exact cross section enter (docs/electron-beams.md). Bounds: the
    # documented values with 10 % margin for the digitisation; the fall must be monotonic.
    curve = get_limit("na64e-invisible-2019")
    published = np.exp(np.interp(np.log(MASSES), np.log(curve.x), np.log(curve.y)))
    ratio = na64e_dark_photon / published
    assert 0.8 < ratio[0] < 1.0
    assert 0.37 < ratio[-1] < 0.47
    assert np.all(np.diff(ratio) < 0.02)  # monotonic up to the digitisation's wiggles


def test_na64e_projection_scales_with_exposure(na64e_dark_photon):
    # background free and invisible: eps^2 scales as 1/EOT
    proj = _edges("na64e-2e12", "dark-photon", MASSES[:2], DARK)
    np.testing.assert_allclose(proj, na64e_dark_photon[:2] * math.sqrt(2.84e11 / 2e12), rtol=1e-6)


def test_na64mu_2022_with_the_effective_efficiency():
    # before (IWW, efficiency 1): 5.7x too strong below 20 MeV, 4.4x at 0.2 GeV. After (exact, the default; WW is
    # within 0.5 %; effective efficiency 0.050, the value the published curve implies below 20 MeV): 1.00 there
    # (3 % for the digitisation and the rounding of 0.050), and the remaining mass dependence makes the computed
    # edge up to 1.37x weaker than the published one at 0.2-0.3 GeV (1.25 at 1 GeV; docs/electron-beams.md); bounds
    # with 3 % margin.
    curve = get_limit("na64mu-invisible-2022")  # eps from the BC2 variable with alpha_D = 0.1, m_A' = 3 m_chi
    m_a, eps = curve.x, curve.y
    masses = np.array([0.002, 0.01, 0.1, 0.3, 1.0])
    published = np.exp(np.interp(np.log(masses), np.log(m_a), np.log(eps)))
    ratio = _edges("na64mu-2022", "dark-photon", masses, DARK) / published
    assert ratio[:2] == pytest.approx(1.0, rel=0.03)
    assert np.all((ratio > 0.97) & (ratio < 1.40))


def test_lepton_specific_scalar_computed_on_na64e(na64e_dark_photon):
    # 000 Sec. 4.7 rescales the dark-photon curve, eps_S = g_e/e. Computed: the scalar's g_e edge is 1.48-1.59 times
    # e eps of the dark photon in the same experiment, since radiating a scalar is weaker: for a massless lepton the
    # IWW ratio dsigma_S/dsigma_V = x^2/(2 (x^2 - 3x + 3)) is at most 1/2 (x -> 1), so the ratio is >= sqrt(2).
    g_mu = _edges("na64e-2019", "scalar-lepton", MASSES, {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0})
    ratio = g_mu * c.M_E / c.M_MU / (c.E_CHARGE * na64e_dark_photon)
    assert np.all((math.sqrt(2.0) < ratio) & (ratio < 1.65))
