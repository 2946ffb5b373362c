"""Production channels: how the boson is made, as classes registered by name. The experiment file names its
channel (``[production] channel = ...``); each channel turns (experiment, model, mass) into a weighted
:class:`~muonreach.experiments.sample.BosonSample` at production coupling 1 and says which model coupling
the production scales with.

``bremsstrahlung``: radiation off the beam lepton in the target's Coulomb field, l N -> l' N X (002 eq. (14),
000 eq. (3.1)),

    dN = N_l n_atom dE dL/dE dx dsigma/dx(E, x),

with dL/dE the lepton's track length per unit energy in the target (:mod:`.beam`) and dsigma/dx from
:mod:`muonreach.production` in the experiment's ``approximation`` (``iww``, the papers' method; ``ww``).
Quadrature: Gauss-Legendre in E (N_ENERGY nodes) and in x (ln x below 1/2, ln(1 - x) above; N_X nodes on each
piece), validated against nested adaptive quadrature (:mod:`.reference`, tests to 1e-3).

Flavour-changing production (``[production] final_lepton`` differs from the beam lepton; e N -> mu N phi, mu N ->
e N phi of 001 eqs. (22)-(23)) goes through the same yield with the model's off-diagonal coupling and the outgoing
lepton's mass in the kinematics; its dsigma/dx is ``ww`` (:mod:`muonreach.production.flavour_changing`, an explicit
WW-type approximation) or ``exact``. :meth:`Bremsstrahlung.spectrum` is the one dsigma/dx(energy, x) callable the
yield uses, whatever its source.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..constants import LEPTON_MASSES
from ..errors import InvalidParameter, KinematicallyForbidden, UnknownName
from ..models.base import Mediator
from ..production.cross_sections import dsigma_dx, iww_per_chi_grid
from ..production.flavour_changing import FlavourChangingWW
from ..production.flux import iww_t_limits, photon_flux_rows
from .beam import depth_at, energy_range, energy_ranges, final_energy_floor, lepton_track, x_lower
from .sample import BosonSample

#: Gauss-Legendre orders: lepton energies in the target, and x on each of the two x pieces. Chosen by a
#: convergence study (docs/production.md, tests/test_reach.py::test_quadrature_orders_are_converged): against
#: (48, 96) nodes the reach edges of the shipped experiments move by <= 1e-6 (8, 16), 1e-5 (8, 12), 4e-4 (6, 8).
N_ENERGY: int = 8
N_X: int = 16
_GL_E = np.polynomial.legendre.leggauss(N_ENERGY)
_GL_X = np.polynomial.legendre.leggauss(N_X)
#: Approximations with a flavour-changing (l -> l') cross section: the WW type of production.flavour_changing
#: (explicit option) and the exact 2 -> 3 one.
FLAVOUR_CHANGING_APPROXIMATIONS: tuple[str, ...] = ("ww", "exact")
#: dsigma/dx(energy, x) on broadcast arrays, GeV^-2 per formula unit at coupling 1.
DsigmaDx = Callable[[NDArray, NDArray], NDArray]


def gauss_legendre(nodes_weights: tuple[NDArray, NDArray], lo: NDArray, hi: NDArray) -> tuple[NDArray, NDArray]:
    """Gauss-Legendre nodes and weights on [lo, hi] (broadcast over leading axes)."""
    x, w = nodes_weights
    half = 0.5 * (hi - lo)[..., None]
    return 0.5 * (hi + lo)[..., None] + half * x, half * w


def x_nodes(x_lo: NDArray, x_hi: NDArray) -> tuple[NDArray, NDArray]:
    """Quadrature in x on [x_lo, x_hi]: Gauss-Legendre in ln x below x = 1/2 and in ln(1 - x) above.

    The spectrum peaks at x ~ m_X/m_l for light bosons and near x = 1 for m_X ~ m_l (002 Fig. 3); the two
    logarithmic maps resolve both without a mass-dependent tuning."""
    split = np.clip(0.5, x_lo, x_hi)
    u, wu = gauss_legendre(_GL_X, np.log(x_lo), np.log(split))
    x_low = np.exp(u)
    v, wv = gauss_legendre(_GL_X, np.log1p(-x_hi), np.log1p(-split))  # v = ln(1 - x), dx = (1 - x) |dv|
    x_high = -np.expm1(v)
    return np.concatenate([x_low, x_high], axis=-1), np.concatenate([wu * x_low, wv * (1.0 - x_high)], axis=-1)


class ProductionChannel(ABC):
    """A way to produce the boson (subclasses set ``name``, ``description`` and the two methods)."""

    name: ClassVar[str]
    description: ClassVar[str]
    #: True when :meth:`coupling` works elementwise on a model whose fields are arrays
    #: (:meth:`muonreach.models.base.Mediator.unchecked`): then the coupling dependence of all masses is fitted at once
    array_coupling: ClassVar[bool] = False

    @abstractmethod
    def coupling(self, exp, model: Mediator) -> tuple[str, float]:
        """(boson kind, coupling g_prod) of ``model`` in this channel; production scales as g_prod^2."""

    @abstractmethod
    def sample(self, exp, model: Mediator, mass: float) -> BosonSample:
        """The produced bosons of ``model`` (its kind; couplings set to 1) at ``mass`` in experiment ``exp``."""

    def samples(self, exp, models: Sequence[Mediator], masses: NDArray) -> list[BosonSample]:
        """:meth:`sample` at several masses (``models[i]`` at ``masses[i]``); a channel may vectorise it, the
        default loops."""
        return [self.sample(exp, model, float(m)) for model, m in zip(models, masses)]

    def allowed_masses(self, exp, masses: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether :meth:`check_mass` passes at each mass (the default asks it mass by mass)."""
        out = np.ones(len(masses), dtype=bool)
        for i, m in enumerate(masses):
            try:
                self.check_mass(exp, float(m))
            except KinematicallyForbidden:
                out[i] = False
        return out

    def check_experiment(self, exp) -> None:  # noqa: B027 (an optional hook: most channels need no check)
        """Cross-field checks of an experiment using this channel (InvalidParameter); none by default."""

    def check_mass(self, exp, mass: float) -> None:  # noqa: B027 (an optional hook)
        """KinematicallyForbidden if ``exp`` cannot produce a boson of ``mass`` at all; no check by default."""

    def event_production(self, exp, kind: str, mass: float):
        """The event density and kinematics for the generator (:mod:`muonreach.mc`); none by default."""
        raise InvalidParameter(f"production channel {self.name!r} has no event generator")


class Bremsstrahlung(ProductionChannel):
    name = "bremsstrahlung"
    array_coupling = True
    description = "radiation off the beam lepton in the target field, l N -> l N X (002 eq. (14), 000 eq. (3.1))"

    def coupling(self, exp, model: Mediator) -> tuple[str, float]:
        if exp.final_lepton == exp.lepton:
            return model.production_coupling(exp.lepton)
        if exp.approximation not in FLAVOUR_CHANGING_APPROXIMATIONS:
            raise InvalidParameter(
                f"{exp.name}: flavour-changing production {exp.lepton} -> {exp.final_lepton} has no IWW closed form; use "
                f"approximation = {' or '.join(FLAVOUR_CHANGING_APPROXIMATIONS)} (--set approximation=ww)")
        if type(model).offdiagonal_coupling is Mediator.offdiagonal_coupling:
            raise InvalidParameter(
                f"{exp.name}: flavour-changing production {exp.lepton} -> {exp.final_lepton} needs a model with an "
                f"off-diagonal {exp.lepton}-{exp.final_lepton} coupling; models that have one: "
                f"{', '.join(flavour_changing_models((exp.lepton, exp.final_lepton))) or 'none'}")
        # the chiral scalar of 001 eq. (2), -h ebar_L mu_R phi + h.c. (production.exact "scalar" with l != l')
        return "scalar", model.offdiagonal_coupling((exp.lepton, exp.final_lepton))

    def check_mass(self, exp, mass: float) -> None:
        energy_range(exp, mass)

    def allowed_masses(self, exp, masses: NDArray[np.float64]) -> NDArray[np.bool_]:
        return energy_ranges(exp, np.asarray(masses, dtype=float))[1]

    def sample(self, exp, model: Mediator, mass: float) -> BosonSample:
        kind, _ = self.coupling(exp, model)
        energy, track_cm, depth, x_lo = lepton_track(exp, mass, _GL_E)
        x_hi = 1.0 - final_energy_floor(exp) / energy
        open_ = x_lo < x_hi
        energy, track_cm, depth, x_lo = energy[open_], track_cm[open_], depth[open_], x_lo[open_]
        x, w_x = x_nodes(x_lo, x_hi[open_])
        spectrum = self.spectrum(exp, kind, mass, (float(energy.min()), float(energy.max())))
        arrays = _grid_arrays(exp, mass, energy, track_cm, depth, x, w_x * spectrum(energy[:, None], x))
        return BosonSample(*(a.ravel() for a in arrays))

    def samples(self, exp, models: Sequence[Mediator], masses: NDArray) -> list[BosonSample]:
        """Muon beams with a constant energy loss: the (E, x) grids of all masses as arrays (the same numbers as
        :meth:`sample`, IWW spectra in one call); otherwise per mass."""
        kinds = {self.coupling(exp, model)[0] for model in models}
        if exp.lepton != "mu" or exp.energy_loss != "constant" or len(kinds) != 1:
            return super().samples(exp, models, masses)
        kind = kinds.pop()
        masses = np.asarray(masses, dtype=float)
        e_min, allowed = energy_ranges(exp, masses)
        if not np.all(allowed):  # energy_range's message
            energy_range(exp, float(masses[np.flatnonzero(~allowed)[0]]))
        lo, hi = e_min[:, None], np.full((masses.size, 1), float(exp.energy))
        energy = 0.5 * (hi + lo) + 0.5 * (hi - lo) * _GL_E[0]  # (n_m, N_E), as lepton_track
        depth, dedx = depth_at(exp, energy)
        track_cm = 0.5 * (hi - lo) * _GL_E[1] / dedx
        x_lo = x_lower(exp, masses[:, None], energy)
        x_hi = 1.0 - final_energy_floor(exp) / energy
        open_ = x_lo < x_hi
        safe_lo, safe_hi = np.where(open_, x_lo, 0.25), np.where(open_, x_hi, 0.75)  # closed nodes: dropped below
        x, w_x = x_nodes(safe_lo, safe_hi)  # (n_m, N_E, 2 N_X)
        if exp.approximation == "iww":
            dsdx = _iww(exp, kind, masses[:, None, None], energy[..., None], x)
        elif exp.approximation == "exact":  # one table per mass, interpolated together
            from ..production.exact.tables import dsigma_dx_many

            dsdx = np.zeros(x.shape)
            rows = [np.flatnonzero(open_[j]) for j in range(masses.size)]
            used = [j for j in range(masses.size) if rows[j].size]
            tables = [self.exact_table(exp, kind, float(masses[j]), (float(energy[j, rows[j]].min()),
                                                                      float(energy[j, rows[j]].max()))) for j in used]
            values = dsigma_dx_many(tables, [energy[j, rows[j]] for j in used], [x[j, rows[j]] for j in used])
            for j, value in zip(used, values):
                dsdx[j, rows[j]] = value
        else:
            dsdx = np.zeros(x.shape)
            for j, m in enumerate(masses):
                e = energy[j, open_[j]]
                spectrum = self.spectrum(exp, kind, float(m), (float(e.min()), float(e.max())))
                dsdx[j, open_[j]] = spectrum(e[:, None], x[j, open_[j]])
        arrays = _grid_arrays(exp, masses[:, None, None], energy, track_cm, depth, x, w_x * dsdx)
        ends = np.cumsum(open_.sum(axis=1)) * x.shape[-1]  # the open (E, x) nodes of mass j, in order
        bounds = list(zip([0, *ends[:-1].tolist()], ends.tolist()))
        flat = [a[open_].ravel() for a in arrays]
        return [BosonSample(*(f[lo:hi] for f in flat)) for lo, hi in bounds]

    def event_production(self, exp, kind: str, mass: float):
        if exp.approximation == "exact":  # sampled from the exact cross section's own tables (mc/exact.py)
            from ..mc.exact import ExactProduction

            return ExactProduction.build(exp, kind, mass)
        from ..mc.bremsstrahlung import Production

        return Production.build(exp, kind, mass)

    @staticmethod
    def spectrum(exp, kind: str, mass: float, energy_range: tuple[float, float]) -> DsigmaDx:
        """dsigma/dx (GeV^-2 per formula unit, coupling 1) as a callable of broadcast (energy, x) arrays, in the
        experiment's approximation: the one interface the yield uses, for diagonal and flavour-changing production."""
        if exp.final_lepton != exp.lepton and exp.approximation == "ww":  # WW-type flavour change (explicit option)
            return FlavourChangingWW(mass, exp.target, exp.lepton, exp.final_lepton).dsigma_dx
        if exp.approximation == "iww":  # one flux per energy, shared by every x (002 eq. (13))
            return lambda energy, x: _iww(exp, kind, mass, energy, x)
        if exp.approximation == "ww":  # the flux depends on x and the angle (docs/production.md)
            def ww(energy: NDArray, x: NDArray) -> NDArray:
                return np.stack([dsigma_dx(kind, x[i], float(e), mass, 1.0, exp.target, exp.lepton, "ww")
                                 for i, e in enumerate(energy[:, 0])])
            return ww
        return Bremsstrahlung.exact_table(exp, kind, mass, energy_range).dsigma_dx

    @staticmethod
    def exact_table(exp, kind: str, mass: float, energy_range: tuple[float, float]):
        """The exact dsigma/dx table (:class:`~muonreach.production.exact.ExactSpectrum`) of one mass."""
        from ..production.exact import ExactSpectrum

        return ExactSpectrum(kind, mass, exp.target, exp.lepton, exp.final_lepton, energy_range=energy_range,
                             x_min=exp.x_min, form_factor=exp.form_factor)


def _iww(exp, kind: str, mass: float | NDArray, energy: NDArray, x: NDArray) -> NDArray:
    """IWW dsigma/dx (002 eqs. (12)-(13)) on an (E, x) grid: ``energy`` (..., n_E, 1) against ``x`` (..., n_E, n_x),
    one photon flux per energy; ``mass`` a float or broadcasting with ``energy`` (several masses at once), one
    mass per row of n_E energies (the fluxes of a row share their nodes: :func:`photon_flux_rows`)."""
    e = np.asarray(energy, dtype=float)[..., 0]
    t_min, t_max = iww_t_limits(np.broadcast_to(mass, np.shape(energy))[..., 0], exp.lepton, e)
    chi = photon_flux_rows(exp.target, t_min, t_max[..., 0])[..., None]
    return iww_per_chi_grid(kind, x, energy, mass, 1.0, LEPTON_MASSES[exp.lepton]) * chi


def _grid_arrays(exp, mass: float | NDArray, energy: NDArray, track_cm: NDArray, depth: NDArray, x: NDArray,
                 w_dsdx: NDArray) -> tuple[NDArray, ...]:
    """(E_X, |p_X|, depth, beam energy, weight) of the bosons of (E, x) grids: ``energy``, ``track_cm``, ``depth``
    (..., n_E) against ``x`` and ``w_dsdx`` (the x-quadrature weight times dsigma/dx, GeV^-2) (..., n_E, n_x);
    ``mass`` a float or (..., 1, 1)."""
    weight = exp.particles_on_target * exp.target.n_atom_per_cm3 * units.GEV2_TO_CM2 * track_cm[..., None] * w_dsdx
    e_x = x * energy[..., None]
    momentum = np.sqrt(np.maximum(e_x**2 - mass**2, 0.0))
    shape = e_x.shape
    return e_x, momentum, np.broadcast_to(depth[..., None], shape), np.broadcast_to(energy[..., None], shape), weight


def flavour_changing_models(pair: tuple[str, str]) -> list[str]:
    """Names of the registered models with a non-zero off-diagonal coupling to the lepton ``pair``."""
    from ..models.registry import model_specs

    names = []
    for name, spec in sorted(model_specs().items()):
        if type(spec.build(0.3, 1e-3)).offdiagonal_coupling is Mediator.offdiagonal_coupling:
            continue
        if spec.build(0.3, 1e-3).offdiagonal_coupling(pair) != 0.0:
            names.append(name)
    return names


CHANNELS: dict[str, ProductionChannel] = {}


def register_channel(channel: ProductionChannel) -> ProductionChannel:
    """Add a production channel by its ``name`` (unique)."""
    if channel.name in CHANNELS:
        raise ValueError(f"production channel {channel.name!r} registered twice")
    CHANNELS[channel.name] = channel
    return channel


def production_channel(name: str) -> ProductionChannel:
    """A registered production channel by name."""
    if name not in CHANNELS:
        raise UnknownName(f"unknown production channel {name!r}; known: {', '.join(sorted(CHANNELS))}")
    return CHANNELS[name]


register_channel(Bremsstrahlung())

from . import meson_decay  # noqa: E402,F401  (registers the meson_decay channel; it imports this module)
