"""The event generator: unweighted events of a model in an experiment, with decays and per-event selection.

One run = (experiment with overrides, model at (mass, coupling) with overrides, number of events, seed). The
production density (:meth:`ProductionChannel.event_production`) is presampled on a grid from the seed's first
stream (the envelope and the produced-boson integral), then events are drawn from the second stream in chunks:
production point, kinematics, decay (:mod:`.decays`), the experiment's signature applied per event
(:meth:`Signature.select`) and its efficiency per event. Everything derives from one ``numpy.random.Generator``
per stream, seeded by ``[seed, stream, attempt]``: the same inputs and seed give the same events, on any
machine with the same numpy. Each event represents ``weight`` = N_produced/N expected produced bosons
(production coupling g_prod^2 included); the expected signal is weight x sum(signal x efficiency).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._version import __version__
from ..errors import InvalidParameter
from ..experiments.production import production_channel
from ..experiments.sample import BosonSample
from .chain import Chain
from .decays import MAX_PRODUCTS, DecayTable, final_states
from .unweighting import EnvelopeViolation, GridSampler

#: Envelope grid cells in (lepton energy, x, angle) and presampled points per cell.
CELLS: tuple[int, int, int] = (8, 32, 16)
PRESAMPLE: int = 24
#: Events per chunk (bounded memory: ~1 kB per event in flight).
CHUNK: int = 100_000
#: Largest number of events of one run.
MAX_EVENTS: int = 100_000_000
PB_PER_CM2: float = 1e36

#: Event columns: name -> unit (also written into the output files).
COLUMNS: dict[str, str] = {
    "event": "", "weight": "expected produced bosons per event", "efficiency": "", "signal": "",
    "beam_energy": "GeV", "vertex_z": "cm", "x": "", "cos_theta": "",
    **{f"{p}_{c}": "GeV" for p in ("beam", "lepton", "boson") for c in ("e", "px", "py", "pz")},
    "decay_channel": "index into run.channels (-1: no decay)", "decay_x": "cm", "decay_y": "cm", "decay_z": "cm",
    **{f"product{i}_pdg": "" for i in range(1, MAX_PRODUCTS + 1)},
    **{f"product{i}_{c}": "GeV" for i in range(1, MAX_PRODUCTS + 1) for c in ("e", "px", "py", "pz")},
    # the decay chain X -> D S, S -> D f fbar of event-level signatures (displaced_vertex; zeros / NaN otherwise)
    "dark_parent": "which product (1, 2) decays further (0: none)", "dark_channel": "index into run.dark_channels (-1)",
    "dark_decay_x": "cm", "dark_decay_y": "cm", "dark_decay_z": "cm",
    **{f"dark_product{i}_pdg": "" for i in range(1, 4)},
    **{f"dark_product{i}_{c}": "GeV" for i in range(1, 4) for c in ("e", "px", "py", "pz")},
}


@dataclass
class RunInfo:
    """What a run is and what it found (written into every output file)."""

    experiment: str
    model: str
    mass: float
    coupling: float
    coupling_name: str
    overrides: dict[str, Any]
    seed: int
    events: int
    approximation: str
    lepton: str
    boson_kind: str
    boson_pdg: int
    lepton_pdg: int
    target: str
    target_z: int
    target_a: float
    beam_energy: float
    production_coupling: float
    channels: list[str]
    produced: float = math.nan  # expected produced bosons at the coupling
    produced_error: float = math.nan
    sigma_pb: float = math.nan  # track-averaged cross section per nucleus, x above the cut, at the coupling
    sigma_error_pb: float = math.nan
    signal_events: float = math.nan  # expected signal events: weight x sum(signal x efficiency)
    signal_events_error: float = math.nan  # its Monte Carlo standard error (produced integral and signal fraction)
    unweighting_efficiency: float = math.nan
    envelope_restarts: int = 0
    experiment_spec: dict[str, Any] = field(default_factory=dict)
    dark_state: str = ""  # the decaying dark state of the chain ("" without one)
    dark_channels: list[str] = field(default_factory=list)
    muonreach_version: str = __version__

    @property
    def weight(self) -> float:
        return self.produced / self.events


def _seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidParameter(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _count(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 < n <= MAX_EVENTS:
        raise InvalidParameter(f"the number of events must be an integer in [1, {MAX_EVENTS:.0e}], got {n!r}")
    return int(n)


class EventGenerator:
    """Set up a run (module docstring); :meth:`run` streams the events to a sink."""

    def __init__(self, exp, spec, mass: float, coupling: float, overrides: Mapping[str, object] | None,
                 events: int, seed: int) -> None:
        self.exp, self.spec = exp, spec
        self.model = spec.build(mass, coupling, dict(overrides or {}))
        channel = production_channel(exp.channel)
        kind, g_prod = channel.coupling(exp, self.model)
        if g_prod == 0.0:
            raise InvalidParameter(f"{spec.name} does not couple to the {exp.lepton} beam of {exp.name}")
        self.production = channel.event_production(exp, kind, mass)
        self.decays = DecayTable.of(self.model)
        # per channel, plus a last row for "no decay" (channel -1 indexes it): stable counts as invisible, no products
        invisible = self.model.invisible_channels()
        self.invisible = np.array([ch in invisible for ch in self.decays.channels] + [True], dtype=bool)
        self.product_pdg = np.vstack([self.decays.pdg, np.zeros((1, MAX_PRODUCTS), dtype=np.int64)])
        self.g_prod = g_prod
        mat = exp.target
        heaviest = max(mat.components, key=lambda c: c.Z)
        table = final_states()
        self.info = RunInfo(
            exp.name, spec.name, mass, coupling, spec.coupling, dict(overrides or {}), _seed(seed), _count(events),
            exp.approximation, exp.lepton, kind, table.mediator_pdg(kind), table.particles[f"{exp.lepton}-"].pdg,
            mat.name, heaviest.Z, heaviest.A, exp.energy, g_prod, list(self.decays.channels),
            experiment_spec=exp.as_dict())
        self.chain = Chain.of(exp, self.model, self.decays) if exp.signature.needs_events else None
        if self.chain is not None:
            self.info.dark_state, self.info.dark_channels = self.chain.state, list(self.chain.decays.channels)
        self.sampler = GridSampler(self.production.density, CELLS, PRESAMPLE)
        self.sampler.build(np.random.default_rng([self.info.seed, 0]))
        scale = g_prod * g_prod
        self.info.produced = self.sampler.integral * scale
        self.info.produced_error = self.sampler.integral_error * scale
        per_nucleus = exp.particles_on_target * mat.n_atom_per_cm3 * self.production.track.total_cm
        self.info.sigma_pb = self.info.produced / per_nucleus * PB_PER_CM2
        self.info.sigma_error_pb = self.info.produced_error / per_nucleus * PB_PER_CM2

    def _chunk(self, size: int, first: int, rng: np.random.Generator) -> dict[str, NDArray]:
        u = self.sampler.accept(size, rng)
        kin = self.production.kinematics(u, rng)
        decayed = self.decays.decay(kin["boson"], rng)
        p = np.linalg.norm(kin["boson"][:, 1:], axis=1)
        direction = kin["boson"][:, 1:] / np.maximum(p, 1e-300)[:, None]
        stable = decayed.channel < 0
        vertex = np.where(stable[:, None], np.nan, direction * decayed.distance[:, None])
        vertex[:, 2] += kin["depth"]
        if self.chain is None:
            invisible = self.invisible[decayed.channel]
            decay_z = np.where(stable, np.inf, vertex[:, 2])
            signal = self.exp.signature.select(invisible, decay_z, self.exp.geometry)
            chain = Chain.empty(size)
        else:
            signal, chain = self.chain.run(self.exp.signature, kin, decayed, vertex, rng)
        boson = kin["boson"]
        sample = BosonSample(boson[:, 0], p, kin["depth"], kin["beam"][:, 0], np.ones(size), kin["cos_theta"])
        efficiency = self.exp.efficiency.weights(sample, self.info.mass)
        cols: dict[str, NDArray] = {
            "event": np.arange(first, first + size, dtype=np.int64), "weight": np.full(size, self.info.weight),
            "efficiency": np.broadcast_to(efficiency, (size,)).astype(float), "signal": np.asarray(signal, dtype=bool),
            "beam_energy": kin["beam"][:, 0], "vertex_z": kin["depth"], "x": kin["x"], "cos_theta": kin["cos_theta"],
            "decay_channel": decayed.channel.astype(np.int64),
            "decay_x": vertex[:, 0], "decay_y": vertex[:, 1], "decay_z": vertex[:, 2],
        }
        for name in ("beam", "lepton", "boson"):
            for i, c in enumerate(("e", "px", "py", "pz")):
                cols[f"{name}_{c}"] = kin[name][:, i]
        pdg = self.product_pdg[decayed.channel]
        for j in range(MAX_PRODUCTS):
            cols[f"product{j + 1}_pdg"] = pdg[:, j].astype(np.int64)
            for i, c in enumerate(("e", "px", "py", "pz")):
                cols[f"product{j + 1}_{c}"] = decayed.products[:, j, i]
        cols.update(chain)
        return cols

    def run(self, sink: Callable[[dict[str, NDArray]], None], restart: Callable[[], None],
            progress: Callable[[int], None] | None = None, chunk: int = CHUNK) -> RunInfo:
        """Stream the events to ``sink`` chunk by chunk; on an envelope violation call ``restart`` and start over."""
        n = self.info.events
        while True:
            rng = np.random.default_rng([self.info.seed, 1, self.sampler.restarts])
            self.sampler.trials = self.sampler.accepted = 0
            signal = np.zeros(2)  # sum of signal x efficiency and of its square
            try:
                for first in range(0, n, chunk):
                    size = min(chunk, n - first)
                    columns = self._chunk(size, first, rng)
                    s = columns["signal"] * columns["efficiency"]
                    signal += (s.sum(), (s * s).sum())
                    sink(columns)
                    if progress is not None:
                        progress(size)
            except EnvelopeViolation as violation:
                self.sampler.raise_envelope(violation)
                restart()
                continue
            fraction = float(signal[0]) / n
            fraction_error = math.sqrt(max(float(signal[1]) / n - fraction * fraction, 0.0) / n)
            self.info.signal_events = self.info.produced * fraction
            self.info.signal_events_error = math.hypot(self.info.produced_error * fraction,
                                                       self.info.produced * fraction_error)
            self.info.unweighting_efficiency = self.sampler.efficiency
            self.info.envelope_restarts = self.sampler.restarts
            return self.info


@dataclass
class Events:
    """Events in memory: the run description and one array per column of :data:`COLUMNS`."""

    info: RunInfo
    columns: dict[str, NDArray]

    def __len__(self) -> int:
        return int(self.columns["event"].size)

    @property
    def expected_signal(self) -> float:
        """Expected signal events: weight x sum over events of signal x efficiency (computed by the run)."""
        return self.info.signal_events


def generate(experiment, model: str, mass: float, coupling: float, events: int, seed: int,
             overrides: Mapping[str, object] | None = None) -> Events:
    """Generate events in memory (Python API); ``experiment`` is a name, a path or an Experiment. ``overrides``
    may hold experiment fields and model parameters (as ``--set``)."""
    gen = setup(experiment, model, mass, coupling, events, seed, overrides)
    chunks: list[dict[str, NDArray]] = []
    info = gen.run(chunks.append, chunks.clear)
    return Events(info, {k: np.concatenate([c[k] for c in chunks]) for k in COLUMNS})


def setup(experiment, model: str, mass: float, coupling: float, events: int, seed: int,
          overrides: Mapping[str, object] | None = None) -> EventGenerator:
    """An :class:`EventGenerator` with ``overrides`` split between the experiment and the model."""
    from ..experiments.spec import Experiment, load_experiment, overridable_names
    from ..models.registry import get_model_spec

    spec = get_model_spec(model)
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    keys = overridable_names()
    exp_sets = {k: v for k, v in (overrides or {}).items() if k in keys}
    model_sets = {k: v for k, v in (overrides or {}).items() if k not in keys}
    return EventGenerator(exp.with_overrides(exp_sets) if exp_sets else exp, spec, mass, coupling, model_sets, events, seed)

