"""``muonreach decay-spectrum K+ MODEL --mass M --coupling G [--lepton mu|e]``: the three-body decay K+ -> l+ nu X
of a model: its branching ratio, its ratio to K+ -> l+ nu and the m_miss^2 and lepton-momentum spectra."""

from __future__ import annotations

import click

from .common import coupling_option, emit, json_option, mass_option, parse_sets, set_option


@click.command("decay-spectrum")
@click.argument("meson")
@click.argument("model")
@mass_option
@coupling_option
@click.option("--lepton", type=click.Choice(["mu", "e"]), default="mu", show_default=True,
              help="charged lepton of K -> l nu X (e: through a virtual muon, for e-mu couplings)")
@click.option("--points", type=click.IntRange(2, 100000), default=100, show_default=True,
              help="points of the m_miss^2 and momentum spectra")
@set_option
@json_option
def command(meson: str, model: str, mass: float, coupling: float, lepton: str, points: int, sets: tuple[str, ...],
            as_json: bool) -> None:
    """K+ -> l+ nu X for MODEL: BR, Gamma/Gamma(K -> l nu), dGamma/dm_miss^2 (GeV^-1) and dGamma/dp_l (GeV^-1)."""
    import numpy as np

    from ..models.registry import get_model_spec
    from ..production.meson import get_meson, model_decay
    from ..validation import positive

    get_meson(meson)
    spec = get_model_spec(model)
    obj = spec.build(positive("mass", mass), coupling, parse_sets(sets))
    decay, g = model_decay(obj, lepton, meson)
    s_lo, s_hi = mass**2, (decay.m_parent - decay.m_lepton) ** 2
    m_miss2 = np.linspace(s_lo, s_hi, points)
    p_max = float(decay.lepton_momentum(np.array([s_lo]))[0])
    momentum = np.linspace(0.0, p_max, points)
    g2 = g * g
    payload = {
        "meson": meson, "model": model, "mass": mass, "coupling": coupling, "coupling_name": spec.coupling,
        "lepton": lepton, "kind": decay.kind, "production_coupling": g,
        "branching_ratio": decay.branching_ratio() * g2, "ratio_to_two_body": decay.ratio_to_two_body() * g2,
        "width": decay.width() * g2, "m_miss2": m_miss2.tolist(), "dgamma_dm_miss2": (decay.dgamma_ds(m_miss2) * g2).tolist(),
        "lepton_momentum": momentum.tolist(), "dgamma_dp": (decay.dgamma_dp(momentum) * g2).tolist(),
        "units": {"width": "GeV", "m_miss2": "GeV^2", "dgamma_dm_miss2": "GeV^-1", "lepton_momentum": "GeV (kaon rest frame)",
                  "dgamma_dp": "GeV/GeV"},
    }
    human = (f"{meson} -> {lepton}+ nu X ({model}, m = {mass:g} GeV, {spec.coupling} = {coupling:g}, {decay.kind}):\n"
             f"  BR = {payload['branching_ratio']:.4e}   Gamma/Gamma({meson} -> {lepton} nu) = {payload['ratio_to_two_body']:.4e}"
             f"   Gamma = {payload['width']:.4e} GeV\n"
             f"  m_miss^2 from {s_lo:.4g} to {s_hi:.4g} GeV^2 ({points} points in --json)")
    emit(payload, as_json, human)
