"""``muonreach figure SPEC --out FILE.{png,pdf,svg}``: draw a figure spec (a shipped name or a TOML path)."""

from __future__ import annotations

import click

from .common import emit, output_path


@click.command("figure")
@click.argument("spec", required=False)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="output file: .png, .pdf or .svg")
@click.option("--list", "list_only", is_flag=True, help="list the shipped figure specs and exit")
@click.option("--no-cache", "no_cache", is_flag=True, help="recompute every layer (do not read or write the disk cache)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="processes for the per-mass work of the layers (default: the CPUs, at most 4; 1: this process only)")
@click.option("--json", "as_json", is_flag=True, help="machine-readable summary (file, spec, layer notes) on stdout")
def command(spec: str | None, out: str | None, list_only: bool, no_cache: bool, workers: int | None, as_json: bool) -> None:
    """Draw a figure spec (a shipped name such as 000-fig5, or a path) into --out.

    Layers, ranges and styles come from the spec."""
    import time

    from ..errors import InvalidParameter
    from ..plot.spec import list_specs, load_spec

    if list_only:
        rows = []
        for name in list_specs():
            s = load_spec(name)
            rows.append({"name": name, "title": s.title, "source": s.source})
        emit({"specs": rows}, as_json, "\n".join(f"{r['name']:<14} {r['source']}" for r in rows))
        return
    if spec is None:
        raise InvalidParameter("give a figure spec (a name from `muonreach figure --list` or a .toml path)")
    if out is None:
        raise InvalidParameter("--out FILE.png|.pdf|.svg is required")
    from ..plot.render import FORMATS

    output_path(out, FORMATS)  # before any computation
    fig_spec = load_spec(spec)
    import contextlib

    from ..cache import bypass
    from ..plot import make_figure

    start = time.perf_counter()
    with bypass() if no_cache else contextlib.nullcontext():
        path, data = make_figure(fig_spec, out, workers=workers)
    notes = [note for panel in data for layer in panel for note in layer.notes]
    for note in dict.fromkeys(notes):
        if note.startswith("warning: "):
            click.echo(f"muonreach: {note}", err=True)
    payload = {"file": str(path), "spec": fig_spec.name, "source": fig_spec.source, "seconds": round(time.perf_counter() - start, 2),
               "notes": list(dict.fromkeys(notes))}
    emit(payload, as_json, f"wrote {path} ({fig_spec.name}; reproduces {fig_spec.source or 'n/a'}) in {payload['seconds']:.1f} s")
