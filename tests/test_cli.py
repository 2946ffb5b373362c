"""Command-line contract (DESIGN.md): sub-commands, JSON keys, one-line errors with exit code 2."""

import pytest

from conftest import run_in_process, run_subprocess


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


def test_console_module_gives_exit_2_and_one_line():
    """The bad-input checks run in-process (the same `main`); this one runs `python -m muonreach` itself, in a
    fresh interpreter, for the exit code and stderr as a user sees them (nothing printed at import time)."""
    for args in (("gm2", "scalar-muon", "--mass", "abc", "--coupling", "1e-3"),
                 ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set",
                  "material=Xx")):
        result = run_subprocess(*args)
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("muonreach: error:"), lines


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
    result = run_in_process(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muonreach: error:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "model,coupling",
    [("scalar", "1e-3"), ("emu-scalar", "3.3e-3"), ("dark-photon", "1e-3"), ("inelastic-dm", "1e-3"),
     ("vector-muon", "1e-3"), ("lmu-ltau", "5e-4")],
)
def test_every_model_answers(run_cli_json, model, coupling):
    # issue 2: every named model gives Delta a and widths through the CLI
    gm2 = run_cli_json("gm2", model, "--mass", "0.3", "--coupling", coupling)
    assert gm2["delta_a"] != 0.0
    widths = run_cli_json("widths", model, "--mass", "0.3", "--coupling", coupling)
    assert widths["total_width"] >= 0.0


def test_emu_scalar_001_numbers(run_cli_json):
    # 001 eq. (7) point: m_phi = 3 m_mu, h = 3.3e-3. Full loop: 2.79e-9 (paper's heavy-limit formula: 2.55e-9);
    # Delta a_e = 3.81e-14 (paper quotes 0.6e-13 from the heavy limit). See docs/notes-001-gm2.md.
    mu = run_cli_json("gm2", "emu-scalar", "--mass", "0.31698", "--coupling", "3.3e-3")
    e = run_cli_json("gm2", "emu-scalar", "--mass", "0.31698", "--coupling", "3.3e-3", "--lepton", "e")
    assert mu["delta_a"] == pytest.approx(2.787e-9, rel=2e-3)
    assert e["delta_a"] == pytest.approx(3.81e-14, rel=2e-3, abs=0)


def test_inelastic_dm_reports_chi2_lifetime(run_cli_json):
    out = run_cli_json("widths", "inelastic-dm", "--mass", "0.3", "--coupling", "1e-3", "--set", "delta=0.4")
    assert out["chi2_ctau_cm"] > 0 and out["branching_ratios"]["chi1_chi2"] > 0.99


def test_stable_mediator_json(run_cli_json):
    # a muon-specific vector below 2 m_mu without DM or mixing has no tree-level decay: stable, ctau null
    out = run_cli_json("widths", "vector-muon", "--mass", "0.1", "--coupling", "1e-3")
    assert out["stable"] is True and out["ctau_cm"] is None and out["branching_ratios"] is None


def test_events_json(run_cli_json):
    out = run_cli_json("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "5e-4", "--set", "g_chi=1")
    assert set(out) >= {"experiment", "model", "mass", "coupling", "events"}
    assert out["events"] > 3.0


def test_events_set_reaches_experiment_fields(run_cli_json):
    base = run_cli_json("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-4", "--set", "g_chi=1")
    more = run_cli_json("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-4", "--set", "g_chi=1",
                        "--set", "muons_on_target=1e13")
    assert more["events"] == pytest.approx(10 * base["events"], rel=1e-9)


def test_reach_json_and_files(run_cli_json, run_cli, tmp_path):
    out = run_cli_json("reach", "na64mu-2017", "scalar-lepton", "--mass-min", "0.01", "--mass-max", "0.2", "--points", "4")
    assert len(out["rows"]) == 4 and all(set(r) == {"mass", "coupling_low", "coupling_high"} for r in out["rows"])
    csv_path = tmp_path / "r.csv"
    code, _, _ = run_cli("reach", "na64mu-2017", "scalar-lepton", "--mass-min", "0.01", "--mass-max", "0.2", "--points", "4",
                         "--out", str(csv_path))
    assert code == 0 and csv_path.read_text().splitlines()[0] == "mass,coupling_low,coupling_high"
    json_path = tmp_path / "r.json"
    run_cli("reach", "na64mu-2017", "scalar-lepton", "--mass-min", "0.01", "--mass-max", "0.2", "--points", "4",
            "--out", str(json_path))
    assert '"rows"' in json_path.read_text()


def test_list_experiments_and_materials(run_cli_json):
    names = {e["name"] for e in run_cli_json("list", "experiments")["experiments"]}
    assert {"na64mu-2018", "na64mu-2017", "fnal-mu-dump", "m3-phase1", "m3-phase2", "na64mu-2022"} <= names
    mats = {m["name"] for m in run_cli_json("list", "materials")["materials"]}
    assert {"Pb", "W", "Be", "Cu", "Fe", "Al", "C", "Si", "CsI"} <= mats


@pytest.mark.parametrize(
    "args",
    [
        ("events", "nope", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3"),  # unknown experiment
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "material=Xx"),  # material
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "target_length=-1"),
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "x_min=1.2"),
        ("events", "fnal-mu-dump", "scalar-muon", "--mass", "5", "--coupling", "1e-3"),  # beam energy too low
        ("events", "na64mu-2018", "dark-photon", "--mass", "50", "--coupling", "1e-3"),  # beyond the R-ratio table
        ("events", "na64mu-2018", "emu-scalar", "--mass", "0.3", "--coupling", "1e-3"),  # no diagonal coupling
        ("reach", "na64mu-2018", "scalar-muon", "--mass-min", "1", "--mass-max", "0.1"),  # min > max
        ("reach", "na64mu-2018", "scalar-muon", "--mass-min", "0.1", "--mass-max", "1", "--out", "x.txt"),  # bad suffix
        ("reach", "fnal-mu-dump", "scalar-muon", "--mass-min", "0.1", "--mass-max", "5"),  # beam cannot make 5 GeV
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "x_min=0.5",
         "--set", "x_min=0.6"),  # the same key twice
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "muons_on_target=1e300"),
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "nan"),
        ("events", "na64mu-2018", "scalar-lepton", "--mass", "0.1", "--coupling", "1.0"),  # g_tau = 16.8 g_mu > 4 pi
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "visible_escape=maybe"),
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "g_chi=50"),
        ("events", "na64mu-2018", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--set", "m_chi_ratio=-1"),
        ("reach", "na64mu-2018", "scalar-muon", "--mass-min", "0.1", "--mass-max", "1", "--out", "no/such/dir/r.csv"),
        ("relic", "scalar-muon", "--mass-min", "0.1", "--mass-max", "1", "--out", "no/such/dir/r.csv"),
        ("relic", "scalar-muon", "--mass", "1", "--coupling", "1e-3", "--set", "g_chi=1", "--set", "m_chi_ratio=0.6"),
        ("widths", "dark-photon", "--mass", "0.1", "--coupling", "2.0"),  # |eps| < 1
    ],
)
def test_bad_experiment_input_one_line_exit_2(args, tmp_path):
    result = run_in_process(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muonreach: error:"), lines  # an error alone: no warning before it


def test_output_path_is_checked_before_the_computation(run_cli, monkeypatch, tmp_path):
    from muonreach.cosmo import relic
    from muonreach.reach import contour

    def never(*args, **kwargs):
        raise AssertionError("computed before checking --out")

    monkeypatch.setattr(contour, "reach", never)
    monkeypatch.setattr(relic, "relic_curve", never)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (("reach", "na64mu-2018", "scalar-muon", "--mass-min", "0.1", "--mass-max", "1"),
                 ("relic", "scalar-muon", "--mass-min", "0.1", "--mass-max", "1", "--set", "g_chi=1")):
        code, _, err = run_cli(*args, "--out", str(blocker / "r.csv"))
        assert code == 2 and "not a directory" in err


def test_failed_write_keeps_the_previous_file(run_cli, monkeypatch, tmp_path):
    from muonreach import outputs

    target = tmp_path / "r.csv"
    target.write_text("good\n" * 3000)
    real_replace = outputs.os.replace

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.os, "replace", full_disk)
    code, _, err = run_cli("reach", "na64mu-2017", "scalar-lepton", "--mass-min", "0.01", "--mass-max", "0.2",
                           "--points", "2", "--out", str(target))
    monkeypatch.setattr(outputs.os, "replace", real_replace)
    assert code == 2 and "No space left" in err
    assert target.read_text() == "good\n" * 3000 and [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_list_limits(run_cli_json):
    rows = run_cli_json("list", "limits")["limits"]
    names = {r["name"] for r in rows}
    assert {"na64e-invisible-2019", "babar-leptophilic-2020"} <= names
    assert all(r["provenance"] in ("official", "digitised") for r in rows)
