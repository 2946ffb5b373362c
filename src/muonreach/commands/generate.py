"""``muonreach generate EXPERIMENT MODEL --mass M --coupling G --events N --seed S --out FILE``: event files."""

from __future__ import annotations

import contextlib
import sys

import click

from ..outputs import check_output_path
from .common import coupling_option, emit, json_option, mass_option, set_option
from .events import experiment_and_model


@click.command("generate")
@click.argument("experiment")
@click.argument("model")
@mass_option
@coupling_option
@click.option("--events", "n_events", type=int, required=True, help="number of unweighted events")
@click.option("--seed", type=int, required=True, help="random seed (non-negative; same seed, same file)")
@click.option("--out", required=True, help="event file: .parquet (all columns) or .lhe (Les Houches v3)")
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr (default: when a terminal)")
@set_option
@json_option
def command(experiment: str, model: str, mass: float, coupling: float, n_events: int, seed: int, out: str,
            progress: bool | None, sets: tuple[str, ...], as_json: bool) -> None:
    """Unweighted events of MODEL in EXPERIMENT: production, decays, per-event signal and efficiency."""
    from ..mc.generate import EventGenerator
    from ..mc.writers import SUFFIXES, write_events
    from ..validation import positive

    path = check_output_path(out, SUFFIXES)
    exp, spec, model_sets = experiment_and_model(experiment, model, sets)
    generator = EventGenerator(exp, spec, positive("mass", mass), coupling, model_sets, n_events, seed)
    show = sys.stderr.isatty() if progress is None else progress
    with _bar(show, n_events) as advance:
        info = write_events(generator, path, advance)
    expected = info.signal_events
    payload = {"out": str(path), "experiment": exp.name, "model": model, "mass": mass, "coupling": coupling,
               "coupling_name": spec.coupling, "events": n_events, "seed": seed, "sigma_pb": info.sigma_pb,
               "sigma_error_pb": info.sigma_error_pb, "produced": info.produced, "signal_events": expected,
               "signal_events_error": info.signal_events_error, "unweighting_efficiency": info.unweighting_efficiency,
               "approximation": info.approximation}
    emit(payload, as_json,
         f"{path}: {n_events} events of {model} in {exp.name} (m = {mass:g} GeV, {spec.coupling} = {coupling:g}, "
         f"{info.approximation}, seed {seed}); sigma = {info.sigma_pb:.4g} +- {info.sigma_error_pb:.2g} pb per nucleus, "
         f"{info.produced:.4g} produced, {expected:.4g} +- {info.signal_events_error:.2g} expected signal events")


@contextlib.contextmanager
def _bar(enabled: bool, total: int):
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("generate"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("events", total=total)
        yield lambda n: bar.advance(task, n)
