"""``muonreach gm2 MODEL --mass M --coupling G``: one-loop Delta a_l, optionally against a (g-2) dataset."""

from __future__ import annotations

import click

from ..errors import InvalidParameter
from .common import coupling_option, emit, json_option, mass_option, parse_sets, set_option


@click.command("gm2")
@click.argument("model")
@mass_option
@coupling_option
@click.option("--lepton", type=click.Choice(["mu", "e"]), default="mu", show_default=True)
@click.option("--dataset", default=None, help="compare with a (g-2) dataset (see `muonreach list datasets`)")
@set_option
@json_option
def command(model: str, mass: float, coupling: float, lepton: str, dataset: str | None, sets: tuple[str, ...],
            as_json: bool) -> None:
    """One-loop Delta a_l of MODEL at the given mass and coupling."""
    from ..gm2.datasets import get_dataset
    from ..models.registry import get_model_spec

    spec = get_model_spec(model)
    overrides = parse_sets(sets)
    obj = spec.build(mass, coupling, overrides)
    delta = obj.delta_a(lepton)
    payload = {"model": model, "mass": mass, "coupling": coupling, "coupling_name": spec.coupling, "lepton": lepton,
               "delta_a": delta}
    text = f"Delta a_{lepton} = {delta:.6e}   ({model}, m = {mass:g} GeV, {spec.coupling} = {coupling:g})"
    if dataset is not None:
        ds = get_dataset(dataset)
        if ds.lepton != lepton:
            raise InvalidParameter(f"dataset {dataset!r} is for lepton {ds.lepton!r}, not {lepton!r}")
        payload.update({"dataset": ds.name, "dataset_delta": ds.delta, "dataset_sigma": ds.sigma, "pull": ds.pull(delta)})
        text += f"\n{ds.name}: Delta a = {ds.delta:.3e} +- {ds.sigma:.2e}; pull of the model = {ds.pull(delta):+.2f} sigma"
        if delta != 0.0:
            from ..gm2.bands import model_band, model_exclusion

            def model_at(g: float):
                return spec.build(mass, g, overrides)

            band = model_band(model_at, ds, 2.0, lepton)
            excl = model_exclusion(model_at, ds, 5.0, lepton)
            payload["favored_2sigma"] = None if band is None else [band.low, band.high]
            payload["excluded_5sigma_above"] = excl
            text += f"\n2-sigma band of {spec.coupling}: {payload['favored_2sigma']}; excluded at 5 sigma above {excl}"
    emit(payload, as_json, text)
