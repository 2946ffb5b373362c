"""Validation of the exact tree-level l N -> l' N X cross section (production/exact): the Bethe-Heitler limit,
the WW limit, the IWW/WW ratios of issue 10, vegas in two parametrisations against the deterministic rule, and
the ``muonreach xsec`` command."""

import json
import math

import numpy as np
import pytest

from muonreach.constants import ALPHA, LEPTON_MASSES
from muonreach.production.cross_sections import sigma_total
from muonreach.production.exact import sigma_exact
from muonreach.production.exact.integrate import dsigma_dx, make_process, sigma_quadrature, sigma_vegas


@pytest.mark.parametrize("x", [0.2, 0.5, 0.8])
def test_massless_vector_on_a_point_nucleus_is_bethe_heitler(x):
    # A vector of negligible mass coupled like the photon (g^2 = 4 pi alpha) on an unscreened point nucleus is
    # QED bremsstrahlung: Bethe-Heitler (1934), extreme-relativistic, no screening,
    #   dsigma/dk = 4 Z^2 alpha r_e^2 / k [(1 + eps^2 - 2 eps / 3) (ln(2 E E' / (m k)) - 1/2)], eps = E'/E.
    # Tolerance 0.5 %: the formula drops O(m/E) terms and the nuclear recoil (measured 0.27 %, 0.05 %, 0.05 %).
    m_e, energy, z = LEPTON_MASSES["e"], 10.0, 82
    proc = make_process("vector", 1e-5, "Pb", "e", None, "point")
    exact = float(dsigma_dx(proc, energy, np.array([x]), with_error=False)[0][0]) * 4.0 * math.pi * ALPHA
    k = x * energy
    eps = 1.0 - x
    bh = 4 * z * z * ALPHA**3 / m_e**2 / k * (1 + eps**2 - 2 * eps / 3) * (math.log(2 * energy * (energy - k) / (m_e * k)) - 0.5)
    assert exact == pytest.approx(bh * energy, rel=5e-3)


@pytest.mark.parametrize("x", [0.2, 0.5, 0.8])
def test_massless_vector_with_atomic_screening_is_tsai_complete_screening(x):
    # 100 GeV e on Pb, elastic (atomic + nuclear) form factor: complete screening, Born level (no Coulomb
    # correction f), Tsai, Rev. Mod. Phys. 46 (1974) 815 eq. (3.83) with its elastic part only:
    #   dsigma/dk = 4 alpha r_e^2 / k [(4/3 - 4/3 y + y^2) Z^2 ln(184.15 Z^-1/3) + (1 - y) Z^2 / 9], y = k/E.
    # Tolerance 1 %: 002 App. A's screening form factor differs from Tsai's Thomas-Fermi fit at this level
    # (measured ratios 0.994, 0.997, 0.997).
    m_e, energy, z = LEPTON_MASSES["e"], 100.0, 82
    proc = make_process("vector", 1e-5, "Pb", "e", None, "elastic")
    exact = float(dsigma_dx(proc, energy, np.array([x]), with_error=False)[0][0]) * 4.0 * math.pi * ALPHA
    k = x * energy
    tsai = 4 * ALPHA**3 / m_e**2 / k * ((4 / 3 - 4 / 3 * x + x * x) * z * z * math.log(184.15 * z ** (-1 / 3))
                                        + (1 - x) * z * z / 9)
    assert exact == pytest.approx(tsai * energy, rel=1e-2)


@pytest.mark.parametrize("kind,mass", [("scalar", 0.01), ("vector", 0.01), ("scalar", 1.0), ("vector", 1.0)])
def test_exact_converges_to_ww_for_energetic_muons(kind, mass):
    # 160 GeV mu on Pb, x > 0.5 (NA64-mu): E >> m_X, m_mu, and the WW flux with its x- and angle-dependent t_min
    # is the leading term of the exact result; the neglected terms are O(m_X^2 / (x E)^2 ...) and the recoil.
    # Measured exact/WW = 1.000 (10 MeV) and 0.987-0.990 (1 GeV); tolerance 2 % (arXiv:2409.12748: WW and exact
    # differ by O(1) % for muons at NA64 energies).
    exact, error = sigma_exact(kind, 160.0, "Pb", mass, x_min=0.5)
    ww = sigma_total(kind, 160.0, mass, 1.0, "Pb", "mu", "ww", x_min=0.5)
    assert error < 1e-3 * exact  # the estimate |fine - coarse| bounds the rule error (docs/exact-production.md)
    assert exact / ww == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("kind", ["scalar", "vector"])
@pytest.mark.parametrize("mass,ratio", [(1e-3, 1.65), (1.0, 2.3), (3.0, 4.3)])
def test_iww_over_ww_ratios_quoted_in_issue_10(kind, mass, ratio):
    # issue 10: sigma_IWW / sigma_WW = 1.65 (1 MeV), 2.3 (1 GeV), 4.3 (3 GeV) for 160 GeV mu on Pb, x > 0.5,
    # "both S and V" (quoted to two digits for both kinds). Measured S: 1.61, 2.42, 4.20; V: 1.65, 2.33, 4.31.
    # Tolerance 6 %: the quoted rounding covers the S-V spread.
    iww = sigma_total(kind, 160.0, mass, 1.0, "Pb", "mu", "iww", x_min=0.5)
    ww = sigma_total(kind, 160.0, mass, 1.0, "Pb", "mu", "ww", x_min=0.5)
    assert iww / ww == pytest.approx(ratio, rel=0.06)


@pytest.mark.parametrize("case", [
    ("scalar", 0.1, "Pb", "mu", None, 160.0, 0.5),
    ("scalar", 0.1, "Pb", "e", "mu", 100.0, 0.0),  # the flavour-changing e -> mu scalar of 001
    ("vector", 0.05, "W", "mu", None, 1.5, 0.0),  # a Fermilab-dump energy, far from the WW regime
])
@pytest.mark.parametrize("parametrisation", ["A", "B"])
def test_vegas_in_both_parametrisations_matches_the_deterministic_rule(case, parametrisation):
    # Two independent integrations of the same |M|^2: vegas over (x, Delta, t, phi) with X first (A) or the lepton
    # first (B), fixed seed, 0.3 % statistical error, against the nested Gauss-Legendre rule (estimated error < 1e-3).
    # Tolerance: 5 vegas standard errors: with these peaked weights vegas' own error estimate is optimistic
    # (measured deviations up to 2.8 of its sigma, 0.45 %).
    kind, m, material, lepton, final, energy, x_min = case
    proc = make_process(kind, m, material, lepton, final)
    rule, rule_error = sigma_quadrature(proc, energy, x_min)
    result = sigma_vegas(proc, energy, x_min, rtol=3e-3, neval=20000, parametrisation=parametrisation)
    assert rule_error < 1e-3 * rule
    assert abs(result.value - rule) < 5.0 * result.error + rule_error


def test_xsec_command_json(run_cli_json):
    out = run_cli_json("xsec", "--lepton", "mu", "--energy", "160", "--material", "Pb", "--boson", "vector",
                       "--mass", "0.1", "--x-min", "0.5")
    assert set(out) >= {"iww", "ww", "exact", "lepton", "final_lepton", "energy", "material", "boson", "mass", "x_min"}
    for key in ("iww", "ww", "exact"):
        assert out[key]["sigma_pb"] > 0 and 0 <= out[key]["error_pb"] < 1e-3 * out[key]["sigma_pb"]
    gev2_to_pb = 0.3893793721e9
    ww = sigma_total("vector", 160.0, 0.1, 1.0, "Pb", "mu", "ww", x_min=0.5) * gev2_to_pb
    assert out["ww"]["sigma_pb"] == pytest.approx(ww, rel=1e-12)
    assert 1.7 < out["iww"]["sigma_pb"] / out["exact"]["sigma_pb"] < 1.8  # measured 1.74 (docs/exact-production.md)


def test_xsec_command_flavour_change_and_bad_input(run_cli):
    code, out, err = run_cli("xsec", "--lepton", "e", "--final-lepton", "mu", "--energy", "100", "--material", "Pb",
                             "--boson", "scalar", "--mass", "0.1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["iww"] is None and data["exact"]["sigma_pb"] > 0
    from muonreach.production.flavour_changing import FlavourChangingWW
    ww = FlavourChangingWW(0.1, "Pb", "e", "mu").sigma(100.0) * 0.3893793721e9
    assert data["ww"]["sigma_pb"] == pytest.approx(ww, rel=1e-12)  # the WW column is the flavour-changing WW
    code, _, err = run_cli("xsec", "--energy", "3", "--material", "W", "--boson", "vector", "--mass", "5")
    assert code == 2 and "5.10566 GeV" in err  # the threshold in the message
    code, _, err = run_cli("xsec", "--lepton", "e", "--final-lepton", "mu", "--energy", "100", "--material", "Pb",
                           "--boson", "vector", "--mass", "0.1")
    assert code == 2 and "scalar" in err


@pytest.mark.parametrize("kind, mass, low, high", [("vector", 1e-3, -0.25, -0.15), ("vector", 1.0, 0.3, 0.8),
                                                   ("scalar", 1.0, 0.3, 0.8)])
def test_electron_ww_versus_exact_range_of_2409_12748(kind, mass, low, high):
    # Voronchikhin, Kirpichnikov, arXiv:2409.12748 (abstract, stored ar5iv/arxiv page): the relative difference
    # of the WW and exact tree-level total cross sections "varies from O(-20) % to O(80) % for an electron mode"
    # (NA64e: 100 GeV e- on Pb), the main difference coming from the forward peak. Ours, x > 0:
    # (WW - exact)/exact = -19.8 % (V, 1 MeV; S: -13 %) and +46 % (V) / +53 % (S) at 1 GeV. Tolerance: the bins
    # bracket "O(-20) %" at the light end and stay inside the quoted +80 % at 1 GeV (the abstract gives orders only).
    exact, error = sigma_exact(kind, 100.0, "Pb", mass, lepton="e")
    ww = sigma_total(kind, 100.0, mass, 1.0, "Pb", "e", "ww", x_min=0.0)
    assert error < 3e-3 * exact
    assert low < ww / exact - 1.0 < high
