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


def _split_sets(sets: tuple[str, ...], experiment) -> tuple[dict[str, str], dict[str, str]]:
    """Route ``--set`` keys to the experiment (its fields) or to the model (everything else)."""
    from .experiments.spec import OVERRIDABLE

    model_sets, exp_sets = {}, {}
    for key, value in parse_sets(sets).items():
        (exp_sets if key in OVERRIDABLE else model_sets)[key] = value
    return model_sets, exp_sets


def _experiment_and_model(experiment: str, model: str, sets: tuple[str, ...]):
    from .experiments.spec import load_experiment
    from .models.registry import get_model_spec

    spec = get_model_spec(model)
    model_sets, exp_sets = _split_sets(sets, experiment)
    exp = load_experiment(experiment).with_overrides(exp_sets)
    if exp.approximate:
        click.echo(f"muonreach: warning: {exp.name}: {exp.approximate}", err=True)
    return exp, spec, model_sets


@main.command("events")
@click.argument("experiment")
@click.argument("model")
@mass_option
@coupling_option
@set_option
@json_option
def events_cmd(experiment: str, model: str, mass: float, coupling: float, sets: tuple[str, ...], as_json: bool) -> None:
    """Expected signal events of MODEL in EXPERIMENT (see `muonreach list experiments`)."""
    from .experiments.yields import yield_calculator
    from .reach.contour import events_threshold
    from .validation import positive

    exp, spec, model_sets = _experiment_and_model(experiment, model, sets)
    spec.build(positive("mass", mass), coupling, model_sets)  # validates the point
    n = float(yield_calculator(exp, spec, mass, model_sets).events(coupling))
    payload = {"experiment": exp.name, "model": model, "mass": mass, "coupling": coupling,
               "coupling_name": spec.coupling, "events": n, "events_cl": events_threshold(exp)}
    emit(payload, as_json, f"{exp.name}: {n:.4g} signal events ({model}, m = {mass:g} GeV, {spec.coupling} = {coupling:g}; "
                           f"reach threshold {payload['events_cl']:.3g})")


@main.command("reach")
@click.argument("experiment")
@click.argument("model")
@click.option("--mass-min", type=float, required=True, help="lowest mediator mass (GeV)")
@click.option("--mass-max", type=float, required=True, help="highest mediator mass (GeV)")
@click.option("--points", type=click.IntRange(1, 100000), default=50, show_default=True, help="log-spaced masses")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="write rows to FILE.csv or FILE.json")
@set_option
@json_option
def reach_cmd(experiment: str, model: str, mass_min: float, mass_max: float, points: int, out: str | None,
              sets: tuple[str, ...], as_json: bool) -> None:
    """Coupling edges of the region with at least N_CL signal events, per mass (null: no sensitivity / no edge)."""
    import numpy as np

    from .reach.contour import events_threshold, reach
    from .validation import positive

    lo, hi = positive("--mass-min", mass_min), positive("--mass-max", mass_max)
    if out is not None and not out.endswith((".csv", ".json")):
        raise InvalidParameter(f"--out must end in .csv or .json, got {out!r}")
    if lo > hi:
        raise InvalidParameter(f"--mass-min {lo:g} is above --mass-max {hi:g}")
    exp, spec, model_sets = _experiment_and_model(experiment, model, sets)
    masses = np.geomspace(lo, hi, points) if points > 1 else np.array([lo])
    rows = [{"mass": r.mass, "coupling_low": r.coupling_low, "coupling_high": r.coupling_high}
            for r in reach(exp, spec, masses, model_sets)]
    payload = {"experiment": exp.name, "model": model, "coupling_name": spec.coupling,
               "events_cl": events_threshold(exp), "rows": rows}
    if out is not None:
        _write_rows(out, payload)
    text = "\n".join(f"{r['mass']:.5g}  {_opt(r['coupling_low'])}  {_opt(r['coupling_high'])}" for r in rows)
    emit(payload, as_json, f"# {exp.name} / {model}: mass [GeV], {spec.coupling} low, high (N >= {payload['events_cl']:.3g})\n{text}")


def _opt(x: float | None) -> str:
    return "null" if x is None else f"{x:.5e}"


def _write_rows(path: str, payload: dict, columns: tuple[str, ...] = ("mass", "coupling_low", "coupling_high")) -> None:
    """Write ``payload['rows']`` as CSV (header = columns; empty cell = null) or as JSON (the whole payload)."""
    import csv
    from pathlib import Path

    target = Path(path)
    if target.suffix == ".json":
        target.write_text(json.dumps(_clean(payload), indent=2))
    elif target.suffix == ".csv":
        with target.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for r in payload["rows"]:
                writer.writerow(["" if r[c] is None else r[c] for c in columns])
    else:
        raise InvalidParameter(f"--out must end in .csv or .json, got {path!r}")


@main.command("list")
@click.argument("what", type=click.Choice(["models", "datasets", "experiments", "materials", "limits"]))
@json_option
def list_cmd(what: str, as_json: bool) -> None:
    """List the known models, (g-2) datasets, experiments, materials or limit curves."""
    if what == "limits":
        from .commands.limits import command as limits_command

        click.get_current_context().invoke(limits_command, model=None, plane=None, as_json=as_json)
        return
    if what == "models":
        from .models.registry import model_specs

        rows = [
            {"name": s.name, "coupling": s.coupling, "description": s.description, "source": s.source,
             "parameters": {k: {"default": p.default, "help": p.help} for k, p in s.params.items()}}
            for s in model_specs().values()
        ]
        text = "\n".join(f"{r['name']:<15} --coupling {r['coupling']:<6} {r['description']}" for r in rows)
    elif what == "experiments":
        from .experiments.spec import list_experiments, load_experiment

        rows = []
        for name in list_experiments():
            e = load_experiment(name)
            rows.append({"name": e.name, "description": e.description, "source": e.source, "status": e.status,
                         "lepton": e.lepton, "energy": e.energy, "muons_on_target": e.muons_on_target,
                         "material": e.material, "target_length": e.target_length, "signature": e.signature})
        text = "\n".join(f"{r['name']:<14} {r['description']}" for r in rows)
    elif what == "materials":
        from .materials import get_material, list_materials

        rows = []
        for name in list_materials():
            m = get_material(name)
            rows.append({"name": m.name, "Z": m.Z, "A": m.A, "density_g_cm3": m.density_g_cm3,
                         "n_atom_per_cm3": m.n_atom_per_cm3, "dedx_gev_cm": m.dedx_gev_cm,
                         "radiation_length_cm": m.radiation_length_cm, "source": m.source})
        text = "\n".join(f"{r['name']:<5} Z={r['Z']:<4} A={r['A']:<8.3f} rho={r['density_g_cm3']:<7.4g} g/cm3  "
                         f"n={r['n_atom_per_cm3']:.4g}/cm3  dE/dx={r['dedx_gev_cm']:.4g} GeV/cm  X0={r['radiation_length_cm']:.4g} cm"
                         for r in rows)
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


def _register_module_commands() -> None:
    from .commands import commands

    for cmd in commands():
        main.add_command(cmd)


_register_module_commands()
