"""SU(2)_L x U(1)_Y representations of the EW scenarios (004 Table 4 labels such as "2_1/2") and the
Clebsch-Gordan coefficients that contract them.

A representation is (dimension n = 2j + 1, hypercharge Y) with components T3 = m in {j, j-1, ..., -j} and
charges Q = T3 + Y. Clebsch-Gordan coefficients <j1 m1; j2 m2 | J M> by the Racah formula (Condon-Shortley
phases), exact for the small spins used here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..errors import InvalidParameter


@dataclass(frozen=True)
class Rep:
    """An SU(2)_L multiplet of dimension ``dim`` and hypercharge ``hypercharge`` (Q = T3 + Y)."""

    dim: int
    hypercharge: Fraction

    @property
    def spin(self) -> Fraction:
        return Fraction(self.dim - 1, 2)

    def components(self) -> list[Fraction]:
        """T3 values from +j to -j."""
        j = self.spin
        return [j - k for k in range(self.dim)]

    def charge(self, t3: Fraction) -> Fraction:
        return t3 + self.hypercharge

    def label(self) -> str:
        """The notes' label, e.g. ``2_1/2``, ``1_-1``, ``3_0``."""
        return f"{self.dim}_{self.hypercharge}"


def parse_rep(label: str) -> Rep:
    """``"2_1/2"`` -> Rep(2, 1/2). Raises InvalidParameter for anything else."""
    try:
        dim_text, y_text = label.split("_", 1)
        dim, y = int(dim_text), Fraction(y_text)
    except (ValueError, ZeroDivisionError):
        raise InvalidParameter(f"representation label must look like '2_1/2' (dimension_hypercharge), got {label!r}") from None
    if dim < 1 or dim > 5:
        raise InvalidParameter(f"SU(2) dimension must be 1..5, got {dim}")
    return Rep(dim, y)


def clebsch_gordan(j1: Fraction, m1: Fraction, j2: Fraction, m2: Fraction, j: Fraction, m: Fraction) -> float:
    """<j1 m1; j2 m2 | j m> (Racah's formula, Condon-Shortley convention); 0 when selection rules fail."""
    if m1 + m2 != m or not abs(j1 - j2) <= j <= j1 + j2 or abs(m1) > j1 or abs(m2) > j2 or abs(m) > j:
        return 0.0
    if (j1 + j2 + j).denominator != 1:
        return 0.0
    f = lambda x: math.factorial(int(x))
    pre = math.sqrt((2 * j + 1) * f(j1 + j2 - j) * f(j1 - j2 + j) * f(-j1 + j2 + j) / f(j1 + j2 + j + 1))
    pre *= math.sqrt(f(j + m) * f(j - m) * f(j1 - m1) * f(j1 + m1) * f(j2 - m2) * f(j2 + m2))
    total = 0.0
    for k in range(0, int(j1 + j2 + j) + 1):
        args: list[Fraction] = [Fraction(k), j1 + j2 - j - k, j1 - m1 - k, j2 + m2 - k, j - j2 + m1 + k, j - j1 - m2 + k]
        if any(a < 0 for a in args):
            continue
        total += (-1) ** k / math.prod(f(a) for a in args)
    return pre * total
