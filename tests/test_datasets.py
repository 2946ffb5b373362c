"""(g-2) dataset registry and coupling bands (muonreach.gm2.datasets / bands)."""

import math

import pytest

from muonreach.constants import M_MU
from muonreach.errors import SpecError, UnknownName
from muonreach.gm2 import loops
from muonreach.gm2.bands import excluded_coupling, favored_band
from muonreach.gm2.datasets import get_dataset, load_registry, registry


def test_papers_delta_a_values():
    # The Delta a_mu each paper uses, as quoted (000 eq. (1.1); 001 eq. (1); M^3 eq. (2.1); 2006.16277 eq. (1)).
    assert get_dataset("pdg2016").delta == pytest.approx(268e-11, rel=1e-6, abs=0)
    assert get_dataset("pdg2016").sigma == pytest.approx(math.hypot(63e-11, 43e-11), rel=1e-6, abs=0)
    assert get_dataset("gk2022").delta == pytest.approx(251e-11, rel=1e-6, abs=0)
    assert get_dataset("m3-2018").delta == pytest.approx(28.8e-10, rel=1e-6, abs=0)
    assert get_dataset("ccdk2020").sigma == pytest.approx(0.76e-9, rel=1e-6, abs=0)


def test_derived_differences():
    # FNAL 2021 paper (004 S03): a_mu(Exp) - a_mu(SM) = (251 +- 59)e-11, 4.2 sigma
    d = get_dataset("wa2021-wp2020")
    assert d.delta == pytest.approx(251e-11, abs=0.5e-11)
    assert d.sigma == pytest.approx(59e-11, abs=1e-11)  # 41 (+) 43 = 59.4
    assert d.significance == pytest.approx(4.2, abs=0.05)
    # 2025: the final FNAL world average agrees with the 2025 Theory Initiative value within ~0.6 sigma
    assert abs(get_dataset("wa2025-wp2025").significance) < 1.0


def test_default_is_latest_and_future_projection():
    assert registry().defaults["mu"] == "wa2025-wp2025"
    d = get_dataset("pdg2016")
    f = get_dataset("pdg2016-future")
    # 000 Sec. 2.1: experimental error / 4, theory error / 2, same central value
    assert f.delta == d.delta
    assert f.sigma == pytest.approx(math.hypot(63e-11 / 4, 43e-11 / 2), rel=1e-6, abs=0)


def test_unknown_and_malformed(tmp_path):
    with pytest.raises(UnknownName):
        get_dataset("no-such-dataset")
    bad = tmp_path / "bad.toml"
    bad.write_text("[datasets.x]\nlepton = 'mu'\ndelta = 'abc'\nsigma_exp = 1\nsigma_th = 0\nreference='r'\narxiv='a'\n")
    with pytest.raises(SpecError):
        load_registry(bad)
    with pytest.raises(SpecError):
        load_registry(tmp_path / "missing.toml")


def test_favored_band_000_numbers():
    # 000 Sec. 4.1 / Fig. 5: the 2-sigma band of the muon-specific scalar at m_S = 100 MeV with 000's
    # Delta a_mu. Band edges follow from g^2 * Delta a(g=1) = Delta a +- 2 sigma exactly.
    ds = get_dataset("pdg2016")
    unit = loops.scalar(M_MU, 0.1, 1.0)
    band = favored_band(unit, ds, 2.0)
    assert band.low == pytest.approx(math.sqrt((268e-11 - 2 * ds.sigma) / unit), rel=1e-12, abs=0)
    assert band.high == pytest.approx(math.sqrt((268e-11 + 2 * ds.sigma) / unit), rel=1e-12, abs=0)
    # 002's point (5e-4 at 100 MeV, Delta a = 1.65e-9) lies inside the 2-sigma band, as 002 says
    assert band.low < 5e-4 < band.high
    # 000 Sec. 4.1: the 5-sigma exclusion is g_mu ~ 1e-3 at m_S ~ 10 MeV (order of magnitude)
    g_ex = excluded_coupling(loops.scalar(M_MU, 0.01, 1.0), ds, 5.0)
    assert 5e-4 < g_ex < 2e-3


def test_band_for_negative_contribution():
    ds = get_dataset("pdg2016")
    unit = loops.pseudoscalar(M_MU, 0.1, 1.0)
    # a negative contribution cannot explain a positive 3.5 sigma anomaly at 2 sigma
    assert favored_band(unit, ds, 2.0) is None
    # but it is "allowed" within 5 sigma down to the coupling where Delta a_NP = Delta a - 5 sigma
    assert favored_band(unit, ds, 5.0).low == 0.0
    assert excluded_coupling(unit, ds, 5.0) == pytest.approx(math.sqrt((268e-11 - 5 * ds.sigma) / unit))


def test_model_band_by_name_and_interference_refused():
    from muonreach.errors import InvalidParameter
    from muonreach.gm2.bands import model_band, model_exclusion

    ds = get_dataset("pdg2016")
    band = model_band(_at("scalar-muon", 0.1), ds)
    assert band.low == pytest.approx(favored_band(loops.scalar(M_MU, 0.1, 1.0), ds).low, rel=1e-12, abs=0)
    assert model_exclusion(_at("scalar-muon", 0.1), ds) > band.high
    # lepton-specific and muon-specific scalars have the same Delta a_mu (the tau loop does not enter)
    assert model_band(_at("scalar-lepton", 0.1), ds).high == pytest.approx(band.high, rel=1e-12, abs=0)
    # with two interfering couplings Delta a is not ~ g^2: refuse instead of returning a wrong band
    with pytest.raises(InvalidParameter):
        model_band(_at("vector-muon", 0.1, {"eps": 1e-4}), ds)


def test_cli_gm2_reports_band(run_cli_json):
    out = run_cli_json("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4", "--dataset", "pdg2016")
    low, high = out["favored_2sigma"]
    assert low < 5e-4 < high and out["excluded_5sigma_above"] > high


def _at(model: str, mass: float, overrides: dict | None = None):
    """Coupling -> model at a fixed mass (the form the (g-2) bands take)."""
    from muonreach.models.registry import get_model_spec

    return lambda g: get_model_spec(model).build(mass, g, overrides)
