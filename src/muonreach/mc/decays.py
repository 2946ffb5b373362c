"""Decays of the generated mediator: channel, decay vertex and two-body products.

The channel is drawn with the model's branching ratios; the proper decay distance from the exponential law
with c tau = hbar c/Gamma, so the lab distance along the momentum is -ln(u) p/(m Gamma) hbar c (002 eq. (9)).
Products follow ``data/final_states.toml``. Two-body decays are isotropic in the mediator's rest frame: exact
for a scalar; for a vector it neglects the spin correlation between production and decay (the polarisation
of the radiated vector is not tracked), which changes the opening-angle distribution but not the decay
vertex or the total energy of the pair. Channels without an exclusive final state ("hadrons") keep their
decay vertex and no products. A stable mediator (no open channel) never decays (vertex NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..constants import LEPTON_MASSES
from ..errors import InvalidParameter, UnknownName
from ..models.base import Mediator
from ..models.kinematics import boost, two_body_momentum
from ..specfields import parse_toml_text, require_schema

_ORIGIN = "muonreach mc/data/final_states.toml"
#: Products written per event (the longest final state of the table).
MAX_PRODUCTS: int = 2


@dataclass(frozen=True)
class Particle:
    name: str
    pdg: int
    mass_source: tuple[str, object]  # ("lepton", name) | ("mass", GeV) | ("dark", state)

    def mass(self, model: Mediator) -> float:
        kind, value = self.mass_source
        if kind == "lepton":
            return LEPTON_MASSES[str(value)]
        if kind == "mass":
            return float(value)  # type: ignore[arg-type]
        masses = model.dark_state_masses()
        if value not in masses:
            raise InvalidParameter(f"{type(model).__name__} has no mass for the dark state {value!r} (set its dark matter)")
        return float(masses[str(value)])


@dataclass(frozen=True)
class FinalStates:
    particles: dict[str, Particle]
    channels: dict[str, tuple[str, ...]]
    mediators: dict[str, int]
    dark_decays: dict[str, dict[str, tuple[str, ...]]]

    def products(self, channel: str) -> tuple[Particle, ...]:
        if channel not in self.channels:
            raise UnknownName(f"decay channel {channel!r} has no final state in {_ORIGIN}")
        return tuple(self.particles[name] for name in self.channels[channel])

    def dark_products(self, parent: str, channel: str) -> tuple[Particle, ...]:
        """The three products of the dark state ``parent`` in ``channel`` (empty: not generated exclusively)."""
        if channel not in self.dark_decays.get(parent, {}):
            raise UnknownName(f"decay channel {channel!r} of {parent!r} has no final state in {_ORIGIN}")
        return tuple(self.particles[name] for name in self.dark_decays[parent][channel])

    def mediator_pdg(self, kind: str) -> int:
        if kind not in self.mediators:
            raise UnknownName(f"no PDG identifier for a {kind!r} mediator in {_ORIGIN}")
        return self.mediators[kind]


@cache
def final_states() -> FinalStates:
    """The shipped final-state table (checked when read)."""
    doc = parse_toml_text(resources.files(__package__).joinpath("data", "final_states.toml").read_bytes(), _ORIGIN)
    require_schema(doc, _ORIGIN)
    particles = {}
    for name, entry in doc["particles"].items():
        source = next((k, entry[k]) for k in ("lepton", "mass", "dark") if k in entry)
        particles[name] = Particle(name, int(entry["pdg"]), source)
    channels = {ch: tuple(names) for ch, names in doc["channels"].items()}
    for ch, names in channels.items():
        unknown = [n for n in names if n not in particles]
        if unknown or len(names) not in (0, MAX_PRODUCTS):
            raise ValueError(f"{_ORIGIN}: channel {ch!r} lists {names}: needs 0 or 2 known particles")
    dark = {parent: {ch: tuple(names) for ch, names in table.items()} for parent, table in doc.get("dark_decays", {}).items()}
    for parent, table in dark.items():
        for ch, names in table.items():
            if any(n not in particles for n in names) or len(names) not in (0, 3):
                raise ValueError(f"{_ORIGIN}: dark decay {parent} {ch!r} lists {names}: needs 0 or 3 known particles")
    return FinalStates(particles, channels, {k: int(v) for k, v in doc["mediators"].items()}, dark)


@dataclass(frozen=True)
class DecayTable:
    """The decay channels of one model instance with their branching ratios and products."""

    channels: tuple[str, ...]
    branching: NDArray[np.float64]
    pdg: NDArray[np.int64]  # (channels, MAX_PRODUCTS), 0 where no product
    masses: NDArray[np.float64]  # (channels, MAX_PRODUCTS)
    total_width: float
    mass: float

    @classmethod
    def of(cls, model: Mediator) -> DecayTable:
        widths = {k: v for k, v in model.partial_widths().items() if v > 0.0}
        table = final_states()
        names = tuple(widths)
        pdg = np.zeros((len(names), MAX_PRODUCTS), dtype=np.int64)
        masses = np.zeros((len(names), MAX_PRODUCTS))
        for i, ch in enumerate(names):
            for j, particle in enumerate(table.products(ch)):
                pdg[i, j], masses[i, j] = particle.pdg, particle.mass(model)
        total = math.fsum(widths.values())
        branching = np.array([widths[k] / total for k in names]) if names else np.zeros(0)
        return cls(names, branching, pdg, masses, total, model.mass)

    @property
    def stable(self) -> bool:
        return not self.channels

    def decay(self, momentum: NDArray[np.float64], rng: np.random.Generator) -> Decayed:
        """Decay mediators of lab four-momenta ``momentum`` (n, 4): channel, lab decay distance, products."""
        n: int = momentum.shape[0]
        products = np.zeros((n, MAX_PRODUCTS, 4))
        if self.stable:
            return Decayed(np.full(n, -1), np.full(n, np.inf), products)
        channel = np.minimum(np.searchsorted(np.cumsum(self.branching), rng.random(n), side="right"), len(self.channels) - 1)
        p = np.linalg.norm(momentum[:, 1:], axis=1)
        mean_length = p / (self.mass * self.total_width) * units.HBARC_GEV_CM
        distance = -np.log1p(-rng.random(n)) * mean_length
        m1, m2 = self.masses[channel, 0], self.masses[channel, 1]
        has = self.pdg[channel, 0] != 0
        cos, phi = 2.0 * rng.random(n) - 1.0, 2.0 * math.pi * rng.random(n)
        first, second = two_body(momentum, self.mass, m1, m2, cos, phi)
        products[has, 0], products[has, 1] = first[has], second[has]
        return Decayed(channel, distance, products)


@dataclass(frozen=True)
class Decayed:
    channel: NDArray[np.int64]  # index into DecayTable.channels; -1: no decay (stable)
    distance: NDArray[np.float64]  # lab decay distance from the production point (cm); inf: stable
    products: NDArray[np.float64]  # (n, MAX_PRODUCTS, 4) lab four-momenta (E, px, py, pz), zero where none


def two_body(parent: NDArray, mass: float, m1: NDArray, m2: NDArray, cos: NDArray, phi: NDArray) -> tuple[NDArray, NDArray]:
    """Lab four-momenta of the two daughters of parents ``parent`` (n, 4) of mass ``mass``, emitted at (cos, phi)
    in the parent's rest frame (axes of the lab); zero where the channel is closed."""
    q = two_body_momentum(mass, m1, m2)
    sin = np.sqrt(np.maximum(1.0 - cos * cos, 0.0))
    direction = np.stack([sin * np.cos(phi), sin * np.sin(phi), cos], axis=-1)
    rest1 = np.concatenate([np.sqrt(q * q + m1 * m1)[:, None], q[:, None] * direction], axis=1)
    rest2 = np.concatenate([np.sqrt(q * q + m2 * m2)[:, None], -q[:, None] * direction], axis=1)
    return boost(rest1, parent, mass), boost(rest2, parent, mass)
