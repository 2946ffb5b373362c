"""``muonreach widths MODEL --mass M --coupling G``: partial widths, branching ratios and c*tau."""

from __future__ import annotations

import click

from .common import coupling_option, emit, json_option, mass_option, parse_sets, set_option


@click.command("widths")
@click.argument("model")
@mass_option
@coupling_option
@set_option
@json_option
def command(model: str, mass: float, coupling: float, sets: tuple[str, ...], as_json: bool) -> None:
    """Partial widths (GeV), branching ratios and c*tau (cm) of MODEL."""
    from ..models.registry import get_model_spec

    spec = get_model_spec(model)
    obj = spec.build(mass, coupling, parse_sets(sets))
    widths = obj.partial_widths()
    stable = obj.is_stable
    brs = None if stable else obj.branching_ratios()
    extra = obj.extra_outputs()
    payload = {
        "model": model, "mass": mass, "coupling": coupling, "coupling_name": spec.coupling,
        "parameters": obj.parameters(), "widths": widths, "branching_ratios": brs,
        "total_width": obj.total_width, "ctau_cm": obj.ctau_cm, "stable": stable, **extra,
    }
    lines = [f"{model}: m = {mass:g} GeV, {spec.coupling} = {coupling:g}"]
    for ch, w in widths.items():
        br = "" if brs is None else f"   BR = {brs[ch]:.4g}"
        lines.append(f"  {ch:<16} {w:.4e} GeV{br}")
    lines.append(f"  total width      {obj.total_width:.4e} GeV")
    lines.append("  stable (no open channel)" if stable else f"  c*tau            {obj.ctau_cm:.4e} cm")
    for key, value in extra.items():
        lines.append(f"  {key:<16} {value}")
    emit(payload, as_json, "\n".join(lines))
