"""``muonreach summary``: the benchmark table printed by ``make run``."""

from __future__ import annotations

import click

from .common import emit, json_option


@click.command("summary")
@json_option
def command(as_json: bool) -> None:
    """Table of Delta a_mu, widths and decay lengths of the benchmark models (the main job of `make run`)."""
    from ..summary import summary_rows, summary_table

    rows = summary_rows()
    emit({"rows": rows}, as_json, summary_table(rows))
