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
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..constants import LEPTON_MASSES
from ..errors import InvalidParameter, UnknownName
from ..models.base import Mediator
from ..production.cross_sections import dsigma_dx, iww_per_chi_grid
from ..production.flux import iww_photon_flux
from .beam import energy_range, lepton_track
from .sample import BosonSample

#: Gauss-Legendre orders: lepton energies in the target, and x on each of the two x pieces. Chosen by a
#: convergence study (docs/production.md, tests/test_reach.py::test_quadrature_orders_are_converged): against
#: (48, 96) nodes the reach edges of the shipped experiments move by <= 1e-6 (8, 16), 1e-5 (8, 12), 4e-4 (6, 8).
N_ENERGY: int = 8
N_X: int = 16
_GL_E = np.polynomial.legendre.leggauss(N_ENERGY)
_GL_X = np.polynomial.legendre.leggauss(N_X)


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

    @abstractmethod
    def coupling(self, exp, model: Mediator) -> tuple[str, float]:
        """(boson kind, coupling g_prod) of ``model`` in this channel; production scales as g_prod^2."""

    @abstractmethod
    def sample(self, exp, model: Mediator, mass: float) -> BosonSample:
        """The produced bosons of ``model`` (its kind; couplings set to 1) at ``mass`` in experiment ``exp``."""

    def check_experiment(self, exp) -> None:  # noqa: B027 (an optional hook: most channels need no check)
        """Cross-field checks of an experiment using this channel (InvalidParameter); none by default."""

    def check_mass(self, exp, mass: float) -> None:  # noqa: B027 (an optional hook)
        """KinematicallyForbidden if ``exp`` cannot produce a boson of ``mass`` at all; no check by default."""

    def event_production(self, exp, kind: str, mass: float):
        """The event density and kinematics for the generator (:mod:`muonreach.mc`); none by default."""
        raise InvalidParameter(f"production channel {self.name!r} has no event generator")


class Bremsstrahlung(ProductionChannel):
    name = "bremsstrahlung"
    description = "radiation off the beam lepton in the target field, l N -> l N X (002 eq. (14), 000 eq. (3.1))"

    def coupling(self, exp, model: Mediator) -> tuple[str, float]:
        if exp.final_lepton == exp.lepton:
            return model.production_coupling(exp.lepton)
        if exp.approximation != "exact":
            raise InvalidParameter(
                f"{exp.name}: flavour-changing production {exp.lepton} -> {exp.final_lepton} needs the exact 2 -> 3 "
                "cross section (approximation = exact; Weizsaecker-Williams has no flavour-changing form here)"
            )
        # the chiral scalar of 001 eq. (2), -h ebar_L mu_R phi + h.c. (production.exact "scalar" with l != l')
        return "scalar", model.offdiagonal_coupling((exp.lepton, exp.final_lepton))

    def check_mass(self, exp, mass: float) -> None:
        energy_range(exp, mass)

    def sample(self, exp, model: Mediator, mass: float) -> BosonSample:
        kind, _ = self.coupling(exp, model)
        m_out = LEPTON_MASSES[exp.final_lepton]
        energy, track_cm, depth, x_lo = lepton_track(exp, mass, _GL_E)
        x_hi = 1.0 - m_out / energy
        open_ = x_lo < x_hi
        energy, track_cm, depth, x_lo = energy[open_], track_cm[open_], depth[open_], x_lo[open_]
        x, w_x = x_nodes(x_lo, x_hi[open_])
        dsdx = self._dsigma_dx(exp, kind, mass, energy, x, (float(energy.min()), float(energy.max())))
        weight = exp.particles_on_target * exp.target.n_atom_per_cm3 * units.GEV2_TO_CM2 * track_cm[:, None] * w_x * dsdx
        e_x = x * energy[:, None]
        momentum = np.sqrt(np.maximum(e_x**2 - mass**2, 0.0))
        shape = e_x.shape
        return BosonSample(e_x.ravel(), momentum.ravel(), np.broadcast_to(depth[:, None], shape).ravel(),
                           np.broadcast_to(energy[:, None], shape).ravel(), weight.ravel())

    def event_production(self, exp, kind: str, mass: float):
        from ..mc.bremsstrahlung import Production

        return Production.build(exp, kind, mass)

    @staticmethod
    def _dsigma_dx(exp, kind: str, mass: float, energy: NDArray, x: NDArray, energy_range: tuple[float, float]) -> NDArray:
        """dsigma/dx (GeV^-2 per formula unit, coupling 1) on the (E, x) nodes in the experiment's approximation."""
        m_l = LEPTON_MASSES[exp.lepton]
        if exp.approximation == "iww":  # one flux per energy, shared by every x (002 eq. (13))
            chi = np.asarray(iww_photon_flux(exp.target, mass, exp.lepton, energy))
            return iww_per_chi_grid(kind, x, energy[:, None], mass, 1.0, m_l) * chi[:, None]
        if exp.approximation == "ww":  # the flux depends on x and the angle (docs/production.md)
            return np.stack([dsigma_dx(kind, x[i], float(e), mass, 1.0, exp.target, exp.lepton, "ww")
                             for i, e in enumerate(energy)])
        from ..production.exact import ExactSpectrum

        spectrum = ExactSpectrum(kind, mass, exp.target, exp.lepton, exp.final_lepton, energy_range=energy_range,
                                 x_min=exp.x_min, form_factor=exp.form_factor)
        return spectrum.dsigma_dx(energy[:, None], x)


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
