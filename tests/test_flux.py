"""Tests of the form factor G2 (002 App. A) and the effective photon flux chi (002 eq. (13))."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest
from scipy.integrate import quad

from muonreach.constants import M_E, M_MU
from muonreach.errors import ConvergenceError, InvalidParameter, KinematicallyForbidden
from muonreach.materials import get_material
from muonreach.production.flux import (
    chi_elastic_analytic,
    iww_photon_flux,
    iww_t_limits,
    photon_flux,
    photon_flux_fast,
    photon_flux_quad,
    photon_flux_rows,
)
from muonreach.production.form_factors import (
    MU_P_PAPER,
    form_factor_scales,
    g2,
    g2_elastic,
    g2_inelastic,
    g2_material,
)

# Recorded by this implementation (fast and quad agree to 1e-14): Pb, m_X = 100 MeV, E = 160 GeV, muon.
CHI_PB_100MEV_160GEV_MU = 88833.7925


# --- form factor -----------------------------------------------------------------------------------


def test_form_factor_parameters() -> None:
    # Source: 002 App. A: a = 111 Z^-1/3 / m_e, a' = 773 Z^-2/3 / m_e, d = 0.164 GeV^2 A^-2/3, mu_p = 2.79.
    inv_a2, inv_ap2, d, dipole = form_factor_scales(82, 207.2)
    assert inv_a2 == pytest.approx((M_E * 82 ** (1 / 3) / 111) ** 2, rel=1e-12, abs=0)
    assert inv_ap2 == pytest.approx((M_E * 82 ** (2 / 3) / 773) ** 2, rel=1e-12, abs=0)
    assert d == pytest.approx(0.164 * 207.2 ** (-2 / 3), rel=1e-12, abs=0)
    assert dipole == 0.71 and MU_P_PAPER == 2.79


@pytest.mark.parametrize(("Z", "A"), [(4, 9.012), (29, 63.546), (82, 207.2)])
def test_elastic_plateau_is_z_squared(Z: int, A: float) -> None:
    # Source: 002 eq. (A1): G2_el -> Z^2 for 1/a^2 << t << d. At t = sqrt(d/a^2) both corrections are
    # ~2 sqrt(1/(a^2 d)) <= 3e-3 (Be) -> tolerance 1e-2.
    inv_a2, _, d, _ = form_factor_scales(Z, A)
    t = math.sqrt(inv_a2 * d)
    assert float(g2_elastic(t, Z, A)) / Z**2 == pytest.approx(1.0, rel=1e-2)


def test_inelastic_plateau_is_z() -> None:
    # Source: 002 eq. (A2): G2_in -> Z for 1/a'^2 << t << 0.71 GeV^2 (incoherent sum over protons).
    # At the geometric mean of the two scales the corrections are ~1e-4 (Pb) -> tolerance 1e-3.
    _, inv_ap2, _, dipole = form_factor_scales(82, 207.2)
    assert float(g2_inelastic(math.sqrt(inv_ap2 * dipole), 82)) / 82 == pytest.approx(1.0, rel=1e-3)


def test_form_factor_vanishes_at_small_t() -> None:
    # Source: 002 eqs. (A1)-(A2): atomic screening makes G2 ~ t^2 for t << 1/a^2, 1/a'^2.
    t = np.array([1e-22, 2e-22])
    values = g2(t, 82, 207.2)
    assert values[0] < 1e-20 * 82**2
    assert values[1] / values[0] == pytest.approx(4.0, rel=1e-6)  # quadratic; corrections ~ t a^2 ~ 1e-12


def test_form_factor_suppressed_above_nuclear_scale() -> None:
    # Source: 002 eq. (A1): G2_el ~ Z^2 (d/t)^2 for t >> d; (A2): G2_in ~ t^2/t^8 -> 0 above 0.71 GeV^2.
    # At t = 100 d the correction to (d/t)^2 is (1 + d/t)^-2 - 1 ~ 2% -> tolerance 3%.
    _, _, d, _ = form_factor_scales(82, 207.2)
    assert float(g2_elastic(100 * d, 82, 207.2)) / 82**2 == pytest.approx(1e-4, rel=3e-2)
    assert float(g2_inelastic(10.0, 82)) / 82 < 1e-4
    assert float(g2(10.0, 82, 207.2)) < 1e-6 * float(g2(1e-4, 82, 207.2))


def test_form_factor_vectorised_and_compound_sum() -> None:
    t = np.geomspace(1e-12, 1.0, 12).reshape(3, 4)
    assert g2(t, 82, 207.2).shape == (3, 4)
    csi = get_material("CsI")
    expected = g2(t, 55, 132.90545196) + g2(t, 53, 126.90447)
    np.testing.assert_allclose(g2_material(t, csi), expected, rtol=1e-14)
    np.testing.assert_allclose(g2_material(t, get_material("Pb")), g2(t, 82, 207.2), rtol=1e-14)


# --- IWW limits and flux -----------------------------------------------------------------------------


def test_iww_limits() -> None:
    # Source: 002 eq. (13): t_min = m_S^4 / (4 E^2), t_max = m_S^2 + m_mu^2.
    t_min, t_max = iww_t_limits(0.1, "mu", 160.0)
    assert float(t_min) == pytest.approx(0.1**4 / (4 * 160.0**2), rel=1e-15, abs=0)
    assert float(t_max) == pytest.approx(0.01 + M_MU**2, rel=1e-15, abs=0)
    lo, hi = iww_t_limits(np.array([0.01, 0.1]), M_E, np.array([[10.0], [100.0]]))
    assert lo.shape == hi.shape == (2, 2)
    with pytest.raises(InvalidParameter):
        iww_t_limits(0.1, "muon", 160.0)
    with pytest.raises(InvalidParameter):
        iww_t_limits(-0.1, "mu", 160.0)


def test_recorded_value_pb_na64() -> None:
    # Regression value (this implementation; 002/000 print no chi). Sanity: chi/Z^2 -> ln(d a^2) - 2
    # = 14.3 for t_min << 1/a^2, t_max >> d (limit of the closed form); here t_min ~ 2.4/a^2 and
    # t_max ~ 4.5 d, so 13.2 is expected. Tolerance 1e-8: numerical noise only.
    chi = iww_photon_flux("Pb", 0.1, "mu", 160.0)
    print(f"chi(Pb, m_X = 100 MeV, E = 160 GeV, mu) = {chi:.6f}, chi/Z^2 = {chi / 82**2:.4f}")
    assert chi == pytest.approx(CHI_PB_100MEV_160GEV_MU, rel=1e-8)
    assert 5.0 < chi / 82**2 < 20.0
    assert iww_photon_flux("Pb", 0.1, "mu", 160.0, method="quad") == pytest.approx(chi, rel=1e-9)


GRID_MASSES = np.geomspace(1e-3, 10.0, 9)
GRID_ENERGIES = np.geomspace(0.5, 200.0, 7)


@pytest.mark.parametrize("name", ["Be", "C", "Cu", "W", "Pb", "CsI"])
@pytest.mark.parametrize("lepton", ["e", "mu"])
def test_fast_agrees_with_quad(name: str, lepton: str) -> None:
    # Independent methods (DESIGN.md validation 3): fixed-order Gauss-Legendre vs adaptive quad.
    # Acceptance 1e-3 (task); observed < 1e-9, asserted at 1e-7 to catch a degraded rule.
    m, e = np.meshgrid(GRID_MASSES, GRID_ENERGIES)
    t_min, t_max = iww_t_limits(m, lepton, e)
    open_ = t_min < t_max
    fast = photon_flux(name, t_min[open_], t_max[open_])
    ref = np.array([photon_flux_quad(name, a, b) for a, b in zip(t_min[open_], t_max[open_])])
    assert np.max(np.abs(fast / ref - 1.0)) < 1e-7


@pytest.mark.parametrize(("Z", "A"), [(4, 9.0121831), (82, 207.2)])
def test_elastic_closed_form(Z: int, A: float) -> None:
    # Third method: closed form of the elastic part (partial fractions, cf. 0906.0580 App. A) plus a
    # direct quad of the inelastic part must equal the full chi. Tolerance 1e-8 (quadrature noise;
    # points with t_min <~ 0.5 GeV^2, where the closed form is well conditioned, see its docstring).
    pb = get_material("Pb")
    mat = dataclasses.replace(pb, components=(dataclasses.replace(pb.components[0], Z=Z, A=A),))
    for m_x, energy in [(1e-3, 200.0), (0.1, 160.0), (1.0, 10.0), (2.0, 3.0)]:
        t_min, t_max = (float(x) for x in iww_t_limits(m_x, "mu", energy))
        u0, u1 = math.log(t_min), math.log(t_max)
        points = [math.log(s) for s in form_factor_scales(Z, A) if u0 < math.log(s) < u1]

        def inelastic(u: float, u_min: float = u0) -> float:
            return -math.expm1(u_min - u) * float(g2_inelastic(math.exp(u), Z))

        inel = quad(inelastic, u0, u1, points=points or None, epsabs=0.0, epsrel=1e-11, limit=200)[0]
        full = float(photon_flux_fast(mat, t_min, t_max))
        assert float(chi_elastic_analytic(Z, A, t_min, t_max)) + inel == pytest.approx(full, rel=1e-8)


@pytest.mark.parametrize("name", ["Be", "Cu", "W", "Pb"])
@pytest.mark.parametrize("lepton", ["e", "mu"])
def test_flux_grows_with_energy_and_falls_with_mass(name: str, lepton: str) -> None:
    # Physics: t_min = m^4/4E^2 falls with E, so chi grows with E at any mass. Above m_X ~ sqrt(d)
    # (~0.1 GeV) chi falls with m_X: t_min grows and t_max = m_X^2 + m_l^2 is beyond the nuclear
    # form-factor cut. Below, chi is flat or even rises slightly with m_X (t_max still grows inside the
    # plateau of G2; observed up to 60 MeV for electrons), so the mass check starts at 0.1 GeV.
    m, e = np.meshgrid(np.geomspace(1e-3, 3.0, 25), np.geomspace(0.5, 200.0, 20), indexing="ij")
    chi = iww_photon_flux(name, m, lepton, e, allow_forbidden=True)
    open_ = chi > 0
    both = open_[:, 1:] & open_[:, :-1]
    assert np.all(np.diff(chi, axis=1)[both] > 0)  # along energy
    heavy = (m[1:] >= 0.1) & open_[1:] & open_[:-1]
    assert np.all(np.diff(chi, axis=0)[heavy] < 0)  # along mass, m_X >= 0.1 GeV
    # saturation for m_X << m_mu at high energy: chi(1.4 MeV) / chi(1 MeV) - 1 is tiny
    if lepton == "mu":
        assert abs(chi[1, -1] / chi[0, -1] - 1.0) < 1e-4


def test_shapes_and_scalars() -> None:
    t_min, t_max = iww_t_limits(np.geomspace(0.01, 1.0, 6).reshape(2, 3), "e", 100.0)
    out = photon_flux("Cu", t_min, t_max)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)
    assert isinstance(photon_flux("Cu", 1e-6, 1e-2), float)
    assert isinstance(photon_flux("Cu", 1e-6, 1e-2, method="quad"), float)
    np.testing.assert_allclose(photon_flux("Cu", t_min, t_max, method="quad"), out, rtol=1e-7)


def test_compound_flux_is_sum_of_atoms() -> None:
    # Compound rule (data/README.md): G2 per formula unit = sum over atoms -> chi is additive.
    csi = get_material("CsI")
    cs = dataclasses.replace(csi, components=csi.components[:1])
    iodine = dataclasses.replace(csi, components=csi.components[1:])
    args = iww_t_limits(0.05, "mu", 100.0)
    assert photon_flux(csi, *args) == pytest.approx(photon_flux(cs, *args) + photon_flux(iodine, *args), rel=1e-12)


def test_forbidden_kinematics() -> None:
    with pytest.raises(KinematicallyForbidden):
        photon_flux("Pb", 1.0, 0.5)
    with pytest.raises(KinematicallyForbidden):
        photon_flux("Pb", 0.5, 0.5, method="quad")
    with pytest.raises(KinematicallyForbidden):
        iww_photon_flux("Pb", 10.0, "mu", 0.5)  # t_min = 1e4 GeV^2 > t_max ~ 100 GeV^2
    out = photon_flux("Pb", np.array([1e-6, 1.0]), np.array([1e-2, 0.5]), allow_forbidden=True)
    assert out[1] == 0.0 and out[0] > 0.0
    with pytest.raises(InvalidParameter):
        photon_flux("Pb", 0.0, 1.0)
    with pytest.raises(InvalidParameter):
        photon_flux("Pb", 1e-6, 1e-2, method="simpson")


def test_quad_reports_non_convergence() -> None:
    # limit=1 (raised to #break points + 2 = 6 subintervals) cannot reach 1e-10 over 37 e-folds:
    # quad warns -> ConvergenceError.
    with pytest.raises(ConvergenceError):
        photon_flux_quad("Pb", 1e-16, 1.0, limit=1)


def test_fast_path_speed() -> None:
    # Performance guard (production layer evaluates ~1e4 points per model): observed ~4 us/point;
    # the bound (100 us/point) is loose so that slow CI machines pass.
    n = 20000
    t_min, t_max = iww_t_limits(np.geomspace(1e-3, 5.0, n), "mu", 50.0)
    photon_flux_fast("Pb", t_min[:10], t_max[:10])
    start = time.perf_counter()
    photon_flux_fast("Pb", t_min, t_max)
    assert (time.perf_counter() - start) / n < 1e-4


@pytest.mark.parametrize("name", ["Be", "Cu", "Pb", "CsI"])
@pytest.mark.parametrize("lepton", ["e", "mu"])
def test_rows_rule_agrees_with_quad(name: str, lepton: str) -> None:
    # The yield's rule (one row of beam energies per mass sharing G2 nodes) against adaptive quad: observed
    # <= 2e-11 (the per-point fast rule: 5e-10); asserted at 1e-9 to catch a degraded rule. Energies as the yield's
    # Gauss-Legendre nodes between just above threshold and the beam energy.
    nodes = np.polynomial.legendre.leggauss(8)[0]
    m_l = M_MU if lepton == "mu" else M_E
    worst = 0.0
    for m in np.geomspace(1e-3, 10.0, 7):
        e_lo = 1.01 * (m + m_l)
        energies = 0.5 * (160.0 + e_lo) + 0.5 * (160.0 - e_lo) * nodes
        t_min, t_max = iww_t_limits(m, lepton, energies)
        rows = photon_flux_rows(name, t_min, t_max[0])
        ref = np.array([photon_flux_quad(name, a, b) for a, b in zip(t_min, t_max)])
        worst = max(worst, float(np.max(np.abs(rows / ref - 1.0))))
    assert worst < 1e-9


def test_rows_rule_shapes_and_forbidden() -> None:
    # rows of several masses at once equal the rows one by one (the same nodes), and t_min >= t_max raises
    m = np.array([0.01, 0.3, 2.0])[:, None]
    energies = np.array([[50.0, 100.0, 150.0]] * 3)
    t_min, t_max = iww_t_limits(m, "mu", energies)
    both = photon_flux_rows("W", t_min, t_max[:, 0])
    assert both.shape == (3, 3)
    for j in range(3):
        np.testing.assert_array_equal(both[j], photon_flux_rows("W", t_min[j], t_max[j, 0]))
    with pytest.raises(KinematicallyForbidden):
        photon_flux_rows("W", np.array([1.0, 2.0]), 1.5)
