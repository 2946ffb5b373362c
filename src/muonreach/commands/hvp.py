"""``muonreach hvp [--out integrand.png]``: a_mu^{HVP,LO} by the time-like and the space-like integral, by region."""

from __future__ import annotations

import click

from .common import emit, json_option, output_path


@click.command("hvp")
@click.option("--pqcd-threshold", type=float, default=None, help="sqrt(s) in GeV above which R is pQCD (default 11.5)")
@click.option("--low-energy", type=click.Choice(["vmd", "pdg"]), default="vmd", show_default=True,
              help="R below 1.6 GeV: the shipped DarkCast VMD join or the PDG compilation points")
@click.option("--no-resonances", is_flag=True, help="drop the narrow J/psi, psi(2S), Upsilon(1S-3S) peaks")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="figure of the integrands: .png, .pdf or .svg")
@json_option
def command(pqcd_threshold: float | None, low_energy: str, no_resonances: bool, out: str | None, as_json: bool) -> None:
    """LO hadronic vacuum polarisation of a_mu from the shipped R(s) (data + narrow peaks + pQCD)."""
    path = output_path(out, (".png", ".pdf", ".svg"))
    from ..gm2.hvp.dispersion import hvp_lo
    from ..gm2.hvp.spectral import load_inputs, spectral_measure

    result = hvp_lo(pqcd_threshold, not no_resonances, low_energy)
    quoted = load_inputs().quoted
    payload = {
        "a_mu_hvp_lo_timelike": result.timelike, "a_mu_hvp_lo_spacelike": result.spacelike,
        "khat_threshold": result.khat_threshold, "regions": result.regions, "pqcd_threshold_gev": result.pqcd_threshold_gev,
        "low_energy": low_energy, "resonances": not no_resonances,
        "reference_wp2020": quoted["wp2020_a_mu_hvp_lo"], "reference_wp2020_error": quoted["wp2020_a_mu_hvp_lo_error"],
        "uncertainty_note": ("the shipped R tables carry no uncertainties; the VMD/PDG choice below 1.6 GeV alone moves "
                             "the result by ~16e-10"),
    }
    lines = [f"a_mu^HVP,LO  time-like  {result.timelike * 1e10:8.2f} e-10", f"             space-like {result.spacelike * 1e10:8.2f} e-10",
             f"K^(4 M_pi^2) = {result.khat_threshold:.4f}; R below 1.6 GeV: {low_energy}; pQCD above {result.pqcd_threshold_gev:g} GeV",
             "by region (e-10):"]
    lines += [f"  {k:<40} {v * 1e10:8.2f}" for k, v in result.regions.items()]
    lines.append(f"WP2020: {quoted['wp2020_a_mu_hvp_lo'] * 1e10:.1f}({quoted['wp2020_a_mu_hvp_lo_error'] * 1e10:.1f}) e-10")
    if path is not None:
        from ..gm2.hvp.figure import draw_integrands

        draw_integrands(spectral_measure(pqcd_threshold, not no_resonances, low_energy), path, low_energy)
        payload["file"] = str(path)
        lines.append(f"wrote {path}")
    emit(payload, as_json, "\n".join(lines))
