"""The paper's Table 4 (arXiv:2101.10334) as shipped data, for comparison with computed values."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..errors import SpecError
from .ew import Scenario

COLUMNS = ("unitarity_n1", "unitarity_n10", "mfv_n1", "mfv_n10", "natural_n1", "natural_n10", "natural_mfv_n1",
           "natural_mfv_n10")
_ORIGIN = "muonreach/heavy/data/table4_2101.10334.csv"


@dataclass(frozen=True)
class PaperRow:
    scenario: Scenario
    labels: tuple[str, str, str]
    max_mass_tev: dict[str, float]


@cache
def paper_rows() -> tuple[PaperRow, ...]:
    """The 24 rows, each checked to be a gauge-invariant SSF/FFS scenario."""
    text = resources.files("muonreach.heavy").joinpath("data/table4_2101.10334.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    if not lines or lines[0] != "schema,1":
        raise SpecError(f"{_ORIGIN}: first data line must be 'schema,1'")
    reader = csv.DictReader(io.StringIO("\n".join(lines[1:])))
    rows = []
    for rec in reader:
        sc = Scenario.from_labels(rec["model"], rec["R"], rec["R_A"], rec["R_B"])
        rows.append(PaperRow(sc, (rec["R"], rec["R_A"], rec["R_B"]), {c: float(rec[c]) for c in COLUMNS}))
    return tuple(rows)
