"""Command-line contract (DESIGN.md): sub-commands, JSON keys, one-line errors with exit code 2."""

import pytest

from conftest import run_subprocess


def test_help_lists_subcommands(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    for cmd in ("gm2", "widths", "list", "summary"):
        assert cmd in out


def test_gm2_json(run_cli_json):
    out = run_cli_json("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4")
    assert set(out) >= {"model", "mass", "coupling", "lepton", "delta_a"}
    assert out["delta_a"] == pytest.approx(1.648e-9, rel=1e-3)  # 002 text after eq. (3)


def test_gm2_with_dataset_gives_pull(run_cli_json):
    out = run_cli_json("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4", "--dataset", "pdg2016")
    assert out["pull"] == pytest.approx((out["delta_a"] - 268e-11) / out["dataset_sigma"], rel=1e-9)


def test_gm2_electron(run_cli_json):
    out = run_cli_json("gm2", "scalar-lepton", "--mass", "0.1", "--coupling", "5e-4", "--lepton", "e")
    assert out["lepton"] == "e" and out["delta_a"] > 0


def test_widths_json(run_cli_json):
    out = run_cli_json("widths", "scalar-lepton", "--mass", "0.1", "--coupling", "5e-4")
    assert set(out) >= {"model", "mass", "coupling", "widths", "branching_ratios", "total_width", "ctau_cm"}
    assert out["widths"]["mu_mu"] == 0.0
    assert sum(out["branching_ratios"].values()) == pytest.approx(1.0)
    assert out["ctau_cm"] == pytest.approx(0.809, rel=1e-2)


def test_widths_set_dm(run_cli_json):
    out = run_cli_json("widths", "scalar-muon", "--mass", "0.3", "--coupling", "1e-3", "--set", "g_chi=1", "--set", "m_chi_ratio=0.3333")
    assert out["branching_ratios"]["chi_chi"] > 0.999


def test_list(run_cli_json):
    models = {m["name"] for m in run_cli_json("list", "models")["models"]}
    assert {"scalar-muon", "scalar-lepton", "scalar"} <= models
    datasets = {d["name"] for d in run_cli_json("list", "datasets")["datasets"]}
    assert {"pdg2016", "wa2025-wp2025", "ae-rb2020"} <= datasets


@pytest.mark.parametrize(
    "args",
    [
        ("gm2", "nope", "--mass", "0.1", "--coupling", "1e-3"),  # unknown model
        ("gm2", "scalar-muon", "--mass", "-0.1", "--coupling", "1e-3"),  # negative mass
        ("gm2", "scalar-muon", "--mass", "0", "--coupling", "1e-3"),  # zero mass
        ("gm2", "scalar-muon", "--mass", "abc", "--coupling", "1e-3"),  # not a number
        ("gm2", "scalar-muon", "--mass", "nan", "--coupling", "1e-3"),  # NaN
        ("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "20"),  # beyond 4 pi
        ("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--dataset", "nope"),  # unknown dataset
        ("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "nope=1"),  # unknown key
        ("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "g_chi"),  # malformed --set
        ("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--dataset", "ae-rb2020"),  # wrong lepton
        ("widths", "scalar-muon", "--mass", "0.1"),  # missing option
        ("list", "nothing"),
    ],
)
def test_bad_input_one_line_exit_2(args):
    result = run_subprocess(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muonreach: error:")
    assert "Traceback" not in result.stderr
