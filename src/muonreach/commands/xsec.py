"""``muonreach xsec``: sigma(l N -> l' N X, x > x_min) in the IWW, WW and exact approximations side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .common import emit, json_option

#: The IWW / WW cross sections (production/cross_sections.py) come from fixed Gauss-Legendre rules that agree
#: with adaptive quadrature to better than 1e-6 relative (tests/test_cross_sections.py): their quoted error.
_WW_RULE_ACCURACY = 1e-6
#: The flavour-changing WW (production/flavour_changing.py): its angular rule is converged to < 1e-3 and its flux
#: table to < 1e-4 (tests/test_flavour_changing.py), the x rule to < 1e-5: quoted error 1e-3 relative.
_FC_WW_ACCURACY = 1e-3

if TYPE_CHECKING:
    from ..materials import Material


def cross_sections(lepton: str, final_lepton: str | None, energy: float, material: str, boson: str, mass: float,
                   x_min: float, form_factor: str, rtol: float = 3e-3) -> tuple[Material, str, dict[str, dict[str, float] | None]]:
    """(material, outgoing lepton, {"iww" | "ww" | "exact": {"sigma_pb", "error_pb"} or None}): what the command
    prints (IWW is None for flavour change, which has no IWW form; its WW is production/flavour_changing.py);
    ``rtol``: of the exact sigma."""
    from .. import units
    from ..materials import get_material
    from ..production.cross_sections import sigma_total
    from ..production.exact import sigma_exact
    from ..production.flavour_changing import FlavourChangingWW

    mat = get_material(material)
    final = final_lepton or lepton
    to_pb = units.GEV2_TO_CM2 / units.pb
    value, error = sigma_exact(boson, energy, mat, mass, x_min=x_min, lepton=lepton, final_lepton=final,
                               form_factor=form_factor, rtol=rtol)
    results: dict[str, dict[str, float] | None] = {"exact": {"sigma_pb": value * to_pb, "error_pb": error * to_pb}}
    if final == lepton:
        for approx in ("iww", "ww"):
            s = sigma_total(boson, energy, mass, 1.0, mat, lepton, approx, x_min) * to_pb
            results[approx] = {"sigma_pb": s, "error_pb": _WW_RULE_ACCURACY * s}
    else:
        s = FlavourChangingWW(mass, mat, lepton, final).sigma(energy, x_min) * to_pb
        results["iww"], results["ww"] = None, {"sigma_pb": s, "error_pb": _FC_WW_ACCURACY * s}
    return mat, final, results


@click.command("xsec")
@click.option("--lepton", type=click.Choice(["mu", "e"]), default="mu", show_default=True, help="beam lepton")
@click.option("--final-lepton", type=click.Choice(["mu", "e"]), default=None,
              help="outgoing lepton (default: the beam lepton; a different one: the e-mu scalar of 001, h = 1)")
@click.option("--energy", type=float, required=True, help="beam lepton energy in GeV")
@click.option("--material", required=True, help="target material (`muonreach list materials`)")
@click.option("--boson", type=click.Choice(["scalar", "pseudoscalar", "vector"]), required=True, help="boson kind")
@click.option("--mass", type=float, required=True, help="boson mass in GeV")
@click.option("--x-min", type=float, default=0.0, show_default=True, help="lower cut on x = E_X / E")
@click.option("--form-factor", type=click.Choice(["full", "elastic"]), default="full", show_default=True,
              help="nuclear form factor of the exact cross section (IWW / WW always use the full G2)")
@json_option
def command(lepton: str, final_lepton: str | None, energy: float, material: str, boson: str, mass: float,
            x_min: float, form_factor: str, as_json: bool) -> None:
    """Cross section per nucleus (per formula unit), coupling 1, in pb: IWW, WW and exact tree level."""
    mat, final, results = cross_sections(lepton, final_lepton, energy, material, boson, mass, x_min, form_factor)
    payload = {"lepton": lepton, "final_lepton": final, "energy": energy, "material": mat.name, "boson": boson,
               "mass": mass, "x_min": x_min, "form_factor": form_factor, "coupling": 1.0,
               "units": "pb per nucleus (formula unit), coupling 1",
               "iww": results["iww"], "ww": results["ww"], "exact": results["exact"]}
    lines = [f"sigma({lepton} {mat.name} -> {final} {mat.name} {boson}, m = {mass:g} GeV, E = {energy:g} GeV, "
             f"x > {x_min:g}), coupling 1, per nucleus:"]
    for name in ("iww", "ww", "exact"):
        r = results[name]
        text = "n/a (no IWW form for flavour change)" if r is None else f"{r['sigma_pb']:.5g} +- {r['error_pb']:.2g} pb"
        lines.append(f"  {name:<6} {text}")
    exact = results["exact"]
    ratios = [f"exact/{name.upper()} = {exact['sigma_pb'] / r['sigma_pb']:.4g}" for name in ("iww", "ww")
              if exact is not None and (r := results[name]) is not None and r["sigma_pb"] > 0]
    if ratios:
        lines.append("  " + ", ".join(ratios))
    emit(payload, as_json, "\n".join(lines))
