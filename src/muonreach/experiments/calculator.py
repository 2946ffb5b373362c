"""Expected signal events N(g) of a model in an experiment, at one mass, for any coupling g: the one factory
behind ``muonreach events``, ``reach``, the scan layer and the figures.

    N(g) = g_prod(g)^2 sum_i w_i eps_i P_i(g)

with the production channel's boson sample (weights w_i at production coupling 1), the experiment's
efficiency eps_i and the signature probability P_i(g) (through the widths at g). The sample is built once per
mass; every coupling costs one pass over it (:mod:`.couplings` for the g dependence).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceError, InvalidParameter, KinematicallyForbidden
from ..models.registry import ModelSpec
from .couplings import CouplingDependence
from .production import production_channel
from .sample import BosonSample
from .signatures import Decays
from .spec import Experiment

if TYPE_CHECKING:
    from ..mc.displaced import DisplacedCalculator


@dataclass(frozen=True)
class EventCalculator:
    """Signal events of one model at one mass in one experiment, for any coupling."""

    experiment: Experiment
    mass: float
    sample: BosonSample
    weight: NDArray[np.float64]  # sample weights times efficiency
    couplings: CouplingDependence
    _layouts: dict = field(default_factory=dict, repr=False, compare=False)  # bins -> entry layout (_bin_layout)

    @property
    def g_max(self) -> float:
        """The largest coupling the model accepts (4 pi unless it derives larger couplings)."""
        return self.couplings.g_max

    def events(self, g: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """Expected signal events at the coupling(s) ``g`` (same shape as g); raises for invalid couplings."""
        g_arr = np.atleast_1d(self.couplings.check(np.asarray(g, dtype=float))).ravel()
        gamma_inv, gamma_vis = self.couplings.widths(g_arr)
        decays = Decays(self.mass, gamma_inv[:, None], gamma_vis[:, None])
        p = self.experiment.signature.probability(self.sample, self.experiment.geometry, decays)
        out = self.couplings.production_coupling(g_arr) ** 2 * (p @ self.weight)
        if not np.all(np.isfinite(out)):
            raise ConvergenceError(f"{self.experiment.name}: non-finite signal yield at m = {self.mass:g} GeV "
                                   "(exposure or couplings out of range)")
        return out.reshape(np.shape(g)) if np.ndim(g) else out[0]

    def binned_events(self, g: float | NDArray[np.float64], bins) -> NDArray[np.float64]:
        """Signal events per analysis bin (``reach.binned.SearchBins``) at the coupling(s) g: shape (n_g, n_bins).

        InvalidParameter if the channel's sample has no binned observable."""
        g_arr = np.atleast_1d(self.couplings.check(np.asarray(g, dtype=float))).ravel()
        gamma_inv, gamma_vis = self.couplings.widths(g_arr)
        p = self.experiment.signature.probability(self.sample, self.experiment.geometry,
                                                  Decays(self.mass, gamma_inv[:, None], gamma_vis[:, None]))
        order, starts, columns = self._bin_layout(bins)
        out = np.zeros((g_arr.size, bins.lo.size))
        if order.size:
            pw = np.broadcast_to(p, (g_arr.size, self.weight.size))[:, order] * self.weight[order]
            out[:, columns] = np.add.reduceat(pw, starts, axis=1)
        out *= self.couplings.production_coupling(g_arr)[:, None] ** 2
        if not np.all(np.isfinite(out)):
            raise ConvergenceError(f"{self.experiment.name}: non-finite signal yield at m = {self.mass:g} GeV")
        return out

    def _bin_layout(self, bins) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """(entries inside the bins sorted by bin, start of each occupied bin in that order, its column), once per bins."""
        key = id(bins)
        if key not in self._layouts:
            if self.sample.observable is None:
                raise InvalidParameter(f"{self.experiment.name}: the {self.experiment.channel} channel has no binned observable")
            idx = bins.index(self.sample.observable)
            inside = np.nonzero(idx >= 0)[0]
            order = inside[np.argsort(idx[inside], kind="stable")]
            columns, starts = np.unique(idx[order], return_index=True)
            self._layouts[key] = (bins, order, starts, columns)  # bins kept so that its id stays unique
        return self._layouts[key][1:]

    def bin_weights(self, bins) -> NDArray[np.float64]:
        """Events per bin at production coupling 1 if every boson were signal (P = 1): the binned max_events."""
        order, starts, columns = self._bin_layout(bins)
        out = np.zeros(bins.lo.size)
        if order.size:
            out[columns] = np.add.reduceat(self.weight[order], starts)
        return out

    def max_events(self, g: float) -> float:
        """Events at ``g`` if every produced boson were signal (P = 1): an upper bound of :meth:`events`."""
        return float(self.couplings.production_coupling(np.array([g]))[0] ** 2 * self.weight.sum())

    def reach_floor(self, n_cl: float) -> float | None:
        """A coupling below which N(g) < n_cl for sure (production linear in g), or None if unknown."""
        slope = self.couplings.production_is_linear()
        total = float(self.weight.sum())
        if slope is None or total <= 0.0:
            return None
        return math.sqrt(n_cl / total) / abs(slope)


def _dependence(exp: Experiment, spec: ModelSpec, mass: float, overrides: Mapping[str, object] | None) -> CouplingDependence:
    """The coupling dependence in ``exp``'s production channel; KinematicallyForbidden if the model does not couple."""
    channel = production_channel(exp.channel)
    return _coupled(CouplingDependence(spec, mass, overrides, lambda model: channel.coupling(exp, model)[1],
                                       array_production=channel.array_coupling), exp)


def _coupled(deps: CouplingDependence, exp: Experiment) -> CouplingDependence:
    """``deps``, or KinematicallyForbidden if its model does not couple to the beam (g_prod = 0 at G_REF and g_max)."""
    if not deps.couples():
        raise KinematicallyForbidden(f"{deps.spec.name} does not couple to the {exp.lepton} beam of {exp.name}")
    return deps


def calculator(exp: Experiment, spec: ModelSpec, mass: float,
               overrides: Mapping[str, object] | None = None) -> EventCalculator | DisplacedCalculator:
    """Set up N(g) for a named model at one mediator mass in ``exp``.

    KinematicallyForbidden if the beam cannot produce the boson or the model does not couple to it. Event-level
    signatures (``needs_events``: displaced vertices) get the reweighted generated events of :mod:`muonreach.mc.displaced`."""
    if exp.signature.needs_events:
        from ..mc.displaced import event_calculator

        return event_calculator(exp, spec, mass, overrides)
    channel = production_channel(exp.channel)
    deps = _dependence(exp, spec, mass, overrides)
    sample = channel.sample(exp, deps.reference, mass)
    weight = sample.weight * exp.efficiency.weights(sample, mass)
    return EventCalculator(exp, mass, sample, weight, deps)


def calculators(exp: Experiment, spec: ModelSpec, masses: NDArray[np.float64],
                overrides: Mapping[str, object] | None = None) -> dict[int, EventCalculator | DisplacedCalculator]:
    """:func:`calculator` at each mass, by index, leaving out masses the beam cannot produce (KinematicallyForbidden)
    and empty samples; the production channel builds the samples of all masses at once (``samples``)."""
    out: dict[int, EventCalculator | DisplacedCalculator] = {}
    if exp.signature.needs_events:
        for i, m in enumerate(masses):
            try:
                out[i] = calculator(exp, spec, float(m), overrides)
            except KinematicallyForbidden:
                continue
    else:
        channel = production_channel(exp.channel)
        allowed = np.flatnonzero(channel.allowed_masses(exp, masses))  # all masses at once
        many = CouplingDependence.many(spec, [float(masses[i]) for i in allowed], overrides,
                                       lambda model: channel.coupling(exp, model)[1],
                                       array_production=channel.array_coupling)
        deps = {int(i): d for i, d in zip(allowed, many) if d.couples()}  # _coupled without its message
        try:
            samples: dict[int, BosonSample] = dict(zip(deps, channel.samples(
                exp, [d.reference for d in deps.values()], np.array([masses[i] for i in deps]))))
        except KinematicallyForbidden:  # some mass beyond a spectrum's own limit (exact tables): mass by mass
            samples = {}
            for i, d in deps.items():
                with contextlib.suppress(KinematicallyForbidden):
                    samples[i] = channel.sample(exp, d.reference, d.mass)
        for i, sample in samples.items():
            d = deps[i]
            out[i] = EventCalculator(exp, d.mass, sample, sample.weight * exp.efficiency.weights(sample, d.mass), d)
    return {i: c for i, c in out.items() if c.sample.total_weight > 0.0}


def grid_calculator(calc: EventCalculator | DisplacedCalculator) -> EventCalculator:
    """``calc`` where the (E, x) grid is needed (binned analyses); InvalidParameter for an event-level signature."""
    if not isinstance(calc, EventCalculator):
        raise InvalidParameter(f"{calc.experiment.name}: a binned statistic needs the (E, x) grid; the event-level "
                               f"signature {calc.experiment.signature.name!r} counts events only (statistic = count)")
    return calc
