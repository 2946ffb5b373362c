"""Event density and kinematics of l N -> l' N X with the exact tree-level 2 -> 3 cross section, for the generator.

Sampled from the exact module's own distributions (no reweighting of WW, so regions where WW vanishes but the
exact cross section does not, e.g. x -> 1 in mu -> e, are covered): with the cube variables u_0 -> E (the track,
as :mod:`.bremsstrahlung`), u_1 -> x (uniform in logit(x) between the yield's limits) and u_2 = sqrt(v),

    f(u) = N_l n_atom T dx/du_1 dsigma/dx(E, x) q(v | E, x) dv/du_2,

* dsigma/dx: the tabulated exact spectrum :class:`~muonreach.production.exact.ExactSpectrum`, the very table the
  semi-analytic yield uses with ``approximation = "exact"`` (so the generated total closes on it);
* q: the conditional density of the X angle at fixed (E, x) in v = w / w_max, w = ln(Delta/Delta_min), with
  Delta = m'^2 - m^2 - m_X^2 + 2 p.k the exact integrator's own angular variable (1 - cos theta_X =
  (Delta - Delta_min)/(2 |p| |k|)) and w_max its upper end (the t cap of the screened form factors, or theta = pi).
  It is tabulated from the exact integrator's inner (t, phi) integral at fixed (x, Delta), the one behind
  :func:`~muonreach.production.exact.integrate.dsigma_dx_dcos` (d sigma/dw = d sigma/dDelta x Delta; the
  fine rule only: :func:`_dsigma_dx_dv`) at :data:`N_W` points in v for :data:`N_S` cell-centred points of logit(x) (between
  max(x_min, m_X/E) and the end point x_end(E), as the spectrum's table) at the spectrum's energy nodes;
  the v points are (k/(N_W - 1))^2 (dense forward, where q turns over); ln q is interpolated linearly in v
  (exact for an exponential fall in w), in s and in ln E between the spectrum's energy nodes. Each tabulated
  row is normalised to unit integral of its own interpolant (exp of a linear function per interval: analytic),
  so that int dv q = 1 at every node and the x marginal is the exact dsigma/dx; between nodes the normalisation
  is off by the curvature of ln q across nodes (< 3e-4 for x < 0.998 at NA64-mu, 1 % in the last interval
  before the end point, which carries < 1e-3 of the rate; :meth:`ExactAngles.normalisation_error`). Each row's
  integral before normalisation, divided by the spectrum's dsigma/dx (an independent quadrature of the same
  |M|^2), is kept as ``row_ratio``: a check of the angular table (within 2.1e-3 of 1 at NA64-mu, tests).

The table costs N_S N_W (E nodes) evaluations (~0.03-0.1 ms each: 0.15-0.5 CPU-s for NA64-mu and MUonE) and is
cached on disk with :func:`muonreach.cache.cached_arrays` (namespace ``"exact-angles"``, keyed by the process, grid and code).

Approximations (as for the WW family): the outgoing lepton takes E' = E - E_X and the transverse momentum -p_T,X
(the photon's momentum and the nuclear recoil, integrated over in the cross section, are not generated); the
azimuth of X is uniform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..cache import cached_arrays
from ..constants import LEPTON_MASSES
from ..errors import ConvergenceError
from ..experiments.beam import TrackDistribution, track_distribution
from ..production.exact import ExactSpectrum
from ..production.exact.integrate import Process, _delta_upper, dsigma_dx_ddelta
from ..production.exact.phase_space import Kinematics, emission
from .bremsstrahlung import energy_and_x, four_momenta, track_normalisation

#: Cell-centred points in s (logit x) and regular points in v of the angular table.
N_S: int = 40
N_W: int = 65
NAMESPACE = "exact-angles"
#: Floor of the tabulated density relative to its row maximum (beyond the t cap the exact density is 0; the floor
#: keeps ln q finite and carries < 1e-20 of the row).
LOG_FLOOR: float = 1e-26


def _log_linear_integral(y: NDArray, nodes: NDArray) -> NDArray:
    """Integral over [nodes[0], nodes[-1]] of exp of the piecewise-linear interpolant of ``y`` (..., n) at ``nodes``."""
    a, b = y[..., :-1], y[..., 1:]
    d = b - a
    small = np.abs(d) < 1e-8
    safe = np.where(small, 1.0, d)
    seg = np.where(small, np.exp(0.5 * (a + b)), (np.exp(b) - np.exp(a)) / safe)
    return np.sum(np.diff(nodes) * seg, axis=-1)


def _dsigma_dx_dv(proc: Process, energy: float, x: NDArray, v: NDArray) -> NDArray:
    """dsigma/(dx dv) at arrays (x, v) of one shape inside the kinematic range, v = ln(Delta/Delta_min)/w_max (module
    docstring): :func:`~muonreach.production.exact.integrate.dsigma_dx_ddelta` by its "fine" rule x dDelta/dv,
    dDelta/dv = Delta w_max (0 where X has no angular range)."""
    kin = proc.kinematics(energy, proc.nuclei[0])  # Delta's range does not depend on the nucleus (ExactAngles.angles)
    em = emission(kin, x * energy, proc.m_x, proc.mp)
    w_max = np.log(np.maximum(_delta_upper(proc, kin, em) / em.delta_min, 1.0))
    delta = em.delta_min * np.exp(v * w_max)
    return dsigma_dx_ddelta(proc, energy, x, delta, "fine") * delta * w_max


class ExactAngles:
    """The conditional density q(v | E, x) of the X angle (module docstring) for the process of ``spectrum``."""

    def __init__(self, spectrum: ExactSpectrum) -> None:
        self.spectrum = spectrum
        self.process: Process = spectrum.process
        self.s_nodes = (np.arange(N_S) + 0.5) / N_S
        self.v_nodes = np.linspace(0.0, 1.0, N_W) ** 2  # dense forward, where q turns over
        proc = self.process
        inputs = {"kind": proc.kind, "mass": proc.m_x, "lepton": proc.lepton, "final_lepton": proc.final_lepton,
                  "form_factor": proc.form_factor, "atoms": [[n.count, n.Z, n.A] for n in proc.nuclei],
                  "energies": spectrum.energies.tolist(), "x_min": spectrum.x_min, "n_s": N_S, "n_w": N_W}
        tables = cached_arrays(NAMESPACE, inputs, self._compute)
        self._log_q, self.row_ratio = tables["log_q"], tables["row_ratio"]

    def angles(self, energy: NDArray, x: NDArray, v: NDArray) -> tuple[NDArray, NDArray, NDArray]:
        """(w_max, 1 - cos theta_X, dcos theta_X/dv) at v, for arrays (E, x, v) of one shape; w_max = 0 where X has
        no angular range. The angular range (Delta_min and the t cap of :func:`_delta_upper`) depends on E, x and the
        masses of the leptons and X only, not on the nucleus mass (|V| and Delta are lab quantities of the lepton
        line), so one nucleus of a compound serves for all (tests/test_mc_exact.py checks it for CsI)."""
        proc = self.process
        kin = Kinematics(energy, proc.m, proc.mp, proc.m_x, proc.nuclei[0].M)  # type: ignore[arg-type]  # broadcasts over E
        em = emission(kin, x * energy, proc.m_x, proc.mp)
        w_max = np.log(np.maximum(_delta_upper(proc, kin, em) / em.delta_min, 1.0))
        delta = em.delta_min * np.exp(v * w_max)
        two_pk = 2.0 * kin.p * np.maximum(em.k, 1e-300)
        # dcos/dv = dcos/dDelta x dDelta/dw x dw/dv, Delta = Delta_min exp(w), w = v w_max
        return w_max, np.clip((delta - em.delta_min) / two_pk, 0.0, 2.0), delta * w_max / two_pk

    def _compute(self) -> dict[str, NDArray]:
        proc = self.process
        rows, ratios = [], []
        for e in self.spectrum.energies:
            x = self.spectrum._x_of_s(np.array(e), self.s_nodes)
            xx, vv = np.meshgrid(x, self.v_nodes, indexing="ij")
            dens = _dsigma_dx_dv(proc, float(e), xx, vv)
            if not np.all(np.isfinite(dens)) or np.any(dens[:, 0] <= 0.0):
                raise ConvergenceError(f"exact angular table: non-positive forward density at E = {e:g} GeV")
            # beyond the last positive node (the t cap of a sliver of phase space) continue ln q steeply
            log_d = np.log(np.maximum(dens, dens.max(axis=1, keepdims=True) * LOG_FLOOR))
            norm = _log_linear_integral(log_d, self.v_nodes)
            rows.append(log_d - np.log(norm)[:, None])
            ratios.append(norm / self.spectrum.dsigma_dx(np.full(x.shape, e), x))
        return {"log_q": np.array(rows), "row_ratio": np.array(ratios)}

    def _bilinear(self, i: NDArray | int, j: NDArray, fs: NDArray, k: NDArray, fv: NDArray) -> NDArray:
        """ln q of energy node(s) ``i``, bilinear in (s, v) between the cells (j, k) and (j + 1, k + 1)."""
        t = self._log_q
        lo = t[i, j, k] * (1 - fv) + t[i, j, k + 1] * fv
        hi = t[i, j + 1, k] * (1 - fv) + t[i, j + 1, k + 1] * fv
        return lo * (1 - fs) + hi * fs

    def density(self, energy: NDArray, x: NDArray, v: NDArray, s: NDArray | None = None) -> NDArray:
        """q(v | E, x) (unit integral over v in [0, 1] at the nodes); ``s``: the spectrum's grid coordinate of
        (E, x) if known (:meth:`ExactSpectrum.dsigma_dx_and_s`)."""
        s = self.spectrum._s_of_x(energy, x) if s is None else s
        s = np.clip(s * N_S - 0.5, 0.0, N_S - 1.0)
        j = np.minimum(s.astype(np.int64), N_S - 2)
        fs = s - j
        k = np.minimum((np.sqrt(v) * (N_W - 1)).astype(np.int64), N_W - 2)
        fv = (v - self.v_nodes[k]) / (self.v_nodes[k + 1] - self.v_nodes[k])
        if self._log_q.shape[0] == 1:
            return np.exp(self._bilinear(0, j, fs, k, fv))
        # linear in ln E between the two bracketing (Chebyshev) energy nodes of the spectrum, clamped at the outer
        # nodes: no overshoot where ln q falls to its floor at a different angle at each energy
        ln_e = np.log(self.spectrum.energies)
        i = np.clip(np.searchsorted(ln_e, np.log(energy)) - 1, 0, ln_e.size - 2)
        fe = np.clip((np.log(energy) - ln_e[i]) / (ln_e[i + 1] - ln_e[i]), 0.0, 1.0)
        return np.exp(self._bilinear(i, j, fs, k, fv) * (1 - fe) + self._bilinear(i + 1, j, fs, k, fv) * fe)

    def normalisation_error(self) -> float:
        """Largest |int dv q - 1| half way between the tabulated s nodes (the interpolation's normalisation error)."""
        v = (np.arange(4000) + 0.5) / 4000
        worst = 0.0
        for e in self.spectrum.energies:
            s_mid = (np.arange(N_S - 1) + 1.0) / N_S
            x = self.spectrum._x_of_s(np.array(e), s_mid)
            q = self.density(np.full((x.size, v.size), e), np.repeat(x[:, None], v.size, axis=1),
                             np.broadcast_to(v, (x.size, v.size)))
            worst = max(worst, float(np.max(np.abs(q.mean(axis=1) - 1.0))))
        return worst


@dataclass(frozen=True)
class ExactProduction:
    """Exact boson production in experiment ``exp`` (kind, mass) as a density on the unit cube (module docstring);
    the interface of :class:`.bremsstrahlung.Production`."""

    exp: Any  # an Experiment
    kind: str
    mass: float
    track: TrackDistribution
    spectrum: ExactSpectrum
    angles: ExactAngles

    @classmethod
    def build(cls, exp, kind: str, mass: float) -> ExactProduction:
        track = track_distribution(exp, mass)
        spectrum = ExactSpectrum(kind, mass, exp.target, exp.lepton, exp.final_lepton,
                                 energy_range=(float(track.energy.min()), float(track.energy.max())),
                                 x_min=exp.x_min, form_factor=exp.form_factor)
        return cls(exp, kind, mass, track, spectrum, ExactAngles(spectrum))

    @property
    def m_l(self) -> float:
        """The outgoing lepton's mass."""
        return LEPTON_MASSES[self.exp.final_lepton]

    def density(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """f(u): expected bosons per unit cube volume at production coupling 1."""
        energy, _, x, jac = energy_and_x(self.exp, self.track, self.mass, u)
        open_ = jac > 0.0
        dsdx, s = np.zeros(energy.shape), np.zeros(energy.shape)
        dsdx[open_], s[open_] = self.spectrum.dsigma_dx_and_s(energy[open_], x[open_])
        live = dsdx > 0.0
        q = np.zeros(energy.shape)
        q[live] = self.angles.density(energy[live], x[live], u[live, 2] ** 2, s[live])
        return track_normalisation(self.exp, self.track) * jac * dsdx * q * 2.0 * u[:, 2]  # v = u_2^2 follows the forward peak

    def kinematics(self, u: NDArray[np.float64], rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
        """Four-momenta (E, px, py, pz) of the beam lepton, the outgoing lepton and X, and the vertex, at u."""
        energy, depth, x, _ = energy_and_x(self.exp, self.track, self.mass, u)
        _, omc, _ = self.angles.angles(energy, x, u[:, 2] ** 2)
        m_beam = LEPTON_MASSES[self.exp.lepton]
        return {**four_momenta(energy, x, omc, self.mass, m_beam, self.m_l, rng), "depth": depth, "x": x,
                "cos_theta": 1.0 - omc}
