"""Signatures: what makes a produced boson a signal event, as classes registered by name.

A signature declares its own TOML fields (``[signature]`` table of an experiment file, settable with ``--set``)
as :class:`~muonreach.parameters.Param` objects, and computes the probability that each boson of a
:class:`~muonreach.experiments.sample.BosonSample` is a signal, for every coupling of a scan at once.

Shipped (002_64b267437daa15d5.txt eqs. (17)-(20), 000_2bfc33bcfac4181d.txt eq. (3.1)); L = p_X/(m_X Gamma) is
the lab decay length (002 eq. (9)), z_rem = L_tg - Delta y the target still ahead of the production point, and
d, L_det the distance from the target to the detector (decay volume) and its length:

* ``invisible`` (000 eq. (3.1)): P = BR_inv [+ BR_vis exp(-(z_rem + d + L_det)/L) with ``visible_escape``];
* ``decay_beyond`` (002 eq. (18)): P = BR_inv + BR_vis exp(-(z_rem + d + L_det)/L);
* ``decay_in_volume`` (002 eq. (20)): P = BR_vis [exp(-(z_rem + d)/L) - exp(-(z_rem + d + L_det)/L)];
* ``decay_in_region``: P = BR_vis [1 - exp(-z_rem/L)], a visible decay before leaving the production region (the
  fiducial volume of a meson-decay experiment, where X -> mu mu is reconstructed with the K decay).

A stable boson (no open channel) counts as invisible. "Invisible" channels are those the model declares in
:meth:`~muonreach.models.base.Mediator.invisible_channels`. A new signature is a subclass plus
:func:`register_signature`; no engine changes (see ``docs/extending.md``).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..errors import InvalidParameter, UnknownName
from ..parameters import Param
from .sample import BosonSample


@dataclass(frozen=True)
class Geometry:
    """Target and detector along the beam (cm)."""

    target_length: float
    detector_distance: float
    detector_length: float


@dataclass(frozen=True)
class Decays:
    """Total invisible and visible widths (GeV) of the boson at each scanned coupling: shape (n_g, 1), or (n_g, n)
    with one column per sample entry when the entries belong to different masses (``mass`` then an array of the
    entries' masses, broadcasting with the widths: the stacked samples of :mod:`muonreach.reach.stack`)."""

    mass: float | NDArray[np.float64]
    gamma_inv: NDArray[np.float64]
    gamma_vis: NDArray[np.float64]

    @classmethod
    def of_model(cls, model) -> Decays:
        """The widths of one model instance (a single coupling): its invisible channels against the rest."""
        widths, invisible = model.partial_widths(), model.invisible_channels()
        gamma_inv = math.fsum(w for ch, w in widths.items() if ch in invisible)
        gamma_vis = math.fsum(w for ch, w in widths.items() if ch not in invisible)
        return cls(model.mass, np.array([[gamma_inv]]), np.array([[gamma_vis]]))

    def branching(self) -> tuple[NDArray, NDArray, NDArray]:
        """(BR_inv, BR_vis, Gamma_total); a stable boson (Gamma = 0) has BR_inv = 1."""
        total = self.gamma_inv + self.gamma_vis
        stable = total == 0.0
        safe = np.where(stable, 1.0, total)
        return np.where(stable, 1.0, self.gamma_inv / safe), np.where(stable, 0.0, self.gamma_vis / safe), total

    def inverse_decay_length(self, momentum: NDArray[np.float64]) -> NDArray[np.float64]:
        """1/L = m Gamma/(p hbar c) in 1/cm, shape (n_g, n); 0 for a stable boson. p = 0 occurs only at zero-weight
        quadrature nodes of an empty x piece: a huge finite 1/L there avoids inf * 0."""
        _, _, total = self.branching()
        rate = total * self.mass
        shape = np.broadcast_shapes(rate.shape, np.shape(momentum))
        denominator = np.broadcast_to(np.asarray(momentum, dtype=float) * units.HBARC_GEV_CM, shape)
        rate = np.broadcast_to(rate, denominator.shape)
        return np.divide(rate, denominator, out=np.full(denominator.shape, 1e300), where=denominator > 0.0)


@dataclass(frozen=True)
class SampleRanges:
    """Ranges of the weighted entries of a sample (one value per row of a stacked batch): momentum and production
    depth (GeV, cm), for bounds on the signature probability without the entries (:meth:`Signature.sample_bounds`)."""

    momentum_min: NDArray[np.float64]
    momentum_max: NDArray[np.float64]
    depth_min: NDArray[np.float64]
    depth_max: NDArray[np.float64]


class Signature(ABC):
    """A signal definition; subclasses set ``name``, ``description``, ``params`` and :meth:`probability`."""

    name: ClassVar[str]
    description: ClassVar[str]
    params: ClassVar[Mapping[str, Param]] = {}
    #: True for signatures that need generated events (kinematics, per-event cuts) instead of the quadrature grid.
    needs_events: ClassVar[bool] = False

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.values})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.values == other.values  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.values.items()))))

    @abstractmethod
    def probability(self, sample: BosonSample, geometry: Geometry, decays: Decays) -> NDArray[np.float64]:
        """Probability (n_g, n) that each boson of ``sample`` is a signal, for each coupling of ``decays``."""

    def probability_bounds(self, decays: Decays) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(P_min, P_max) with P_min <= P_i <= P_max for every boson of any sample, shape of ``decays``' widths:
        bounds from the branching ratios alone, without the kinematics. Equal bounds mean that P is the same for
        every boson (the yield is then one integral times P). Default: (0, 1)."""
        shape = np.broadcast_shapes(np.shape(decays.gamma_inv), np.shape(decays.gamma_vis))
        return np.zeros(shape), np.ones(shape)

    def sample_bounds(self, decays: Decays, geometry: Geometry,
                      ranges: SampleRanges) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(P_min, P_max) for the bosons of a sample whose weighted entries lie within ``ranges`` (per element of
        ``decays``' widths): tighter than :meth:`probability_bounds` where the kinematics enter; default: those."""
        return self.probability_bounds(decays)

    def select(self, invisible: NDArray[np.bool_], decay_z: NDArray[np.float64], geometry: Geometry) -> NDArray[np.bool_]:
        """Per-event selection of generated events (:mod:`muonreach.mc`): ``invisible`` marks bosons that are stable
        or decayed into an invisible channel, ``decay_z`` is the decay vertex along the beam from the target's
        front face (cm; inf when stable). The event-level counterpart of :meth:`probability`."""
        raise InvalidParameter(f"signature {self.name!r} has no per-event selection for generated events")


def _beyond(decay_z: NDArray[np.float64], geometry: Geometry) -> NDArray[np.bool_]:
    return decay_z > geometry.target_length + geometry.detector_distance + geometry.detector_length


def _escape(sample: BosonSample, geometry: Geometry, decays: Decays, extra: float) -> NDArray[np.float64]:
    """exp(-(z_rem + extra)/L): the probability to decay beyond z_rem + extra behind the production point."""
    return _escapes(sample, geometry, decays, (extra,))[0]


def _escapes(sample: BosonSample, geometry: Geometry, decays: Decays,
             extras: tuple[float, ...]) -> list[NDArray[np.float64]]:
    """:func:`_escape` at several distances ``extras``, 1/L and z_rem computed once (the same numbers)."""
    inv_length = decays.inverse_decay_length(sample.momentum[None, :])
    remaining = geometry.target_length - sample.depth[None, :]
    # The distance is >= 0 (production inside the target) and finite, and 0 <= 1/L <= 1e300 (the finite p = 0
    # placeholder of inverse_decay_length), so the exponent is never NaN and can only overflow to +inf (the
    # placeholder times a distance beyond 1.8e8 cm), where exp(-inf) = 0 is the exact limit: the overflow flag is
    # silenced for this product only. exp of a large negative argument underflows to 0 silently (numpy default).
    with np.errstate(over="ignore"):
        return [np.exp(-((remaining + extra) * inv_length)) for extra in extras]


def _inverse_lengths(decays: Decays, ranges: SampleRanges) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(smallest, largest) 1/L over entries within ``ranges``: 1/L falls with the momentum."""
    return decays.inverse_decay_length(ranges.momentum_max), decays.inverse_decay_length(ranges.momentum_min)


def _escape_bounds(geometry: Geometry, extra: float, ranges: SampleRanges,
                   inverse: tuple[NDArray[np.float64], NDArray[np.float64]]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(min, max) of :func:`_escape` over entries within ``ranges`` (``inverse``: :func:`_inverse_lengths`): it
    falls with z_rem and with 1/L, so the extremes are at (largest z_rem, largest 1/L) and (smallest z_rem,
    smallest 1/L)."""
    longest, shortest = inverse  # smallest and largest 1/L
    with np.errstate(over="ignore"):  # as _escapes: only the 1e300 placeholder times a distance can overflow
        low = np.exp(-((geometry.target_length - ranges.depth_min + extra) * shortest))
        high = np.exp(-((geometry.target_length - ranges.depth_max + extra) * longest))
    return low, high


def _beyond_bounds(decays: Decays, geometry: Geometry,
                   ranges: SampleRanges) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Bounds of BR_inv + BR_vis exp(-(z_rem + d + L_det)/L) (decay_beyond; invisible with visible_escape)."""
    br_inv, br_vis, _ = decays.branching()
    low, high = _escape_bounds(geometry, geometry.detector_distance + geometry.detector_length, ranges,
                               _inverse_lengths(decays, ranges))
    return br_inv + br_vis * low, br_inv + br_vis * high


class Invisible(Signature):
    name = "invisible"
    description = "missing energy/momentum: invisible decays (000 eq. (3.1)), optionally visible decays beyond the detector"
    params: ClassVar[Mapping[str, Param]] = {
        "visible_escape": Param(False, "also count visible decays beyond target + detector as missing energy", "bool")}

    def probability(self, sample: BosonSample, geometry: Geometry, decays: Decays) -> NDArray[np.float64]:
        br_inv, br_vis, _ = decays.branching()
        if not self.values["visible_escape"]:
            return np.broadcast_to(br_inv, (br_inv.shape[0], len(sample)))
        return br_inv + br_vis * _escape(sample, geometry, decays, geometry.detector_distance + geometry.detector_length)

    def probability_bounds(self, decays: Decays) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        br_inv, br_vis, _ = decays.branching()
        return br_inv, br_inv + br_vis if self.values["visible_escape"] else br_inv

    def sample_bounds(self, decays: Decays, geometry: Geometry,
                      ranges: SampleRanges) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if not self.values["visible_escape"]:
            return self.probability_bounds(decays)
        return _beyond_bounds(decays, geometry, ranges)

    def select(self, invisible: NDArray[np.bool_], decay_z: NDArray[np.float64], geometry: Geometry) -> NDArray[np.bool_]:
        return invisible | (_beyond(decay_z, geometry) if self.values["visible_escape"] else False)


class DecayBeyond(Signature):
    name = "decay_beyond"
    description = "invisible, or a visible decay beyond the detector (002 eq. (18))"

    def probability(self, sample: BosonSample, geometry: Geometry, decays: Decays) -> NDArray[np.float64]:
        br_inv, br_vis, _ = decays.branching()
        return br_inv + br_vis * _escape(sample, geometry, decays, geometry.detector_distance + geometry.detector_length)

    def probability_bounds(self, decays: Decays) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        br_inv, br_vis, _ = decays.branching()
        return br_inv, br_inv + br_vis

    def sample_bounds(self, decays: Decays, geometry: Geometry,
                      ranges: SampleRanges) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return _beyond_bounds(decays, geometry, ranges)

    def select(self, invisible: NDArray[np.bool_], decay_z: NDArray[np.float64], geometry: Geometry) -> NDArray[np.bool_]:
        return invisible | _beyond(decay_z, geometry)


class DecayInVolume(Signature):
    name = "decay_in_volume"
    description = "a visible decay inside the decay volume behind the target (002 eq. (20))"

    def probability(self, sample: BosonSample, geometry: Geometry, decays: Decays) -> NDArray[np.float64]:
        _, br_vis, _ = decays.branching()
        start, end = _escapes(sample, geometry, decays, (geometry.detector_distance,
                                                         geometry.detector_distance + geometry.detector_length))
        return br_vis * (start - end)

    def probability_bounds(self, decays: Decays) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        _, br_vis, _ = decays.branching()
        return np.zeros(br_vis.shape), br_vis

    def sample_bounds(self, decays: Decays, geometry: Geometry,
                      ranges: SampleRanges) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """start - end = start (1 - exp(-L_det/L)): both factors positive, each between its extremes over the
        entries (start: :func:`_escape_bounds` at the detector distance; the second grows with 1/L)."""
        _, br_vis, _ = decays.branching()
        inverse = _inverse_lengths(decays, ranges)
        start_low, start_high = _escape_bounds(geometry, geometry.detector_distance, ranges, inverse)
        longest, shortest = inverse
        with np.errstate(over="ignore"):
            inside_low = -np.expm1(-(geometry.detector_length * longest))
            inside_high = -np.expm1(-(geometry.detector_length * shortest))
        return br_vis * start_low * inside_low, br_vis * start_high * inside_high

    def select(self, invisible: NDArray[np.bool_], decay_z: NDArray[np.float64], geometry: Geometry) -> NDArray[np.bool_]:
        start = geometry.target_length + geometry.detector_distance
        return ~invisible & (decay_z > start) & ~_beyond(decay_z, geometry)


class DecayInRegion(Signature):
    name = "decay_in_region"
    description = "a visible decay inside the production region itself (a meson-decay fiducial volume): BR_vis (1 - exp(-z_rem/L))"

    def probability(self, sample: BosonSample, geometry: Geometry, decays: Decays) -> NDArray[np.float64]:
        _, br_vis, _ = decays.branching()
        return br_vis * -np.expm1(-(geometry.target_length - sample.depth[None, :])
                                  * decays.inverse_decay_length(sample.momentum[None, :]))

    def probability_bounds(self, decays: Decays) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        _, br_vis, _ = decays.branching()
        return np.zeros(br_vis.shape), br_vis


SIGNATURES: dict[str, type[Signature]] = {}


def register_signature(cls: type[Signature]) -> type[Signature]:
    """Add a signature class to the registry by its ``name`` (unique)."""
    if cls.name in SIGNATURES:
        raise ValueError(f"signature {cls.name!r} registered twice")
    SIGNATURES[cls.name] = cls
    return cls


def signature_class(name: str) -> type[Signature]:
    """A registered signature class by name."""
    if name not in SIGNATURES:
        raise UnknownName(f"unknown signature {name!r}; known: {', '.join(sorted(SIGNATURES))}")
    return SIGNATURES[name]


for _cls in (Invisible, DecayBeyond, DecayInVolume, DecayInRegion):
    register_signature(_cls)

from .displaced import DisplacedVertex  # noqa: E402  (defined on top of the classes above)

register_signature(DisplacedVertex)
