"""The beam lepton inside a thick target: the energies it has and where it has them.

Muons lose energy continuously (CSDA): dE/dy = -<dE/dx>(E), either constant (002 eq. (16),
``energy_loss = "constant"``) or from the material's PDG table (``"table"``). The track length per unit energy
is dL/dE = 1/<dE/dx>(E) between the exit energy and the beam energy, and Delta y(E) = int_E^{E_beam} dE'/<dE/dx>
is the depth at which the muon has energy E (002 eq. (16)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..constants import LEPTON_MASSES
from ..errors import KinematicallyForbidden
from ..production.kinematics import emission_threshold

#: Points of the energy grid on which the depth-energy relation of a tabulated loss is integrated.
FINE_POINTS: int = 4000


def _dedx_table_fn(exp):
    mat = exp.target
    return lambda e: mat.dedx(e, extrapolate=True)


def _cumulative_depth(grid: NDArray, dedx: NDArray) -> NDArray:
    """Depth (cm) at which a muon entering with grid[-1] has slowed to grid[i] (trapezoid in E)."""
    inv = 1.0 / dedx
    seg = 0.5 * (inv[1:] + inv[:-1]) * np.diff(grid)
    return np.concatenate([np.cumsum(seg[::-1])[::-1], [0.0]])


def exit_energy(exp) -> float:
    """Muon energy after the full target (0 if it stops inside).

    Constant loss: E_beam - <dE/dx> L. Table: a coarse log grid down to 1 MeV locates the exit energy, a fine
    grid just below it pins it down (the trapezoid error is then < 1e-5 of the target length)."""
    if exp.energy_loss == "constant":
        return max(exp.energy - exp.target.dedx_gev_cm * exp.target_length, 0.0)
    fn = _dedx_table_fn(exp)
    grid = np.geomspace(1e-3, exp.energy, 400)
    depth = _cumulative_depth(grid, fn(grid))
    if depth[0] <= exp.target_length:
        return 0.0
    coarse = float(np.interp(-exp.target_length, -depth, grid))
    fine = np.linspace(max(0.9 * coarse, 1e-3), exp.energy, FINE_POINTS)
    depth = _cumulative_depth(fine, fn(fine))
    return float(np.interp(-exp.target_length, -depth, fine))


def final_energy_floor(exp) -> float:
    """Lowest energy of the outgoing lepton: its mass, or the selection's ``lepton_energy_min`` if larger."""
    return max(LEPTON_MASSES[exp.final_lepton], exp.lepton_energy_min)


def energy_range(exp, mass: float) -> tuple[float, float]:
    """[E_min, E_beam] of the lepton energies integrated over; KinematicallyForbidden (with the threshold)
    if no energy in the target can radiate a boson of this mass with x >= x_min."""
    e_min, allowed = energy_ranges(exp, np.array([mass]))
    if not allowed[0]:
        threshold = emission_threshold(mass, final_energy_floor(exp), exp.x_min)
        raise KinematicallyForbidden(
            f"{exp.name}: a {mass:g} GeV boson with x >= {exp.x_min:g} cannot be radiated by a {exp.energy:g} GeV "
            f"{exp.lepton} beam (needs a beam energy above {threshold:.4g} GeV)"
        )
    return float(e_min[0]), exp.energy


def energy_ranges(exp, masses: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(E_min, allowed) of :func:`energy_range` at each mass (E_max is the beam energy): the experiment's part of
    E_min found once, the emission threshold per mass; ``allowed`` False where E_min >= E_beam (forbidden)."""
    m_l = final_energy_floor(exp)  # the outgoing lepton keeps at least its mass (or the selection's lowest energy)
    e_min = max(exp.energy_min, exit_energy(exp), 0.0)
    # the x range [max(x_min, m/E), 1 - m_l'/E] is non-empty only above this energy
    x_min = exp.x_min
    thresholds = np.array([emission_threshold(float(m), m_l, x_min) for m in masses], dtype=float)
    lows = np.maximum(e_min, thresholds)
    return lows, lows < exp.energy


def depth_at(exp, energies: NDArray) -> tuple[NDArray, NDArray]:
    """(Delta y(E) in cm, <dE/dx>(E) in GeV/cm) at the muon energies E."""
    if exp.energy_loss == "constant":
        dedx = np.full_like(energies, exp.target.dedx_gev_cm)
        return (exp.energy - energies) / dedx, dedx
    fn = _dedx_table_fn(exp)
    grid = np.linspace(max(float(energies.min()) * 0.999, 1e-3), exp.energy, FINE_POINTS)
    depth = _cumulative_depth(grid, fn(grid))
    return np.interp(energies, grid, depth), fn(energies)


# --- the track of the beam lepton: quadrature nodes for the yield integral ----------------------------------

#: Gauss-Legendre nodes per piece of the shower lethargy eps = ln(E0/E): ln(eps) on [EPS_LUMP, EPS_SPLIT] (the
#: primary's integrable peak at eps -> 0) and eps itself on [EPS_SPLIT, eps_max] (where the shower density grows
#: like E0/E while the x range closes at the energy floor: a single ln(eps) rule converged only as 1/n there,
#: 1.5 % low at 24 nodes for E137, found by the event generator's closure test, tests/test_mc.py). eps below
#: EPS_LUMP is one node at the beam energy carrying the track length cumulated there.
N_LEPTHARGY: int = 24
EPS_LUMP: float = 1e-8
EPS_SPLIT: float = 0.5
_GL_EPS = np.polynomial.legendre.leggauss(N_LEPTHARGY)


def lepton_track(exp, mass: float, muon_nodes: tuple[np.ndarray, np.ndarray]) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """(lepton energies E, track length per node in cm, production depth in cm, lowest x at each E); the
    Gauss-Legendre rule ``muon_nodes`` on [-1, 1] is used for muon energies.

    Muons (CSDA, 002 eqs. (14)-(17)): Gauss-Legendre in E on :func:`energy_range` with dL = dE/<dE/dx>, depth
    Delta y(E), x >= max(x_min, m_X/E) (x_min relative to the muon's energy, as 002). Electrons: the e+- of the
    shower (:class:`~muonreach.experiments.shower.ShowerTrackLength`, mode ``energy_loss``), Gauss-Legendre in
    ln(eps) then in eps (eps = ln(E0/E), pieces split at EPS_SPLIT), plus one node at E0 for eps < EPS_LUMP;
    depth = the mean depth of the track at that energy; the missing-energy cut is absolute, E_X >= x_min E0 (the
    calorimeter measures the energy left by the whole shower)."""
    x_gl, w_gl = muon_nodes
    if exp.lepton == "mu":
        e_lo, e_hi = energy_range(exp, mass)
        half = 0.5 * (e_hi - e_lo)
        energy = 0.5 * (e_hi + e_lo) + half * x_gl
        depth, dedx = depth_at(exp, energy)
        return energy, half * w_gl / dedx, depth, x_lower(exp, mass, energy)
    e0 = exp.energy
    e_low = _shower_energy_floor(exp, mass)
    x0 = exp.target.radiation_length_cm
    track = _shower(exp)
    eps_max = math.log(e0 / e_low)
    split = min(EPS_SPLIT, 0.5 * eps_max)
    lo, hi = math.log(EPS_LUMP), math.log(split)
    eps_low = np.exp(0.5 * (hi + lo) + 0.5 * (hi - lo) * _GL_EPS[0])
    eps_high = 0.5 * (eps_max + split) + 0.5 * (eps_max - split) * _GL_EPS[0]
    eps = np.concatenate((eps_low, eps_high))
    jacobian = np.concatenate((0.5 * (hi - lo) * _GL_EPS[1] * eps_low, 0.5 * (eps_max - split) * _GL_EPS[1]))
    dl = jacobian * track.density(eps)  # radiation lengths per node
    lump = float(track.cumulative(np.array([EPS_LUMP]))[0])
    eps_all = np.concatenate(([0.5 * EPS_LUMP], eps))
    energy = e0 * np.exp(-eps_all)
    depth = np.concatenate((track.mean_depth(np.array([0.5 * EPS_LUMP])), track.mean_depth(eps))) * x0
    lengths = np.concatenate(([lump], dl)) * x0
    return energy, lengths, depth, x_lower(exp, mass, energy)


def x_lower(exp, mass: float | NDArray, energy: NDArray) -> NDArray:
    """Lowest x = E_X/E at lepton energies E: max(x_min, m_X/E) for muons (x_min relative to the muon's energy,
    as 002), max(x_min E_beam, m_X)/E for electrons (absolute missing-energy cut of the calorimeter)."""
    if exp.lepton == "mu":
        return np.maximum(exp.x_min, mass / energy)
    return np.maximum(exp.x_min * exp.energy, mass) / energy


def _shower(exp):
    from .shower import ShowerTrackLength

    return ShowerTrackLength(exp.target_length / exp.target.radiation_length_cm, exp.energy_loss)


def _shower_energy_floor(exp, mass: float) -> float:
    """Lowest e+- energy of the shower that can radiate the boson above the cut; KinematicallyForbidden if none."""
    e0 = exp.energy
    e_low = max(exp.energy_min, max(mass, exp.x_min * e0) + final_energy_floor(exp))
    if e_low >= e0:
        raise KinematicallyForbidden(
            f"{exp.name}: a {mass:g} GeV boson with E_X >= {exp.x_min * e0:g} GeV cannot be radiated by a {e0:g} GeV "
            f"electron beam (needs E_X + m_l < E_beam)"
        )
    return e_low


# --- the track as a distribution: inverse-CDF sampling for the event generator ------------------------------

#: Points of the tabulated cumulative track length (linear interpolation between them: the sampled energy
#: density is piecewise uniform in E for muons and in ln eps for shower e+-; relative error < 1e-5 for the
#: shipped experiments at 4097 points, tests/test_mc.py).
TRACK_POINTS: int = 4097


@dataclass(frozen=True)
class TrackDistribution:
    """The beam lepton's track length in the target as a distribution over its energy (module docstring).

    ``energy`` is decreasing along the table (energy[0] = beam energy), ``cumulative`` the track length (cm)
    spent above each energy, ``depth`` the production depth there (cm; the mean depth for shower e+-)."""

    energy: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    depth: NDArray[np.float64]

    @property
    def total_cm(self) -> float:
        """Total track length (cm) between the beam energy and the lowest useful energy."""
        return float(self.cumulative[-1])

    def sample(self, u: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(energy, depth) at cumulative fractions u in [0, 1] (inverse CDF)."""
        position = np.asarray(u, dtype=float) * self.total_cm
        cum = self.cumulative  # one search serves both columns (np.interp would search twice)
        i = np.clip(np.searchsorted(cum, position, side="right") - 1, 0, cum.size - 2)
        width = cum[i + 1] - cum[i]
        f = np.clip((position - cum[i]) / np.where(width > 0.0, width, 1.0), 0.0, 1.0)
        lerp = lambda column: column[i] + f * (column[i + 1] - column[i])
        return lerp(self.energy), lerp(self.depth)


def track_distribution(exp, mass: float) -> TrackDistribution:
    """The continuous counterpart of :func:`lepton_track`: the same energies, track lengths and depths."""
    if exp.lepton == "mu":
        e_lo, e_hi = energy_range(exp, mass)
        energy = np.linspace(e_hi, e_lo, TRACK_POINTS)
        depth, dedx = depth_at(exp, energy)
        inv = 1.0 / dedx
        steps = 0.5 * (inv[1:] + inv[:-1]) * -np.diff(energy)
        return TrackDistribution(energy, np.concatenate(([0.0], np.cumsum(steps))), depth)
    e0 = exp.energy
    e_low = _shower_energy_floor(exp, mass)
    x0 = exp.target.radiation_length_cm
    track = _shower(exp)
    eps = np.concatenate(([0.0], np.geomspace(EPS_LUMP, math.log(e0 / e_low), TRACK_POINTS - 1)))
    cumulative = np.concatenate(([0.0], track.cumulative(eps[1:]))) * x0
    depth = track.mean_depth(np.maximum(eps, 0.5 * EPS_LUMP)) * x0
    return TrackDistribution(e0 * np.exp(-eps), cumulative, depth)
