"""``muonreach reach EXPERIMENT MODEL --mass-min A --mass-max B --points N``: coupling edges per mass."""

from __future__ import annotations

import click

from .common import emit, fmt_optional, json_option, mass_grid, output_path, save_rows, set_option
from .events import experiment_and_model

COLUMNS = ("mass", "coupling_low", "coupling_high")


@click.command("reach")
@click.argument("experiment")
@click.argument("model")
@click.option("--mass-min", type=float, required=True, help="lowest mediator mass (GeV)")
@click.option("--mass-max", type=float, required=True, help="highest mediator mass (GeV)")
@click.option("--points", type=click.IntRange(1, 100000), default=50, show_default=True, help="log-spaced masses")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="write rows to FILE.csv or FILE.json")
@set_option
@json_option
def command(experiment: str, model: str, mass_min: float, mass_max: float, points: int, out: str | None,
            sets: tuple[str, ...], as_json: bool) -> None:
    """Coupling edges of the region with at least N_CL signal events, per mass (null: no sensitivity / no edge)."""
    from ..reach.binned import binned_test
    from ..reach.contour import events_threshold, reach

    masses = mass_grid(mass_min, mass_max, points)
    target = output_path(out, (".csv", ".json"))
    exp, spec, model_sets = experiment_and_model(experiment, model, sets)
    rows = [{"mass": r.mass, "coupling_low": r.coupling_low, "coupling_high": r.coupling_high}
            for r in reach(exp, spec, masses, model_sets)]
    test = binned_test(exp)
    payload = {"experiment": exp.name, "model": model, "coupling_name": spec.coupling, "statistic": exp.statistic,
               "events_cl": events_threshold(exp) if test is None else None, "rows": rows}
    if test is not None:
        payload["threshold"] = test.threshold
    save_rows(target, payload, COLUMNS)
    text = "\n".join(f"{r['mass']:.5g}  {fmt_optional(r['coupling_low'])}  {fmt_optional(r['coupling_high'])}" for r in rows)
    criterion = f"N >= {payload['events_cl']:.3g}" if test is None else test.label
    emit(payload, as_json, f"# {exp.name} / {model}: mass [GeV], {spec.coupling} low, high ({criterion})\n{text}")
