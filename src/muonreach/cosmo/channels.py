"""The contract between annihilation cross sections and the freeze-out solver.

A :class:`DarkSector` lists the dark states that stay in chemical equilibrium with each other during
freeze-out (one state for Dirac or scalar DM; chi1 and chi2 for inelastic DM) and, for every pair (i, j), the
total cross section sigma_ij(s) for i j -> Standard-Model final states, as a function of the Mandelstam s.

Conventions (the solver relies on them; every cross-section module must follow them):

* ``states``: each :class:`DarkState` has a mass (GeV) and ``dof``, the number of internal degrees of
  freedom of ONE particle species (2 for a Dirac or Majorana fermion's spin states, 1 for a real or
  complex scalar particle), and ``self_conjugate`` (True for Majorana fermions and real scalars).
* For a particle that is not self-conjugate (Dirac chi, complex scalar) the antiparticle is implied: the
  relic density returned is that of particles plus antiparticles, and sigma_ij(s) is the cross section for
  particle i + ANTIparticle j (chi chibar -> f fbar), spin-averaged over the initial states
  (1/dof_i/dof_j) and summed over final states.
* sigma_ij(s) is in GeV^-2 (natural units) and vectorised over s (numpy array in, array out); it is zero
  below the threshold of every open final state. Only pairs with a non-zero cross section need be listed;
  sigma_ij and sigma_ji are the same physical process and are listed once with i <= j.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

CrossSection = Callable[[NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True)
class DarkState:
    name: str
    mass: float
    dof: int
    self_conjugate: bool = False


@dataclass(frozen=True)
class DarkSector:
    """Dark states in chemical equilibrium during freeze-out and their annihilation cross sections."""

    states: tuple[DarkState, ...]
    cross_sections: dict[tuple[int, int], CrossSection] = field(default_factory=dict)
    description: str = ""

    @property
    def lightest(self) -> DarkState:
        return min(self.states, key=lambda s: s.mass)
