"""A sample of produced bosons: what a production channel hands to a signature.

Each entry is one boson state with its weight: a node of a quadrature grid in (beam energy, x) for the
semi-analytic channels, or one generated event for Monte-Carlo channels. Weights are expected events per unit
signature probability for a production coupling of 1 (production scales as the coupling squared), before the
experiment's efficiency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class BosonSample:
    """Weighted boson states (1-D arrays of equal length). Energies in GeV, lengths in cm."""

    energy: NDArray[np.float64]  # lab energy of the boson E_X
    momentum: NDArray[np.float64]  # lab momentum |p_X|
    depth: NDArray[np.float64]  # production depth in the target, from its front face
    beam_energy: NDArray[np.float64]  # beam-lepton energy at the production point
    weight: NDArray[np.float64]  # events per unit probability at production coupling 1
    cos_theta: NDArray[np.float64] | None = None  # boson angle to the beam, where the channel provides it
    events: Any = None  # the full event record (muonreach.mc) for event-level signatures
    observable: NDArray[np.float64] | None = None  # the binned observable of the entry, where the channel has one
                                                   # (meson_decay: m_miss^2 in GeV^2)

    def __post_init__(self) -> None:
        n = self.weight.shape
        for name in ("energy", "momentum", "depth", "beam_energy"):
            if getattr(self, name).shape != n:
                raise ValueError(f"BosonSample.{name} has shape {getattr(self, name).shape}, weight has {n}")

    def __len__(self) -> int:
        return int(self.weight.size)

    @property
    def total_weight(self) -> float:
        """Events if every produced boson were signal (probability 1), at production coupling 1."""
        return float(self.weight.sum())
