"""Registry of the limit curves shipped in ``constraints/data`` (``muonreach limits``), plus user curves by path.

A shipped curve is a pair ``data/<name>.toml`` + ``data/<name>.csv``; a user curve is the path of its TOML
file (the CSV beside it, same stem). Curves are loaded once and cached.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import SpecError, UnknownName
from .curve import LimitCurve, parse_curve


def _data_folder():
    return resources.files(__package__).joinpath("data")


@cache
def list_limits() -> tuple[str, ...]:
    """Names of the shipped curves, sorted."""
    return tuple(sorted(f.name[: -len(".toml")] for f in _data_folder().iterdir() if f.name.endswith(".toml")))


@cache
def _load_builtin(name: str) -> LimitCurve:
    folder = _data_folder()
    meta = folder.joinpath(f"{name}.toml").read_bytes()
    try:
        data = folder.joinpath(f"{name}.csv").read_bytes()
    except FileNotFoundError:
        raise SpecError(f"limit curve {name!r}: data file {name}.csv is missing") from None
    curve = parse_curve(meta, data, name)
    if curve.name != name:
        raise SpecError(f"{name}.toml: 'name' is {curve.name!r}, not the file name")
    return curve


def _load_path(path: Path) -> LimitCurve:
    try:
        meta, data = path.read_bytes(), path.with_suffix(".csv").read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read limit curve {path}: {exc.strerror}") from None
    return parse_curve(meta, data, str(path.with_suffix("")))


def get_limit(name_or_path: str | Path) -> LimitCurve:
    """A shipped curve by name, or a user curve by the path of its ``.toml`` file."""
    text = str(name_or_path)
    if text in list_limits():
        return _load_builtin(text)
    if text.endswith(".toml"):
        return _load_path(Path(text))
    raise UnknownName(f"unknown limit curve {text!r}; see `muonreach limits` (or give the path of a .toml file)")


def all_limits() -> list[LimitCurve]:
    """Every shipped curve."""
    return [_load_builtin(n) for n in list_limits()]


def limits_for(model: str | None = None, plane: str | None = None) -> list[LimitCurve]:
    """Shipped curves drawable for ``model`` (its own or model-independent curves) in ``plane``."""
    return [c for c in all_limits()
            if (model is None or c.applies_to_model(model)) and (plane is None or c.plane.name == plane)]
