"""Experiment definitions: one TOML file per experiment (``data/*.toml``, README beside them).

A file has the sections [beam], [target], [detector], [selection], [signature], [statistics] (see
``data/README.md``). ``--set`` on the command line overrides any field by its short name
(``muons_on_target``, ``x_min``, ``energy``, ``target_length``, ...), listed in :data:`OVERRIDABLE`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..datafiles import read_toml, shipped_tomls
from ..errors import InvalidParameter, SpecError, UnknownName
from ..materials import Material, get_material
from ..production.cross_sections import APPROXIMATIONS
from ..validation import finite, fraction, non_negative, positive

SIGNATURES: tuple[str, ...] = ("invisible", "decay_beyond", "decay_in_volume")
ENERGY_LOSS_MODES: tuple[str, ...] = ("constant", "table")


@dataclass(frozen=True)
class Experiment:
    """A fixed-target experiment with a lepton beam. Energies in GeV, lengths in cm."""

    name: str
    description: str
    source: str
    status: str
    lepton: str
    energy: float
    muons_on_target: float
    material: str
    target_length: float
    detector_length: float
    x_min: float
    energy_min: float
    signature: str
    visible_escape: bool
    events_cl: float
    background: float = 0.0
    observed: int | None = None
    energy_loss: str = "constant"
    approximation: str = "iww"
    approximate: str = ""

    def __post_init__(self) -> None:
        if self.lepton != "mu":
            # dsigma/dx supports electron beams (muonreach.production), but an electron's energy loss in a thick
            # target is radiative (a shower), not the muon <dE/dx> these yields integrate over
            raise InvalidParameter(
                f"{self.name}: beam lepton {self.lepton!r}: yields are implemented for muon beams only "
                "(electron energy loss is radiative; use muonreach.production for electron cross sections)"
            )
        positive(f"{self.name}: beam energy", self.energy)
        positive(f"{self.name}: muons_on_target", self.muons_on_target)
        positive(f"{self.name}: target_length", self.target_length)
        non_negative(f"{self.name}: detector_length", self.detector_length)
        fraction(f"{self.name}: x_min", self.x_min)
        non_negative(f"{self.name}: energy_min", self.energy_min)
        positive(f"{self.name}: events_cl", self.events_cl)
        non_negative(f"{self.name}: background", self.background)
        if self.signature not in SIGNATURES:
            raise InvalidParameter(f"{self.name}: signature must be one of {', '.join(SIGNATURES)}, got {self.signature!r}")
        if self.approximation not in APPROXIMATIONS:
            raise InvalidParameter(f"{self.name}: approximation must be one of {', '.join(APPROXIMATIONS)}, got {self.approximation!r}")
        if self.energy_loss not in ENERGY_LOSS_MODES:
            raise InvalidParameter(f"{self.name}: energy_loss must be one of {', '.join(ENERGY_LOSS_MODES)}")
        if self.energy_min >= self.energy:
            raise InvalidParameter(f"{self.name}: energy_min {self.energy_min:g} GeV is not below the beam energy {self.energy:g} GeV")
        get_material(self.material)  # raises UnknownName for an unknown material

    @property
    def target(self) -> Material:
        return get_material(self.material)

    def with_overrides(self, overrides: dict[str, Any] | None) -> Experiment:
        """A copy with ``--set`` style overrides applied (strings are converted)."""
        if not overrides:
            return self
        changes: dict[str, Any] = {}
        for key, raw in overrides.items():
            if key not in OVERRIDABLE:
                raise UnknownName(f"experiment {self.name!r} has no parameter {key!r}; settable: {', '.join(sorted(OVERRIDABLE))}")
            changes[key] = OVERRIDABLE[key](key, raw)
        return replace(self, **changes)


def _bool(key: str, raw: Any) -> bool:
    text = str(raw).strip().lower()
    if isinstance(raw, bool):
        return raw
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidParameter(f"{key} must be true or false, got {raw!r}")


def _text(key: str, raw: Any) -> str:
    return str(raw).strip()


def _optional_int(key: str, raw: Any) -> int | None:
    value = finite(key, raw)
    if value < 0 or value != int(value):
        raise InvalidParameter(f"{key} must be a non-negative integer, got {raw!r}")
    return int(value)


#: Fields settable with ``--set`` and their parsers.
OVERRIDABLE = {
    "energy": finite, "muons_on_target": finite, "material": _text, "target_length": finite,
    "detector_length": finite, "x_min": finite, "energy_min": finite, "signature": _text,
    "visible_escape": _bool, "events_cl": finite, "background": finite, "observed": _optional_int,
    "energy_loss": _text, "lepton": _text, "approximation": _text,
}


def _get(raw: dict, section: str, key: str, name: str, default: Any = ...) -> Any:
    table = raw.get(section, {})
    if not isinstance(table, dict):
        raise SpecError(f"experiment {name!r}: [{section}] must be a table")
    if key not in table:
        if default is ...:
            raise SpecError(f"experiment {name!r}: missing {section}.{key}")
        return default
    return table[key]


def parse_experiment(raw: dict, origin: str) -> Experiment:
    """Build an :class:`Experiment` from a parsed TOML document; SpecError on missing or malformed fields."""
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise SpecError(f"{origin}: missing top-level 'name'")
    try:
        return Experiment(
            name=name,
            description=str(raw.get("description", "")),
            source=str(raw.get("source", "")),
            status=str(raw.get("status", "projection")),
            lepton=str(_get(raw, "beam", "lepton", name, "mu")),
            energy=float(_get(raw, "beam", "energy", name)),
            muons_on_target=float(_get(raw, "beam", "muons_on_target", name)),
            material=str(_get(raw, "target", "material", name)),
            target_length=float(_get(raw, "target", "length", name)),
            detector_length=float(_get(raw, "detector", "length", name, 0.0)),
            x_min=float(_get(raw, "selection", "x_min", name, 0.0)),
            energy_min=float(_get(raw, "selection", "energy_min", name, 0.0)),
            signature=str(_get(raw, "signature", "kind", name)),
            visible_escape=bool(_get(raw, "signature", "visible_escape", name, False)),
            events_cl=float(_get(raw, "statistics", "events_cl", name, 3.0)),
            background=float(_get(raw, "statistics", "background", name, 0.0)),
            observed=_get(raw, "statistics", "observed", name, None),
            energy_loss=str(_get(raw, "target", "energy_loss", name, "constant")),
            approximation=str(_get(raw, "selection", "approximation", name, "iww")),
            approximate=str(raw.get("approximate", "")),
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InvalidParameter):
            raise
        raise SpecError(f"experiment {name!r} ({origin}): malformed value ({exc})") from None


def list_experiments() -> list[str]:
    """Names of the shipped experiments."""
    return sorted(shipped_tomls(__package__, "data"))


def load_experiment(name_or_path: str | Path) -> Experiment:
    """A shipped experiment by name, or a user TOML file by path."""
    raw, origin = read_toml(name_or_path, __package__, "data", "experiment")
    return parse_experiment(raw, origin)


def experiment_fields() -> list[str]:
    """Field names of :class:`Experiment` (for documentation and the scan layer)."""
    return [f.name for f in fields(Experiment)]
