"""What every mediator model provides: partial widths and what follows from them.

A model is a small frozen dataclass holding masses (GeV) and couplings. Subclasses implement
:meth:`Mediator.partial_widths` (channel name -> width in GeV, 0 for a closed channel) and
:meth:`Mediator.delta_a` (one-loop (g-2) contribution); everything else (total width, branching
ratios, c*tau, lifetime, lab-frame decay length) is derived here, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from .. import units
from ..errors import InvalidParameter, KinematicallyForbidden
from ..validation import positive

#: Channels whose final state leaves no trace in a detector.
INVISIBLE_PREFIXES: tuple[str, ...] = ("chi", "nu", "s1", "psi", "dm")


def is_invisible(channel: str) -> bool:
    """True for channels to dark-sector states or neutrinos."""
    return channel.startswith(INVISIBLE_PREFIXES)


@dataclass(frozen=True)
class Mediator:
    """Base class of the new bosons (scalars and vectors). ``mass`` is in GeV."""

    mass: float

    def __post_init__(self) -> None:
        positive("mass", self.mass)

    # --- to be provided by each model -------------------------------------------------------------
    def partial_widths(self) -> dict[str, float]:
        """Partial widths in GeV by channel (a closed channel has width 0)."""
        raise NotImplementedError

    def delta_a(self, lepton: str = "mu") -> float:
        """One-loop contribution of this mediator to a_l = (g-2)_l / 2."""
        raise NotImplementedError

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        """(kind, g): how the mediator is radiated off a beam lepton, kind 'scalar', 'pseudoscalar' or 'vector'.

        Models without a flavour-diagonal coupling to the lepton cannot be radiated in l N -> l N X.
        """
        raise InvalidParameter(f"{type(self).__name__} is not radiated off {lepton} beams by a diagonal coupling")

    def extra_outputs(self) -> dict[str, object]:
        """Model-specific quantities worth reporting beside the widths (e.g. the chi2 lifetime); none by default."""
        return {}

    # --- derived quantities ------------------------------------------------------------------------
    def parameters(self) -> dict[str, float]:
        """The model's fields as a plain dict (for output and provenance)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def total_width(self) -> float:
        """Total width in GeV."""
        return math.fsum(self.partial_widths().values())

    @property
    def is_stable(self) -> bool:
        """True when every channel is closed (total width exactly zero)."""
        return self.total_width == 0.0

    def branching_ratios(self) -> dict[str, float]:
        """Branching ratio by channel; raises for a particle that cannot decay at all."""
        widths = self.partial_widths()
        total = math.fsum(widths.values())
        if total == 0.0:
            raise KinematicallyForbidden(
                f"{type(self).__name__} with mass {self.mass:g} GeV has no open decay channel"
            )
        return {k: v / total for k, v in widths.items()}

    def invisible_branching_ratio(self) -> float:
        """Sum of the branching ratios to dark-sector states and neutrinos."""
        return math.fsum(v for k, v in self.branching_ratios().items() if is_invisible(k))

    @property
    def ctau_cm(self) -> float:
        """Proper decay length c*tau in cm (``math.inf`` for a stable particle)."""
        gamma = self.total_width
        return math.inf if gamma == 0.0 else units.width_to_ctau_cm(gamma)

    @property
    def lifetime_s(self) -> float:
        """Proper lifetime in s (``math.inf`` for a stable particle)."""
        gamma = self.total_width
        return math.inf if gamma == 0.0 else units.width_to_lifetime_s(gamma)

    def decay_length_cm(self, energy: float) -> float:
        """Mean lab-frame decay length L = (E/m) beta c tau = p / (m Gamma), in cm (002 eq. (9)).

        ``energy`` is the mediator's lab energy in GeV; it must be at least the mass.
        """
        e = positive("energy", energy)
        if e < self.mass:
            raise KinematicallyForbidden(f"energy {e:g} GeV is below the mass {self.mass:g} GeV")
        p = math.sqrt(max(e * e - self.mass * self.mass, 0.0))
        return (p / self.mass) * self.ctau_cm


def require_lepton(lepton: str) -> str:
    """Validate a lepton flavour name ('e', 'mu' or 'tau')."""
    if lepton not in ("e", "mu", "tau"):
        raise InvalidParameter(f"lepton must be 'e', 'mu' or 'tau', got {lepton!r}")
    return lepton
