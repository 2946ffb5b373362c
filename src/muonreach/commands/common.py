"""Helpers shared by every sub-command: output (``emit``), ``--set`` parsing, the common options, one-line
warnings, and output files checked before the work and written atomically.

This module imports nothing from :mod:`muonreach.cli`, so a command module can be imported on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from ..errors import InvalidParameter
from ..outputs import check_output_path, json_safe, write_rows

EXIT_USAGE = 2

json_option = click.option("--json", "as_json", is_flag=True, help="machine-readable JSON on stdout")
set_option = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                          help="override a model or experiment parameter (repeatable; each key once)")
mass_option = click.option("--mass", type=float, required=True, help="mediator mass in GeV")
coupling_option = click.option("--coupling", type=float, required=True,
                               help="the model's main coupling (see `muonreach list models`)")

_pending_warnings: list[str] = []


def parse_sets(items: Iterable[str]) -> dict[str, str]:
    """``--set k=v`` options as a dict; a malformed item or a key given twice raises InvalidParameter."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise InvalidParameter(f"--set expects KEY=VALUE, got {item!r}")
        if key in out:
            raise InvalidParameter(f"--set {key} given twice ({out[key]!r} and {value!r}); give each key once")
        out[key] = value
    return out


def emit(payload: dict, as_json: bool, human: str) -> None:
    """Print ``payload`` as JSON (non-finite numbers as null) or the human-readable text."""
    if as_json:
        click.echo(json.dumps(json_safe(payload), indent=2, allow_nan=False))
    else:
        click.echo(human)


def warn(message: str) -> None:
    """A one-line warning, printed on stderr when the command ends without an error (an error alone is the
    one line a failing command prints)."""
    text = " ".join(message.split())
    if text not in _pending_warnings:
        _pending_warnings.append(text)


def flush_warnings(print_them: bool) -> None:
    """Print (or drop) the warnings collected by :func:`warn`."""
    if print_them:
        for text in _pending_warnings:
            click.echo(f"muonreach: warning: {text}", err=True)
    _pending_warnings.clear()


def fmt_optional(x: float | None) -> str:
    """A number for a table, or 'null'."""
    return "null" if x is None else f"{x:.5e}"


def output_path(out: str | None, suffixes: Sequence[str]) -> Path | None:
    """Validate ``--out`` before any computation (suffix, directory exists and is writable)."""
    return None if out is None else check_output_path(out, suffixes)


def save_rows(path: Path | None, payload: dict, columns: Sequence[str]) -> None:
    """Write rows to a checked ``--out`` (CSV or JSON by suffix), atomically."""
    if path is not None:
        write_rows(path, payload, columns)


def mass_grid(mass_min: float, mass_max: float, points: int):
    """``points`` log-spaced masses in [mass_min, mass_max] (GeV), validated."""
    import numpy as np

    from ..validation import positive

    lo, hi = positive("--mass-min", mass_min), positive("--mass-max", mass_max)
    if lo > hi:
        raise InvalidParameter(f"--mass-min {lo:g} is above --mass-max {hi:g}")
    return np.geomspace(lo, hi, points) if points > 1 else np.array([lo])
