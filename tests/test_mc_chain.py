"""The generator's decay chain for event-level signatures (muone, inelastic DM: A' -> chi1 chi2, chi2 -> chi1 l+ l-,
003_731e213823d1e5dc.txt eq. (4)): closure with the MUonE yield calculator, the dilepton mass spectrum against the
analytic dGamma/dq^2, the chain in Parquet and LHE (mother indices, read by pylhe)."""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import chi2

from muonreach.experiments.spec import load_experiment
from muonreach.mc.displaced import event_calculator
from muonreach.mc.generate import generate, setup
from muonreach.mc.writers import read_parquet, write_events
from muonreach.models.dark_photon import chi2_spectrum
from muonreach.models.registry import get_model_spec

M_A, SETS = 0.37, {"delta": 0.4}  # 003 Fig. 5/6 benchmark Delta = 0.4 m1 (tests/test_reach.py uses the same point)


@pytest.fixture(scope="module")
def muone_events():
    return generate("muone", "inelastic-dm", M_A, 0.01, 60_000, 5, SETS)


def test_chain_signal_closes_on_the_muone_calculator(muone_events):
    """Signal events (decay distance drawn per event, all Table I cuts) against the displaced-vertex calculator
    (the exponential integrated per event over its own, independently seeded sample): within 4 combined MC
    standard errors. eps = 0.01 puts chi2's lab decay length near the fiducial window (~2300 of 60 000 events
    pass), so the drawn-decay estimate has a useful precision."""
    info = muone_events.info
    calc = event_calculator(load_experiment("muone"), get_model_spec("inelastic-dm"), M_A, SETS)
    want = float(calc.events(0.01))
    sigma = math.hypot(info.signal_events_error, want * calc.relative_error(0.01))
    assert info.signal_events == pytest.approx(want, abs=4 * sigma)
    assert info.dark_state == "chi2" and "e_e" in info.dark_channels


def test_dilepton_mass_follows_the_analytic_spectrum(muone_events):
    """m_ll^2 of the generated chi2 -> chi1 e+ e- decays (all chains, before cuts) against the analytic
    dGamma/dq^2 of models/dark_photon.chi2_spectrum (quad per bin): chi^2 p-value > 1e-3 over 20 bins;
    the products conserve chi2's four-momentum and are on shell."""
    c = muone_events.columns
    model = get_model_spec("inelastic-dm").build(M_A, 0.01, SETS)
    m1, m2, m_e = model.m1, model.m2, 0.51099895e-3
    ee = (c["dark_parent"] > 0) & (c["dark_channel"] == muone_events.info.dark_channels.index("e_e"))
    p = [np.stack([c[f"dark_product{i}_{k}"][ee] for k in ("e", "px", "py", "pz")], axis=1) for i in (1, 2, 3)]
    pair = p[1] + p[2]
    q2 = pair[:, 0] ** 2 - np.sum(pair[:, 1:] ** 2, axis=1)
    edges = np.linspace(4 * m_e * m_e, (m2 - m1) ** 2, 21)
    want = np.array([integrate.quad(lambda q: float(chi2_spectrum(np.array(q), m1, m2, m_e, M_A)), a, b,
                                    epsabs=0, epsrel=1e-8)[0] for a, b in zip(edges[:-1], edges[1:])])
    counts, _ = np.histogram(q2, edges)
    expected = counts.sum() * want / want.sum()
    stat = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2.sf(stat, len(counts) - 1) > 1e-3, (stat, counts, expected)
    slot = c["dark_parent"][ee][0]
    parent = np.stack([c[f"product{slot}_{k}"][ee] for k in ("e", "px", "py", "pz")], axis=1)
    assert p[0] + p[1] + p[2] == pytest.approx(parent, rel=1e-9, abs=1e-9)
    mass1 = np.sqrt(np.maximum(p[0][:, 0] ** 2 - np.sum(p[0][:, 1:] ** 2, axis=1), 0))
    assert mass1 == pytest.approx(m1, rel=1e-5)


def test_chain_vertices_follow_the_chi2_direction(muone_events):
    """The chi2 decay vertex lies on the chi2's line of flight from the A' decay vertex, downstream."""
    c = muone_events.columns
    on = c["dark_parent"] > 0
    slot = c["dark_parent"][on]
    mom = np.stack([np.where(slot == 1, c[f"product1_{k}"][on], c[f"product2_{k}"][on]) for k in ("px", "py", "pz")], axis=1)
    step = np.stack([c[f"dark_decay_{k}"][on] - c[f"decay_{k}"][on] for k in ("x", "y", "z")], axis=1)
    cross = np.linalg.norm(np.cross(step, mom), axis=1) / np.linalg.norm(mom, axis=1)
    assert np.all(cross <= 1e-9 * np.maximum(np.linalg.norm(step, axis=1), 1e-9))
    assert np.all(np.einsum("ij,ij->i", step, mom) >= 0)


def test_chain_in_parquet_and_lhe(tmp_path):
    """Parquet keeps the chain columns; in LHE chi2 has status 2 and its three daughters name it as mother."""
    pylhe = pytest.importorskip("pylhe")
    gen = setup("muone", "inelastic-dm", M_A, 0.01, 300, 2, SETS)
    write_events(gen, tmp_path / "ev.parquet")
    back = read_parquet(tmp_path / "ev.parquet")
    assert back.info.dark_channels and np.any(back.columns["dark_parent"] > 0)
    gen = setup("muone", "inelastic-dm", M_A, 0.01, 300, 2, SETS)
    write_events(gen, tmp_path / "ev.lhe")
    chains = 0
    for event in pylhe.LHEFile.fromfile(str(tmp_path / "ev.lhe")).events:
        parts = event.particles
        for k, part in enumerate(parts):
            if int(part.id) == 1000023 and int(part.status) == 2:
                kids = [q for q in parts if int(q.mother1) == k + 1]
                assert len(kids) == 3 and int(kids[0].id) == 1000022
                for axis in ("e", "px", "py", "pz"):  # the daughters carry chi2's four-momentum
                    # LHE prints 11 significant digits (writers.py, .10e): a near-zero component of chi2 is a
                    # cancelling sum, so the absolute bound is that print precision times the daughters' |p_i|
                    scale = sum(abs(getattr(q, axis)) for q in kids)
                    assert sum(getattr(q, axis) for q in kids) == pytest.approx(getattr(part, axis), rel=1e-8, abs=1e-10 * scale)
                chains += 1
    assert chains > 200
