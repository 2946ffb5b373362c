"""Signal yields of a fixed-target experiment (002 eqs. (14)-(20), 000 eq. (3.1)).

    N = N_mu n_atom int_{E_min}^{E_beam} dE / <dE/dx>(E) int_{x_lo}^{x_hi} dx dsigma/dx(E, x) P(x, E)

with the production cross section of :mod:`muonreach.production.cross_sections` (the experiment's
``approximation``: "iww", the papers' choice and the default, or "ww") and the
signature weight P of the experiment:

* ``invisible`` (000 eq. (3.1)): P = BR_inv [+ BR_vis exp(-z_end/L) with ``visible_escape``], z_end the
  distance from the production point to the end of the detector;
* ``decay_beyond`` (002 eq. (18)): P = BR_inv + BR_vis exp(-z_min/L), z_min = L_tg + L_det - Delta y(E);
* ``decay_in_volume`` (002 eq. (20)): P = BR_vis [exp(-z_min/L) - exp(-z_max/L)], z_min = L_tg - Delta y(E),
  z_max = z_min + L_det;

L = p_X / (m_X Gamma) the lab decay length (002 eq. (9)) and Delta y(E) the depth at which the muon has energy
E: (E_beam - E)/<dE/dx> for a constant loss (002 eq. (16)), or int dE'/<dE/dx>(E') with ``energy_loss = "table"``.
A stable mediator (no open channel) counts as invisible.

The structure of the problem is used as DESIGN.md asks: for one mass the production weights on the (E, x)
grid are computed once at a reference coupling; every partial width is either independent of the scanned
coupling g or proportional to g^2 (checked at run time), so N(g) for any g costs one pass over the grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..constants import LEPTON_MASSES
from ..errors import KinematicallyForbidden, SpecError
from ..models.base import Mediator, is_invisible
from ..models.registry import ModelSpec
from ..production.cross_sections import dsigma_dx, dsigma_dx_iww_per_chi
from ..production.flux import iww_photon_flux
from .spec import Experiment

#: Gauss-Legendre orders: muon energies in the target, and x on each of the two x pieces.
N_ENERGY: int = 24
N_X: int = 48
_GL_E = np.polynomial.legendre.leggauss(N_ENERGY)
_GL_X = np.polynomial.legendre.leggauss(N_X)
#: Points of the energy grid on which the depth-energy relation of a tabulated loss is integrated.
_FINE_POINTS: int = 4000
#: Reference coupling at which production weights and width coefficients are evaluated.
G_REF: float = 1e-3


def _gl(nodes_weights: tuple[NDArray, NDArray], lo: NDArray, hi: NDArray) -> tuple[NDArray, NDArray]:
    """Gauss-Legendre nodes and weights on [lo, hi] (broadcast over leading axes)."""
    x, w = nodes_weights
    half = 0.5 * (hi - lo)[..., None]
    return 0.5 * (hi + lo)[..., None] + half * x, half * w


@dataclass(frozen=True)
class Kinematics:
    """The (E, x) integration grid of one mass in one experiment."""

    energy: NDArray  # (nE,) muon energies in the target, GeV
    depth: NDArray  # (nE,) Delta y(E): depth in the target where the muon has energy E, cm
    x: NDArray  # (nE, nx) energy fractions
    momentum: NDArray  # (nE, nx) boson momentum p_X, GeV
    weight: NDArray  # (nE, nx) events per unit P at the reference coupling: N_mu n dE/<dE/dx> dx dsigma/dx


def energy_range(exp: Experiment, mass: float) -> tuple[float, float]:
    """[E_min, E_beam] of the muon energies integrated over; KinematicallyForbidden if empty."""
    m_l = LEPTON_MASSES[exp.lepton]
    dedx = exp.target.dedx_gev_cm
    e_exit = exp.energy - dedx * exp.target_length if exp.energy_loss == "constant" else _exit_energy_table(exp)
    e_min = max(exp.energy_min, e_exit, 0.0)
    # the x range [max(x_min, m/E), 1 - m_l/E] is non-empty only above this energy
    threshold = max(mass + m_l, m_l / (1.0 - exp.x_min))
    e_min = max(e_min, threshold)
    if e_min >= exp.energy:
        raise KinematicallyForbidden(
            f"{exp.name}: a {mass:g} GeV boson with x >= {exp.x_min:g} cannot be radiated by a {exp.energy:g} GeV {exp.lepton} beam"
        )
    return e_min, exp.energy


def _dedx_table_fn(exp: Experiment):
    mat = exp.target
    return lambda e: mat.dedx(e, extrapolate=True)


def _exit_energy_table(exp: Experiment) -> float:
    """Muon energy after the full target with the energy-dependent loss (CSDA: dE/dy = -<dE/dx>(E)).

    A coarse log grid down to 1 MeV locates the exit energy, a fine grid just below it pins it down (the
    trapezoid error is then < 1e-5 of the target length)."""
    fn = _dedx_table_fn(exp)
    grid = np.geomspace(1e-3, exp.energy, 400)
    depth = _cumulative_depth(grid, fn(grid))  # depth needed to slow from E_beam to grid[i]
    if depth[0] <= exp.target_length:
        return 0.0  # the muon stops in the target
    coarse = float(np.interp(-exp.target_length, -depth, grid))
    fine = np.linspace(max(0.9 * coarse, 1e-3), exp.energy, _FINE_POINTS)
    depth = _cumulative_depth(fine, fn(fine))
    return float(np.interp(-exp.target_length, -depth, fine))


def _cumulative_depth(grid: NDArray, dedx: NDArray) -> NDArray:
    """Depth (cm) at which a muon entering with grid[-1] has slowed to grid[i] (trapezoid in E)."""
    inv = 1.0 / dedx
    seg = 0.5 * (inv[1:] + inv[:-1]) * np.diff(grid)
    return np.concatenate([np.cumsum(seg[::-1])[::-1], [0.0]])


def depth_at(exp: Experiment, energies: NDArray) -> tuple[NDArray, NDArray]:
    """(Delta y(E) in cm, <dE/dx>(E) in GeV/cm) at the muon energies E."""
    if exp.energy_loss == "constant":
        dedx = np.full_like(energies, exp.target.dedx_gev_cm)
        return (exp.energy - energies) / dedx, dedx
    fn = _dedx_table_fn(exp)
    grid = np.linspace(max(float(energies.min()) * 0.999, 1e-3), exp.energy, _FINE_POINTS)
    depth = _cumulative_depth(grid, fn(grid))
    return np.interp(energies, grid, depth), fn(energies)


def x_nodes(x_lo: NDArray, x_hi: NDArray) -> tuple[NDArray, NDArray]:
    """Quadrature in x on [x_lo, x_hi]: Gauss-Legendre in ln x below x = 1/2 and in ln(1 - x) above.

    The spectrum peaks at x ~ m_X/m_l for light bosons and near x = 1 for m_X ~ m_l (002 Fig. 3); the two
    logarithmic maps resolve both without a mass-dependent tuning."""
    split = np.clip(0.5, x_lo, x_hi)
    u, wu = _gl(_GL_X, np.log(x_lo), np.log(split))
    x_low = np.exp(u)
    v, wv = _gl(_GL_X, np.log1p(-x_hi), np.log1p(-split))  # v = ln(1 - x), dx = (1 - x) |dv|
    x_high = -np.expm1(v)
    return np.concatenate([x_low, x_high], axis=-1), np.concatenate([wu * x_low, wv * (1.0 - x_high)], axis=-1)


def production_grid(exp: Experiment, mass: float, kind: str, coupling: float, method: str = "fast") -> Kinematics:
    """Production weights at the production coupling ``coupling`` (events per unit P), for one mass."""
    m_l = LEPTON_MASSES[exp.lepton]
    e_lo, e_hi = energy_range(exp, mass)
    energy, w_e = _gl(_GL_E, np.asarray(e_lo), np.asarray(e_hi))
    depth, dedx = depth_at(exp, energy)
    x_lo = np.maximum(exp.x_min, mass / energy)
    x_hi = 1.0 - m_l / energy
    x, w_x = x_nodes(x_lo, x_hi)
    if exp.approximation == "iww":  # one flux per energy, shared by every x (002 eq. (13))
        chi = iww_photon_flux(exp.target, mass, exp.lepton, energy, method)
        dsdx = np.stack([dsigma_dx_iww_per_chi(kind, x[i], float(e), mass, coupling, m_l) for i, e in enumerate(energy)])
        dsdx *= np.asarray(chi)[:, None]
    else:  # WW: the flux depends on x and the angle (slower; docs/production.md)
        dsdx = np.stack([dsigma_dx(kind, x[i], float(e), mass, coupling, exp.target, exp.lepton, exp.approximation)
                         for i, e in enumerate(energy)])
    n_atom = exp.target.n_atom_per_cm3
    weight = exp.muons_on_target * n_atom * units.GEV2_TO_CM2 * (w_e / dedx)[:, None] * w_x * dsdx
    momentum = np.sqrt(np.maximum((x * energy[:, None]) ** 2 - mass**2, 0.0))
    return Kinematics(energy, depth, x, momentum, weight)


@dataclass(frozen=True)
class WidthModel:
    """Partial widths as a + b g^2 in the scanned coupling g, split into visible and invisible parts."""

    inv_const: float
    inv_quad: float
    vis_const: float
    vis_quad: float

    def widths(self, g: NDArray) -> tuple[NDArray, NDArray]:
        g2 = np.asarray(g, dtype=float) ** 2
        return self.inv_const + self.inv_quad * g2, self.vis_const + self.vis_quad * g2


def width_model(spec: ModelSpec, mass: float, overrides: dict | None) -> WidthModel:
    """Decompose the model's partial widths into g-independent and g^2 parts, checking the form at a third point."""
    probes = {g: spec.build(mass, g, overrides).partial_widths() for g in (G_REF, 2 * G_REF, 0.5 * G_REF)}
    parts = {"inv_const": 0.0, "inv_quad": 0.0, "vis_const": 0.0, "vis_quad": 0.0}
    for channel, w1 in probes[G_REF].items():
        w2 = probes[2 * G_REF][channel]
        quad = (w2 - w1) / (3.0 * G_REF**2)
        const = w1 - quad * G_REF**2
        predicted = const + quad * (0.5 * G_REF) ** 2
        if not math.isclose(predicted, probes[0.5 * G_REF][channel], rel_tol=1e-7, abs_tol=1e-300):
            raise SpecError(f"{spec.name}: width of {channel} is not of the form a + b {spec.coupling}^2; cannot scan")
        side = "inv" if is_invisible(channel) else "vis"
        parts[f"{side}_const"] += max(const, 0.0)
        parts[f"{side}_quad"] += max(quad, 0.0)
    return WidthModel(**parts)


def decay_weight(exp: Experiment, mass: float, momentum: NDArray, depth: NDArray, gamma_inv: NDArray,
                 gamma_vis: NDArray) -> NDArray:
    """The signature weight P (module docstring) for bosons of momentum p produced at depth Delta y, given the
    invisible and visible widths (all arrays broadcast together). A stable boson counts as invisible."""
    total = gamma_inv + gamma_vis
    stable = total == 0.0
    safe = np.where(stable, 1.0, total)
    br_inv = np.where(stable, 1.0, gamma_inv / safe)
    br_vis = np.where(stable, 0.0, gamma_vis / safe)
    # 1/L = m Gamma / (p hbar c); zero for a stable particle
    rate = np.where(stable, 0.0, total) * mass
    denominator = np.asarray(momentum, dtype=float) * units.HBARC_GEV_CM
    shape = np.broadcast_shapes(np.shape(rate), np.shape(denominator))
    rate, denominator = np.broadcast_to(rate, shape), np.broadcast_to(denominator, shape)
    # p = 0 only at the zero-weight nodes of an empty x piece: a huge finite 1/L there avoids inf * 0
    inv_length = np.divide(rate, denominator, out=np.full(shape, 1e300), where=denominator > 0.0)
    remaining = exp.target_length - depth  # target still ahead of the production point
    if exp.signature == "invisible":
        if not exp.visible_escape:
            return np.broadcast_to(br_inv, np.broadcast_shapes(np.shape(br_inv), np.shape(inv_length), np.shape(remaining)))
        return br_inv + br_vis * np.exp(-(remaining + exp.detector_length) * inv_length)
    if exp.signature == "decay_beyond":
        return br_inv + br_vis * np.exp(-(remaining + exp.detector_length) * inv_length)
    return br_vis * (np.exp(-remaining * inv_length) - np.exp(-(remaining + exp.detector_length) * inv_length))


def signature_weight(exp: Experiment, grid: Kinematics, mass: float, widths: WidthModel, g: NDArray) -> NDArray:
    """P(x, E) on the grid for each coupling in ``g``: shape (len(g), nE, nx)."""
    gamma_inv, gamma_vis = widths.widths(np.atleast_1d(g))
    return decay_weight(exp, mass, grid.momentum, grid.depth[:, None], gamma_inv[:, None, None], gamma_vis[:, None, None])


@dataclass(frozen=True)
class YieldCalculator:
    """Signal events N(g) of one model at one mass in one experiment, for any coupling g."""

    experiment: Experiment
    mass: float
    grid: Kinematics
    widths: WidthModel

    def events(self, g: float | NDArray) -> NDArray:
        """Expected signal events at the scanned coupling(s) ``g`` (same shape as g)."""
        g_arr = np.atleast_1d(np.asarray(g, dtype=float))
        p = signature_weight(self.experiment, self.grid, self.mass, self.widths, g_arr)
        prod = (g_arr / G_REF) ** 2  # production ~ g^2 (checked in yield_calculator)
        out = prod * np.einsum("gex,ex->g", p, self.grid.weight)
        return out.reshape(np.shape(g)) if np.ndim(g) else out[0]

    def max_events_scale(self) -> float:
        """Events at G_REF if every produced boson were signal (P = 1): N(g) <= this * (g/G_REF)^2."""
        return float(self.grid.weight.sum())


def yield_calculator(exp: Experiment, spec: ModelSpec, mass: float, overrides: dict | None = None,
                     method: str = "fast") -> YieldCalculator:
    """Set up N(g) for a named model at one mediator mass."""
    model: Mediator = spec.build(mass, G_REF, overrides)
    kind, g_prod = model.production_coupling(exp.lepton)
    g_prod2 = spec.build(mass, 2 * G_REF, overrides).production_coupling(exp.lepton)[1]
    if not math.isclose(g_prod2, 2 * g_prod, rel_tol=1e-9, abs_tol=0.0):
        raise SpecError(f"{spec.name}: the coupling to {exp.lepton} is not proportional to {spec.coupling}; cannot scan")
    if g_prod == 0.0:
        raise KinematicallyForbidden(f"{spec.name} does not couple to the {exp.lepton} beam of {exp.name}")
    grid = production_grid(exp, mass, kind, g_prod, method)
    return YieldCalculator(exp, mass, grid, width_model(spec, mass, overrides))
