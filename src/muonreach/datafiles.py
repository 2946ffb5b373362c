"""TOML files shipped in the package and chosen by name, or given by the user as a path."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .errors import UnknownName
from .specfields import parse_toml_text, read_toml_file


def shipped_tomls(package: str, folder: str) -> dict[str, Traversable]:
    """The ``*.toml`` files of ``package/folder`` by stem."""
    base = resources.files(package).joinpath(folder)
    return {f.name[: -len(".toml")]: f for f in base.iterdir() if f.name.endswith(".toml")}


def read_toml(name_or_path: str | Path, package: str, folder: str, what: str) -> tuple[dict[str, Any], str]:
    """(parsed document, origin) of a shipped file by name, or of a user file by path.

    UnknownName for a name that is neither shipped nor a path; SpecError for an unreadable or non-UTF-8
    file or bad TOML."""
    text_name = str(name_or_path)
    shipped = shipped_tomls(package, folder)
    if text_name in shipped:
        origin = f"{text_name}.toml"
        return parse_toml_text(shipped[text_name].read_bytes(), origin), origin
    if text_name.endswith(".toml") or Path(text_name).exists():
        return read_toml_file(text_name, what), text_name
    raise UnknownName(f"unknown {what} {text_name!r}; shipped: {', '.join(sorted(shipped))} (or a path to a .toml file)")
