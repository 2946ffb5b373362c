"""Tests of muonreach.materials and data/materials.toml."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from muonreach.errors import DataRangeError, SpecError, UnknownName
from muonreach.materials import Material, get_material, list_materials, load_materials

REQUIRED = {"Pb", "W", "Be", "Cu", "Fe", "Al", "C", "Si", "CsI"}

GOOD_FILE = """
schema_version = 1
[materials.Foo]
long_name = "foonium"
components = [{ symbol = "Fo", Z = 20, A = 40.0, count = 1 }]
density_g_cm3 = 2.0
radiation_length_g_cm2 = 20.0
radiation_length_cm = 10.0
dedx_min_mev_cm2_g = 1.5
dedx_points = [[1.0, 1.5], [100.0, 3.0]]
source = "made up for a test"
"""


def test_shipped_materials_are_listed() -> None:
    assert REQUIRED <= set(list_materials())
    for name in list_materials():
        m = get_material(name)
        assert isinstance(m, Material) and m.source and m.dedx_source


@pytest.mark.parametrize(("name", "n_paper"), [("Pb", 3.3e22), ("W", 6.3e22)])
def test_n_atom_matches_paper(name: str, n_paper: float) -> None:
    # Source: 002_64b267437daa15d5.txt Table I (n_atom = 3.3e22 /cm^3 Pb, 6.3e22 /cm^3 W).
    # Tolerance 2%: the paper rounds to two significant digits (+-1.5%).
    assert get_material(name).n_atom_per_cm3 == pytest.approx(n_paper, rel=0.02)


@pytest.mark.parametrize(("name", "dedx", "e_range"), [("Pb", 12.7e-3, (159.75, 160.0)), ("W", 22.1e-3, (0.5, 3.0))])
def test_constant_dedx_is_the_papers(name: str, dedx: float, e_range: tuple[float, float]) -> None:
    # Source: 002_64b267437daa15d5.txt Table I (12.7e-3 GeV/cm Pb at 160 GeV; 22.1e-3 GeV/cm W, 0.5-3 GeV).
    # Tolerance: exact (typed from the paper), up to float representation.
    m = get_material(name)
    assert m.dedx_gev_cm == pytest.approx(dedx, rel=1e-12)
    assert m.dedx_energy_range_gev == e_range


@pytest.mark.parametrize("name", ["Pb", "W"])
def test_paper_dedx_is_pdg_minimum_ionization(name: str) -> None:
    # Source: PDG Atomic and Nuclear Properties (<dE/dx>_min * density) vs 002 Table I.
    # Tolerance 0.5%: the paper gives 3 digits (12.7, 22.1); PDG gives 12.73 and 22.10 MeV/cm.
    m = get_material(name)
    assert m.dedx_min_mev_cm2_g * 1e-3 * m.density_g_cm3 == pytest.approx(m.dedx_gev_cm, rel=5e-3)


def test_radiation_length_units_agree() -> None:
    # Source: PDG tables give X0 in g/cm^2 and cm; they must agree through the density.
    # Tolerance 0.1%: both are printed with 3-4 significant digits.
    for name in list_materials():
        m = get_material(name)
        assert m.radiation_length_cm * m.density_g_cm3 == pytest.approx(m.radiation_length_g_cm2, rel=1e-3)


def test_default_constant_dedx_is_minimum_ionization() -> None:
    # Materials without a paper value use PDG <dE/dx>_min * density (documented in data/README.md).
    cu = get_material("Cu")
    assert cu.dedx_gev_cm == pytest.approx(1.403e-3 * 8.960, rel=1e-12)
    assert cu.dedx(0.35) == pytest.approx(cu.dedx_gev_cm, rel=1e-12)


def test_compound_counts_formula_units() -> None:
    # CsI: one Cs + one I per formula unit; n_atom counts molecules (rho N_A / (A_Cs + A_I)).
    csi = get_material("CsI")
    assert csi.is_compound and [c.symbol for c in csi.components] == ["Cs", "I"]
    assert csi.A == pytest.approx(132.90545196 + 126.90447, rel=1e-12)
    assert csi.n_atom_per_cm3 == pytest.approx(4.510 * 6.02214076e23 / 259.80992196, rel=1e-12)
    assert not get_material("Pb").is_compound


def test_lookup_by_long_name_and_case() -> None:
    assert get_material("lead") is get_material("Pb")
    assert get_material("w") is get_material("W")
    assert get_material("Cesium Iodide").name == "CsI"


def test_unknown_material() -> None:
    with pytest.raises(UnknownName) as info:
        get_material("unobtainium")
    msg = str(info.value)
    assert "\n" not in msg and "unobtainium" in msg and "Pb" in msg and "CsI" in msg


def test_material_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_material("Pb").density_g_cm3 = 1.0  # type: ignore[misc]


def test_user_file_and_energy_dependent_dedx(tmp_path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD_FILE)
    foo = load_materials(path)["Foo"]
    assert foo.n_atom_per_cm3 == pytest.approx(2.0 * 6.02214076e23 / 40.0)
    # table in MeV cm^2/g converted with the density: 1.5 -> 3.0e-3 GeV/cm, 3.0 -> 6.0e-3 GeV/cm;
    # interpolation is linear in ln E, so the geometric mean of 1 and 100 GeV sits half way.
    assert foo.dedx([1.0, 10.0, 100.0]) == pytest.approx([3.0e-3, 4.5e-3, 6.0e-3], rel=1e-12)
    with pytest.raises(DataRangeError):
        foo.dedx(500.0)
    assert foo.dedx(500.0, extrapolate=True) == pytest.approx(6.0e-3)
    assert foo.dedx_gev_cm == pytest.approx(1.5e-3 * 2.0)  # no constant given: minimum ionization
    assert np.isclose(foo.dedx(0.5, extrapolate=True), 3.0e-3)


@pytest.mark.parametrize(
    "text",
    [
        "this is = = not toml",
        "schema_version = 2\n[materials.X]\n",
        "schema_version = 1\n",
        GOOD_FILE.replace("density_g_cm3 = 2.0", "density_g_cm3 = -2.0"),
        GOOD_FILE.replace("radiation_length_cm = 10.0", "radiation_length_cm = 12.0"),  # X0 inconsistent
        GOOD_FILE.replace('source = "made up for a test"', ""),  # missing key
        GOOD_FILE.replace("long_name", "lnog_name"),  # unknown key (typo)
        GOOD_FILE.replace("Z = 20", "Z = 20.5"),
        GOOD_FILE.replace("[[1.0, 1.5], [100.0, 3.0]]", "[[100.0, 1.5], [1.0, 3.0]]"),  # not increasing
        GOOD_FILE.replace("components = [{", "components = 3 #"),
    ],
)
def test_bad_file_raises_spec_error(tmp_path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        load_materials(path)
    assert "\n" not in str(info.value)


def test_missing_file_raises_spec_error(tmp_path) -> None:
    with pytest.raises(SpecError):
        load_materials(tmp_path / "nope.toml")
