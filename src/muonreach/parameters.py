"""Declared parameters: one way to state a settable field's type, range, default and help, used by models
(``--set g_chi=1``), experiment files and their signatures (TOML fields, ``--set x_min=0.5``) and scan specs.

A :class:`Param` reads a value from a typed TOML table (:meth:`Param.read`, strict: ``"false"`` is not a bool
and ``true`` is not a number) or converts a command-line / Python value (:meth:`Param.parse`, where the
strings ``"false"``, ``"1e13"`` are converted); both check the range and raise a one-line error naming the
field (:class:`~muonreach.errors.SpecError` from files, :class:`~muonreach.errors.InvalidParameter` otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameter, SpecError, UnknownName
from .specfields import Fields

__all__ = ["Param", "read_all", "resolve"]

KINDS: tuple[str, ...] = ("float", "int", "bool", "choice", "str")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Param:
    """A settable parameter.

    ``kind``: float (with optional ``low``/``high`` bounds, open with ``low_open``/``high_open``), int, bool,
    choice (one of ``choices``) or str. ``default`` None means optional without a value (e.g. an explicit mass
    that overrides a ratio); ``required`` fields have no default."""

    default: Any
    help: str
    kind: str = "float"
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    required: bool = False

    def _range(self, name: str, x: float) -> str | None:
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return f"{name} must be {'>' if self.low_open else '>='} {self.low:g}, got {x:g}"
        if self.high is not None and (x > self.high or (self.high_open and x == self.high)):
            return f"{name} must be {'<' if self.high_open else '<='} {self.high:g}, got {x:g}"
        return None

    def parse(self, name: str, raw: Any) -> Any:
        """Convert a command-line string or a Python value; InvalidParameter (one line) if it does not fit."""
        if raw is None and not self.required and self.default is None:
            return None
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise InvalidParameter(f"{name} must be true or false, got {raw!r}")
        if self.kind in ("choice", "str"):
            if not isinstance(raw, str):
                raise InvalidParameter(f"{name} must be a string, got {raw!r}")
            text = raw.strip()
            if self.kind == "choice" and text not in self.choices:
                raise InvalidParameter(f"{name} must be one of {', '.join(self.choices)}; got {raw!r}")
            return text
        if isinstance(raw, bool):
            raise InvalidParameter(f"{name} must be a number, got {raw!r}")
        try:
            x = float(raw)
        except (TypeError, ValueError):
            raise InvalidParameter(f"{name} must be a number, got {raw!r}") from None
        if not math.isfinite(x):
            raise InvalidParameter(f"{name} must be finite, got {raw!r}")
        if self.kind == "int":
            if x != int(x):
                raise InvalidParameter(f"{name} must be an integer, got {raw!r}")
            problem = self._range(name, x)
            if problem:
                raise InvalidParameter(problem)
            return int(x)
        problem = self._range(name, x)
        if problem:
            raise InvalidParameter(problem)
        return x

    def read(self, fields: Fields, key: str) -> Any:
        """Read ``key`` from a TOML table with strict types; SpecError located at the field."""
        if not fields.has(key):
            if self.required:
                return fields.raw(key)  # raises "missing"
            fields.raw(key, None)  # mark as read
            return self.default
        value = fields.raw(key)
        if self.kind == "bool" and not isinstance(value, bool):
            raise fields.fail(key, f"must be true or false (a TOML boolean), got {value!r}")
        if self.kind in ("float", "int") and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise fields.fail(key, f"must be a number, got {value!r}")
        if self.kind in ("choice", "str") and not isinstance(value, str):
            raise fields.fail(key, f"must be a string, got {value!r}")
        try:
            return self.parse(key, value)
        except InvalidParameter as exc:
            raise SpecError(f"{fields.where}: {exc}") from None


def resolve(params: Mapping[str, Param], overrides: Mapping[str, Any] | None, owner: str) -> dict[str, Any]:
    """Defaults of ``params`` updated with ``overrides`` (each parsed and range-checked); unknown names raise
    UnknownName listing the settable ones."""
    values = {k: p.default for k, p in params.items()}
    for key, raw in (overrides or {}).items():
        if key not in params:
            known = ", ".join(sorted(params)) or "none"
            raise UnknownName(f"{owner} has no parameter {key!r}; settable: {known}")
        values[key] = params[key].parse(key, raw)
    return values


def read_all(params: Mapping[str, Param], fields: Fields) -> dict[str, Any]:
    """Every parameter of ``params`` read from a TOML table (strict types; defaults for absent keys)."""
    return {key: p.read(fields, key) for key, p in params.items()}
