"""Binned m_miss^2 backgrounds of meson-decay searches (``backgrounds/*.toml``, format in its README): the expected
background per meson decay in bins of a fixed width, from a histogram or a documented flat parametrisation, scaled
to an exposure, with the optional GTK rescaling of 1902.07715 (x 1/2 above 0.023 GeV^2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..datafiles import read_toml
from ..errors import InvalidParameter, SpecError
from ..specfields import Fields, require_schema


@dataclass(frozen=True)
class Background:
    """Background per meson decay in bins [edges[i], edges[i+1]] of m_miss^2 (GeV^2)."""

    name: str
    source: str
    bin_width: float
    edges: NDArray[np.float64]
    per_decay: NDArray[np.float64]
    gtk_threshold: float | None = None
    gtk_factor: float = 1.0

    @property
    def centres(self) -> NDArray[np.float64]:
        return 0.5 * (self.edges[1:] + self.edges[:-1])

    def counts(self, decays: float, gtk: bool = False) -> NDArray[np.float64]:
        """Expected background events per bin for ``decays`` meson decays (InvalidParameter if not positive)."""
        if not (np.isfinite(decays) and decays > 0.0):
            raise InvalidParameter(f"the number of meson decays must be positive, got {decays!r}")
        out = decays * self.per_decay
        if gtk:
            if self.gtk_threshold is None:
                raise InvalidParameter(f"background {self.name!r} has no GTK rescaling")
            out = np.where(self.edges[:-1] >= self.gtk_threshold - 1e-12, out * self.gtk_factor, out)
        return out

    def window(self, lo: float, hi: float) -> NDArray[np.bool_]:
        """Bins lying inside [lo, hi] (GeV^2)."""
        return (self.edges[:-1] >= lo - 1e-12) & (self.edges[1:] <= hi + 1e-12)


def load_background(name_or_path: str | Path) -> Background:
    """A shipped background by name or a user file by path; SpecError (one line, located) on any problem."""
    raw, origin = read_toml(name_or_path, __package__, "backgrounds", "background")
    require_schema(raw, origin)
    top = Fields(raw, origin)
    top.raw("schema")
    name = top.string("name", nonempty=True)
    source = top.string("source", nonempty=True)
    top.string("description", "")
    width = top.positive("bin_width")
    kinds = [k for k in ("histogram", "parametrised") if top.has(k)]
    if len(kinds) != 1:
        raise SpecError(f"{origin}: give exactly one of [histogram] or [parametrised]")
    table = top.table(kinds[0])
    top.done()
    if kinds[0] == "histogram":
        edges = np.array(table.number_list("edges", min_length=2), dtype=float)
        per_decay = np.array(table.number_list("counts_per_decay"), dtype=float)
        if per_decay.size != edges.size - 1:
            raise SpecError(f"{table.where}: counts_per_decay needs one value per bin ({edges.size - 1}), got {per_decay.size}")
    else:
        lo, hi = table.non_negative("edges_min"), table.positive("edges_max")
        n = round((hi - lo) / width)
        if n < 1 or abs(lo + n * width - hi) > 1e-9 * max(hi, 1.0):
            raise SpecError(f"{table.where}: [edges_min, edges_max] is not a whole number of bins of {width:g} GeV^2")
        edges = lo + width * np.arange(n + 1)
        per_decay = np.full(n, table.non_negative("per_decay_per_bin"))
    widths = np.diff(edges)
    if np.any(np.abs(widths - width) > 1e-9 * max(width, 1e-12) + 1e-12):
        raise SpecError(f"{table.where}: the bins must all be {width:g} GeV^2 wide (found {widths.min():g} to {widths.max():g})")
    if np.any(per_decay < 0.0):
        raise SpecError(f"{table.where}: background counts must not be negative")
    threshold = table.non_negative("gtk_threshold", None)
    factor = table.positive("gtk_factor", 1.0)
    table.done()
    return Background(name, source, width, edges, per_decay, threshold, factor)
