"""Signal events of an event-level displaced-vertex signature, generated once and reweighted for every coupling.

Chain (003_731e213823d1e5dc.txt eq. (4)): l N -> l N X (the experiment's production channel and approximation,
:mod:`.bremsstrahlung`), X -> D S (the mediator channel whose products include a dark state S with decays,
forced; its branching ratio is applied per coupling), S -> D f fbar (:mod:`.threebody`, channel drawn with the
S branching ratios, which do not depend on the coupling when every S width scales alike). Per event the
signature (:class:`~muonreach.experiments.displaced.DisplacedVertex`) gives the eps-independent cuts and the
interval [s_lo, s_hi] of accepted decay distances of S; at a coupling g

    N(g) = g_prod(g)^2 BR(X -> D S)(g) sum_i w_i c_i [exp(-s_lo,i/L_i(g)) - exp(-s_hi,i/L_i(g))],

L_i = p_S,i hbar c/(m_S Gamma_S(g)), w_i = (produced bosons at g_prod = 1)/N, c_i the cuts: exact per event,
no regeneration (:func:`regenerated_events` is the regenerate-per-coupling baseline of the tests and benchmark).
The kinematics do not depend on g: the mediator decays promptly next to its production point (its decay distance
is drawn with its width at the reference coupling, dominated by the dark channel; the coupling-dependent rest is
O(eps^2 alpha/alpha_D)). Events are cached per (experiment, model parameters except the coupling, mass, events,
seed) with :func:`muonreach.cache.cached_arrays`; their production stage (points, kinematics and the random stream
after them) per (experiment, boson kind, mass, events, seed) only, so models that differ in the dark sector alone
(the splittings of one inelastic-DM figure) share it, bit for bit (:func:`_produced`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import units
from .._version import __version__
from ..cache import cache_key, cached_arrays
from ..errors import ConvergenceError, InvalidParameter, KinematicallyForbidden
from ..experiments.couplings import G_REF, CouplingDependence
from ..experiments.production import production_channel
from ..experiments.sample import BosonSample
from ..models.base import Mediator
from ..models.registry import ModelSpec
from .decays import final_states, two_body
from .generate import CELLS, PRESAMPLE
from .threebody import ThreeBodyDecay
from .unweighting import EnvelopeViolation, GridSampler

#: Cut-flow steps (cumulative), in order.
CUT_FLOW: tuple[str, ...] = ("produced", "mediator_to_dark_pair", "pair_channel", "fiducial_decay", "track_energy",
                             "opening_angle", "beam_lepton_accepted", "daughters_accepted")
_PROBES: tuple[float, ...] = (1.0, 2.0, 3.0)  # multiples of G_REF for the coupling fits


def decaying_channel(model: Mediator) -> tuple[str, int, str]:
    """(mediator channel, index of the decaying dark state among its two products, that state's name).

    KinematicallyForbidden when no open channel leads to a dark state with decays (e.g. m_X < m1 + m2)."""
    table = final_states()
    decaying = model.dark_state_decays()
    widths = model.partial_widths()
    for channel, width in widths.items():
        names = [p.name for p in table.products(channel)] if channel in table.channels else []
        for j, name in enumerate(names):
            if name in decaying and width > 0.0:
                return channel, j, name
    masses = model.dark_state_masses()
    raise KinematicallyForbidden(
        f"{type(model).__name__} at m = {model.mass:g} GeV: no open decay of the mediator to a dark state that decays "
        f"visibly (dark states {masses}; X -> D S needs m_X > m_D + m_S and S must have an open decay)")


def _production_arrays(exp, kind: str, mass: float, n: int, seed: int) -> dict[str, NDArray]:
    """The production stage of :func:`_event_arrays`: n unweighted l N -> l N X points (the envelope from stream
    ``[seed, 0]``, the points and kinematics from ``[seed, 1, restarts]``), their produced-boson integral, and the
    state of the second stream after them (``rng_state``, :func:`_generator`), from which the decay chain goes on."""
    production = production_channel(exp.channel).event_production(exp, kind, mass)
    sampler = GridSampler(production.density, CELLS, PRESAMPLE)
    sampler.build(np.random.default_rng([seed, 0]))
    while True:
        rng = np.random.default_rng([seed, 1, sampler.restarts])
        try:
            u = sampler.accept(n, rng)
            break
        except EnvelopeViolation as violation:
            sampler.raise_envelope(violation)
    kin = production.kinematics(u, rng)
    state = rng.bit_generator.state
    words = [state["state"]["state"] >> 64, state["state"]["state"], state["state"]["inc"] >> 64,
             state["state"]["inc"], state["has_uint32"], state["uinteger"]]
    return {"integral": np.array([sampler.integral, sampler.integral_error]), "boson": kin["boson"],
            "lepton": kin["lepton"], "depth": kin["depth"],
            "rng_state": np.array([w & 0xFFFF_FFFF_FFFF_FFFF for w in words], dtype=np.uint64)}


def _generator(words: NDArray) -> np.random.Generator:
    """The PCG64 generator whose state :func:`_production_arrays` stored (it continues the stream exactly)."""
    hi_lo = [int(w) for w in words]
    bits = np.random.PCG64()
    bits.state = {"bit_generator": "PCG64", "state": {"state": (hi_lo[0] << 64) | hi_lo[1], "inc": (hi_lo[2] << 64) | hi_lo[3]},
                  "has_uint32": hi_lo[4], "uinteger": hi_lo[5]}
    return np.random.Generator(bits)


#: In-process copies of the production stage for the inputs seen last (also under ``--no-cache``, which bypasses
#: :func:`cached_arrays`): the splittings of an inelastic-DM figure share the mediator mass, hence this stage.
_PRODUCED: dict[str, dict[str, NDArray]] = {}
PRODUCED_MEMO: int = 32


def _produced(exp, kind: str, mass: float, n: int, seed: int) -> dict[str, NDArray]:
    """:func:`_production_arrays`, cached on disk (``"displaced-production"``, keyed by the experiment, boson kind,
    mass, events and seed: the production density does not depend on the rest of the model) and in this process."""
    inputs = {"experiment": exp.as_dict(), "kind": kind, "mass": mass, "events": n, "seed": seed, "version": __version__}
    key = cache_key("displaced-production", inputs)
    if key not in _PRODUCED:
        if len(_PRODUCED) >= PRODUCED_MEMO:
            _PRODUCED.pop(next(iter(_PRODUCED)))
        arrays = cached_arrays("displaced-production", inputs, lambda: _production_arrays(exp, kind, mass, n, seed))
        for a in arrays.values():
            a.setflags(write=False)  # shared by every model at this mass
        _PRODUCED[key] = arrays
    return _PRODUCED[key]


def _event_arrays(exp, model: Mediator, n: int, seed: int) -> dict[str, NDArray]:
    """Generate n events (module docstring) and reduce them to what the reweighting needs."""
    sig = exp.signature
    sig.check_experiment(exp.target_length, exp.energy)
    channel_name, j, state = decaying_channel(model)
    channel = production_channel(exp.channel)
    kind, g_prod = channel.coupling(exp, model)
    if g_prod == 0.0:
        raise KinematicallyForbidden(f"the model does not couple to the {exp.lepton} beam of {exp.name}")
    produced = _produced(exp, kind, float(model.mass), n, seed)
    kin, rng = produced, _generator(produced["rng_state"])
    integral, integral_error = (float(v) for v in produced["integral"])
    boson = kin["boson"]
    products = final_states().products(channel_name)
    m_a, m_b = products[0].mass(model), products[1].mass(model)
    cos, phi = 2.0 * rng.random(n) - 1.0, 2.0 * math.pi * rng.random(n)
    pair = two_body(boson, model.mass, np.full(n, m_a), np.full(n, m_b), cos, phi)
    dark = pair[j]
    p_x = np.linalg.norm(boson[:, 1:], axis=1)
    x_flight = -np.log1p(-rng.random(n)) * p_x / (model.mass * model.total_width) * units.HBARC_GEV_CM
    decays = ThreeBodyDecay.of(model, state)
    sig.check_pairs(decays.pair_channels)
    ch, _, daughters = decays.sample(dark, rng)
    pair_ok = np.isin(np.array(decays.channels)[ch], sig.pair_channels)

    cuts = chain_cuts(sig, kin["depth"], kin["lepton"], boson, x_flight, dark, daughters)
    energy_ok, opening_ok, lepton_ok = cuts["energy_ok"], cuts["opening_ok"], cuts["lepton_ok"]
    lo0, hi0, lo, hi = cuts["lo0"], cuts["hi0"], cuts["lo"], cuts["hi"]
    p_s, direction = cuts["momentum"], cuts["direction"]
    return {
        "weight": np.full(n, integral / n), "weight_error": np.array([integral_error / n]),
        "momentum": p_s, "pair": pair_ok, "energy_ok": energy_ok, "opening_ok": opening_ok, "lepton_ok": lepton_ok,
        "lo0": lo0, "hi0": hi0, "lo": lo, "hi": hi, "dark_energy": dark[:, 0],
        "dark_cos_theta": direction[:, 2], "boson_energy": boson[:, 0], "depth": kin["depth"],
    }


def chain_cuts(sig, depth: NDArray, lepton: NDArray, boson: NDArray, x_flight: NDArray, dark: NDArray,
               daughters: NDArray) -> dict[str, NDArray]:
    """The coupling-independent per-event pieces of the displaced-vertex selection for the chain l N -> l N X,
    X -> D S (X flies ``x_flight`` cm), S -> D f fbar (``daughters`` (n, 3, 4): D, f, fbar): the energy, opening
    angle and beam-lepton cuts, the accepted intervals [lo0, hi0] (fiducial only) and [lo, hi] (with the daughter
    acceptance) of S's flight distance from ``start`` along ``direction``, S's momentum; module-local z."""
    n = boson.shape[0]
    z0 = sig.local_depth(depth)
    origin = np.zeros((n, 3))
    origin[:, 2] = z0
    p_x = np.linalg.norm(boson[:, 1:], axis=1)
    start = origin + boson[:, 1:] / np.maximum(p_x, 1e-300)[:, None] * x_flight[:, None]
    p_s = np.linalg.norm(dark[:, 1:], axis=1)
    direction = dark[:, 1:] / np.maximum(p_s, 1e-300)[:, None]
    f, fbar = daughters[:, 1, 1:], daughters[:, 2, 1:]
    e_min = sig.values["track_energy_min"]
    energy_ok = (daughters[:, 1, 0] > e_min) & (daughters[:, 2, 0] > e_min) & (lepton[:, 0] > e_min)
    cross = np.linalg.norm(np.cross(f, fbar), axis=1)
    opening = np.arctan2(cross, np.einsum("ij,ij->i", f, fbar))
    lo0, hi0 = sig.decay_interval(z0, start, direction, (f, fbar), acceptance=False)
    lo, hi = sig.decay_interval(z0, start, direction, (f, fbar), acceptance=True)
    return {"energy_ok": energy_ok, "opening_ok": opening > sig.values["opening_angle_min"],
            "lepton_ok": sig.track_accepted(origin, lepton[:, 1:]), "lo0": lo0, "hi0": hi0, "lo": lo, "hi": hi,
            "momentum": p_s, "direction": direction, "start": start}


def _window(lo: NDArray, hi: NDArray, inv_length: NDArray) -> NDArray:
    """exp(-lo/L) - exp(-hi/L), 0 for an empty window (lo >= hi)."""
    lo = np.maximum(lo, 0.0)
    open_ = hi > lo
    hi_c = np.where(open_, hi, lo)
    return np.where(open_, np.exp(-lo * inv_length) - np.exp(-hi_c * inv_length), 0.0)


@dataclass(frozen=True)
class _Quadratic:
    """a + c g^2 fitted at the probes and checked at the last one; None-fit -> rebuild the model."""

    a: float
    c: float

    def __call__(self, g: NDArray) -> NDArray:
        return self.a + self.c * g * g


def _fit_quadratic(values: list[float]) -> _Quadratic | None:
    g1, g2, g3 = (k * G_REF for k in _PROBES)
    c = (values[1] - values[0]) / (g2 * g2 - g1 * g1)
    a = values[0] - c * g1 * g1
    predicted = a + c * g3 * g3
    scale = max(abs(v) for v in values) or 1.0
    return _Quadratic(a, c) if math.isclose(predicted, values[2], rel_tol=1e-7, abs_tol=1e-12 * scale) else None


class DisplacedCalculator:
    """N(g) of a displaced-vertex experiment at one mediator mass (the interface of ``EventCalculator``)."""

    def __init__(self, exp, spec: ModelSpec, mass: float, overrides: Mapping[str, object] | None) -> None:
        self.experiment, self.mass, self.spec = exp, mass, spec
        self.overrides = dict(overrides or {})
        channel = production_channel(exp.channel)
        self.couplings = CouplingDependence(spec, mass, self.overrides, lambda m: channel.coupling(exp, m)[1],
                                            array_production=channel.array_coupling)
        reference = self.couplings.reference
        self.channel, _, self.state = decaying_channel(reference)
        n, seed = int(exp.signature.values["mc_events"]), int(exp.signature.values["mc_seed"])
        params = {k: v for k, v in reference.parameters().items() if k != spec.coupling}
        inputs = {"experiment": exp.as_dict(), "model": spec.name, "parameters": params, "mass": mass,
                  "events": n, "seed": seed, "version": __version__}
        self.arrays = cached_arrays("displaced-events", inputs, lambda: _event_arrays(exp, reference, n, seed))
        a = self.arrays
        self.static = a["pair"] & a["energy_ok"] & a["opening_ok"] & a["lepton_ok"]
        self.dark_mass = reference.dark_state_masses()[self.state]
        probes = [spec.build(mass, k * G_REF, self.overrides) for k in _PROBES]
        self._fits = (_fit_quadratic([m.partial_widths()[self.channel] for m in probes]),
                      _fit_quadratic([m.total_width for m in probes]),
                      _fit_quadratic([math.fsum(m.dark_state_decays()[self.state].widths.values()) for m in probes]))
        self.sample = BosonSample(a["dark_energy"], a["momentum"], a["depth"], np.full(n, exp.energy),
                                  a["weight"] * self.static, a["dark_cos_theta"])
        self.weight = self.sample.weight
        # the events that can count (all cuts passed, a non-empty window): N(g) sums over these only
        live = np.flatnonzero(self.static & (a["hi"] > np.maximum(a["lo"], 0.0)))
        self._live = {k: a[k][live] for k in ("lo", "hi", "momentum", "weight")}

    @property
    def g_max(self) -> float:
        return self.couplings.g_max

    def _rates(self, g: NDArray) -> tuple[NDArray, NDArray]:
        """(BR(X -> D S), Gamma_S in GeV) at couplings g."""
        if all(f is not None for f in self._fits):
            channel, total, dark = (f(g) for f in self._fits)  # type: ignore[misc]
        else:
            models = [self.couplings.model(float(x)) for x in g]
            channel = np.array([m.partial_widths()[self.channel] for m in models])
            total = np.array([m.total_width for m in models])
            decays = [m.dark_state_decays().get(self.state) for m in models]
            dark = np.array([math.fsum(d.widths.values()) if d else 0.0 for d in decays])
        return np.divide(channel, total, out=np.zeros_like(total), where=total > 0.0), dark

    def _terms(self, g: NDArray, lo: NDArray, hi: NDArray, mask: NDArray | float, momentum: NDArray | None = None,
               weight: NDArray | None = None) -> NDArray:
        """g_prod^2 BR sum_i w_i mask_i P_i(window) at each g: shape (n_g,); ``momentum`` and ``weight`` of the
        events of ``lo`` and ``hi`` when these are a subset (default: all events)."""
        a = self.arrays
        momentum = a["momentum"] if momentum is None else momentum
        weight = a["weight"] if weight is None else weight
        br, gamma = self._rates(g)
        inv_length = (self.dark_mass * gamma)[:, None] / (momentum[None, :] * units.HBARC_GEV_CM)
        p = _window(lo[None, :], hi[None, :], inv_length)
        return self.couplings.production_coupling(g) ** 2 * br * (p @ (weight * mask))

    def events(self, g: float | NDArray) -> NDArray:
        """Expected signal events at the coupling(s) g (shape of g)."""
        g_arr = np.atleast_1d(self.couplings.check(np.asarray(g, dtype=float))).ravel()
        live = self._live
        out = self._terms(g_arr, live["lo"], live["hi"], 1.0, live["momentum"], live["weight"])
        if not np.all(np.isfinite(out)):
            raise ConvergenceError(f"{self.experiment.name}: non-finite displaced-vertex yield at m = {self.mass:g} GeV")
        return out.reshape(np.shape(g)) if np.ndim(g) else out[0]

    def cut_flow(self, g: float) -> dict[str, float]:
        """Expected events after each cut of :data:`CUT_FLOW` (cumulative) at coupling g."""
        a = self.arrays
        g_arr = np.array([float(self.couplings.check(np.asarray(g, dtype=float)))])
        br, _ = self._rates(g_arr)
        prod2 = float(self.couplings.production_coupling(g_arr)[0] ** 2)
        total = float(a["weight"].sum())
        flow = {"produced": prod2 * total, "mediator_to_dark_pair": prod2 * float(br[0]) * total}
        mask = a["pair"].astype(float)
        flow["pair_channel"] = prod2 * float(br[0]) * float(a["weight"] @ mask)
        for name, extra in (("fiducial_decay", None), ("track_energy", a["energy_ok"]),
                            ("opening_angle", a["opening_ok"]), ("beam_lepton_accepted", a["lepton_ok"])):
            if extra is not None:
                mask = mask * extra
            flow[name] = float(self._terms(g_arr, a["lo0"], a["hi0"], mask)[0])
        flow["daughters_accepted"] = float(self._terms(g_arr, a["lo"], a["hi"], self.static)[0])
        return flow

    def relative_error(self, g: float) -> float:
        """Monte Carlo relative standard error of :meth:`events` at g (event spread and produced integral)."""
        a = self.arrays
        _, gamma = self._rates(np.array([g]))
        inv_length = self.dark_mass * gamma[0] / (a["momentum"] * units.HBARC_GEV_CM)
        s = _window(a["lo"], a["hi"], inv_length) * self.static
        if not s.any():
            return math.inf
        n = s.size
        spread = math.sqrt(max(float((s * s).mean() - s.mean() ** 2), 0.0) / n) / float(s.mean())
        integral = float(a["weight_error"][0] / a["weight"][0])
        return math.hypot(spread, integral)

    def max_events(self, g: float) -> float:
        return float(self.couplings.production_coupling(np.array([g]))[0] ** 2 * self.weight.sum())

    def reach_floor(self, n_cl: float) -> float | None:
        """A coupling below which N < n_cl for sure (BR <= 1, P <= 1, production linear in g)."""
        slope = self.couplings.production_is_linear()
        total = float(self.weight.sum())
        if slope is None or total <= 0.0:
            return None
        return math.sqrt(n_cl / total) / abs(slope)


def event_calculator(exp, spec: ModelSpec, mass: float, overrides: Mapping[str, object] | None = None) -> DisplacedCalculator:
    """The displaced-vertex N(g) at one mediator mass (events generated once, cached)."""
    if not exp.signature.needs_events:
        raise InvalidParameter(f"{exp.name}: signature {exp.signature.name!r} is not event-level")
    return DisplacedCalculator(exp, spec, mass, overrides)


def regenerated_events(calc: DisplacedCalculator, g: float, seed: int) -> float:
    """The regenerate-per-coupling baseline: draw each event's decay distance at g and count the accepted ones.

    Same events and cuts, the exponential sampled instead of integrated: agrees with :meth:`DisplacedCalculator.events`
    within the Monte Carlo error (tests), at the cost of one pass of random numbers per coupling."""
    a = calc.arrays
    br, gamma = calc._rates(np.array([g]))
    length = a["momentum"] * units.HBARC_GEV_CM / (calc.dark_mass * gamma[0])
    s = -np.log1p(-np.random.default_rng(seed).random(a["momentum"].size)) * length
    inside = (s > a["lo"]) & (s < a["hi"]) & calc.static
    return float(calc.couplings.production_coupling(np.array([g]))[0] ** 2 * br[0] * (a["weight"] @ inside))
