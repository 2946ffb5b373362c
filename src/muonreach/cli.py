"""The ``muonreach`` command line (contract in DESIGN.md): one sub-command per job, ``--json`` on each.

Errors in the input (unknown names, unphysical numbers, malformed files) end with a one-line message on
stderr and exit code 2; no traceback is shown.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable

import click

from . import __version__
from .errors import InvalidParameter, MuonReachError

EXIT_USAGE = 2


class _Group(click.Group):
    """A click group whose errors are one line on stderr with exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: D102
        try:
            return super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except MuonReachError as exc:
            _fail(str(exc))
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.ClickException as exc:
            _fail(exc.format_message())


def _fail(message: str) -> None:
    click.echo(f"muonreach: error: {' '.join(message.split())}", err=True)
    sys.exit(EXIT_USAGE)


def parse_sets(items: Iterable[str]) -> dict[str, str]:
    """``--set k=v`` options as a dict (later ones win)."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidParameter(f"--set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _clean(obj):
    """JSON-safe copy: infinities become null (a stable particle has no finite c*tau)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def emit(payload: dict, as_json: bool, human: str) -> None:
    """Print ``payload`` as JSON or the human-readable text."""
    if as_json:
        click.echo(json.dumps(_clean(payload), indent=2, allow_nan=False))
    else:
        click.echo(human)


json_option = click.option("--json", "as_json", is_flag=True, help="machine-readable JSON on stdout")
set_option = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="override a model parameter (repeatable)")
mass_option = click.option("--mass", type=float, required=True, help="mediator mass in GeV")
coupling_option = click.option("--coupling", type=float, required=True, help="the model's main coupling (see `muonreach list models`)")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="muonreach")
def main() -> None:
    """muonreach: light new particles coupled to muons ((g-2), decays, reach). Masses in GeV, lengths in cm."""


@main.command("gm2")
@click.argument("model")
@mass_option
@coupling_option
@click.option("--lepton", type=click.Choice(["mu", "e"]), default="mu", show_default=True)
@click.option("--dataset", default=None, help="compare with a (g-2) dataset (see `muonreach list datasets`)")
@set_option
@json_option
def gm2_cmd(model: str, mass: float, coupling: float, lepton: str, dataset: str | None, sets: tuple[str, ...], as_json: bool) -> None:
    """One-loop Delta a_l of MODEL at the given mass and coupling."""
    from .gm2.datasets import get_dataset
    from .models.registry import get_model_spec

    spec = get_model_spec(model)
    obj = spec.build(mass, coupling, parse_sets(sets))
    delta = obj.delta_a(lepton)
    payload = {"model": model, "mass": mass, "coupling": coupling, "coupling_name": spec.coupling, "lepton": lepton, "delta_a": delta}
    text = f"Delta a_{lepton} = {delta:.6e}   ({model}, m = {mass:g} GeV, {spec.coupling} = {coupling:g})"
    if dataset is not None:
        ds = get_dataset(dataset)
        if ds.lepton != lepton:
            raise InvalidParameter(f"dataset {dataset!r} is for lepton {ds.lepton!r}, not {lepton!r}")
        payload.update({"dataset": ds.name, "dataset_delta": ds.delta, "dataset_sigma": ds.sigma, "pull": ds.pull(delta)})
        text += f"\n{ds.name}: Delta a = {ds.delta:.3e} +- {ds.sigma:.2e}; pull of the model = {ds.pull(delta):+.2f} sigma"
        if not math.isclose(obj.delta_a(lepton), 0.0):
            from .gm2.bands import model_band, model_exclusion

            overrides = parse_sets(sets)
            band = model_band(model, mass, ds, 2.0, lepton, overrides)
            excl = model_exclusion(model, mass, ds, 5.0, lepton, overrides)
            payload["favored_2sigma"] = None if band is None else [band.low, band.high]
            payload["excluded_5sigma_above"] = excl
            text += f"\n2-sigma band of {spec.coupling}: {payload['favored_2sigma']}; excluded at 5 sigma above {excl}"
    emit(payload, as_json, text)


@main.command("widths")
@click.argument("model")
@mass_option
@coupling_option
@set_option
@json_option
def widths_cmd(model: str, mass: float, coupling: float, sets: tuple[str, ...], as_json: bool) -> None:
    """Partial widths (GeV), branching ratios and c*tau (cm) of MODEL."""
    from .models.registry import get_model_spec

    spec = get_model_spec(model)
    obj = spec.build(mass, coupling, parse_sets(sets))
    widths = obj.partial_widths()
    stable = obj.is_stable
    brs = None if stable else obj.branching_ratios()
    payload = {
        "model": model, "mass": mass, "coupling": coupling, "coupling_name": spec.coupling,
        "parameters": obj.parameters(), "widths": widths, "branching_ratios": brs,
        "total_width": obj.total_width, "ctau_cm": obj.ctau_cm, "stable": stable, **obj.extra_outputs(),
    }
    lines = [f"{model}: m = {mass:g} GeV, {spec.coupling} = {coupling:g}"]
    for ch, w in widths.items():
        br = "" if brs is None else f"   BR = {brs[ch]:.4g}"
        lines.append(f"  {ch:<16} {w:.4e} GeV{br}")
    lines.append(f"  total width      {obj.total_width:.4e} GeV")
    lines.append("  stable (no open channel)" if stable else f"  c*tau            {obj.ctau_cm:.4e} cm")
    for key, value in obj.extra_outputs().items():
        lines.append(f"  {key:<16} {value}")
    emit(payload, as_json, "\n".join(lines))


@main.command("list")
@click.argument("what", type=click.Choice(["models", "datasets"]))
@json_option
def list_cmd(what: str, as_json: bool) -> None:
    """List the known models or (g-2) datasets."""
    if what == "models":
        from .models.registry import model_specs

        rows = [
            {"name": s.name, "coupling": s.coupling, "description": s.description, "source": s.source,
             "parameters": {k: {"default": p.default, "help": p.help} for k, p in s.params.items()}}
            for s in model_specs().values()
        ]
        text = "\n".join(f"{r['name']:<15} --coupling {r['coupling']:<6} {r['description']}" for r in rows)
    else:
        from .gm2.datasets import registry

        reg = registry()
        rows = [
            {"name": d.name, "lepton": d.lepton, "delta": d.delta, "sigma_exp": d.sigma_exp, "sigma_th": d.sigma_th,
             "sigma": d.sigma, "status": d.status, "reference": d.reference, "description": d.description,
             "default": reg.defaults.get(d.lepton) == d.name}
            for d in reg.datasets.values()
        ]
        text = "\n".join(
            f"{r['name']:<16} {r['lepton']:<3} {r['delta']:+.3e} +- {r['sigma']:.2e}{'  (default)' if r['default'] else ''}  {r['description']}"
            for r in rows
        )
    emit({what: rows}, as_json, text)


@main.command("summary")
@json_option
def summary_cmd(as_json: bool) -> None:
    """Table of Delta a_mu, widths and decay lengths of the benchmark models (the main job of `make run`)."""
    from .summary import summary_rows, summary_table

    rows = summary_rows()
    emit({"rows": rows}, as_json, summary_table(rows))
