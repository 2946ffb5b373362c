"""The max-min search of 004 eqs. (2.2)/(2.7) and the computed Table 4 of arXiv:2101.10334 (docs/heavy.md)."""

import functools
import math

import numpy as np
import pytest

from muonreach.constants import HIGGS_VEV
from muonreach.errors import InvalidParameter
from muonreach.heavy import criteria, ew, maxmin, table4

ROWS = table4.paper_rows()


@functools.cache
def _solved(row: int, column: str) -> maxmin.Result:
    """The Table 4 search of one cell (2.79e-9, default seed), solved once per test process: several tests check
    the same cell (a seeded search gives the same frozen Result each time; test_reproducible_with_a_seed checks
    that with two solves of its own)."""
    return maxmin.solve(maxmin.column_search(ROWS[row].scenario, column, 2.79e-9))


def test_yukawa_bound_is_the_j0_partial_wave():
    assert criteria.yukawa_max() == pytest.approx(math.sqrt(8 * math.pi), rel=1e-14, abs=0)


@pytest.mark.parametrize("m1,m2", [(1e3, 1e3), (1e3, 3e3), (5e3, 10.0)])
def test_trilinear_bound_matches_a_brute_force_scan_over_s(m1, m2):
    # independent method: min over a dense grid of s above threshold of s / beta (grid error ~ 1e-7 relative)
    s = (m1 + m2) ** 2 * np.geomspace(1.0 + 1e-9, 50.0, 400001)
    beta = np.sqrt((1 - (m1 + m2) ** 2 / s) * (1 - (m1 - m2) ** 2 / s))
    brute = math.sqrt(8 * math.pi * np.min(s / beta))
    assert float(criteria.trilinear_max(m1, m2)) == pytest.approx(brute, rel=1e-6)
    if m1 == m2:  # s = 6 m^2, beta = 1/sqrt3: kappa <= sqrt(8 pi 6 sqrt3) m
        assert float(criteria.trilinear_max(m1, m2)) == pytest.approx(math.sqrt(8 * math.pi * 6 * math.sqrt(3)) * m1, rel=1e-12)


def _point(sc, **kw):
    base = dict(m_r=1e4, m_a=1.3e4, m_b=1.7e4, y1=1.1, y2=0.9, mix=2e4 if sc.model == "SSF" else 0.8, mix2=0.6)
    base.update(kw)
    return ew.Point(**base)


@pytest.mark.parametrize("row", [0, 10, 12, 22])
def test_vectorised_evaluation_equals_the_scalar_one(row):
    sc = ROWS[row].scenario
    m_r = np.array([8e3, 1e4, 3e4])
    da, tach = ew.delta_a_array(sc, _point(sc, m_r=m_r))
    assert not tach.any()
    for k, m in enumerate(m_r):
        assert da[k] == pytest.approx(ew.delta_a(sc, _point(sc, m_r=float(m))), rel=1e-12, abs=0)


def _str_m4(sc, p, h):
    """STr M^4 of the BSM states at Higgs field value h (numerical diagonalisation; SSF complex scalars +2,
    FFS Dirac fermions -4), the independent check of criteria.delta_mh2."""
    total = 0.0
    for k, k2 in ew.mixing_terms(sc, p.mix, p.mix2):
        if sc.model == "SSF":
            d = k * h / math.sqrt(2)
            total += 2 * np.sum(np.linalg.eigvalsh([[p.m_a**2, d], [d, p.m_b**2]]) ** 2)
        else:
            m = np.array([[p.m_a, k * h / math.sqrt(2)], [k2 * h / math.sqrt(2), p.m_b]])
            total -= 4 * np.sum(np.linalg.svd(m, compute_uv=False) ** 4)
    return total


@pytest.mark.parametrize("row", [0, 10, 12, 22])
def test_higgs_mass_correction_is_the_coleman_weinberg_log_coefficient(row):
    sc = ROWS[row].scenario
    p = _point(sc)
    step = 50.0  # STr M^4 is a quartic polynomial in h: the central difference error is c4 step^2 ~ 1e-6 relative
    second = (_str_m4(sc, p, step) + _str_m4(sc, p, -step) - 2 * _str_m4(sc, p, 0.0)) / step**2
    assert float(criteria.delta_mh2(sc, p)) == pytest.approx(abs(second) / (64 * math.pi**2), rel=1e-4)


def test_muon_mass_correction_ffs_log_coefficient():
    # FFS: d(delta m_mu)/d ln mu^2 = (1/16 pi^2) sum a b m_F = y1 y2 y12 v c1 c2 cmix / (sqrt2 16 pi^2); for the
    # singlet-doublet-singlet row all CG = 1, so delta m_mu at y1 -> two scales differs by that times ln ratio.
    sc = ROWS[12].scenario
    p = _point(sc, mix2=0.0)
    partners, _ = ew.loop_partners(sc, p)
    s_abm = sum(float(x.a * x.b * x.m_f) for x in partners)
    assert s_abm == pytest.approx(p.y1 * p.y2 * p.mix * HIGGS_VEV / math.sqrt(2), rel=1e-10)


def test_ssf_muon_mass_correction_is_finite_and_scale_free():
    sc = ROWS[0].scenario
    small = criteria.delta_m_mu(sc, _point(sc))
    big = criteria.delta_m_mu(sc, _point(sc, m_r=1e5, m_a=1.3e5, m_b=1.7e5, mix=2e5))
    assert float(big) == pytest.approx(float(small), rel=5e-3)  # invariant up to O(v^2 / M^2) mixing corrections


def test_fixed_point_gives_the_observed_delta_a():
    s = maxmin.column_search(ROWS[0].scenario, "unitarity_n1", 2.79e-9)
    x = np.array([[0.1, -0.3], [0.0, 0.2], [0.5, -1.0], [0.9, 0.5], [0.7, 0.3], [-0.8, -0.4]])
    _lightest, lam, violation = s.evaluate(x)
    da, _ = ew.delta_a_array(s.scenario, s.point(x, lam))
    assert np.all(violation == 0) and np.allclose(da, 2.79e-9, rtol=1e-6)


def test_bad_searches_are_refused():
    with pytest.raises(InvalidParameter):
        maxmin.Search(ROWS[0].scenario, -1e-9)
    with pytest.raises(InvalidParameter):
        maxmin.column_search(ROWS[0].scenario, "unitarity_n0x", 2.79e-9)


def test_reproducible_with_a_seed():
    s = maxmin.column_search(ROWS[0].scenario, "mfv_n1", 2.79e-9)
    a, b = maxmin.solve(s, seed=7), maxmin.solve(s, seed=7)
    assert a.max_mass_tev == b.max_mass_tev and a.point == b.point
    c = maxmin.solve(s, seed=8)  # another seed converges to the same optimum within 1 %
    assert c.max_mass_tev == pytest.approx(a.max_mass_tev, rel=1e-2)


@pytest.mark.parametrize("args", [("--row", "25"), ("--row", "0"), ("--workers", "0"), ("--dataset", "ae-cs2018"),
                                  ("--dataset", "ae-rb2020"), ("--channels", "coupled")])
def test_table4_cli_bad_input_is_one_line_exit_2(run_cli, args):
    code, _, err = run_cli("heavy", "table4", *args)
    assert code == 2 and len(err.strip().splitlines()) == 1, err


def test_nbsm_cli_bad_input(run_cli, tmp_path):
    code, _, err = run_cli("heavy", "nbsm", "--n", "0")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = run_cli("heavy", "nbsm", "--row", "25")  # the --row check shared with table4
    assert code == 2 and "--row must be in 1..24" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli("heavy", "nbsm", "--out", str(tmp_path / "fig.txt"))
    assert code == 2 and len(err.strip().splitlines()) == 1


# (row index, column, tolerance): cells of the paper's Table 4 (2.79e-9) the derived criteria reproduce. The
# tolerances are the deviations documented in docs/heavy.md ("Computed Table 4"), where every other cell and the
# cause of each deviation are listed; naturalness cells agree best (the muon-mass criterion is scale-free).
CELLS = [
    (0, "unitarity_n1", 0.12), (0, "natural_n1", 0.06), (0, "natural_n10", 0.06), (0, "natural_mfv_n10", 0.06),
    (5, "unitarity_n1", 0.06), (5, "natural_mfv_n1", 0.06), (6, "natural_mfv_n10", 0.06),
    (1, "natural_n1", 0.06), (12, "natural_n1", 0.10),
    # FFS unitarity with the helicity bound on y12, y12' (+6 % and +5 %; single channels gave +24 % and +24 %)
    (13, "unitarity_n1", 0.08), (23, "unitarity_n1", 0.08),
]


@pytest.mark.parametrize("row,column,tol", CELLS)
def test_table4_cells_reproduced(row, column, tol):
    res = _solved(row, column)
    assert res.feasible
    assert res.max_mass_tev == pytest.approx(ROWS[row].max_mass_tev[column], rel=tol)


def test_muon_naturalness_makes_the_mass_independent_of_n_bsm():
    # 004 Table 4 row 1: 11.5 TeV for N_BSM = 1 and 10 (delta m_mu and Delta a_mu both scale as N_BSM)
    a, b = (_solved(0, c) for c in ("natural_n1", "natural_n10"))
    assert a.max_mass_tev == pytest.approx(b.max_mass_tev, rel=0.01)
    u1, u10 = (_solved(0, c) for c in ("unitarity_n1", "unitarity_n10"))
    assert u10.max_mass_tev / u1.max_mass_tev == pytest.approx(math.sqrt(10), rel=0.02)  # Delta a ~ N / M^2


@pytest.mark.parametrize("first,second", [(0, 7), (12, 19)])
def test_rows_the_paper_prints_identical_come_out_identical(first, second):
    # 004 Table 4 prints the same numbers for SSF 1_-1 2_1/2 1_0 and SSF 2_-1/2 1_0 2_-1/2 (and the FFS pair):
    # an independent structural check of the representation bookkeeping (Delta a_mu, spectrum, CG factors)
    a, b = (_solved(i, "mfv_n1") for i in (first, second))
    assert ROWS[first].max_mass_tev == ROWS[second].max_mass_tev
    assert a.max_mass_tev == pytest.approx(b.max_mass_tev, rel=0.01)  # the optimiser's run-to-run spread


def test_fitted_exponent_of_a_power_law():
    from muonreach.heavy import nbsm

    n = (1, 2, 5, 10, 20)
    assert nbsm.fitted_exponent(n, [3.0 * k ** (1 / 6) for k in n]) == pytest.approx(1 / 6, rel=1e-12, abs=0)
    assert math.isnan(nbsm.fitted_exponent(n, [float("nan")] * 4 + [1.0]))


def _j0_helicity_matrix(y, yp, energy):
    """J = 0 partial-wave matrix of B Abar -> H0 -> B Abar over the helicity pairs (+,+), (-,-), from explicit
    massless spinors (bhabha.spinors) with the vertex Abar (y P_R + y' P_L) B: the independent check of the
    rank-one (helicity) unitarity bound of criteria.higgs_yukawa_scale."""
    from muonreach.heavy import bhabha

    cos = np.polynomial.legendre.leggauss(16)
    c, w = cos
    theta = np.arccos(c)
    s = 4 * energy**2
    gam, gam_bar = y * bhabha.P_R + yp * bhabha.P_L, y * bhabha.P_L + yp * bhabha.P_R
    b_in, a_in = bhabha.spinors(energy, 0.0, np.zeros(1), 0.0), bhabha.spinors(energy, 0.0, np.full(1, math.pi), 0.0)
    b_out, a_out = bhabha.spinors(energy, 0.0, theta, 0.0), bhabha.spinors(energy, 0.0, math.pi - theta, math.pi)
    a0 = np.zeros((2, 2), complex)
    for i, h in enumerate((1, -1)):
        initial = np.einsum("i,ij,j->", np.conj(a_in["v"][h][0]) @ bhabha.GAMMA[0], gam, b_in["u"][h][0])
        for j, k in enumerate((1, -1)):
            final = np.einsum("ni,ij,nj->n", np.conj(b_out["u"][k]) @ bhabha.GAMMA[0], gam_bar, a_out["v"][k])
            a0[i, j] = np.sum(w * initial * final / s) / (32 * math.pi)
    return a0


@pytest.mark.parametrize("y,yp", [(2.0, 0.0), (1.5, 2.5), (3.0, -1.0)])
def test_higgs_yukawas_share_one_j0_channel(y, yp):
    # the largest singular value of the helicity matrix is (y^2 + y'^2)/(16 pi) at any energy: the bound
    # y^2 + y'^2 <= 16 pi a_max = y_max^2 of channels="helicity" (16-point Gauss-Legendre is exact here)
    for energy in (1e3, 5e4):
        sv = np.linalg.svd(_j0_helicity_matrix(y, yp, energy), compute_uv=False)
        assert sv[0] == pytest.approx((y**2 + yp**2) / (16 * math.pi), rel=1e-10)
        assert sv[1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("row", [12, 13, 22])
def test_higgs_yukawa_scale_puts_every_sector_on_the_helicity_bound(row):
    sc = ROWS[row].scenario
    g, y_max = ew.group_factors(sc), criteria.yukawa_max()
    y12 = np.array([1.0, 0.3, -0.9]) * y_max / g["mix"]
    y12p = np.array([1.0, 0.2, 0.1]) * y_max / g["mix2"]
    scale = criteria.higgs_yukawa_scale(sc, y12, y12p)
    terms = ew.mixing_terms(sc, y12 * scale, y12p * scale)
    largest = np.maximum.reduce([np.hypot(a, b) for a, b in terms])
    assert np.all(largest <= y_max * (1 + 1e-12))
    assert largest[0] == pytest.approx(y_max, rel=1e-12)  # both at their single bounds: scaled onto the circle
    assert np.all(criteria.higgs_yukawa_scale(sc, y12, y12p, "single") == 1.0)
    with pytest.raises(InvalidParameter):
        maxmin.Search(sc, 2.79e-9, channels="coupled")
