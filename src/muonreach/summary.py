"""The summary table of benchmark models printed by ``muonreach summary`` (``make run``)."""

from __future__ import annotations

import io
import math
import tomllib
from importlib import resources

from rich.console import Console
from rich.table import Table

from .gm2.datasets import get_dataset
from .models.registry import get_model_spec


def _benchmarks() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("data/summary_benchmarks.toml").read_text())


def summary_rows() -> list[dict]:
    """One row per benchmark point: Delta a_mu, its pull, total width, dominant channel, c*tau, lab decay length."""
    spec_file = _benchmarks()
    energy = float(spec_file["lab_energy"])
    dataset = get_dataset(None, "mu")
    rows = []
    for bench in spec_file["benchmark"]:
        spec = get_model_spec(bench["model"])
        for mass in bench["masses"]:
            model = spec.build(mass, bench["coupling"], bench.get("set", {}))
            delta = model.delta_a("mu")
            stable = model.is_stable
            brs = {} if stable else model.branching_ratios()
            channel = max(brs, key=lambda k: brs[k]) if brs else None
            rows.append(
                {
                    "label": bench["label"], "model": bench["model"], "mass": mass, "coupling_name": spec.coupling,
                    "coupling": bench["coupling"], "delta_a_mu": delta, "dataset": dataset.name, "pull": dataset.pull(delta),
                    "total_width": model.total_width, "dominant_channel": channel,
                    "dominant_br": brs.get(channel) if channel else None, "ctau_cm": model.ctau_cm,
                    "lab_energy": energy,
                    "decay_length_cm": model.decay_length_cm(energy) if energy >= mass else None,
                }
            )
    return rows


def _fmt(x: float | None, spec: str = ".3e") -> str:
    if x is None:
        return "-"
    return "inf" if math.isinf(x) else format(x, spec)


def summary_table(rows: list[dict]) -> str:
    """Render the rows as a text table."""
    table = Table(title=f"muonreach benchmark models (pull against {rows[0]['dataset']}; L at E = {rows[0]['lab_energy']:g} GeV)")
    for col in ("benchmark", "m [GeV]", "coupling", "Delta a_mu", "pull", "Gamma [GeV]", "dominant (BR)", "c tau [cm]", "L_lab [cm]"):
        table.add_column(col, justify="left" if col in ("benchmark", "dominant (BR)") else "right")
    for r in rows:
        dom = "-" if r["dominant_channel"] is None else f"{r['dominant_channel']} ({r['dominant_br']:.3f})"
        table.add_row(
            r["label"], f"{r['mass']:g}", f"{r['coupling_name']}={r['coupling']:g}", _fmt(r["delta_a_mu"]),
            _fmt(r["pull"], "+.2f"), _fmt(r["total_width"]), dom, _fmt(r["ctau_cm"]), _fmt(r["decay_length_cm"]),
        )
    buffer = io.StringIO()
    Console(file=buffer, width=150, force_terminal=False).print(table)
    return buffer.getvalue().rstrip()
