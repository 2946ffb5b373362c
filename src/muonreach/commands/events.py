"""``muonreach events EXPERIMENT MODEL --mass M --coupling G``: expected signal events."""

from __future__ import annotations

import click

from .common import coupling_option, emit, json_option, mass_option, parse_sets, set_option, warn


def experiment_and_model(experiment: str, model: str, sets: tuple[str, ...]):
    """(experiment with its ``--set`` overrides, model spec, the model's ``--set`` overrides).

    A ``--set`` key that names an experiment field goes to the experiment, every other key to the model."""
    from ..errors import UnknownName
    from ..experiments.spec import load_experiment, overridable_names
    from ..models.registry import get_model_spec

    spec = get_model_spec(model)
    model_sets: dict[str, str] = {}
    exp_sets: dict[str, str] = {}
    experiment_keys = overridable_names()
    for key, value in parse_sets(sets).items():
        (exp_sets if key in experiment_keys else model_sets)[key] = value
    exp = load_experiment(experiment).with_overrides(exp_sets)
    unknown = sorted(set(model_sets) - set(spec.params))
    if unknown:  # neither owner knows it: name both (the model's message alone suggested only model parameters)
        raise UnknownName(f"--set {unknown[0]}: neither experiment {exp.name!r} nor model {spec.name!r} has this "
                          f"parameter; model: {', '.join(sorted(spec.params)) or 'none'}; experiment: "
                          f"{', '.join(sorted(exp.overridable()))}")
    if exp.approximate:
        warn(f"{exp.name}: {exp.approximate}")
    return exp, spec, model_sets


@click.command("events")
@click.argument("experiment")
@click.argument("model")
@mass_option
@coupling_option
@set_option
@json_option
def command(experiment: str, model: str, mass: float, coupling: float, sets: tuple[str, ...], as_json: bool) -> None:
    """Expected signal events of MODEL in EXPERIMENT (see `muonreach list experiments`)."""
    from ..experiments.calculator import EventCalculator, calculator, grid_calculator
    from ..reach.binned import binned_test
    from ..reach.contour import events_threshold
    from ..validation import positive

    exp, spec, model_sets = experiment_and_model(experiment, model, sets)
    spec.build(positive("mass", mass), coupling, model_sets)  # validates the point
    calc = calculator(exp, spec, mass, model_sets)
    n = float(calc.events(coupling))
    test = binned_test(exp)
    payload = {"experiment": exp.name, "model": model, "mass": mass, "coupling": coupling,
               "coupling_name": spec.coupling, "events": n, "statistic": exp.statistic}
    where = f"{exp.name}: {n:.4g} signal events ({model}, m = {mass:g} GeV, {spec.coupling} = {coupling:g}"
    if test is None:
        payload["events_cl"] = events_threshold(exp)
        text = f"{where}; reach threshold {payload['events_cl']:.3g})"
        if not isinstance(calc, EventCalculator):  # event-level signatures: cumulative expected events after each cut
            payload["cut_flow"] = calc.cut_flow(coupling)
            payload["relative_error"] = calc.relative_error(coupling)
            text += "\n" + "\n".join(f"  {k:24s} {v:.4g}" for k, v in payload["cut_flow"].items())
        emit(payload, as_json, text)
        return
    per_bin = grid_calculator(calc).binned_events(coupling, test.bins)[0]
    payload.update({"test_statistic": float(test.statistic(per_bin)), "threshold": test.threshold,
                    "events_cl": test.events_needed(per_bin) if per_bin.sum() > 0.0 else None,
                    "background": float(test.bins.background.sum()),
                    "bins": {"m_miss2_low": test.bins.lo.tolist(), "m_miss2_high": test.bins.hi.tolist(),
                             "background": test.bins.background.tolist(), "signal": per_bin.tolist()}})
    needed = "none in the bins" if payload["events_cl"] is None else f"{payload['events_cl']:.3g} events with this spectrum"
    emit(payload, as_json, f"{where}; {test.label}: {payload['test_statistic']:.3g}, reach at {needed}; "
                           f"background {payload['background']:.3g} in {test.bins.lo.size} bins)")
