"""``muonreach gm2-assemble RUN``: the run-group average of R'_mu and the a_mu it gives (FNAL Run 1: PRL 126 141801)."""

from __future__ import annotations

import click

from .common import emit, json_option


@click.command("gm2-assemble")
@click.argument("run", default="run1")
@json_option
def command(run: str, as_json: bool) -> None:
    """Average the run groups of RUN (run1), apply the fundamental constants, recompute the world averages."""
    from ..gm2.measurement.assembly import assemble, budget_summary, load_run, recompute_averages

    data = load_run(run)
    result = assemble(data)
    summary = budget_summary(data.budget)
    averages = recompute_averages()
    payload = {**result.as_dict(), "reference": data.reference, "arxiv": data.arxiv, "quoted": data.quoted,
               "net_correction_ppb": summary["net_correction_ppb"], "world_averages": averages}
    d = result.as_dict()
    lines = [
        f"{data.name}: R'_mu = {d['r_mu_prime']:.10f} +- {d['r_mu_prime_error']:.1e} "
        f"(stat {d['r_mu_prime_stat']:.1e}, syst {d['r_mu_prime_syst']:.1e}); chi2/ndof = {d['chi2']:.2f}/{d['ndof']}, "
        f"P = {100 * d['p_value']:.1f} %",
        f"  a_mu = {result.a_mu * 1e11:.1f}({result.a_mu_error * 1e11:.0f}) x 1e-11   "
        f"[stat {d['stat_ppb']:.0f}, syst {d['syst_ppb']:.0f}, constants {d['fundamental_ppb']:.0f} ppb; "
        f"net correction {summary['net_correction_ppb']:.0f} ppb]",
        f"  quoted: R'_mu = {data.quoted['r_mu_prime']:.10f}, chi2 = {data.quoted['chi2']:g}/{data.quoted['ndof']:g}, "
        f"a_mu = {data.quoted['a_mu'] * 1e11:.0f}({data.quoted['a_mu_error'] * 1e11:.0f}) x 1e-11 ({data.arxiv})",
        "world averages recomputed (inverse variance, uncorrelated):",
    ]
    for row in averages:
        lines.append(f"  {row['name']:<8} {row['value'] * 1e11:.1f}({row['error'] * 1e11:.1f}) x 1e-11   "
                     f"registry {row['quoted_value'] * 1e11:.1f}({row['quoted_error'] * 1e11:.1f})   from {', '.join(row['inputs'])}")
    emit(payload, as_json, "\n".join(lines))
