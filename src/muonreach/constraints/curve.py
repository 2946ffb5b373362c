"""One limit curve: its numbers (a CSV file) and its metadata (a TOML file of the same name).

The CSV has a header row and one of two shapes (units are those of the TOML ``[plane]`` table; muonreach
stores masses in GeV and couplings dimensionless, converting at import, see ``importer.py``):

* ``x,y`` for a single edge (``edge = "lower"``: the excluded or probed region lies ABOVE the curve;
  ``edge = "upper"``: it lies BELOW) or a closed contour (``edge = "closed"``: the points in order);
* ``x,y_low,y_high`` for a two-sided region (``edge = "two-sided"``, e.g. a beam dump: excluded between
  the two edges at each mass).

The TOML schema is documented in ``data/README.md``; :func:`parse_curve` checks it and raises
:class:`~muonreach.errors.SpecError` with a one-line message naming the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np

from ..errors import SpecError
from ..specfields import parse_toml_text

KINDS: tuple[str, ...] = ("limit", "projection")
EDGES: tuple[str, ...] = ("lower", "upper", "two-sided", "closed")
PROVENANCES: tuple[str, ...] = ("official", "digitised")
#: The planes muonreach draws: (x quantity, y quantity) and their units.
PLANES: dict[str, tuple[str, str]] = {
    "coupling": ("GeV", "1"),  # x = mediator mass, y = the model's main coupling (``muonreach list models``)
    "sigma-e": ("GeV", "cm^2"),  # x = dark-matter mass m_chi, y = reference DM-electron cross section (000 eq. (4.1))
    "g-chi": ("GeV", "1"),  # x = mediator mass, y = dark coupling g_chi (000 Fig. 1)
}
#: ``model`` value of a curve that does not depend on the model in its plane (e.g. sigma_e limits).
ANY_MODEL = "any"

_TOP_KEYS = {"schema", "name", "label", "title", "model", "kind", "edge", "cl", "provenance", "licence",
             "licence_status", "plane", "source", "translation", "applies_to", "notes", "import"}
_PLANE_KEYS = {"name", "x", "x_unit", "y", "y_unit"}
_SOURCE_KEYS = {"paper", "arxiv", "figure", "data", "citation"}


@dataclass(frozen=True)
class Plane:
    """The axes a curve lives on: ``name`` is one of :data:`PLANES`; x and y name the quantities."""

    name: str
    x: str
    x_unit: str
    y: str
    y_unit: str


@dataclass(frozen=True)
class Source:
    paper: str
    arxiv: str = ""
    figure: str = ""
    data: str = ""
    citation: str = ""


@dataclass(frozen=True)
class LimitCurve:
    """A limit or projection in one plane, with its provenance. Arrays are sorted in x unless ``closed``."""

    name: str
    label: str
    title: str
    model: str
    plane: Plane
    kind: str
    edge: str
    cl: float | None
    provenance: str
    licence: str
    licence_status: str
    source: Source
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)  # the edge (lower/upper/closed) or the lower edge (two-sided)
    y_high: np.ndarray | None = field(default=None, repr=False)  # two-sided only
    translation: str = ""
    applies_to: str = ""
    notes: str = ""

    @property
    def redistributable(self) -> bool:
        """False for curves taken from a repository without a licence (shipped with that status recorded)."""
        return self.licence_status == "licensed"

    def applies_to_model(self, model: str) -> bool:
        """True if the curve may be drawn for ``model`` (its own model, or any model in its plane)."""
        return self.model in (ANY_MODEL, model)

    def summary(self) -> dict:
        """Metadata as a JSON-friendly dict (no arrays)."""
        return {
            "name": self.name, "label": self.label, "title": self.title, "model": self.model,
            "plane": {"name": self.plane.name, "x": self.plane.x, "x_unit": self.plane.x_unit,
                      "y": self.plane.y, "y_unit": self.plane.y_unit},
            "kind": self.kind, "edge": self.edge, "cl": self.cl, "provenance": self.provenance,
            "licence": self.licence, "licence_status": self.licence_status,
            "source": {"paper": self.source.paper, "arxiv": self.source.arxiv, "figure": self.source.figure,
                       "data": self.source.data, "citation": self.source.citation},
            "translation": self.translation, "applies_to": self.applies_to, "points": int(self.x.size),
            "x_range": [float(self.x.min()), float(self.x.max())],
        }


def _str(raw: dict, key: str, origin: str, required: bool = True) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise SpecError(f"{origin}: missing '{key}'")
        return ""
    if not isinstance(value, str):
        raise SpecError(f"{origin}: '{key}' must be a string")
    return value.strip()


def _choice(raw: dict, key: str, choices: tuple[str, ...], origin: str) -> str:
    value = _str(raw, key, origin)
    if value not in choices:
        raise SpecError(f"{origin}: '{key}' must be one of {', '.join(choices)}; got {value!r}")
    return value


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def parse_metadata(raw: dict, origin: str) -> dict:
    """Checked metadata fields of a curve TOML (everything but the arrays)."""
    _check_keys(raw, _TOP_KEYS, origin)
    if raw.get("schema") != 1:
        raise SpecError(f"{origin}: 'schema' must be 1")
    plane_raw = raw.get("plane")
    if not isinstance(plane_raw, dict):
        raise SpecError(f"{origin}: missing [plane] table")
    _check_keys(plane_raw, _PLANE_KEYS, f"{origin} [plane]")
    plane_name = _choice(plane_raw, "name", tuple(PLANES), f"{origin} [plane]")
    x_unit, y_unit = PLANES[plane_name]
    plane = Plane(plane_name, _str(plane_raw, "x", origin), _str(plane_raw, "x_unit", origin),
                  _str(plane_raw, "y", origin), _str(plane_raw, "y_unit", origin))
    if (plane.x_unit, plane.y_unit) != (x_unit, y_unit):
        raise SpecError(f"{origin}: plane {plane_name!r} is stored in x [{x_unit}], y [{y_unit}]; "
                        f"got [{plane.x_unit}], [{plane.y_unit}] (convert at import)")
    src_raw = raw.get("source")
    if not isinstance(src_raw, dict):
        raise SpecError(f"{origin}: missing [source] table")
    _check_keys(src_raw, _SOURCE_KEYS, f"{origin} [source]")
    source = Source(_str(src_raw, "paper", origin), _str(src_raw, "arxiv", origin, False),
                    _str(src_raw, "figure", origin, False), _str(src_raw, "data", origin),
                    _str(src_raw, "citation", origin, False))
    cl = raw.get("cl")
    if cl is not None and (isinstance(cl, bool) or not isinstance(cl, (int, float)) or not 0.0 < cl < 1.0):
        raise SpecError(f"{origin}: 'cl' must be a probability in (0, 1), e.g. 0.9; got {cl!r}")
    translation = raw.get("translation", "")
    if isinstance(translation, dict):  # the [translation] table: a text and the recipe used at import
        translation = str(translation.get("text", ""))
    return {
        "name": _str(raw, "name", origin), "label": _str(raw, "label", origin), "title": _str(raw, "title", origin),
        "model": _str(raw, "model", origin), "plane": plane, "kind": _choice(raw, "kind", KINDS, origin),
        "edge": _choice(raw, "edge", EDGES, origin), "cl": None if cl is None else float(cl),
        "provenance": _choice(raw, "provenance", PROVENANCES, origin), "licence": _str(raw, "licence", origin),
        "licence_status": _choice(raw, "licence_status", ("licensed", "no-licence"), origin),
        "source": source, "translation": translation.strip(),
        "applies_to": _str(raw, "applies_to", origin, False), "notes": _str(raw, "notes", origin, False),
    }


def parse_csv(text: str, edge: str, origin: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The arrays of a curve CSV (header ``x,y`` or ``x,y_low,y_high``); all values finite and positive."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SpecError(f"{origin}: empty file")
    header = [h.strip() for h in rows[0]]
    expected = ["x", "y_low", "y_high"] if edge == "two-sided" else ["x", "y"]
    if header != expected:
        raise SpecError(f"{origin}: header must be {','.join(expected)} for edge {edge!r}; got {','.join(header)}")
    try:
        data = np.array([[float(v) for v in row] for row in rows[1:] if row], dtype=float)
    except ValueError as exc:
        raise SpecError(f"{origin}: malformed number ({exc})") from None
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] != len(expected):
        raise SpecError(f"{origin}: need at least 2 rows of {len(expected)} columns")
    if not np.all(np.isfinite(data)) or np.any(data <= 0.0):
        raise SpecError(f"{origin}: every value must be finite and positive (log axes)")
    x = data[:, 0]
    if edge != "closed" and np.any(np.diff(x) < 0.0):
        raise SpecError(f"{origin}: x must be non-decreasing for edge {edge!r}")
    if edge == "two-sided":
        if np.any(data[:, 2] < data[:, 1]):
            raise SpecError(f"{origin}: y_high below y_low")
        return x, data[:, 1], data[:, 2]
    return x, data[:, 1], None


def parse_curve(meta_text: str | bytes, csv_text: str | bytes, origin: str) -> LimitCurve:
    """A :class:`LimitCurve` from the contents of its TOML and CSV files (bytes must be UTF-8)."""
    raw = parse_toml_text(meta_text, f"{origin}.toml")
    if isinstance(csv_text, bytes):
        try:
            csv_text = csv_text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SpecError(f"{origin}.csv: not UTF-8 text (byte {exc.start})") from None
    meta = parse_metadata(raw, f"{origin}.toml")
    x, y, y_high = parse_csv(csv_text, meta["edge"], f"{origin}.csv")
    return LimitCurve(**meta, x=x, y=y, y_high=y_high)

