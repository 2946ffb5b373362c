"""``muonreach limits [--model NAME] [--plane PLANE] [--json]``: the shipped limit curves and their provenance."""

from __future__ import annotations

import click

from .common import emit, json_option


def limit_rows(model: str | None, plane: str | None) -> tuple[list[dict], str]:
    """(rows, table text) of the limit curves drawable for ``model`` in ``plane`` (None: all)."""
    from ..constraints import PLANES, limits_for
    from ..errors import UnknownName

    if plane is not None and plane not in PLANES:
        raise UnknownName(f"unknown plane {plane!r}; known: {', '.join(PLANES)}")
    if model is not None:
        from ..models.registry import get_model_spec

        get_model_spec(model)  # UnknownName for a typo
    rows = [c.summary() for c in limits_for(model, plane)]
    lines = [f"{'name':<22} {'model':<14} {'plane':<9} {'kind':<10} {'edge':<9} {'CL':<5} {'provenance':<10} licence"]
    for r in rows:
        cl = "-" if r["cl"] is None else f"{r['cl']:.2f}"
        lic = "no licence" if r["licence_status"] == "no-licence" else r["licence"].split(" ", 1)[0]
        lines.append(f"{r['name']:<22} {r['model']:<14} {r['plane']['name']:<9} {r['kind']:<10} {r['edge']:<9} {cl:<5} "
                     f"{r['provenance']:<10} {lic}  ({r['source']['arxiv'] or r['source']['paper'][:40]})")
    return rows, "\n".join(lines)


@click.command("limits")
@click.option("--model", default=None, help="only curves drawable for this model (its own or model-independent ones)")
@click.option("--plane", default=None, help="only curves in this plane: coupling, sigma-e or g-chi")
@json_option
def command(model: str | None, plane: str | None, as_json: bool) -> None:
    """List the limit curves (existing limits and projections) with model, plane, CL, source and licence."""
    rows, text = limit_rows(model, plane)
    emit({"limits": rows}, as_json, text)
