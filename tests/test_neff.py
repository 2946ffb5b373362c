"""N_eff with a light L_mu - L_tau Z' (arXiv:1901.02010 method; 004 notes S3)."""

import math

import pytest

from muonreach.cosmo import neff
from muonreach.errors import DataRangeError
from muonreach.models.registry import build_model


def test_standard_model_value():
    # this treatment (Fermi-Dirac weak rates, no QED plasma corrections, no m_e in the rates): 3.039; the full
    # result 3.044 adds ~+0.005-0.01 from QED (Escudero arXiv:2001.04466); 3.000 would be instantaneous decoupling
    sm = neff.n_eff_sm()
    assert 3.030 < sm < 3.045
    assert sm == pytest.approx(3.0393, abs=2e-4)  # regression value of this treatment


def test_light_zprime_in_equilibrium_entropy_limit():
    # m_Z' = 0.1 MeV decays long after neutrino decoupling: nu + Z' entropy conservation gives
    # N_eff = N_eff^SM ((21/4 + 3)/(21/4))^(4/3) = 1.827 N_eff^SM; 1 %: non-instantaneous decoupling at T ~ 2 MeV
    r = neff.n_eff(build_model("lmu-ltau", 1e-4, 1e-6, {"loop_mixing": False}))
    assert r.n_eff == pytest.approx(neff.n_eff_sm() * (33 / 21) ** (4 / 3), rel=0.01)


def test_heavy_zprime_decouples_before_neutrinos():
    r = neff.n_eff(build_model("lmu-ltau", 0.2, 1e-3))
    assert abs(r.delta_n_eff) < 2e-3


def test_bessel_ratio_limits():
    assert neff._bessel_ratio(1e-8) == pytest.approx(5e-9)
    assert neff._bessel_ratio(700.0) == pytest.approx(1 - 1.5 / 700, rel=1e-5)  # K1/K2 -> 1 - 3/(2x)
    assert math.isfinite(neff._bessel_ratio(1e4))


def test_tight_coupling_agrees_with_the_full_equation():
    model = build_model("lmu-ltau", 3e-3, 3e-6)
    tight = neff.n_eff(model).n_eff
    old = neff.TIGHT
    try:
        neff.TIGHT = 1e30
        full = neff.n_eff(model).n_eff
    finally:
        neff.TIGHT = old
    assert tight == pytest.approx(full, rel=1e-3)  # O(H/Gamma) of the tight-coupling switch


def test_range_and_cli(run_cli, run_cli_json):
    with pytest.raises(DataRangeError):
        neff.n_eff(build_model("lmu-ltau", 50.0, 1e-3))
    out = run_cli_json("neff", "lmu-ltau", "--mass", "0.02", "--coupling", "0")
    assert out["delta_n_eff"] == 0.0 and out["n_eff"] == pytest.approx(neff.n_eff_sm())
    code, _, err = run_cli("neff", "lmu-ltau", "--mass", "50", "--coupling", "1e-3")
    assert code == 2 and "outside the computed range" in err
