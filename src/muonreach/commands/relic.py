"""``muonreach relic``: relic targets (the coupling giving Omega h^2 = 0.12) and Omega h^2 at one point."""

from __future__ import annotations

import click

from ..errors import InvalidParameter
from .common import emit, fmt_optional, json_option, mass_grid, output_path, parse_sets, save_rows, set_option


@click.command("relic")
@click.argument("model")
@click.option("--mass", type=float, default=None, help="mediator mass (GeV): with --coupling, print Omega h^2")
@click.option("--coupling", type=float, default=None, help="the model's coupling (with --mass: Omega h^2 mode)")
@click.option("--mass-min", type=float, default=None, help="lowest mediator mass (GeV) of the relic curve")
@click.option("--mass-max", type=float, default=None, help="highest mediator mass (GeV) of the relic curve")
@click.option("--points", type=click.IntRange(1, 100000), default=30, show_default=True)
@click.option("--workers", type=click.IntRange(1, 512), default=1, show_default=True, help="processes for the curve")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="write rows to FILE.csv or FILE.json")
@set_option
@json_option
def command(model: str, mass: float | None, coupling: float | None, mass_min: float | None, mass_max: float | None,
            points: int, workers: int, out: str | None, sets: tuple[str, ...], as_json: bool) -> None:
    """Thermal relic target of MODEL: rows (mass, coupling) with Omega h^2 = 0.120, or --mass/--coupling -> Omega h^2.

    Masses are the mediator's; the dark-matter mass follows the benchmark (--set m_chi_ratio=..., g_chi=...).
    A null coupling means no coupling within |g| <= 4 pi gives the observed density.
    """
    from ..cosmo.relic import OMEGA_DM_H2, omega_h2, relic_curve
    from ..models.registry import get_model_spec
    from ..validation import positive

    spec = get_model_spec(model)
    overrides = parse_sets(sets)
    if mass is not None or coupling is not None:
        if mass is None or coupling is None:
            raise InvalidParameter("the Omega h^2 mode needs both --mass and --coupling")
        value = omega_h2(model, positive("mass", mass), coupling, overrides)
        payload = {"model": model, "mass": mass, "coupling": coupling, "coupling_name": spec.coupling, "omega_h2": value}
        emit(payload, as_json, f"Omega h^2 = {value:.5g}  ({model}, m = {mass:g} GeV, {spec.coupling} = {coupling:g})")
        return
    if mass_min is None or mass_max is None:
        raise InvalidParameter("give --mass-min and --mass-max for a relic curve, or --mass and --coupling for Omega h^2")
    masses = mass_grid(mass_min, mass_max, points)
    target = output_path(out, (".csv", ".json"))
    couplings = relic_curve(model, masses, overrides, workers=workers)
    rows = [{"mass": float(m), "coupling": g} for m, g in zip(masses, couplings)]
    payload = {"model": model, "coupling_name": spec.coupling, "omega_h2": OMEGA_DM_H2, "rows": rows}
    save_rows(target, payload, ("mass", "coupling"))
    text = "\n".join(f"{r['mass']:.5g}  {fmt_optional(r['coupling'])}" for r in rows)
    emit(payload, as_json, f"# {model}: mass [GeV], {spec.coupling} giving Omega h^2 = {OMEGA_DM_H2}\n{text}")
