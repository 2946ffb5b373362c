"""Bad input found by the issue-9 audit (a new user's unphysical, non-finite, unknown and malformed input):
one line `muonreach: error: ...` with exit code 2 on the CLI, a MuonReachError subclass in the API."""

import pytest

from conftest import run_subprocess
from muonreach.errors import InvalidParameter
from muonreach.models.dark_photon import DarkPhoton
from muonreach.models.scalar import LeptophilicScalar


def _one_line_error(args, match: str) -> None:
    result = run_subprocess(*args)
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
