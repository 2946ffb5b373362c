"""Target materials: composition, density, radiation length and muon energy loss, with sources.

The shipped table is ``data/materials.toml`` (format and sources in ``data/README.md``). Users load
their own files with :func:`load_materials`. The atomic number density is computed, never typed:
``n_atom = density * N_A / A`` (002_64b267437daa15d5.txt Table I quotes 3.3e22 /cm^3 for Pb and
6.3e22 /cm^3 for W).

A compound (e.g. CsI) is a list of components with their counts per formula unit: ``A`` is then the
molar mass of a formula unit, ``n_atom_per_cm3`` counts formula units and the form factor is summed
over the atoms of one formula unit (:func:`muonreach.production.form_factors.g2_material`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import DataRangeError, SpecError, UnknownName
from .specfields import parse_toml_text, read_bytes, require_schema
from .units import AVOGADRO, MeV

#: Largest accepted mismatch between X0[g/cm^2] and X0[cm] * density (both typed from the PDG).
_X0_CONSISTENCY: float = 0.01

_MATERIAL_KEYS = {
    "long_name", "components", "density_g_cm3", "radiation_length_g_cm2", "radiation_length_cm",
    "dedx_min_mev_cm2_g", "dedx_points", "dedx_gev_cm", "dedx_energy_range_gev", "dedx_source", "source",
}
_REQUIRED_KEYS = {
    "components", "density_g_cm3", "radiation_length_g_cm2", "radiation_length_cm",
    "dedx_min_mev_cm2_g", "dedx_points", "source",
}


@dataclass(frozen=True)
class Component:
    """One kind of atom in a material: ``count`` atoms of (Z, A) per formula unit."""

    symbol: str
    Z: int
    A: float  # g/mol (standard atomic weight; also used as the mass number in the form factor)
    count: int = 1


@dataclass(frozen=True)
class Material:
    """A target material. Lengths in cm, energies in GeV, densities in g/cm^3.

    ``dedx_gev_cm`` is the constant mean muon energy loss used by yield calculations (002 eq. (16)),
    valid for muon energies ``dedx_energy_range_gev``; ``dedx_table`` holds (E_mu [GeV],
    <dE/dx> [GeV/cm]) points for an energy-dependent loss (:meth:`dedx`)."""

    name: str
    long_name: str
    components: tuple[Component, ...]
    density_g_cm3: float
    radiation_length_g_cm2: float
    radiation_length_cm: float
    dedx_min_mev_cm2_g: float
    dedx_gev_cm: float
    dedx_energy_range_gev: tuple[float, float]
    dedx_table: tuple[tuple[float, float], ...]
    dedx_source: str
    source: str

    @property
    def Z(self) -> int:
        """Nuclear charge per formula unit (the atomic number for an element)."""
        return sum(c.count * c.Z for c in self.components)

    @property
    def A(self) -> float:
        """Molar mass per formula unit in g/mol (the atomic weight for an element)."""
        return math.fsum(c.count * c.A for c in self.components)

    @property
    def is_compound(self) -> bool:
        return len(self.components) > 1 or self.components[0].count > 1

    @property
    def n_atom_per_cm3(self) -> float:
        """Number density of formula units (atoms for an element) in cm^-3: density * N_A / A."""
        return self.density_g_cm3 * AVOGADRO / self.A

    def dedx(self, energy_gev: ArrayLike, *, extrapolate: bool = False) -> NDArray[np.float64]:
        """Mean muon energy loss <dE/dx> in GeV/cm at muon energy ``energy_gev`` (GeV).

        Linear interpolation in ln E between the points of ``dedx_table``. Outside the table
        :class:`DataRangeError` is raised unless ``extrapolate`` is set, which holds the end values
        (the constant-loss approximation of 002 eq. (16))."""
        e = np.asarray(energy_gev, dtype=float)
        energies = np.array([p[0] for p in self.dedx_table])
        values = np.array([p[1] for p in self.dedx_table])
        if not extrapolate and (np.any(e < energies[0]) or np.any(e > energies[-1])):
            raise DataRangeError(
                f"{self.name}: dE/dx is tabulated for E_mu in [{energies[0]:g}, {energies[-1]:g}] GeV "
                f"only; pass extrapolate=True for a constant continuation"
            )
        return np.interp(np.log(e), np.log(energies), values)


# ---------------------------------------------------------------------------------------------------
# loading


def _number(name: str, key: str, value: Any, *, integer: bool = False) -> float:
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not math.isfinite(value) or value <= 0:
        kind = "a positive integer" if integer else "a positive number"
        raise SpecError(f"material {name!r}: {key} must be {kind}, got {value!r}")
    return value


def _components(name: str, raw: Any) -> tuple[Component, ...]:
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"material {name!r}: components must be a non-empty array of tables")
    out = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - {"symbol", "Z", "A", "count"} or not {"Z", "A"} <= set(item):
            raise SpecError(f"material {name!r}: each component needs Z and A (optional symbol, count), got {item!r}")
        out.append(
            Component(
                symbol=str(item.get("symbol", "")),
                Z=int(_number(name, "component Z", item["Z"], integer=True)),
                A=float(_number(name, "component A", item["A"])),
                count=int(_number(name, "component count", item.get("count", 1), integer=True)),
            )
        )
    return tuple(out)


def _dedx_table(name: str, raw: Any, density: float) -> tuple[tuple[float, float], ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise SpecError(f"material {name!r}: dedx_points must be [[E_GeV, dEdx_MeV_cm2_g], ...]")
    points = [
        (float(_number(name, "dedx_points energy", e)), float(_number(name, "dedx_points value", v))) for e, v in raw
    ]
    energies = [p[0] for p in points]
    if any(b <= a for a, b in itertools.pairwise(energies)):
        raise SpecError(f"material {name!r}: dedx_points energies must increase strictly")
    return tuple((e, v * MeV * density) for e, v in points)


def _material(name: str, raw: Any) -> Material:
    if not isinstance(raw, dict):
        raise SpecError(f"material {name!r} must be a table")
    unknown = set(raw) - _MATERIAL_KEYS
    missing = _REQUIRED_KEYS - set(raw)
    if unknown or missing:
        what = f"unknown keys {sorted(unknown)}" if unknown else f"missing keys {sorted(missing)}"
        raise SpecError(f"material {name!r}: {what}")
    density = float(_number(name, "density_g_cm3", raw["density_g_cm3"]))
    x0_g = float(_number(name, "radiation_length_g_cm2", raw["radiation_length_g_cm2"]))
    x0_cm = float(_number(name, "radiation_length_cm", raw["radiation_length_cm"]))
    if abs(x0_cm * density / x0_g - 1.0) > _X0_CONSISTENCY:
        raise SpecError(
            f"material {name!r}: radiation_length_cm * density = {x0_cm * density:.4g} g/cm^2 "
            f"disagrees with radiation_length_g_cm2 = {x0_g:.4g}"
        )
    dedx_min = float(_number(name, "dedx_min_mev_cm2_g", raw["dedx_min_mev_cm2_g"]))
    table = _dedx_table(name, raw["dedx_points"], density)
    if "dedx_gev_cm" in raw:
        dedx = float(_number(name, "dedx_gev_cm", raw["dedx_gev_cm"]))
        dedx_source = str(raw.get("dedx_source", raw["source"]))
    else:
        dedx = dedx_min * MeV * density
        dedx_source = f"<dE/dx>_min * density ({raw['source']})"
    e_range = raw.get("dedx_energy_range_gev", [table[0][0], table[-1][0]])
    numeric = isinstance(e_range, list) and all(type(x) in (int, float) for x in e_range)
    if not (numeric and len(e_range) == 2 and 0 < e_range[0] <= e_range[1]):
        raise SpecError(f"material {name!r}: dedx_energy_range_gev must be [E_low, E_high] with 0 < E_low <= E_high")
    return Material(
        name=name,
        long_name=str(raw.get("long_name", name)),
        components=_components(name, raw["components"]),
        density_g_cm3=density,
        radiation_length_g_cm2=x0_g,
        radiation_length_cm=x0_cm,
        dedx_min_mev_cm2_g=dedx_min,
        dedx_gev_cm=dedx,
        dedx_energy_range_gev=(float(e_range[0]), float(e_range[1])),
        dedx_table=table,
        dedx_source=dedx_source,
        source=str(raw["source"]),
    )


def _parse(data: bytes | str, origin: str) -> dict[str, Material]:
    doc = parse_toml_text(data, origin)
    require_schema(doc, origin)
    table = doc.get("materials")
    if not isinstance(table, dict) or not table:
        raise SpecError(f"{origin}: no [materials.NAME] tables found")
    try:
        return {name: _material(name, raw) for name, raw in table.items()}
    except SpecError as exc:
        raise SpecError(f"{origin}: {exc}") from None


def load_materials(path: str | Path) -> dict[str, Material]:
    """Read a materials TOML file (format of ``data/materials.toml``); raise SpecError if malformed."""
    return _parse(read_bytes(path, "materials file"), str(path))


@lru_cache(maxsize=1)
def _builtin() -> dict[str, Material]:
    text = (resources.files("muonreach") / "data" / "materials.toml").read_bytes()
    return _parse(text, "muonreach data/materials.toml")


def list_materials() -> list[str]:
    """Names of the shipped materials."""
    return sorted(_builtin())


def get_material(name: str) -> Material:
    """A shipped material by name ("Pb") or, case-insensitively, by symbol or long name ("lead")."""
    table = _builtin()
    if name in table:
        return table[name]
    key = str(name).strip().lower()
    for m in table.values():
        if key in (m.name.lower(), m.long_name.lower()):
            return m
    raise UnknownName(f"unknown material {name!r}; known: {', '.join(list_materials())}")
