"""The model protocol: what every mediator model provides, and what follows from it.

A model is a small frozen dataclass holding masses (GeV) and couplings. Every model family implements
(abstract, so a model missing one fails at definition):

* :meth:`Mediator.partial_widths` (channel name -> width in GeV, 0 for a closed channel);
* :meth:`Mediator.delta_a` (one-loop (g-2) contribution);

and declares, where it applies (the defaults say "none"):

* :meth:`Mediator.invisible_channels`: the channels whose final state leaves no trace in a detector;
* :meth:`Mediator.production_coupling`: how it is radiated off a beam lepton (kind, coupling);
* :meth:`Mediator.offdiagonal_coupling`, :meth:`Mediator.neutrino_coupling`: flavour-changing and neutrino
  couplings (for e <-> mu conversion and meson decays);
* :meth:`Mediator.annihilation`: its dark sector for freeze-out (states and annihilation channels, built
  from the blocks of :mod:`muonreach.cosmo.annihilation`).

Everything else (total width, branching ratios, c*tau, lifetime, lab-frame decay length) is derived here, once.

Many masses at once: a class whose :meth:`Mediator.partial_widths` and :meth:`Mediator.production_coupling` are
written elementwise (``array_safe = True``, all shipped models) evaluates them on an :meth:`Mediator.unchecked`
instance whose mass and couplings are numpy arrays (:meth:`Mediator.partial_width_arrays`): the same formulas,
one call for a whole mass grid (the batch reach, :class:`muonreach.experiments.couplings.CouplingDependence`).
Engines (yields, reach, relic, figures) use only this protocol and never a model's class or name.
"""

from __future__ import annotations

import functools
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from typing import TYPE_CHECKING, ClassVar, TypeVar

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..errors import InvalidParameter, KinematicallyForbidden
from ..validation import finite

if TYPE_CHECKING:
    from ..cosmo.annihilation import Annihilation


@dataclass(frozen=True)
class DarkStateDecay:
    """Three-body decays S -> D f fbar of a dark state S into a lighter dark state D and a fermion pair.

    ``widths``: channel -> width in GeV (names of ``mc/data/final_states.toml`` ``[dark_decays.<parent>]``);
    ``msq(q2, x, m_f)``: the spin-summed |M|^2 up to a constant, at dilepton mass^2 q2 and x = p_D.k_f (GeV^2),
    for fermions of mass m_f (the Dalitz density of the event generator)."""

    parent: str
    parent_mass: float
    daughter: str
    daughter_mass: float
    widths: dict[str, float]
    msq: Callable[..., object]


#: Heaviest mediator accepted (GeV): widths and (g-2) loops are finite and checked up to here (tests); above it
#: the one-loop forms overflow or lose their accuracy (gm2.loops.RATIO_RANGE: 1e8 m_l, 1.06e7 GeV for the muon).
MASS_MAX: float = 1e7


_M = TypeVar("_M", bound="Mediator")


@functools.cache
def _float_fields(cls: type) -> tuple[str, ...]:
    """Names of the float-typed dataclass fields of a model class (read once per class: models are built in loops)."""
    return tuple(f.name for f in fields(cls) if "float" in str(f.type))


@dataclass(frozen=True)
class Mediator(ABC):
    """Base class of the new bosons (scalars and vectors). ``mass`` is in GeV."""

    mass: float
    #: True when partial_widths, production_coupling and invisible_channels work elementwise on array fields
    #: (:meth:`unchecked`, :meth:`partial_width_arrays`).
    array_safe: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if type(self.mass) is not float and (isinstance(self.mass, bool) or not isinstance(self.mass, numbers.Real)):
            raise InvalidParameter(f"mass must be a number in GeV, got {self.mass!r}")
        if not finite("mass", self.mass) > 0.0:
            raise InvalidParameter(f"mass must be positive, got {self.mass:g}")
        if self.mass > MASS_MAX:
            raise InvalidParameter(f"mass {self.mass:g} GeV is outside the validated range of the models (<= {MASS_MAX:g} GeV)")
        for name in _float_fields(type(self)):  # numbers are stored as given: a string or a bool in a float field is refused
            value = getattr(self, name)
            if type(value) is float or value is None:  # the common case first (models are built in loops)
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise InvalidParameter(f"{name} must be a number, got {value!r}")

    # --- to be provided by each model -------------------------------------------------------------
    @abstractmethod
    def partial_widths(self) -> dict[str, float]:
        """Partial widths in GeV by channel (a closed channel has width 0)."""

    @abstractmethod
    def delta_a(self, lepton: str = "mu") -> float:
        """One-loop contribution of this mediator to a_l = (g-2)_l / 2."""

    def invisible_channels(self) -> frozenset[str]:
        """Channels of :meth:`partial_widths` whose final state leaves no trace in a detector (dark-sector states,
        neutrinos). A channel with a delayed visible decay (chi2 -> chi1 l+ l-) is not invisible."""
        return frozenset()

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        """(kind, g): how the mediator is radiated off a beam lepton, kind 'scalar', 'pseudoscalar' or 'vector'.

        Models without a flavour-diagonal coupling to the lepton cannot be radiated in l N -> l N X.
        """
        raise InvalidParameter(f"{type(self).__name__} is not radiated off {lepton} beams by a diagonal coupling")

    def offdiagonal_coupling(self, pair: tuple[str, str]) -> float:
        """Flavour-changing scalar coupling h to the lepton pair (e.g. ("e", "mu")); 0 for flavour-diagonal models."""
        require_lepton(pair[0])
        require_lepton(pair[1])
        return 0.0

    def neutrino_coupling(self, flavour: str) -> float:
        """Vector coupling to the left-handed neutrino of ``flavour``; 0 unless the model gauges lepton number."""
        require_lepton(flavour)
        return 0.0

    def dm_electron_scattering(self) -> tuple[float, float]:
        """(dark-matter mass in GeV, reference DM-electron cross section sigma_e in cm^2, 000 eq. (4.1)) for the
        sigma-e plane; InvalidParameter for a model without DM-electron scattering."""
        raise InvalidParameter(f"{type(self).__name__} has no DM-electron scattering (sigma_e) implemented")

    def relic_y(self) -> tuple[float, float]:
        """(dark-matter mass in GeV, y = eps^2 alpha_D (m_DM/m_X)^4) of 003_731e213823d1e5dc.txt eq. (2) (the PBC
        BC2 variable Y) for the y plane; InvalidParameter for a model without kinetic mixing and a dark coupling."""
        raise InvalidParameter(f"{type(self).__name__} has no relic variable y = eps^2 alpha_D (m_DM/m_X)^4")

    def annihilation(self, width: str = "constant") -> Annihilation:
        """The dark sector for freeze-out (:class:`muonreach.cosmo.annihilation.Annihilation`); InvalidParameter
        for a model without dark matter."""
        raise InvalidParameter(f"no dark-matter annihilation is implemented for {type(self).__name__}")

    def dark_state_masses(self) -> dict[str, float]:
        """Masses (GeV) of the dark states the mediator decays to, by the names of ``mc/data/final_states.toml``
        (e.g. {"chi": m_chi}); none by default."""
        return {}

    def dark_state_decays(self) -> dict[str, DarkStateDecay]:
        """Decays of the dark states the mediator decays to (e.g. chi2 -> chi1 l+ l-), by state; none by default."""
        return {}

    def extra_outputs(self) -> dict[str, object]:
        """Model-specific quantities worth reporting beside the widths (e.g. the chi2 lifetime); none by default."""
        return {}

    @classmethod
    def unchecked(cls: type[_M], **values: object) -> _M:
        """An instance of an ``array_safe`` class whose mass and couplings may be numpy arrays (broadcasting
        together: one element per model), built without the checks of ``__post_init__``: for evaluating the
        elementwise methods of many models at once. The caller validates (by building the same models one by one,
        or by checking the arrays); TypeError for a class that is not array_safe."""
        if not cls.array_safe:
            raise TypeError(f"{cls.__name__} does not evaluate its widths on arrays")
        model = object.__new__(cls)
        for f in fields(cls):
            if f.name not in values and f.default is MISSING:
                raise TypeError(f"{cls.__name__}.unchecked needs {f.name}")
            object.__setattr__(model, f.name, values.get(f.name, f.default))
        return model

    def partial_width_arrays(self) -> dict[str, NDArray[np.float64]]:
        """:meth:`partial_widths` as float arrays (of the fields' broadcast shape for an :meth:`unchecked`
        instance with array fields, every channel broadcast to it; 0-d for a model built as usual)."""
        widths = self.partial_widths()
        return dict(zip(widths, np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in widths.values()))))

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
        """Sum of the branching ratios of :meth:`invisible_channels`."""
        invisible = self.invisible_channels()
        return math.fsum(v for k, v in self.branching_ratios().items() if k in invisible)

    @property
    def ctau_cm(self) -> float:
        """Proper decay length c*tau in cm (``math.inf`` for a stable particle)."""
        return units.width_to_ctau_cm(self.total_width)

    @property
    def lifetime_s(self) -> float:
        """Proper lifetime in s (``math.inf`` for a stable particle)."""
        return units.width_to_lifetime_s(self.total_width)

    def decay_length_cm(self, energy: float) -> float:
        """Mean lab-frame decay length L = (E/m) beta c tau = p / (m Gamma), in cm (002 eq. (9)).

        ``energy`` is the mediator's lab energy in GeV; it must be at least the mass.
        """
        e = finite("energy", energy)
        if e < self.mass:
            raise KinematicallyForbidden(f"energy {e:g} GeV is below the mass {self.mass:g} GeV")
        p = math.sqrt(max(e * e - self.mass * self.mass, 0.0))
        return (p / self.mass) * self.ctau_cm


def require_lepton(lepton: str) -> str:
    """Validate a lepton flavour name ('e', 'mu' or 'tau')."""
    if lepton not in ("e", "mu", "tau"):
        raise InvalidParameter(f"lepton must be 'e', 'mu' or 'tau', got {lepton!r}")
    return lepton
