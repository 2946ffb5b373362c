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
@click.option("--muone", is_flag=True, help="also the toy MUonE space-like extraction (lepton-like fit of mu e -> mu e)")
@click.option("--luminosity", type=float, default=None,
              help="MUonE mu-e luminosity in pb^-1 (default: the full run, 1.5e4, gm2/data/muone_toy.toml)")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="MUonE: Poisson toy with this seed (default: Asimov)")
@click.option("--known-norm", is_flag=True, help="MUonE: fix the normalisation (default: free, shape-only fit)")
@json_option
def command(pqcd_threshold: float | None, low_energy: str, no_resonances: bool, out: str | None, muone: bool,
            luminosity: float | None, seed: int | None, known_norm: bool, as_json: bool) -> None:
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
    if muone or path is not None:
        measure = spectral_measure(pqcd_threshold, not no_resonances, low_energy)
        if muone:
            payload["muone"], text = _muone(luminosity, seed, known_norm, measure)
            lines.append(text)
        if path is not None:
            from ..gm2.hvp.figure import draw_integrands

            draw_integrands(measure, path, low_energy)
            payload["file"] = str(path)
            lines.append(f"wrote {path}")
    emit(payload, as_json, "\n".join(lines))


def _muone(luminosity: float | None, seed: int | None, known_norm: bool, measure) -> tuple[dict, str]:
    from dataclasses import asdict, replace

    from ..errors import InvalidParameter
    from ..gm2.hvp.muone import load_setup, muone_extraction

    setup = load_setup()
    if luminosity is not None:
        if not luminosity > 0:
            raise InvalidParameter(f"--luminosity must be positive (pb^-1), got {luminosity!r}")
        setup = replace(setup, luminosity_pb=luminosity)
    r = muone_extraction(setup, seed, not known_norm, measure)
    out = {**asdict(r), "a_mu_relative_error": r.a_mu_error / r.a_mu, "beam_energy_gev": setup.energy,
           "electron_energy_min_gev": setup.electron_energy_min, "normalisation": "known" if known_norm else "free",
           "goal_note": "MUonE (arXiv:1609.08987): ~0.3 % statistical on a_mu^HLO with 1.5e4 pb^-1"}
    text = (f"MUonE toy ({'Asimov' if seed is None else f'Poisson seed {seed}'}, {r.luminosity_pb:g} pb^-1, E_mu = "
            f"{setup.energy:g} GeV, E_e' > {setup.electron_energy_min:g} GeV, x in {r.x_range[0]:.3f}-{r.x_range[1]:.3f}, "
            f"{r.events:.3g} events): K = {r.k:.5f}({r.k_error:.5f}), M = {r.m2:.4f}({r.m2_error:.4f}) GeV^2, "
            f"chi2/ndof = {r.chi2:.2f}/{r.ndof}\n  a_mu^HVP,LO = {r.a_mu * 1e10:.2f} +- {r.a_mu_error * 1e10:.2f} (stat) e-10 "
            f"({100 * r.a_mu_error / r.a_mu:.2f} %; MUonE goal ~0.3 %), truth of the toy {r.a_mu_truth * 1e10:.2f} e-10")
    return out, text
