"""Figures from figure specs (TOML): ``load_spec`` (schema and validation), ``layers`` (computed data, no
matplotlib), ``render.draw`` (matplotlib, headless). Plotting stays out of the physics packages.

    from muonreach.plot import load_spec, make_figure
    make_figure(load_spec("000-fig5"), "out/000-fig5.png")
"""

from __future__ import annotations

from pathlib import Path

from .spec import FigureSpec, list_specs, load_spec


def make_figure(spec: FigureSpec, out: str | Path, workers: int | None = None) -> tuple[Path, list]:
    """Compute every layer of ``spec`` (per-mass work on ``workers`` processes, default the CPUs up to 4) and
    draw it into ``out``; returns (path, layer data per panel). matplotlib is imported while the workers compute."""
    from .layers import compute_all
    from .render import draw, import_matplotlib

    data = compute_all(spec, workers, meanwhile=import_matplotlib)
    return draw(spec, data, out), data


__all__ = ["FigureSpec", "list_specs", "load_spec", "make_figure"]
