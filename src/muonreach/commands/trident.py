"""``muonreach trident EXPERIMENT MODEL --mass M --coupling G``: neutrino-trident cross section and CL verdict."""

from __future__ import annotations

import click

from .common import coupling_option, emit, json_option, mass_option, neutrino_vector_model, set_option


@click.command("trident")
@click.argument("experiment")
@click.argument("model")
@mass_option
@coupling_option
@set_option
@json_option
def command(experiment: str, model: str, mass: float, coupling: float, sets: tuple[str, ...], as_json: bool) -> None:
    """nu_mu N -> nu_mu N mu+ mu- at EXPERIMENT (ccfr, charm-ii): sigma_SM, sigma/sigma_SM and the 95 % CL verdict."""
    import numpy as np

    from ..constraints import trident as tr

    exp = tr.get_experiment(experiment)
    _, obj = neutrino_vector_model(model, mass, coupling, sets, "trident")
    x = tr.coupling_product(obj)
    xs = tr.cross_sections(experiment, np.array([mass], dtype=float))
    ratio = float(xs.ratio(x)[0])
    limit = exp.ratio + tr.settings().z * exp.ratio_error
    sigma_sm_fb = xs.sigma_sm * tr.FB_PER_GEV2
    payload = {
        "experiment": experiment, "model": model, "mass": mass, "coupling": coupling,
        "energy_gev": exp.energy, "target": exp.target,
        "sigma_sm_fb": sigma_sm_fb, "sigma_sm_fb_error": xs.sigma_sm_error * tr.FB_PER_GEV2,
        "sigma_sm_per": "target unit (coherent on the nucleus; per SiO2 for glass), mean neutrino energy",
        "sigma_fb": sigma_sm_fb * ratio, "sigma_ratio": ratio,
        "measured_ratio": exp.ratio, "measured_error": exp.ratio_error, "ratio_limit": limit,
        "cl": tr.settings().cl, "excluded": bool(ratio > limit),
    }
    human = (f"{exp.label} ({exp.target}, E_nu = {exp.energy:g} GeV): sigma_SM = {sigma_sm_fb:.4g} fb per target unit\n"
             f"  {model}: m = {mass:g} GeV, coupling = {coupling:g}: sigma/sigma_SM = {ratio:.4g} "
             f"(measured {exp.ratio:g} +- {exp.ratio_error:g}; limit {limit:.3g} at {100 * tr.settings().cl:.0f} % CL)\n"
             f"  {'EXCLUDED' if payload['excluded'] else 'allowed'}")
    emit(payload, as_json, human)
