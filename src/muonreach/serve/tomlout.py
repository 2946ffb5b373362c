"""Write a figure spec (the view's dict) as TOML that ``muonreach figure`` reads back to the same spec.

Only what a figure spec holds is written: strings, finite numbers, booleans, tables and arrays of tables
(``[[panels]]``, ``[[panels.layers]]``); anything else raises SpecError. Nothing is evaluated.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import SpecError

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise SpecError(f"spec keys must be non-empty strings, got {key!r}")
    return key if _BARE.match(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(f"{where}: {value!r} cannot be written to a spec (finite numbers only)")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v, f'{where}.{k}')}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v, f"{where}[]") for v in value) + "]"
    raise SpecError(f"{where}: {type(value).__name__} cannot be written to a spec")


def _table(lines: list[str], table: dict, header: str | None, where: str) -> None:
    """Write the plain keys of ``table`` (after ``header``), then its arrays of tables and sub-tables."""
    if header is not None:
        lines += ["", header]
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)) or (isinstance(value, dict) and header is None):
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value, f'{where}.{key}')}")
    prefix = "" if header is None else header.strip("[]") + "."
    for key, value in nested:
        if isinstance(value, dict):
            _table(lines, value, f"[{prefix}{_key(key)}]", f"{where}.{key}")
        else:
            for item in value:
                _table(lines, item, f"[[{prefix}{_key(key)}]]", f"{where}.{key}")


def dumps(spec: dict, comment: str = "") -> str:
    """The TOML text of a figure spec dict (top-level tables as sections, the rest inline)."""
    if not isinstance(spec, dict):
        raise SpecError("a figure spec must be a table")
    lines = [f"# {line}" for line in comment.splitlines()] if comment else []
    _table(lines, spec, None, "spec")
    return "\n".join(lines).lstrip("\n") + "\n"


__all__ = ["dumps"]
