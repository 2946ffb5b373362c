"""``muonreach gm2-fit``: a toy Run-1d positron spectrum, its omega_a fit, residual FFT and optional pull study."""

from __future__ import annotations

import click

from .common import emit, json_option, output_path


@click.command("gm2-fit")
@click.option("--model", "kind", type=click.Choice(["5par", "full"]), default="full", show_default=True,
              help="fit model (toys are always generated with the full Run-1d beam-dynamics model)")
@click.option("--method", type=click.Choice(["poisson", "chi2"]), default="poisson", show_default=True)
@click.option("--toys", type=int, default=0, help="also run a pull study over N toys")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--n0", type=float, default=None, help="expected counts per bin at t = 0 (default: PRD Table II, 7.2498e6)")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="wiggle plot and residual FFT: .png, .pdf or .svg")
@json_option
def command(kind: str, method: str, toys: int, seed: int, n0: float | None, out: str | None, as_json: bool) -> None:
    """Generate a toy with the Run-1d parameters of arXiv:2104.03247 Table II and fit omega_a (blinded R in ppm)."""
    from ..errors import InvalidParameter

    path = output_path(out, (".png", ".pdf", ".svg"))
    if toys < 0:
        raise InvalidParameter(f"--toys must be >= 0, got {toys}")
    import numpy as np

    from ..gm2.measurement.wiggle import WiggleModel, fit_spectrum, generate_toy, pull_study, residual_fft, run1d_truth, with_n0

    truth = run1d_truth() if n0 is None else with_n0(run1d_truth(), n0)
    gen, fitter = WiggleModel("full"), WiggleModel(kind)
    t, n = generate_toy(gen, truth, np.random.default_rng(seed))
    res = fit_spectrum(t, n, fitter, {k: truth[k] for k in fitter.parameters}, method)
    freq, amp = residual_fft(t, n, fitter, res.values)
    peak = int(np.argmax(amp[1:])) + 1
    payload = {
        "model": kind, "method": method, "seed": seed, "positrons": float(n.sum()), "bins": int(t.size),
        "omega_a": res.omega_a, "omega_a_error": res.omega_a_error, "omega_a_unit": "rad/us", "R_ppm": res.values["R"],
        "R_ppm_error": res.errors["R"], "R_ppm_truth": truth["R"], "chi2": res.chi2, "ndof": res.ndof,
        "fft_peak_mhz": float(freq[peak]), "parameters": res.values, "errors": res.errors,
        "source": "toy truth: arXiv:2104.03247 Table II (Run-1d, blinded)",
    }
    lines = [f"{kind} fit ({method}) of a {n.sum():.3g}-positron toy, {t.size} bins of {t[1] - t[0]:.4f} us:",
             f"  R = {res.values['R']:+.3f} +- {res.errors['R']:.3f} ppm (truth {truth['R']:+.2f}); "
             f"omega_a = {res.omega_a:.7f} +- {res.omega_a_error:.7f} rad/us",
             f"  chi2/ndof = {res.chi2:.1f}/{res.ndof}; largest residual FFT line at {freq[peak]:.4f} MHz"]
    if toys:
        summary = pull_study(gen, truth, toys, seed + 1, method, fit_model=fitter)
        payload.update(summary)
        lines.append(f"  {toys} toys: omega_a pull mean {summary['omega_a_pull_mean']:+.3f}, std {summary['omega_a_pull_std']:.3f}, "
                     f"1-sigma coverage {summary['omega_a_coverage_1sigma']:.3f}")
    if path is not None:
        from ..gm2.measurement.figure import draw_wiggle

        draw_wiggle(t, n, fitter, res.values, path)
        payload["file"] = str(path)
        lines.append(f"wrote {path}")
    emit(payload, as_json, "\n".join(lines))
