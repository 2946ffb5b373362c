"""TOML files shipped in the package and chosen by name, or given by the user as a path."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .errors import SpecError, UnknownName


def shipped_tomls(package: str, folder: str) -> dict[str, Traversable]:
    """The ``*.toml`` files of ``package/folder`` by stem."""
    base = resources.files(package).joinpath(folder)
    return {f.name[: -len(".toml")]: f for f in base.iterdir() if f.name.endswith(".toml")}


def read_toml(name_or_path: str | Path, package: str, folder: str, what: str) -> tuple[dict[str, Any], str]:
    """(parsed document, origin) of a shipped file by name, or of a user file by path.

    UnknownName for a name that is neither shipped nor a path; SpecError for an unreadable file or bad TOML."""
    text_name = str(name_or_path)
    shipped = shipped_tomls(package, folder)
    if text_name in shipped:
        text, origin = shipped[text_name].read_text(), f"{text_name}.toml"
    elif text_name.endswith(".toml") or Path(text_name).exists():
        try:
            text, origin = Path(text_name).read_text(), text_name
        except OSError as exc:
            raise SpecError(f"cannot read {what} {text_name}: {exc.strerror}") from None
    else:
        raise UnknownName(f"unknown {what} {text_name!r}; shipped: {', '.join(sorted(shipped))} (or a path to a .toml file)")
    try:
        return tomllib.loads(text), origin
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{origin}: not valid TOML ({exc})") from None
