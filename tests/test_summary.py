"""The main job of `make run` (muonreach summary): every benchmark row is finite and consistent."""

import math

from muonreach.summary import summary_rows, summary_table


def test_summary_rows_finite():
    rows = summary_rows()
    assert rows
    for r in rows:
        assert math.isfinite(r["delta_a_mu"]) and r["delta_a_mu"] > 0
        assert r["total_width"] >= 0
    assert "Delta a_mu" in summary_table(rows)
