"""``muonreach gm2-fit``: a toy Run-1d positron spectrum, its omega_a fit, residual FFT and optional pull study."""

from __future__ import annotations

import math

import click

from .common import emit, json_option, output_path


@click.command("gm2-fit")
@click.option("--model", "kind", type=click.Choice(["5par", "full"]), default="full", show_default=True, help="fit model")
@click.option("--toy-model", "toy_kind", type=click.Choice(["5par", "full"]), default="full", show_default=True,
              help="model the toys are generated with (full: the Run-1d beam dynamics, CBO included)")
@click.option("--method", type=click.Choice(["poisson", "chi2"]), default="poisson", show_default=True)
@click.option("--toys", type=int, default=0, help="also run a pull study over N toys")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="processes for the pull study (the result does not depend on it)")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--n0", type=float, default=None, help="expected counts per bin at t = 0 (default: PRD Table II, 7.2498e6)")
@click.option("--fft-min", type=float, default=0.1, show_default=True,
              help="lower edge (MHz) of the band searched for the largest residual FFT line (upper edge: Nyquist); "
                   "below it are the slow drifts of the lifetime and muon loss")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="wiggle plot and residual FFT: .png, .pdf or .svg")
@json_option
def command(kind: str, toy_kind: str, method: str, toys: int, workers: int, seed: int, n0: float | None, fft_min: float,
            out: str | None, as_json: bool) -> None:
    """Generate a toy with the Run-1d parameters of arXiv:2104.03247 Table II and fit omega_a (blinded R in ppm)."""
    from ..errors import InvalidParameter

    path = output_path(out, (".png", ".pdf", ".svg"))
    if toys < 0:
        raise InvalidParameter(f"--toys must be >= 0, got {toys}")
    if not (math.isfinite(fft_min) and fft_min > 0.0):  # before the fit (the Nyquist edge is checked after it)
        raise InvalidParameter(f"--fft-min must be a positive frequency in MHz, got {fft_min!r}")
    import numpy as np

    from ..gm2.measurement import wiggle as wg

    truth = wg.run1d_truth() if n0 is None else wg.with_n0(wg.run1d_truth(), n0)
    gen, fitter = wg.WiggleModel(toy_kind), wg.WiggleModel(kind)
    t, n = wg.generate_toy(gen, truth, np.random.default_rng(seed))
    res = wg.fit_spectrum(t, n, fitter, {k: truth[k] for k in fitter.parameters}, method)
    freq, amp = wg.residual_fft(t, n, fitter, res.values)
    peak = wg.fft_peak(freq, amp, (fft_min, None))
    payload = {
        "model": kind, "toy_model": toy_kind, "method": method, "seed": seed, "positrons": float(n.sum()), "bins": int(t.size),
        "omega_a": res.omega_a, "omega_a_error": res.omega_a_error, "omega_a_unit": "rad/us", "R_ppm": res.values["R"],
        "R_ppm_error": res.errors["R"], "R_ppm_truth": truth["R"], "chi2": res.chi2, "ndof": res.ndof,
        "fft_peak_mhz": peak, "fft_band_mhz": [fft_min, float(freq[-1])], "parameters": res.values, "errors": res.errors,
        "source": "toy truth: arXiv:2104.03247 Table II (Run-1d, blinded)",
    }
    lines = [f"{kind} fit ({method}) of a {n.sum():.3g}-positron toy, {t.size} bins of {t[1] - t[0]:.4f} us:",
             f"  R = {res.values['R']:+.3f} +- {res.errors['R']:.3f} ppm (truth {truth['R']:+.2f}); "
             f"omega_a = {res.omega_a:.7f} +- {res.omega_a_error:.7f} rad/us",
             f"  chi2/ndof = {res.chi2:.1f}/{res.ndof}; largest residual FFT line in {fft_min:g}-{freq[-1]:.3f} MHz "
             f"at {peak:.4f} MHz"]
    if toys:
        summary = wg.pull_study(gen, truth, toys, seed + 1, method, fit_model=fitter, workers=workers)
        payload.update(summary)
        lines.append(f"  {toys} toys ({toy_kind} toys, {kind} fit): omega_a pull mean {summary['omega_a_pull_mean']:+.3f}"
                     f"({summary['omega_a_pull_mean_error']:.3f}), std {summary['omega_a_pull_std']:.3f}"
                     f"({summary['omega_a_pull_std_error']:.3f}), 1-sigma coverage {summary['omega_a_coverage_1sigma']:.3f}"
                     f" (expected {summary['coverage_expected']:.3f} +- {summary['coverage_error']:.3f}); "
                     f"R bias {summary['R_bias_ppm']:+.3f}({summary['R_bias_ppm_error']:.3f}) ppm")
    if path is not None:
        from ..gm2.measurement.figure import draw_wiggle

        draw_wiggle(t, n, fitter, res.values, path)
        payload["file"] = str(path)
        lines.append(f"wrote {path}")
    emit(payload, as_json, "\n".join(lines))
