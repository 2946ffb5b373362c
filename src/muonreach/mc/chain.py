"""The decay chain of event-level signatures in the generator: X -> D S (the mediator's decay, drawn by its
branching ratios in :mod:`.generate`), then S -> D f fbar (:class:`.threebody.ThreeBodyDecay`, the model's full
matrix element; channel by S's branching ratios) at a flight distance drawn from S's lab decay length
p_S hbar c/(m_S Gamma_S), and the signature's selection per event (:func:`.displaced.chain_cuts`: the cuts and
the accepted interval of S's flight distance). The same chain and cuts as :class:`.displaced.DisplacedCalculator`,
which integrates the exponential instead of drawing it (003_731e213823d1e5dc.txt eq. (4)). S is unpolarised
(spin correlations between production, X -> D S and S's decay are neglected, docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..models.base import Mediator
from .decays import Decayed, DecayTable
from .threebody import ThreeBodyDecay

_FOUR = ("e", "px", "py", "pz")


@dataclass(frozen=True)
class Chain:
    """X channel ``channel`` (index into the mediator's DecayTable) whose product ``slot`` (0, 1) is the dark
    state ``state`` of mass ``mass`` and total width ``width`` (GeV), decaying by ``decays``."""

    channel: int
    slot: int
    state: str
    mass: float
    width: float
    decays: ThreeBodyDecay

    @classmethod
    def of(cls, exp, model: Mediator, table: DecayTable) -> Chain:
        from .displaced import decaying_channel

        exp.signature.check_experiment(exp.target_length, exp.energy)
        name, slot, state = decaying_channel(model)
        decays = ThreeBodyDecay.of(model, state)
        exp.signature.check_pairs(decays.pair_channels)
        return cls(table.channels.index(name), slot, state, model.dark_state_masses()[state], decays.total_width, decays)

    @staticmethod
    def empty(n: int) -> dict[str, NDArray]:
        cols: dict[str, NDArray] = {"dark_parent": np.zeros(n, dtype=np.int64), "dark_channel": np.full(n, -1)}
        for c in ("x", "y", "z"):
            cols[f"dark_decay_{c}"] = np.full(n, np.nan)
        for i in range(1, 4):
            cols[f"dark_product{i}_pdg"] = np.zeros(n, dtype=np.int64)
            for c in _FOUR:
                cols[f"dark_product{i}_{c}"] = np.zeros(n)
        return cols

    def run(self, sig, kin: dict[str, NDArray], decayed: Decayed, vertex: NDArray, rng: np.random.Generator
            ) -> tuple[NDArray, dict[str, NDArray]]:
        """(signal per event, the chain columns) for mediators ``decayed`` at lab ``vertex`` (cm)."""
        from .displaced import chain_cuts

        n = decayed.channel.size
        cols = self.empty(n)
        on = np.flatnonzero(decayed.channel == self.channel)
        signal = np.zeros(n, dtype=bool)
        if on.size == 0:
            return signal, cols
        dark = decayed.products[on, self.slot]
        ch, pdg, daughters = self.decays.sample(dark, rng)
        p_s = np.linalg.norm(dark[:, 1:], axis=1)
        flight = -np.log1p(-rng.random(on.size)) * p_s / (self.mass * self.width) * units.HBARC_GEV_CM
        x_flight = decayed.distance[on]
        cuts = chain_cuts(sig, kin["depth"][on], kin["lepton"][on], kin["boson"][on], x_flight, dark, daughters)
        pair = np.isin(np.array(self.decays.channels)[ch], sig.pair_channels)
        inside = (flight > np.maximum(cuts["lo"], 0.0)) & (flight < cuts["hi"])
        signal[on] = pair & cuts["energy_ok"] & cuts["opening_ok"] & cuts["lepton_ok"] & inside
        decay_at = vertex[on] + cuts["direction"] * flight[:, None]
        cols["dark_parent"][on] = self.slot + 1
        cols["dark_channel"][on] = ch
        for k, c in enumerate(("x", "y", "z")):
            cols[f"dark_decay_{c}"][on] = decay_at[:, k]
        for i in range(3):
            cols[f"dark_product{i + 1}_pdg"][on] = pdg[:, i]
            for k, c in enumerate(_FOUR):
                cols[f"dark_product{i + 1}_{c}"][on] = daughters[:, i, k]
        return signal, cols
