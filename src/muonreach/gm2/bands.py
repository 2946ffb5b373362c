"""Couplings favoured or excluded by a (g-2) dataset (000 Sec. 4.1, arXiv:1807.03790).

For a one-loop contribution Delta a_NP = g^2 * delta_a_unit (``delta_a_unit`` is Delta a at coupling 1):

* favoured at n sigma: |Delta a_NP - Delta a| <= n sigma, a band [g_low, g_high] (g_low = 0 when the
  band reaches zero contribution; no band when the contribution has the wrong sign and zero is not allowed);
* excluded at n sigma: Delta a_NP beyond Delta a + n sigma (same sign as the contribution); the coupling
  above which this happens. As in 000 Figs. 5-6, only too large a contribution counts as excluded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InvalidParameter
from ..validation import positive
from .datasets import Dataset

__all__ = ["Band", "excluded_coupling", "favored_band", "model_band", "model_exclusion", "unit_contribution"]

if TYPE_CHECKING:
    from ..models.base import Mediator


@dataclass(frozen=True)
class Band:
    """Coupling interval [low, high] favoured by a dataset; ``low`` is 0 when no contribution is also allowed."""

    low: float
    high: float


def favored_band(delta_a_unit: float, dataset: Dataset, n_sigma: float = 2.0) -> Band | None:
    """Couplings with |g^2 delta_a_unit - Delta a| <= n sigma, or None if there are none."""
    n = positive("n_sigma", n_sigma)
    lo_a, hi_a = dataset.delta - n * dataset.sigma, dataset.delta + n * dataset.sigma
    if delta_a_unit == 0.0:
        return Band(0.0, math.inf) if lo_a <= 0.0 <= hi_a else None
    # g^2 = a / delta_a_unit must be >= 0: map the allowed interval of a onto g^2
    a_low, a_high = (lo_a, hi_a) if delta_a_unit > 0 else (-hi_a, -lo_a)
    unit = abs(delta_a_unit)
    if a_high < 0.0:
        return None
    return Band(math.sqrt(max(a_low, 0.0) / unit), math.sqrt(a_high / unit))


def excluded_coupling(delta_a_unit: float, dataset: Dataset, n_sigma: float = 5.0) -> float | None:
    """Smallest coupling whose contribution lies more than n sigma beyond Delta a (None: never excluded)."""
    n = positive("n_sigma", n_sigma)
    if delta_a_unit > 0.0:
        edge = dataset.delta + n * dataset.sigma
    elif delta_a_unit < 0.0:
        edge = dataset.delta - n * dataset.sigma
    else:
        return None
    g2 = edge / delta_a_unit
    return math.sqrt(g2) if g2 > 0.0 else 0.0


def unit_contribution(model_at: Callable[[float], Mediator], lepton: str = "mu") -> float:
    """Delta a_l per unit coupling squared (Delta a / g^2) of the model family ``model_at`` (coupling -> model),
    after checking that Delta a scales as the coupling squared.

    Every shipped model satisfies this unless a second coupling interferes (e.g. vector-muon with eps != 0);
    then InvalidParameter is raised rather than a silently wrong band.
    """
    g_ref = 1e-3  # small enough that derived couplings (g_tau = 16.8 g_mu) stay perturbative
    unit = model_at(g_ref).delta_a(lepton) / g_ref**2
    half = model_at(0.5 * g_ref).delta_a(lepton) / g_ref**2
    if not math.isclose(half, 0.25 * unit, rel_tol=1e-9, abs_tol=1e-300):
        raise InvalidParameter(
            "Delta a is not proportional to the coupling squared with these parameters; "
            "no coupling band can be derived by scaling"
        )
    return unit


def model_band(model_at: Callable[[float], Mediator], dataset: Dataset, n_sigma: float = 2.0,
               lepton: str = "mu") -> Band | None:
    """The favoured coupling band of the model family ``model_at`` (coupling -> model) (000 Sec. 4.1)."""
    return favored_band(unit_contribution(model_at, lepton), dataset, n_sigma)


def model_exclusion(model_at: Callable[[float], Mediator], dataset: Dataset, n_sigma: float = 5.0,
                    lepton: str = "mu") -> float | None:
    """The coupling above which the model family ``model_at`` is excluded at n sigma (000 Sec. 4.1)."""
    return excluded_coupling(unit_contribution(model_at, lepton), dataset, n_sigma)
