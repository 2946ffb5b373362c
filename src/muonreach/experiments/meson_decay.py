"""Production channel ``meson_decay``: bosons from three-body meson decays M -> l nu X in a fiducial decay region
(NA62: K+ decays in flight, 1902.07715 eq. (C.1); E949: stopped K+).

    N = N_M A int_{window} dm_miss^2 dBR(M -> l nu X)/dm_miss^2 x P_signal(X),

with N_M the meson decays in the fiducial region (``[beam] meson_decays``), A the experiment's efficiency
(acceptance), the missing-mass window ``[selection] m_miss2_min, m_miss2_max`` (cut at the kinematic end point
(m_M - m_l)^2) and dBR from :mod:`muonreach.production.meson` (BR = Gamma/Gamma(M -> l nu) x BR(M -> l nu)_PDG).

The boson sample carries the lab kinematics the signatures need: at each Dalitz node (s, t) the boson's energy in
the meson frame, E* = (s + t - m_l^2)/(2 m_M), is boosted with the meson's ``[beam] energy`` over Gauss-Legendre
nodes in cos theta* (isotropic: spin-0 parent), and the decay point is spread uniformly over the fiducial length
``[target] length`` (decays in flight; the kaon decay length, 564 m at 75 GeV, is long against NA62's 65 m, so the
exponential is neglected: < 6 % across the region) through nodes in ln(distance to the end of the region), which
resolve escape probabilities exp(-d/L) for any decay length L. A meson at rest (``energy`` = its mass) decays at
depth 0: the boson must cross the whole ``length`` to escape. Signatures then apply as for beam dumps: the region
plays the role of the target (``invisible`` with ``visible_escape``: a visible decay inside it is not missing;
``decay_in_region``: a visible decay inside it).
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import LEPTON_MASSES
from ..errors import InvalidParameter, KinematicallyForbidden
from ..models.base import Mediator
from ..production.meson import get_meson, model_decay, t_limits, t_nodes
from .production import ProductionChannel, register_channel
from .sample import BosonSample

#: Quadrature orders of the sample: Dalitz s and t, cos theta*, and ln(distance to the end of the region). The
#: yields agree with the finer production.meson defaults (48 x 32) to < 1e-3 (tests/test_meson_channel.py).
N_S, N_T, N_COS, N_DEPTH = 24, 12, 6, 10
#: s nodes per analysis bin of the binned statistics (bins of 4e-3 GeV^2: the per-bin yields agree with 3x the
#: nodes to < 1e-4, tests/test_meson_channel.py).
N_PER_BIN = 3
#: t nodes at each s node of the binned statistics (narrow bins). Convergence study (docs/speed.md, figcold): over
#: the 24 masses of 1902-fig5 (na62-2015 / na62-future, Asimov and cut-and-count, L_mu - L_tau and scalar) the
#: edges move by at most 2.1e-6 from N_T = 12 (9.3e-8 at 8, 8.5e-3 at 4); the plain count (visible X, E949) keeps
#: N_T, where 8 nodes already move an edge by 1.5e-3.
N_T_BINNED = 6
#: Relative tolerance on E/m - 1 below which the meson counts as at rest (energies given as the rounded mass).
AT_REST = 1e-6
#: Shortest distance to the end of the region resolved by the depth nodes, as a fraction of the region (the
#: remaining sliver changes escape probabilities by < 1e-6).
DEPTH_FLOOR = 1e-6


class MesonDecay(ProductionChannel):
    name = "meson_decay"
    description = "three-body meson decays M -> l nu X in a fiducial region (1902.07715 eq. (C.1), App. A)"

    def coupling(self, exp, model: Mediator) -> tuple[str, float]:
        decay, g = model_decay(model, exp.decay_lepton, exp.meson)
        return decay.kind, g

    def check_experiment(self, exp) -> None:
        meson = get_meson(exp.meson)
        if exp.energy < meson.mass * (1.0 - AT_REST):
            raise InvalidParameter(f"{exp.name}: [beam] energy {exp.energy:g} GeV is below the {meson.name} mass "
                                   f"{meson.mass:.6g} GeV (give the meson's lab energy; its mass for decays at rest)")
        if exp.m_miss2_min >= exp.m_miss2_max:
            raise InvalidParameter(f"{exp.name}: m_miss2_min {exp.m_miss2_min:g} is not below m_miss2_max {exp.m_miss2_max:g}")

    def check_mass(self, exp, mass: float) -> None:
        meson = get_meson(exp.meson)
        end = meson.mass - LEPTON_MASSES[exp.decay_lepton]
        if mass >= end:
            raise KinematicallyForbidden(f"{exp.name}: {meson.name} -> {exp.decay_lepton} nu X needs m_X < {end:.6g} GeV")
        if mass**2 >= exp.m_miss2_max:
            raise KinematicallyForbidden(f"{exp.name}: m_X^2 = {mass**2:.4g} GeV^2 lies above the window end {exp.m_miss2_max:g}")

    def sample(self, exp, model: Mediator, mass: float) -> BosonSample:
        decay, _ = model_decay(model, exp.decay_lepton, exp.meson)
        meson = get_meson(exp.meson)
        m_k, m_l = meson.mass, decay.m_lepton
        window = (max(exp.m_miss2_min, mass**2), min(exp.m_miss2_max, (m_k - m_l) ** 2))
        if window[0] >= window[1]:
            raise KinematicallyForbidden(f"{exp.name}: the m_miss^2 window [{exp.m_miss2_min:g}, {exp.m_miss2_max:g}] GeV^2 "
                                         f"misses K -> {decay.lepton} nu X at m_X = {mass:g} GeV")
        if exp.statistic == "count":
            (s, w_s), n_t = _s_nodes(window), N_T
        else:
            (s, w_s), n_t = _binned_s_nodes(exp, window, (m_k - m_l) ** 2), N_T_BINNED
        t_lo, t_hi = t_limits(m_k, 0.0, mass, m_l, s)
        t, w_t = t_nodes(t_lo, t_hi, decay.poles[1], n_t)
        s2 = np.broadcast_to(s[:, None], t.shape)
        dbr = (w_s[:, None] * w_t * decay.msq(s2, t) / (256.0 * math.pi**3 * m_k**3)
               / _two_body(decay) * meson.br_lnu[decay.lepton])  # dBR per node at unit coupling
        e_star = (s2 + t - m_l**2) / (2.0 * m_k)
        p_star = np.sqrt(np.maximum(e_star**2 - mass**2, 0.0))
        gamma = max(exp.energy / m_k, 1.0)
        beta_gamma = 0.0 if gamma < 1.0 + AT_REST else math.sqrt(gamma * gamma - 1.0)
        cos, w_cos = np.polynomial.legendre.leggauss(N_COS)
        e_lab = gamma * e_star[..., None] + beta_gamma * p_star[..., None] * cos
        weight = dbr[..., None] * (0.5 * w_cos)
        p_lab = np.sqrt(np.maximum(e_lab**2 - mass**2, 0.0))
        length = exp.target_length
        if beta_gamma == 0.0:  # at rest: one production point at the front of the region
            depth, w_depth = np.zeros(1), np.ones(1)
        else:
            depth, w_depth = _depth_nodes(length)
        shape = (*e_lab.shape, depth.size)
        total = exp.particles_on_target * weight[..., None] * w_depth
        return BosonSample(np.broadcast_to(e_lab[..., None], shape).ravel(), np.broadcast_to(p_lab[..., None], shape).ravel(),
                           np.broadcast_to(depth, shape).ravel(), np.full(total.size, exp.energy), total.ravel(),
                           observable=np.broadcast_to(s[:, None, None, None], shape).ravel())


def _two_body(decay) -> float:
    from ..production.meson import two_body_width

    return two_body_width(decay.lepton, decay.meson)


def _s_nodes(window: tuple[float, float], n: int = N_S) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre in ln s on the window (the 1/s poles of the amplitudes sit at s = 0)."""
    x, w = np.polynomial.legendre.leggauss(n)
    a, b = math.log(window[0]), math.log(window[1])
    u = 0.5 * (a + b) + 0.5 * (b - a) * x
    s = np.exp(u)
    return s, 0.5 * (b - a) * w * s


def _end_nodes(lo: float, end: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre in u = sqrt(end - s) on [lo, end]: the t range closes as sqrt(end - s) at the kinematic end
    point s = (m_M - m_l)^2, a square-root edge that plain nodes in s resolve to only ~0.4 % in the last bin."""
    x, w = np.polynomial.legendre.leggauss(n)
    top = math.sqrt(end - lo)
    u = 0.5 * top * (1.0 + x)
    return end - u * u, 0.5 * top * w * 2.0 * u


def _binned_s_nodes(exp, window: tuple[float, float], end: float) -> tuple[np.ndarray, np.ndarray]:
    """N_PER_BIN nodes in each analysis bin of the binned statistics (reach.binned.search_bins), clipped to the
    window: every bin's signal is integrated on its own, none straddles a bin edge. Nodes in ln s, or in
    sqrt(end - s) for the bin ending at the kinematic end point."""
    from ..reach.binned import search_bins

    bins = search_bins(exp)
    parts = []
    for lo, hi in zip(bins.lo, bins.hi, strict=True):
        a, b = max(lo, window[0]), min(hi, window[1])
        if b > a:
            parts.append(_end_nodes(a, b, N_PER_BIN) if b >= end * (1.0 - 1e-12) else _s_nodes((a, b), N_PER_BIN))
    if not parts:
        raise KinematicallyForbidden(f"{exp.name}: no analysis bin overlaps [{window[0]:g}, {window[1]:g}] GeV^2")
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _depth_nodes(length: float) -> tuple[np.ndarray, np.ndarray]:
    """Decay points uniform on [0, length]: Gauss-Legendre in ln(length - z) down to DEPTH_FLOOR x length, with
    weights dz/length (the sliver nearest the end is dropped: < DEPTH_FLOOR of the decays)."""
    x, w = np.polynomial.legendre.leggauss(N_DEPTH)
    a, b = math.log(DEPTH_FLOOR), 0.0
    u = 0.5 * (a + b) + 0.5 * (b - a) * x
    frac = np.exp(u)  # (length - z)/length
    return length * (1.0 - frac), 0.5 * (b - a) * w * frac


register_channel(MesonDecay())
