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


def neutrino_vector_model(model: str, mass: float, coupling: float, sets: Iterable[str], result: str):
    """(model spec, model object) for ``result`` (trident, N_eff): a vector coupled to neutrinos, in which the sign
    of the main coupling is a convention (it enters as g^2, or as g_nu g_mu with both from g). A negative
    ``--coupling`` is refused rather than silently read as |g|, and so is a model without a neutrino coupling
    (it would give the Standard-Model answer or one outside the treatment; judged at 1e-3 when g = 0)."""
    from ..constants import LEPTONS
    from ..models.registry import get_model_spec

    if coupling < 0.0:
        raise InvalidParameter(f"--coupling must not be negative for {result} (the sign of g is a convention there; "
                               f"give |g| = {abs(coupling):g}), got {coupling:g}")
    spec, overrides = get_model_spec(model), parse_sets(sets)
    obj = spec.build(mass, coupling, overrides)
    probe = obj if coupling != 0.0 else spec.build(mass, 1e-3, overrides)
    if all(probe.neutrino_coupling(flavour) == 0.0 for flavour in LEPTONS):
        raise InvalidParameter(f"{result} is computed for a vector coupled to neutrinos (e.g. lmu-ltau); "
                               f"{spec.name} has no neutrino coupling")
    return spec, obj


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
