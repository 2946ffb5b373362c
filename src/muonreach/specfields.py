"""One toolkit for every TOML format of muonreach (experiments, materials, limit curves, figure specs, scan
specs, datasets): reading a file (UTF-8 and TOML errors as one line), the ``schema`` key, and typed field
readers that raise a located one-line :class:`~muonreach.errors.SpecError`.

    doc = read_toml_file(path, "experiment")            # SpecError for unreadable, non-UTF-8 or bad TOML
    require_schema(doc, origin)                          # schema = 1
    beam = Fields(doc, origin).table("beam")             # a sub-table, located as "origin: [beam]"
    energy = beam.positive("energy")                     # a number > 0 (bool and strings refused)
    beam.done()                                          # unknown keys refused

Types are never coerced: ``"false"`` is not a bool and ``true`` is not a number.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import SpecError

__all__ = ["SCHEMA", "Fields", "parse_toml_text", "read_bytes", "read_toml_file", "require_schema"]

SCHEMA: int = 1
_MISSING: Any = object()


def decode_utf8(data: bytes, origin: str) -> str:
    """``data`` as UTF-8 text; SpecError naming ``origin`` (and the first bad byte) otherwise."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{origin}: not UTF-8 text (byte {exc.start})") from None


def parse_toml_text(data: bytes | str, origin: str) -> dict[str, Any]:
    """Parse TOML ``data`` (bytes must be UTF-8) into a dict; SpecError naming ``origin`` otherwise."""
    if isinstance(data, bytes):
        data = decode_utf8(data, origin)
    try:
        return tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{origin}: not valid TOML ({exc})") from None


def read_bytes(path: str | Path, what: str = "file") -> bytes:
    """The bytes of a user file; SpecError (one line) for a missing or unreadable file or a directory."""
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise SpecError(f"cannot read {what} {path}: is a directory") from None
    except OSError as exc:
        raise SpecError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def read_toml_file(path: str | Path, what: str = "file") -> dict[str, Any]:
    """Read and parse a TOML file; SpecError for a missing, unreadable, non-UTF-8 or malformed file."""
    return parse_toml_text(read_bytes(path, what), str(path))


def require_schema(doc: Mapping[str, Any], origin: str, version: int = SCHEMA) -> None:
    """Check the top-level ``schema = <version>`` key of a document."""
    if "schema" not in doc:
        raise SpecError(f"{origin}: missing top-level 'schema = {version}'")
    value = doc["schema"]
    if isinstance(value, bool) or value != version:
        raise SpecError(f"{origin}: unsupported schema {value!r} (this muonreach reads schema = {version})")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Fields:
    """Typed access to one TOML table; every error names ``where`` and the key.

    Each reader takes an optional ``default``; without one the key is required. :meth:`done` refuses keys
    that no reader asked for (typos)."""

    def __init__(self, table: Any, where: str) -> None:
        if not isinstance(table, Mapping):
            raise SpecError(f"{where}: must be a table, got {type(table).__name__}")
        self.data = table
        self.where = where
        self._seen: set[str] = set()

    # --- plumbing -------------------------------------------------------------------------------------
    def _get(self, key: str, default: Any) -> tuple[bool, Any]:
        """(present, value): the value, or the default for an absent key (required keys raise)."""
        self._seen.add(key)
        if key not in self.data:
            if default is _MISSING:
                raise SpecError(f"{self.where}: missing {key!r}")
            return False, default
        return True, self.data[key]

    def fail(self, key: str, message: str) -> SpecError:
        """A SpecError located at ``key`` (for checks the readers do not cover)."""
        return SpecError(f"{self.where}: {key} {message}")

    def has(self, key: str) -> bool:
        return key in self.data

    def keys(self) -> Iterable[str]:
        return self.data.keys()

    def done(self, also_allowed: Iterable[str] = ()) -> None:
        """Raise for keys that were never read (and are not in ``also_allowed``)."""
        unknown = sorted(set(self.data) - self._seen - set(also_allowed))
        if unknown:
            known = ", ".join(sorted(self._seen | set(also_allowed))) or "none"
            raise SpecError(f"{self.where}: unknown key(s) {', '.join(map(repr, unknown))}; known: {known}")

    # --- readers --------------------------------------------------------------------------------------
    def number(self, key: str, default: Any = _MISSING, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> Any:
        """A finite number (int or float, not bool) in [low, high] (bounds optional, open with *_open)."""
        present, value = self._get(key, default)
        if not present:
            return value
        if not _is_number(value):
            raise self.fail(key, f"must be a number, got {value!r}")
        x = float(value)
        if not math.isfinite(x):
            raise self.fail(key, f"must be finite, got {value!r}")
        if low is not None and (x < low or (low_open and x == low)):
            raise self.fail(key, f"must be {'>' if low_open else '>='} {low:g}, got {x:g}")
        if high is not None and (x > high or (high_open and x == high)):
            raise self.fail(key, f"must be {'<' if high_open else '<='} {high:g}, got {x:g}")
        return x

    def positive(self, key: str, default: Any = _MISSING) -> Any:
        """A finite number > 0."""
        return self.number(key, default, low=0.0, low_open=True)

    def non_negative(self, key: str, default: Any = _MISSING) -> Any:
        """A finite number >= 0."""
        return self.number(key, default, low=0.0)

    def integer(self, key: str, default: Any = _MISSING, *, low: int | None = None, high: int | None = None) -> Any:
        """An integer (a TOML int, or a float with an integral value), in [low, high]."""
        present, value = self._get(key, default)
        if not present:
            return value
        if not _is_number(value) or not math.isfinite(float(value)) or float(value) != int(value):
            raise self.fail(key, f"must be an integer, got {value!r}")
        n = int(value)
        if low is not None and n < low:
            raise self.fail(key, f"must be >= {low}, got {n}")
        if high is not None and n > high:
            raise self.fail(key, f"must be <= {high}, got {n}")
        return n

    def boolean(self, key: str, default: Any = _MISSING) -> Any:
        """A TOML boolean (``true``/``false``; strings such as "false" are refused)."""
        present, value = self._get(key, default)
        if not present:
            return value
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (a TOML boolean), got {value!r}")
        return value

    def string(self, key: str, default: Any = _MISSING, *, nonempty: bool = False) -> Any:
        """A string."""
        present, value = self._get(key, default)
        if not present:
            return value
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {value!r}")
        if nonempty and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def choice(self, key: str, choices: Iterable[str], default: Any = _MISSING) -> Any:
        """One of ``choices``."""
        options = tuple(choices)
        present, value = self._get(key, default)
        if not present:
            return value
        if not isinstance(value, str) or value not in options:
            raise self.fail(key, f"must be one of {', '.join(options)}, got {value!r}")
        return value

    def number_list(self, key: str, default: Any = _MISSING, *, min_length: int = 1) -> Any:
        """A list of finite numbers."""
        present, value = self._get(key, default)
        if not present:
            return value
        if not isinstance(value, list) or len(value) < min_length:
            raise self.fail(key, f"must be a list of at least {min_length} number(s), got {value!r}")
        out = []
        for item in value:
            if not _is_number(item) or not math.isfinite(float(item)):
                raise self.fail(key, f"must contain finite numbers only, got {item!r}")
            out.append(float(item))
        return out

    def table(self, key: str, default: Any = _MISSING) -> Fields:
        """A sub-table as :class:`Fields` (an absent optional table reads as empty)."""
        _, value = self._get(key, {} if default is not _MISSING else _MISSING)
        where = f"{self.where[:-1]}.{key}]" if self.where.endswith("]") else f"{self.where} [{key}]"
        return Fields(value, where)

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        """The value without a type check (for readers that dispatch on the content)."""
        return self._get(key, default)[1]
