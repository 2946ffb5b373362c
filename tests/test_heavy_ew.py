"""SSF / FFS scenarios (004 eqs. (2.5)-(2.6)), representations, and the shipped Table 4 of arXiv:2101.10334."""

import math
from fractions import Fraction

import numpy as np
import pytest

from muonreach.constants import HIGGS_VEV, M_MU
from muonreach.errors import InvalidParameter
from muonreach.gm2.loops import scalar_fermion_loop_heavy
from muonreach.heavy import ew, table4
from muonreach.heavy.representations import clebsch_gordan, parse_rep

H = Fraction(1, 2)


def test_clebsch_gordan_values():
    assert clebsch_gordan(H, H, H, -H, 0, 0) == pytest.approx(1 / math.sqrt(2))
    assert clebsch_gordan(1, 1, H, -H, H, H) == pytest.approx(math.sqrt(2 / 3))
    assert clebsch_gordan(1, 0, H, H, H, H) == pytest.approx(-math.sqrt(1 / 3))
    # orthonormality of the 1 x 1/2 -> 1/2 projection
    s = sum(clebsch_gordan(1, m1, H, H - m1, H, H) ** 2 for m1 in (Fraction(1), Fraction(0), Fraction(-1)))
    assert s == pytest.approx(1.0)
    with pytest.raises(InvalidParameter):
        parse_rep("two_1/2")


def test_table4_data_rows_are_gauge_invariant_and_maxima_match_the_printed_row():
    rows = table4.paper_rows()
    assert len(rows) == 24 and sum(r.scenario.model == "SSF" for r in rows) == 12
    printed_max = dict(zip(table4.COLUMNS, (95.5, 359, 19.4, 73, 20.1, 30, 8.41, 12.3)))  # 004 line 4082
    for col, value in printed_max.items():
        assert max(r.max_mass_tev[col] for r in rows) == value
    # every label respects |Q| <= 2
    for r in rows:
        for rep in (r.scenario.r, r.scenario.r_a, r.scenario.r_b):
            assert all(abs(rep.charge(t)) <= 2 for t in rep.components())


def test_gauge_invariance_is_enforced():
    with pytest.raises(InvalidParameter):
        ew.Scenario.from_labels("SSF", "1_-1", "2_1/2", "1_1")
    with pytest.raises(InvalidParameter):
        ew.Scenario.from_labels("XYZ", "1_-1", "2_1/2", "1_0")


def test_ssf_singlet_fermion_by_hand():
    # SSF 1_-1, 2_1/2, 1_0: the muon loop has F^- and the neutral phi_A^0 - phi_B mixture (CG = 1 everywhere)
    sc = ew.Scenario.from_labels("SSF", "1_-1", "2_1/2", "1_0")
    p = ew.Point(m_r=2e3, m_a=3e3, m_b=4e3, y1=1.2, y2=0.8, mix=500.0)
    d = 500.0 * HIGGS_VEV / math.sqrt(2)
    m2 = [[3e3**2, d], [d, 4e3**2]]
    tr, det = m2[0][0] + m2[1][1], m2[0][0] * m2[1][1] - d * d
    lam = [(tr - math.sqrt(tr * tr - 4 * det)) / 2, (tr + math.sqrt(tr * tr - 4 * det)) / 2]
    total = 0.0
    for lk in lam:
        va, vb = d, lk - m2[0][0]  # eigenvector of [[a, d], [d, b]]
        nrm = math.hypot(va, vb)
        ua, ub = va / nrm, vb / nrm
        b, a = 1.2 * ua, 0.8 * ub
        total += scalar_fermion_loop_heavy(M_MU, 2e3, math.sqrt(lk), -1, 0, (a + b) / 2, (b - a) / 2)
    assert ew.delta_a(sc, p) == pytest.approx(total, rel=1e-10, abs=0)
    assert sorted(ew.charged_masses(sc, p)) == [2e3, 3e3]  # F^- and the unmixed phi_A^+


def test_chiral_enhancement_and_copies():
    sc = ew.Scenario.from_labels("FFS", "1_-1", "2_1/2", "1_0")
    base = dict(m_r=2e4, m_a=2e4, m_b=2.5e4, y1=1.0, y2=1.0, mix2=0.0)
    plus = ew.delta_a(sc, ew.Point(mix=1.0, **base))
    minus = ew.delta_a(sc, ew.Point(mix=-1.0, **base))
    zero = ew.delta_a(sc, ew.Point(mix=0.0, **base))
    # the enhanced part is odd in y12 and is m_F v / m_mu ~ 1e5 times the unenhanced one
    assert abs(plus - zero) == pytest.approx(abs(minus - zero), rel=1e-3, abs=0)
    assert abs(plus - zero) > 1e3 * abs(zero)
    three = ew.delta_a(sc, ew.Point(mix=1.0, n_bsm=3, **base))
    assert three == pytest.approx(3 * plus, rel=1e-12, abs=0)


@pytest.mark.parametrize("row", range(24))
def test_every_table4_scenario_evaluates(row):
    r = table4.paper_rows()[row]
    mix = 3e4 if r.scenario.model == "SSF" else 1.0
    p = ew.Point(m_r=1e4, m_a=1.2e4, m_b=1.4e4, y1=1.0, y2=1.0, mix=mix, mix2=1.0)
    da = ew.delta_a(r.scenario, p)
    assert math.isfinite(da) and da != 0.0
    assert min(ew.charged_masses(r.scenario, p)) > 9e3


@pytest.mark.parametrize("field, value", [
    ("m_r", float("nan")), ("m_a", 0.0), ("m_b", -1e3), ("m_r", np.array([1e3, np.inf])), ("m_a", np.array([1e3, 0.0])),
    ("y1", float("nan")), ("mix", np.array([0.0, np.nan])), ("n_bsm", 0), ("n_bsm", 1.5), ("n_bsm", True),
])
def test_point_refuses_unphysical_fields(field, value):
    """review3 7: m_r = NaN gave Delta a = NaN; scalars and the search's arrays are checked alike."""
    base = {"m_r": 2e3, "m_a": 3e3, "m_b": 4e3, "y1": 1.0, "y2": 1.0, "mix": 100.0}
    with pytest.raises(InvalidParameter, match=field):
        ew.Point(**{**base, field: value})


def test_point_accepts_population_arrays():
    masses = np.array([1e3, 2e3, 5e3])
    p = ew.Point(masses, 1.5 * masses, 2 * masses, np.ones(3), np.ones(3), np.zeros(3), n_bsm=np.int64(3))
    assert p.n_bsm == 3
