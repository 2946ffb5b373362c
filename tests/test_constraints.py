"""Limit-curve data layer: every shipped curve loads, is consistent with its metadata, and errors are one line."""

import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from conftest import run_in_process
from muonreach import constants as c
from muonreach.constraints import (
    ANY_MODEL,
    PLANES,
    all_limits,
    get_limit,
    limits_for,
    list_limits,
)
from muonreach.constraints.curve import parse_csv, parse_curve
from muonreach.constraints.importer import TRANSFORMS, convert, csv_text
from muonreach.errors import SpecError, UnknownName
from muonreach.models.registry import get_model_spec

DATA = resources.files("muonreach.constraints").joinpath("data")
NAMES = list_limits()


def test_shipped_curves_exist():
    # the curves the figures rely on, and the set documented in README.md
    for name in ("na64e-invisible-2019", "babar-invisible-2017", "e137", "orsay", "babar-4mu-2016", "borexino-lmutau",
                 "babar-leptophilic-2020", "xenon10-e-2012", "xenon100-e-2016", "darkside50-e-2022", "cdms-hvev-e-2020"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_curve_is_consistent(name):
    curve = get_limit(name)
    assert curve.name == name
    assert curve.x.size >= 2 and curve.x.shape == curve.y.shape
    for arr in (curve.x, curve.y) + (() if curve.y_high is None else (curve.y_high,)):
        assert np.all(np.isfinite(arr)) and np.all(arr > 0)
    if curve.edge != "closed":
        assert np.all(np.diff(curve.x) >= 0)
    assert (curve.y_high is not None) == (curve.edge == "two-sided")
    assert (curve.plane.x_unit, curve.plane.y_unit) == PLANES[curve.plane.name]
    if curve.model != ANY_MODEL:
        spec = get_model_spec(curve.model)  # a real model
        if curve.plane.name == "coupling":
            assert curve.plane.y == spec.coupling  # the y axis is the model's --coupling
            assert np.all(curve.y < 4 * math.pi)
    assert curve.cl is None or 0.5 < curve.cl < 1.0
    assert curve.provenance in ("official", "digitised")
    assert curve.source.paper and curve.source.data
    # licence status recorded consistently
    assert ("NO-LICENSE" in curve.licence) == (curve.licence_status == "no-licence")
    if "DarkCast" in curve.source.data:
        assert curve.licence.startswith("GPL-2.0-or-later") and curve.redistributable


def test_mass_and_coupling_units():
    # masses in GeV: DM-electron files were in MeV (XENON10 starts at 3.98 MeV)
    assert get_limit("xenon10-e-2012").x[0] == pytest.approx(3.9753735e-3, rel=1e-5)
    # couplings dimensionless; sigma_e in cm^2 (DarkSide-50 ~ 1e-39 cm^2 near 100 MeV)
    ds = get_limit("darkside50-e-2022")
    assert 1e-41 < float(np.interp(0.1, ds.x, ds.y)) < 1e-37


def test_babar_leptophilic_translation():
    """g_mu = xi m_mu / v (lepton-specific scalar); first row of BABAR_leptophilic.dat has xi = 1.46241765."""
    curve = get_limit("babar-leptophilic-2020")
    assert curve.model == "scalar-lepton" and "xi m_mu / v" in curve.translation
    assert curve.y[0] == pytest.approx(1.46241765 * c.M_MU / c.HIGGS_VEV, rel=1e-5)
    assert pytest.approx(4.291e-4, rel=1e-3) == c.M_MU / c.HIGGS_VEV


def test_babar_4mu_is_the_published_gprime():
    # BaBar quotes g' ~ 1e-3 near 0.22 GeV for L_mu - L_tau (PRD 94 (2016) 011102)
    curve = get_limit("babar-4mu-2016")
    low = curve.y[curve.x < 0.3]
    assert 5e-4 < np.median(low) < 2e-3


def test_gpl_files_travel_with_darkcast_curves():
    assert DATA.joinpath("LICENSE-DarkCast.txt").read_text().lstrip().startswith("GNU GENERAL PUBLIC LICENSE")
    assert "Ilten" in DATA.joinpath("AUTHORS-DarkCast.md").read_text()


def test_readme_lists_every_curve():
    readme = DATA.joinpath("README.md").read_text()
    for name in NAMES:
        assert f"`{name}`" in readme, name


def test_limits_for_filters_by_model_and_plane():
    names = {cv.name for cv in limits_for("scalar-lepton")}
    assert "babar-leptophilic-2020" in names and "xenon10-e-2012" in names  # own + model-independent
    assert "e137" not in names and "babar-4mu-2016" not in names
    assert {cv.name for cv in limits_for(plane="sigma-e")} == {cv.name for cv in all_limits() if cv.plane.name == "sigma-e"}


def test_unknown_curve():
    with pytest.raises(UnknownName, match="unknown limit curve 'nope'"):
        get_limit("nope")


_META = """schema = 1
name = "mine"
label = "Mine"
title = "a user curve"
model = "scalar-muon"
kind = "projection"
edge = "lower"
provenance = "digitised"
licence = "CC0"
licence_status = "licensed"
[plane]
name = "coupling"
x = "m_S"
x_unit = "GeV"
y = "g_mu"
y_unit = "1"
[source]
paper = "nobody"
data = "typed for a test"
"""


def test_user_curve_by_path(tmp_path: Path):
    (tmp_path / "mine.toml").write_text(_META)
    (tmp_path / "mine.csv").write_text("x,y\n0.01,1e-4\n0.1,2e-4\n")
    curve = get_limit(str(tmp_path / "mine.toml"))
    assert curve.label == "Mine" and curve.cl is None and list(curve.y) == [1e-4, 2e-4]


@pytest.mark.parametrize(
    ("meta", "data", "message"),
    [
        (_META.replace('edge = "lower"', 'edge = "sideways"'), "x,y\n1,1\n2,2\n", "'edge' must be one of"),
        (_META.replace('x_unit = "GeV"', 'x_unit = "MeV"'), "x,y\n1,1\n2,2\n", "convert at import"),
        (_META.replace("schema = 1", "schema = 1\ncl = 90"), "x,y\n1,1\n2,2\n", "probability"),
        (_META, "x,y_low,y_high\n1,1,2\n2,2,3\n", "header must be x,y"),
        (_META, "x,y\n1,1\n2,-2\n", "finite and positive"),
        (_META, "x,y\n2,1\n1,2\n", "non-decreasing"),
        (_META, "x,y\n1,abc\n2,2\n", "malformed number"),
        (_META.replace("schema = 1", "schema = 1\ncolour = 2"), "x,y\n1,1\n2,2\n", "unknown key"),
        ("schema = 1\nname = [", "x,y\n1,1\n", "not valid TOML"),
    ],
)
def test_malformed_curves_are_one_line_spec_errors(meta, data, message):
    with pytest.raises(SpecError, match=message) as info:
        parse_curve(meta, data, "mine")
    assert "\n" not in str(info.value)


def test_parse_two_sided():
    _, _, hi = parse_csv("x,y_low,y_high\n1,1e-7,1e-3\n2,1e-7,1e-4\n", "two-sided", "t")
    assert list(hi) == [1e-3, 1e-4]
    with pytest.raises(SpecError, match="below y_low"):
        parse_csv("x,y_low,y_high\n1,1e-3,1e-7\n2,1e-7,1e-4\n", "two-sided", "t")


def test_importer_recipe(tmp_path: Path):
    """MeV -> GeV, sentinel removal (after conversion), sorting, duplicate removal and a named translation."""
    src = tmp_path / "curve.txt"
    src.write_text("# mass [MeV] value\n20 1.0\n10 0.5\n10 0.5\n30 1e5\n")
    rows = convert({"path": "curve.txt", "columns": [0, 1], "x_scale": 1e-3, "y_max": 10.0,
                    "y_transform": "xi_to_g_mu"}, tmp_path, "t")
    assert rows[:, 0].tolist() == [0.01, 0.02]
    assert rows[:, 1] == pytest.approx(np.array([0.5, 1.0]) * c.M_MU / c.HIGGS_VEV)
    assert csv_text(rows).startswith("x,y\n0.01,")
    with pytest.raises(SpecError, match="unknown y_transform"):
        convert({"path": "curve.txt", "columns": [0, 1], "y_transform": "eval me"}, tmp_path, "t")
    assert set(TRANSFORMS) == {"xi_to_g_mu", "bc2_y_to_eps"}
    # the BC2 inversion: Y = eps^2 alpha_D (m_chi/m_A')^4 with m_A' = 3 m_chi, alpha_D = 0.1
    assert TRANSFORMS["bc2_y_to_eps"][0](np.array([1e-3**2 * 0.1 / 81]))[0] == pytest.approx(1e-3, rel=1e-12, abs=0)
    csv_src = tmp_path / "bc2.csv"
    csv_src.write_text('"mass","coupling"\n0.1,1e-12\n')  # a quoted CSV header is skipped
    assert convert({"path": "bc2.csv", "columns": [0, 1], "x_scale": 3.0}, tmp_path, "t").tolist() == [[0.30000000000000004, 1e-12]]


def test_limits_command_json(run_cli_json):
    rows = run_cli_json("limits")["limits"]
    assert {r["name"] for r in rows} == set(NAMES)
    row = next(r for r in rows if r["name"] == "babar-leptophilic-2020")
    assert row["licence_status"] == "no-licence" and row["cl"] == 0.9 and row["plane"]["y"] == "g_mu"
    only = run_cli_json("limits", "--model", "lmu-ltau")["limits"]
    assert {r["model"] for r in only} <= {"lmu-ltau", "any"}


def test_limits_command_text(run_cli):
    code, out, _ = run_cli("limits", "--plane", "sigma-e")
    assert code == 0 and "xenon10-e-2012" in out and "e137" not in out


def test_limits_command_errors_are_one_line():
    for args in (["limits", "--plane", "nowhere"], ["limits", "--model", "nomodel"]):
        proc = run_in_process(*args)
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("muonreach: error:")
    proc = run_in_process("limits", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["limits"]
