"""Bad input found by the issue-9 audit (a new user's unphysical, non-finite, unknown and malformed input):
one line `muonreach: error: ...` with exit code 2 on the CLI, a MuonReachError subclass in the API."""

import pytest

from conftest import run_in_process
from muonreach.errors import InvalidParameter
from muonreach.models.dark_photon import DarkPhoton
from muonreach.models.scalar import LeptophilicScalar


def _one_line_error(args, match: str) -> None:
    result = run_in_process(*args)
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muonreach: error:"), lines
    assert match in lines[0], lines[0]


@pytest.mark.parametrize("args,match", [
    # trident / N_eff: the sign of g' is a convention there; a negative one was silently read as |g'|
    (("trident", "ccfr", "lmu-ltau", "--mass", "0.01", "--coupling", "-1e-3"), "must not be negative"),
    (("neff", "lmu-ltau", "--mass", "0.01", "--coupling", "-1e-3"), "must not be negative"),
    # no neutrino coupling: N_eff gave 1.75 (Delta N_eff = -1.29) for scalar-muon, trident "allowed" for vector-muon
    (("neff", "scalar-muon", "--mass", "0.01", "--coupling", "1e-3"), "no neutrino coupling"),
    (("trident", "ccfr", "vector-muon", "--mass", "0.1", "--coupling", "0.1"), "no neutrino coupling"),
    # (g-2) loops outside their validated mass range: an OverflowError traceback (1e200) and "did not converge"
    (("gm2", "scalar-muon", "--mass", "1e200", "--coupling", "1e-3"), "validated range"),
    (("gm2", "scalar-muon", "--mass", "1e-20", "--coupling", "1e-3"), "validated range"),
    # review3 10: an electron dataset said "Delta a_mu must be positive, got -8.8e-13"
    (("heavy", "clfv", "--dataset", "ae-cs2018"), "is for a_e"),
    (("heavy", "bhabha", "--energy", "3000", "--luminosity", "1000", "--dataset", "ae-cs2018"), "is for a_e"),
    # review3 10: "got (nan, None) MHz", after the fit
    (("gm2-fit", "--fft-min", "nan"), "--fft-min must be a positive frequency"),
    # review3 10: the ratio was silently ignored when both were given
    (("relic", "scalar-muon", "--mass", "0.15", "--coupling", "1e-3", "--set", "m_chi=0.05", "--set",
      "m_chi_ratio=0.3"), "not both"),
    # review3 4c: a misspelt pair channel (was 0 events, exit 0 before check_pairs)
    (("events", "muone", "inelastic-dm", "--mass", "0.3", "--coupling", "1e-3", "--set", "pairs=e+e-"),
     "unknown pair channel(s) e+e-"),
    # review3 9: the displaced-vertex geometry has no engine defaults (MUonE's numbers were inherited silently)
    (("events", "m3-phase2", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set",
      "signature=displaced_vertex"), "displaced_vertex needs modules"),
])
def test_cli_refuses_with_one_line(args, match):
    _one_line_error(args, match)


def test_scan_spec_not_utf8(tmp_path):
    # was a UnicodeDecodeError traceback
    spec = tmp_path / "s.toml"
    spec.write_bytes(b'schema = 1\nname = "caf\xe9"\n')
    _one_line_error(("scan", str(spec)), "not UTF-8")


def test_trident_and_neff_still_accept_zero_and_positive_couplings(run_cli_json):
    assert run_cli_json("neff", "lmu-ltau", "--mass", "0.01", "--coupling", "0")["delta_n_eff"] == 0.0
    out = run_cli_json("trident", "ccfr", "lmu-ltau", "--mass", "0.1", "--coupling", "0")
    assert out["sigma_ratio"] == pytest.approx(1.0, rel=1e-12)  # no Z': the Standard Model


def test_emu_scalar_gm2_below_the_decay_threshold_answers(run_cli_json):
    # was "(g-2) loop integral did not converge" for m_phi < m_mu - m_e (the principal value now, tests/test_gm2_loops)
    out = run_cli_json("gm2", "emu-scalar", "--mass", "0.05", "--coupling", "1e-3")
    assert out["delta_a"] < 0.0  # light phi: -h^2/(32 pi^2)-like, negative (test_emu_light_boson_limit)


@pytest.mark.parametrize("build", [
    lambda: LeptophilicScalar(0.1, "1e-3"),
    lambda: LeptophilicScalar(0.1, g_mu=True),
    lambda: LeptophilicScalar(0.1, g_mu=1e-3, g_chi=1.0, m_chi="0.03"),
    lambda: DarkPhoton(0.1, "1e-3"),
])
def test_model_numbers_must_be_numbers(build):
    # strings and booleans were stored as given (LeptophilicScalar(0.1, "1e-3").g_e == "1e-3")
    with pytest.raises(InvalidParameter, match="must be a number"):
        build()


def test_diphoton_width_of_a_light_scalar_is_the_heavy_lepton_limit():
    # issue 9: the closed form of F_1/2 cancelled at large tau (S -> gamma gamma 221x too large at 1e-9 GeV).
    # For m_S << m_mu: Gamma = (alpha/(2 pi) (g/m_mu) 4/3)^2 m_S^3/(64 pi); corrections O(m_S^2/m_mu^2) ~ 1e-16.
    import math

    from muonreach.constants import ALPHA, M_MU

    for m_s in (1e-9, 1e-6, 1e-4):
        width = LeptophilicScalar(m_s, g_mu=1e-3).partial_widths()["gamma_gamma"]
        g_gg = ALPHA / (2 * math.pi) * (1e-3 / M_MU) * 4.0 / 3.0
        assert width == pytest.approx(g_gg**2 * m_s**3 / (64 * math.pi), rel=1e-6 * (m_s / 1e-4) ** 2 + 1e-12, abs=0)


def test_f_half_is_continuous_at_the_series_switch_and_finite_at_small_tau():
    import numpy as np

    from muonreach.models import diphoton

    t = diphoton._TAU_SERIES
    below, above = diphoton.f_half_on_shell_array(np.array([t * (1 - 1e-9), t * (1 + 1e-9)]))
    assert abs(above - below) < 1e-12  # closed form (error ~ 1e-16 tau) and series (omitted term 1e-14) meet
    # tau -> 0 (a scalar far heavier than the lepton): -2 tau [1 - (ln(4/tau) - i pi)^2 / 4] + O(tau^2 ln^2);
    # the 1 - sqrt(1 - tau) cancellation gave inf/NaN widths at m >= 3e7 GeV before
    tau = 1e-30
    limit = -2 * tau * (1 - 0.25 * (np.log(4 / tau) - 1j * np.pi) ** 2)
    assert diphoton.f_half_on_shell_array(tau) == pytest.approx(limit, rel=1e-12, abs=0)


@pytest.mark.parametrize("mass", [1e8, 1e300])
def test_model_masses_beyond_the_validated_range_are_refused(mass):
    # widths overflowed with exit 0 and NaN at m >= 3e7 GeV before
    with pytest.raises(InvalidParameter, match="validated range"):
        LeptophilicScalar(mass, g_mu=1e-3)


@pytest.mark.parametrize("args,match", [
    # review3: the message printed the literal "{values['lepton']}" (a missing f prefix)
    (("events", "na64mu-2022", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "lepton=e"),
     "file for a e beam"),
    # review3: an unknown --set key named only the model's parameters, not the experiment's
    (("events", "na64mu-2022", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "mot=1"),
     "neither experiment 'na64mu-2022' nor model 'scalar-muon'"),
    # review3: /proc passed os.access (root); the write failed only after the fit
    (("gm2-fit", "--n0", "100", "--out", "/proc/muonreach-review3.png"), "cannot create files in '/proc'"),
])
def test_cli_refuses_before_work_with_one_line(args, match):
    _one_line_error(args, match)


def test_out_suffix_is_case_insensitive_at_write_time(tmp_path):
    # review3: X.CSV passed check_output_path (case-insensitive) and then write_rows refused it after the run
    from muonreach.outputs import check_output_path, write_rows

    target = check_output_path(tmp_path / "rows.CSV", (".csv", ".json"))
    write_rows(target, {"rows": [{"mass": 0.1, "low": None}]}, ["mass", "low"])
    assert target.read_text() == "mass,low\n0.1,\n"


@pytest.mark.parametrize("out,match", [
    ("missing/grid.zarr", "does not exist"),  # review3: the parents were created silently (exit 0)
    ("grid.txt", "must end in .zarr"),  # review3: a Zarr store named grid.txt was written
])
def test_scan_out_is_checked_like_every_other_out(tmp_path, out, match):
    from test_scan import MINI

    spec = tmp_path / "mini.toml"
    spec.write_text(MINI)
    _one_line_error(("scan", str(spec), "--out", str(tmp_path / out), "--no-progress"), match)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini.toml"]  # nothing created


def test_width_conversions_of_stable_and_bad_widths():
    # review3: width 0 raised ZeroDivisionError, a negative width gave a negative c*tau, NaN passed through
    import math

    from muonreach import units

    assert units.width_to_ctau_cm(0.0) == math.inf and units.width_to_lifetime_s(0.0) == math.inf
    assert units.width_to_ctau_cm(1e-9) == pytest.approx(1.973269804e-5, rel=1e-12, abs=0)  # hbar c / Gamma
    for bad in (-1e-9, math.nan, math.inf):
        with pytest.raises(InvalidParameter, match="total width"):
            units.width_to_ctau_cm(bad)
