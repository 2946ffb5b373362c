"""The lightest charged BSM mass of the max-min search (:mod:`.maxmin`) as a function of N_BSM, per criterion,
and its figure (004 Table 4 caption: ~N_BSM^{1/2} with unitarity (+ MFV), ~N_BSM^{1/6} with naturalness)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .ew import Scenario
from .maxmin import CRITERIA, Search, solve


def scan(scenario: Scenario, delta_obs: float, n_values: tuple[int, ...], seed: int = 1,
         channels: str = "helicity") -> dict[str, list[float]]:
    """{criterion: [max lightest charged mass in TeV for each N_BSM]} (NaN where no feasible point was found);
    ``channels``: the unitarity treatment of the FFS Higgs Yukawas (:class:`.maxmin.Search`)."""
    out: dict[str, list[float]] = {}
    for name, (mfv, natural) in CRITERIA.items():
        vals = []
        for n in n_values:
            res = solve(Search(scenario, delta_obs, n, mfv, natural, channels=channels), seed=seed)
            vals.append(res.max_mass_tev if res.feasible else float("nan"))
        out[name] = vals
    return out


def fitted_exponent(n_values: tuple[int, ...], masses: list[float]) -> float:
    """Least-squares slope of ln M vs ln N_BSM (the caption's 1/2 or 1/6)."""
    n, m = np.log(np.asarray(n_values, float)), np.log(np.asarray(masses, float))
    ok = np.isfinite(m)
    return float(np.polyfit(n[ok], m[ok], 1)[0]) if ok.sum() >= 2 else float("nan")


def plot(results: dict[str, dict[str, list[float]]], n_values: tuple[int, ...], path: str | Path, title: str) -> Path:
    """One panel: M_lightest (TeV) vs N_BSM, a line per scenario and criterion; written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..outputs import write_bytes

    styles = {"unitarity": "-", "mfv": "--", "natural": ":", "natural_mfv": "-."}
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for i, (label, per) in enumerate(results.items()):
        for name, masses in per.items():
            ax.plot(n_values, masses, styles[name], color=f"C{i % 10}", marker="o", ms=3, label=f"{label}, {name}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$N_{\rm BSM}$")
    ax.set_ylabel("largest mass of the lightest charged state (TeV)")
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="x-small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=Path(path).suffix.lower()[1:])
    plt.close(fig)
    return write_bytes(path, buffer.getvalue())
