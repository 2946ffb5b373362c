"""Table 4 of arXiv:2101.10334: the paper's printed numbers (shipped data) and the computed max-min rows."""

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


@dataclass(frozen=True)
class ComputedRow:
    """A computed row of Table 4: the scenario, its labels and the 8 column maxima (TeV)."""

    scenario: Scenario
    labels: tuple[str, str, str]
    max_mass_tev: dict[str, float]
    feasible: dict[str, bool]

    def as_dict(self) -> dict:
        """The JSON record of ``muonreach heavy table4 --json``."""
        r, r_a, r_b = self.labels
        return {"model": self.scenario.model, "R": r, "R_A": r_a, "R_B": r_b, "max_mass_tev": dict(self.max_mass_tev),
                "feasible": dict(self.feasible)}


def compute_row(row: PaperRow, delta_obs: float, seed: int = 1, columns: tuple[str, ...] = COLUMNS,
                channels: str = "helicity") -> ComputedRow:
    """The max-min search (:mod:`.maxmin`) of every requested column for one scenario (``channels``: the FFS
    Higgs-Yukawa unitarity treatment). A column with no feasible point found is NaN (and ``feasible`` False)."""
    from .maxmin import column_search, solve

    masses, ok = {}, {}
    for col in columns:
        res = solve(column_search(row.scenario, col, delta_obs, channels), seed=seed)
        masses[col] = res.max_mass_tev if res.feasible else float("nan")
        ok[col] = res.feasible
    return ComputedRow(row.scenario, row.labels, masses, ok)


def _row_task(args: tuple[int, float, int, str]) -> ComputedRow:
    index, delta_obs, seed, channels = args
    return compute_row(paper_rows()[index], delta_obs, seed, channels=channels)


def compute_rows(indices: list[int], delta_obs: float, seed: int = 1, workers: int = 1,
                 channels: str = "helicity") -> list[ComputedRow]:
    """Rows ``indices`` (0-based) of the computed table, on ``workers`` processes (each row seeded alike, so the
    result does not depend on ``workers``)."""
    tasks = [(i, delta_obs, seed, channels) for i in indices]
    if workers <= 1 or len(tasks) <= 1:
        return [_row_task(t) for t in tasks]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_row_task, tasks))
