"""Tests of muonreach.materials and data/materials.toml."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from muonreach.errors import DataRangeError, SpecError, UnknownName
from muonreach.materials import Material, get_material, list_materials, load_materials

REQUIRED = {"Pb", "W", "Be", "Cu", "Fe", "Al", "C", "Si", "CsI"}

GOOD_FILE = """
schema = 1
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
    assert set(list_materials()) >= REQUIRED
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
    assert m.dedx_gev_cm == pytest.approx(dedx, rel=1e-12, abs=0)
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
    assert cu.dedx_gev_cm == pytest.approx(1.403e-3 * 8.960, rel=1e-12, abs=0)
    assert cu.dedx(0.35) == pytest.approx(cu.dedx_gev_cm, rel=1e-12, abs=0)


def test_compound_counts_formula_units() -> None:
    # CsI: one Cs + one I per formula unit; n_atom counts molecules (rho N_A / (A_Cs + A_I)).
    csi = get_material("CsI")
    assert csi.is_compound and [c.symbol for c in csi.components] == ["Cs", "I"]
    assert pytest.approx(132.90545196 + 126.90447, rel=1e-12) == csi.A
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
    assert foo.dedx([1.0, 10.0, 100.0]) == pytest.approx([3.0e-3, 4.5e-3, 6.0e-3], rel=1e-12, abs=0)
    with pytest.raises(DataRangeError):
        foo.dedx(500.0)
    assert foo.dedx(500.0, extrapolate=True) == pytest.approx(6.0e-3)
    assert foo.dedx_gev_cm == pytest.approx(1.5e-3 * 2.0)  # no constant given: minimum ionization
    assert np.isclose(foo.dedx(0.5, extrapolate=True), 3.0e-3)


@pytest.mark.parametrize(
    "text",
    [
        "this is = = not toml",
        "schema = 2\n[materials.X]\n",
        "schema = 1\n",
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


# ---------------------------------------------------------------------------------------------------
# energy-dependent mean loss tables (data/materials.toml dedx_points; sources in data/README.md)

M_MU_GEV = 0.10566  # the muon mass used to turn the tables' kinetic energy T into total energy E
TABLE_T_GEV = (0.3, 0.9, 3.0, 10.0, 30.0, 100.0, 300.0)  # PDG table rows shipped for Al, Si, Cu
TABULATED = ("Al", "Si", "Cu")  # materials with official table rows
NOT_FOUND = ("Pb", "W", "Be", "Fe", "C", "CsI")  # no table could be sourced: min-ionization point only


def _mev_cm2_g(name: str) -> list[tuple[float, float]]:
    """The shipped table of a material back in (E [GeV], <dE/dx> [MeV cm^2/g])."""
    m = get_material(name)
    return [(e, v / (1e-3 * m.density_g_cm3)) for e, v in m.dedx_table]


@pytest.mark.parametrize(
    ("name", "t_gev", "printed"),
    [
        # Source: PDG muon table muE_aluminum_Al (copy: brownd1978/TrackToy Data/MuonRangeAl.dat), 'dE/dx' column.
        ("Al", 10.0, 2.117),
        ("Al", 100.0, 2.693),
        # Source: PDG muon table muE_silicon_Si (copy: michareichmann/EnergyLoss data/muons/Silicon.txt).
        ("Si", 10.0, 2.199),
        ("Si", 100.0, 2.814),
        # Source: PDG muon table muE_copper_Cu (copy: michareichmann/EnergyLoss data/Copper.txt).
        ("Cu", 10.0, 1.926),
        ("Cu", 100.0, 2.765),
    ],
)
def test_table_values_equal_the_source(name: str, t_gev: float, printed: float) -> None:
    # The tables print 4 significant digits in kinetic energy T; the file stores E = T + m_mu.
    # Tolerance: half a unit of the last printed digit (5e-4 MeV cm^2/g) on the value read back
    # through the density conversion, 1e-9 GeV on the energy (exact decimal typed).
    m = get_material(name)
    e = t_gev + M_MU_GEV
    table = dict(_mev_cm2_g(name))
    node = min(table, key=lambda x: abs(x - e))
    assert node == pytest.approx(e, abs=1e-9)
    assert table[node] == pytest.approx(printed, abs=5e-4)
    assert m.dedx(e) == pytest.approx(printed * 1e-3 * m.density_g_cm3, rel=1e-9)


@pytest.mark.parametrize("name", TABULATED)
def test_table_energies_are_total_energies_of_the_kinetic_rows(name: str) -> None:
    # Source: the PDG tables are in kinetic energy; data/README.md fixes E = T + 0.10566 GeV.
    # The first node is the PDG <dE/dx>_min summary value at the conventional E = 0.35 GeV.
    # Tolerance 1e-9 GeV: the energies are typed decimals.
    energies = [e for e, _ in get_material(name).dedx_table]
    assert energies[0] == 0.35
    assert energies[1:] == pytest.approx([t + M_MU_GEV for t in TABLE_T_GEV], abs=1e-9)


@pytest.mark.parametrize("name", TABULATED)
def test_mean_loss_rises_above_10_GeV(name: str) -> None:
    # Source: the PDG muon tables (data/README.md): above ~10 GeV the mean loss rises, first through the
    # ionization rise, then through the radiative term b(E) E. Tolerance: strict increase node to node,
    # and at least +25% from 10 to 300 GeV (the tables give +71% Al, +74% Si, +128% Cu).
    points = [(e, v) for e, v in _mev_cm2_g(name) if e >= 10.0]
    values = [v for _, v in points]
    assert len(values) >= 3
    assert all(b > a for a, b in zip(values, values[1:]))
    assert values[-1] > 1.25 * values[0]


def test_radiative_rise_grows_with_z() -> None:
    # Source: PDG muon tables (Al Z=13, Cu Z=29): radiative loss per g/cm^2 scales ~Z^2/A, so the 10 -> 300 GeV
    # rise is larger in Cu (4.389/1.926) than in Al (3.627/2.117). Tolerance: ratio comparison only.
    al = dict(_mev_cm2_g("Al"))
    cu = dict(_mev_cm2_g("Cu"))
    e10, e300 = 10.0 + M_MU_GEV, 300.0 + M_MU_GEV
    key = lambda d, e: min(d, key=lambda x: abs(x - e))
    assert cu[key(cu, e300)] / cu[key(cu, e10)] > al[key(al, e300)] / al[key(al, e10)]


@pytest.mark.parametrize("name", sorted(REQUIRED))  # sorted: the same order in every process (pytest-xdist)
def test_interpolation_returns_nodes(name: str) -> None:
    # Material.dedx interpolates linearly in ln E: at every node it returns the node value, and half way in
    # ln E between two nodes the mean of the two. Tolerance 1e-12 (pure arithmetic on the stored table).
    m = get_material(name)
    energies = np.array([e for e, _ in m.dedx_table])
    values = np.array([v for _, v in m.dedx_table])
    assert m.dedx(energies) == pytest.approx(values, rel=1e-12, abs=0)
    if len(energies) > 1:
        mid = np.sqrt(energies[:-1] * energies[1:])
        assert m.dedx(mid) == pytest.approx(0.5 * (values[:-1] + values[1:]), rel=1e-12, abs=0)


@pytest.mark.parametrize("name", NOT_FOUND)
def test_unsourced_materials_keep_the_single_minimum_point(name: str) -> None:
    # Source: PDG <dE/dx>_min only (data/README.md: no muon table found). Away from the point dedx raises
    # unless extrapolate=True, which holds the minimum value (002 eq. (16) approximation). Tolerance 1e-12.
    m = get_material(name)
    assert len(m.dedx_table) == 1 and m.dedx_table[0][0] == 0.35
    assert m.dedx_table[0][1] == pytest.approx(m.dedx_min_mev_cm2_g * 1e-3 * m.density_g_cm3, rel=1e-12, abs=0)
    with pytest.raises(DataRangeError):
        m.dedx(10.0)
    assert m.dedx(10.0, extrapolate=True) == pytest.approx(m.dedx_min_mev_cm2_g * 1e-3 * m.density_g_cm3)


@pytest.mark.parametrize("name", TABULATED)
def test_constant_loss_unchanged_by_tables(name: str) -> None:
    # The yields' constant stays PDG <dE/dx>_min * density at the minimum-ionization point; the new table
    # must not widen its stated validity range. Source: data/README.md. Tolerance 1e-12 (typed numbers).
    m = get_material(name)
    assert m.dedx_gev_cm == pytest.approx(m.dedx_min_mev_cm2_g * 1e-3 * m.density_g_cm3, rel=1e-12, abs=0)
    assert m.dedx_energy_range_gev == (0.35, 0.35)
    assert m.dedx(0.35) == pytest.approx(m.dedx_gev_cm, rel=1e-12, abs=0)


def test_pb_paper_constant_is_minimum_ionization_not_the_160_GeV_loss() -> None:
    # Source: 002 Table I (12.7e-3 GeV/cm at 160 GeV) and PDG <dE/dx>_min (1.122 MeV cm^2/g * 11.35 g/cm^3).
    # The constant is kept (it is the paper's number) and equals the minimum, not a high-energy value.
    # Tolerance 0.5%: the paper prints 3 digits.
    pb = get_material("Pb")
    assert pb.dedx_gev_cm == pytest.approx(12.7e-3, rel=1e-12, abs=0)
    assert pb.dedx(0.35) == pytest.approx(pb.dedx_gev_cm, rel=5e-3)
