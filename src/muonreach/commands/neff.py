"""``muonreach neff MODEL --mass M --coupling G``: N_eff and Delta N_eff of a light vector coupled to neutrinos."""

from __future__ import annotations

import click

from .common import coupling_option, emit, json_option, mass_option, neutrino_vector_model, set_option


@click.command("neff")
@click.argument("model")
@mass_option
@coupling_option
@set_option
@json_option
def command(model: str, mass: float, coupling: float, sets: tuple[str, ...], as_json: bool) -> None:
    """N_eff after neutrino decoupling with MODEL's mediator (coupling 0: the Standard Model)."""
    from ..cosmo.neff import n_eff, n_eff_sm

    _, obj = neutrino_vector_model(model, mass, coupling, sets, "N_eff")
    res = n_eff(obj) if coupling != 0.0 else None
    value = res.n_eff if res is not None else n_eff_sm()
    payload = {"model": model, "mass": mass, "coupling": coupling, "n_eff": value,
               "delta_n_eff": value - n_eff_sm(), "n_eff_sm": n_eff_sm(),
               "t_nu_over_t_gamma": res.t_nu_over_t_gamma if res is not None else None,
               "zprime_fraction_at_10mev": res.zprime_fraction_at_switch if res is not None else None}
    emit(payload, as_json, f"{model}: m = {mass:g} GeV, coupling = {coupling:g}: N_eff = {value:.4f} "
                           f"(Delta N_eff = {value - n_eff_sm():.4f}; SM in this treatment {n_eff_sm():.4f})")
