"""Event density and kinematics of l N -> l N X in a thick target, for the generator.

The expected number of produced bosons at production coupling 1 is the integral over the unit cube u of

    f(u) = N_l n_atom T dx/du_1 ds/du_2 dsigma/(dx ds)(E, x, s),

u_0 -> the lepton energy E (and its production depth) by the inverse CDF of the track length (total T cm,
:class:`~muonreach.experiments.beam.TrackDistribution`), u_1 -> x uniformly in logit(x) between the same
limits as the semi-analytic yield (:func:`~muonreach.experiments.beam.x_lower`, 1 - m_l/E), u_2 -> s = 1/U
uniformly in :func:`~muonreach.production.angular.s_range`. The same integrand as the yield of
:mod:`muonreach.experiments.production` (002 eq. (14)), so the generated total reproduces it (tests).

Approximations (those of the WW family): the photon flux chi is tabulated (IWW: in ln E on the track; WW: in
ln t_min), accurate to < 1e-4 (tests); the outgoing lepton takes E' = E - E_X and the transverse momentum
-p_T,X (the photon's momentum, |t| << m_X^2 + m_l^2 in WW kinematics, is neglected), so the recoiling
nucleus carries only longitudinal momentum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logit

from .. import units
from ..constants import LEPTON_MASSES
from ..errors import InvalidParameter
from ..experiments.beam import TrackDistribution, final_energy_floor, track_distribution, x_lower
from ..production.angular import dsigma_dx_ds_per_chi, s_range, theta_x, ww_t_min
from ..production.flux import iww_photon_flux, photon_flux

if TYPE_CHECKING:
    from ..experiments.spec import Experiment

#: Points of the photon-flux tables (IWW: ln E; WW: ln t_min down to T_FLOOR, below which chi is constant
#: to < 1e-9 because atomic screening cuts the flux off at t ~ 1/a^2 ~ 1e-10 GeV^2).
CHI_POINTS_ENERGY: int = 257
CHI_POINTS_T: int = 16385
T_FLOOR: float = 1e-18

GENERATED_APPROXIMATIONS: tuple[str, ...] = ("iww", "ww")


@dataclass(frozen=True)
class Production:
    """Boson production in experiment ``exp`` (kind, mass) as a density on the unit cube (module docstring)."""

    exp: Experiment
    kind: str
    mass: float
    track: TrackDistribution
    chi_grid: NDArray[np.float64]
    chi_values: NDArray[np.float64]

    @classmethod
    def build(cls, exp: Experiment, kind: str, mass: float) -> Production:
        if exp.approximation not in GENERATED_APPROXIMATIONS:
            raise InvalidParameter(
                f"{exp.name}: events are generated with the {' or '.join(GENERATED_APPROXIMATIONS)} cross section; "
                f"approximation = {exp.approximation!r} has no event sampler here (exact: mc/exact.py)"
            )
        if exp.final_lepton != exp.lepton:
            raise InvalidParameter(f"{exp.name}: flavour-changing production has no event sampler in the WW family "
                                   "(use --set approximation=exact)")
        track = track_distribution(exp, mass)
        m_l = LEPTON_MASSES[exp.lepton]
        if exp.approximation == "iww":
            grid = np.linspace(math.log(track.energy.min()), math.log(track.energy.max()), CHI_POINTS_ENERGY)
            values = np.asarray(iww_photon_flux(exp.target, mass, m_l, np.exp(grid), allow_forbidden=True))
        else:
            t_max = mass * mass + m_l * m_l
            grid = np.linspace(math.log(T_FLOOR), math.log(t_max), CHI_POINTS_T)
            values = np.asarray(photon_flux(exp.target, np.exp(grid), t_max, allow_forbidden=True))
        return cls(exp, kind, mass, track, grid, values)

    @property
    def m_l(self) -> float:
        return LEPTON_MASSES[self.exp.lepton]

    @property
    def normalisation(self) -> float:
        """N_l n_atom T (GeV^2 cm^-2 -> events per GeV^-2 of cross section)."""
        return track_normalisation(self.exp, self.track)

    def variables(self, u: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """E, depth, x, s and the Jacobian dx ds/du at cube points u (n, 3); jacobian 0 outside phase space."""
        energy, depth, x, jac_x = energy_and_x(self.exp, self.track, self.mass, u)
        s_lo, s_hi = s_range(x, energy, self.mass, self.m_l, self.exp.approximation)
        open_ = s_lo < s_hi
        s = s_lo + u[:, 2] * (s_hi - s_lo)
        jacobian = np.where(open_, jac_x * (s_hi - s_lo), 0.0)
        return {"energy": energy, "depth": depth, "x": x, "s": s, "jacobian": jacobian}

    def chi(self, v: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        if self.exp.approximation == "iww":
            return np.interp(np.log(v["energy"]), self.chi_grid, self.chi_values)
        t = ww_t_min(v["x"], v["s"], v["energy"])
        return np.where(t < math.exp(self.chi_grid[-1]), np.interp(np.log(t), self.chi_grid, self.chi_values), 0.0)

    def density(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """f(u): expected bosons per unit cube volume at production coupling 1."""
        v = self.variables(u)
        spectrum = dsigma_dx_ds_per_chi(self.kind, v["x"], v["s"], v["energy"], self.mass, self.m_l)
        return self.normalisation * v["jacobian"] * self.chi(v) * spectrum

    def kinematics(self, u: NDArray[np.float64], rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
        """Four-momenta (E, px, py, pz) of the beam lepton, the outgoing lepton and X, and the vertex, at u."""
        v = self.variables(u)
        theta = theta_x(v["x"], v["s"], v["energy"], self.mass, self.m_l)
        one_minus_cos = 2.0 * np.sin(0.5 * theta) ** 2
        return {**four_momenta(v["energy"], v["x"], one_minus_cos, self.mass, self.m_l, self.m_l, rng),
                "depth": v["depth"], "x": v["x"], "cos_theta": np.cos(theta)}


def track_normalisation(exp, track: TrackDistribution) -> float:
    """N_l n_atom T: expected events per GeV^-2 of cross section over the lepton track of ``exp``."""
    return exp.particles_on_target * exp.target.n_atom_per_cm3 * units.GEV2_TO_CM2 * track.total_cm


def energy_and_x(exp, track: TrackDistribution, mass: float, u: NDArray[np.float64]
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(E, depth, x, dx/du_1) at cube points u: E and the depth from u_0 (inverse CDF of the track), x uniform in
    logit(x) from u_1 between the yield's limits x_lower(E) and 1 - E'_min/E (E'_min the outgoing lepton's mass or
    the selection's lepton_energy_min: E' = E - E_X exactly, so the cut is this limit); Jacobian 0 where closed."""
    energy, depth = track.sample(u[:, 0])
    x_lo = x_lower(exp, mass, energy)
    x_hi = 1.0 - final_energy_floor(exp) / energy
    open_ = x_lo < x_hi
    y_lo = logit(np.where(open_, x_lo, 0.25))
    y_hi = logit(np.where(open_, x_hi, 0.75))
    x = expit(y_lo + u[:, 1] * (y_hi - y_lo))
    return energy, depth, x, np.where(open_, (y_hi - y_lo) * x * (1.0 - x), 0.0)


def four_momenta(energy: NDArray, x: NDArray, one_minus_cos: NDArray, mass: float, m_beam: float, m_out: float,
                 rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
    """(E, px, py, pz) of the beam lepton (along z), X (energy x E at the polar angle given by 1 - cos theta,
    uniform azimuth from ``rng``) and the outgoing lepton (energy E - E_X, transverse momentum -p_T,X: the
    photon's momentum is neglected, module docstring). Where p_T,X exceeds the outgoing lepton's momentum (the
    soft lepton at x -> 1, e.g. mu N -> e N phi) its p_T is capped at its momentum so it stays on shell; the
    nucleus takes the rest."""
    n = energy.size
    phi = 2.0 * math.pi * rng.random(n)
    sin_theta = np.sqrt(np.clip(one_minus_cos * (2.0 - one_minus_cos), 0.0, None))
    e_x = x * energy
    p_x = np.sqrt(np.maximum(e_x * e_x - mass**2, 0.0))
    boson = np.stack([e_x, p_x * sin_theta * np.cos(phi), p_x * sin_theta * np.sin(phi),
                      p_x * (1.0 - one_minus_cos)], axis=1)
    beam = np.zeros((n, 4))
    beam[:, 0], beam[:, 3] = energy, np.sqrt(energy * energy - m_beam**2)
    lepton = np.empty((n, 4))
    lepton[:, 0] = energy - e_x
    p_out = np.sqrt(np.maximum(lepton[:, 0] ** 2 - m_out**2, 0.0))
    pt_x = p_x * sin_theta
    scale = np.where(pt_x > p_out, p_out / np.maximum(pt_x, 1e-300), 1.0)
    lepton[:, 1:3] = -boson[:, 1:3] * scale[:, None]
    pt2 = lepton[:, 1] ** 2 + lepton[:, 2] ** 2
    lepton[:, 3] = np.sqrt(np.maximum(p_out * p_out - pt2, 0.0))
    return {"beam": beam, "lepton": lepton, "boson": boson}
