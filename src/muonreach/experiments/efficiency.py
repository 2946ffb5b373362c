"""Signal efficiency (selection x acceptance) of an experiment: a number, or a table in the boson mass or energy.

Every experiment file carries an ``[efficiency]`` table with its ``source``; a value that could not be sourced
has ``assumption = true`` and says why in the source text (shown by ``muonreach list experiments``)::

    [efficiency]
    value = 0.5                       # a constant in (0, 1]
    source = "arXiv:... Table 2"

    [efficiency]                      # or a table, linearly interpolated in log(variable), constant beyond its ends
    variable = "mass"                 # mass (GeV) | boson_energy (GeV)
    points = [0.001, 0.01, 0.1]
    values = [0.4, 0.5, 0.6]
    source = "..."

``--set efficiency=0.3`` replaces it with a constant (source "--set").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameter, SpecError
from ..specfields import Fields
from .sample import BosonSample

VARIABLES: tuple[str, ...] = ("constant", "mass", "boson_energy")


@dataclass(frozen=True)
class Efficiency:
    """A constant or a table (see the module docstring)."""

    variable: str
    points: tuple[float, ...]
    values: tuple[float, ...]
    source: str
    assumption: bool = False

    def __post_init__(self) -> None:
        if self.variable not in VARIABLES:
            raise InvalidParameter(f"efficiency variable must be one of {', '.join(VARIABLES)}, got {self.variable!r}")
        if not self.values or any(not (0.0 < v <= 1.0) for v in self.values):
            raise InvalidParameter(f"efficiency values must lie in (0, 1], got {list(self.values)}")
        if self.variable != "constant":
            if len(self.points) != len(self.values) or len(self.points) < 2:
                raise InvalidParameter("an efficiency table needs as many points as values (at least 2)")
            if any(p <= 0.0 for p in self.points) or any(b <= a for a, b in zip(self.points, self.points[1:])):
                raise InvalidParameter("efficiency table points must be positive and increasing")

    @classmethod
    def constant(cls, value: float, source: str, assumption: bool = False) -> Efficiency:
        return cls("constant", (), (float(value),), source, assumption)

    @classmethod
    def read(cls, fields: Fields) -> Efficiency:
        """Parse an ``[efficiency]`` table; SpecError located at the field."""
        source = fields.string("source", nonempty=True)
        assumption = fields.boolean("assumption", False)
        try:
            if fields.has("value"):
                eff = cls.constant(fields.number("value"), source, assumption)
            else:
                variable = fields.choice("variable", VARIABLES[1:])
                eff = cls(variable, tuple(fields.number_list("points", min_length=2)),
                          tuple(fields.number_list("values", min_length=2)), source, assumption)
        except InvalidParameter as exc:
            raise SpecError(f"{fields.where}: {exc}") from None
        fields.done()
        return eff

    def describe(self) -> str:
        what = f"{self.values[0]:g}" if self.variable == "constant" else f"table in {self.variable}"
        return f"{what} ({'ASSUMPTION: ' if self.assumption else ''}{self.source})"

    def at(self, x: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """The efficiency at values of its variable (log-linear interpolation, constant beyond the table)."""
        if self.variable == "constant":
            return np.full(np.shape(x), self.values[0])
        return np.interp(np.log(np.asarray(x, dtype=float)), np.log(self.points), self.values)

    def weights(self, sample: BosonSample, mass: float) -> NDArray[np.float64]:
        """The efficiency of each boson of a sample."""
        if self.variable == "boson_energy":
            return self.at(sample.energy)
        return np.broadcast_to(self.at(mass), sample.weight.shape).astype(float)
