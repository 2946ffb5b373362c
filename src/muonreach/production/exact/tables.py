"""Tabulated exact spectra for the yield code: dsigma/dx on an (energy, x) grid, cached on disk, interpolated.

:class:`ExactSpectrum` computes dsigma/dx (GeV^-2 per formula unit, coupling 1) of :mod:`.integrate` once on a grid
and interpolates it:

* energies: Chebyshev points of ln E on the requested range (``energy_range``), their number growing with
  ln(E_max/E_min) (2 for the 0.3 % spread of a muon crossing NA64's lead, 8 for 0.5 - 3 GeV muons near threshold,
  3 for LDMX light bosons from 11.2 - 16 GeV electrons: fewer per unit of ln E far above threshold, :data:`FAR_SLOPE`);
* x: for each energy, the variable s in [0, 1] with logit(x) linear in s between x_a(E) = max(x_min, m_X/E) and
  x_b(E) = 1 - m'/E, at :data:`N_X` Chebyshev points (:data:`N_X_FAR` when every tabulated energy is at least
  :data:`FAR_FACTOR` times the threshold, :func:`is_far`); the tabulated function is
  g = dsigma/dx / (beta_X beta'), beta_X = sqrt(1 - (m_X / (x E))^2) and beta' = sqrt(1 - (m' / ((1 - x) E))^2),
  which removes the square-root thresholds at both ends of the x range (the emitted X and the outgoing lepton at
  rest), so that g is smooth in s;
* interpolation: barycentric Lagrange (Chebyshev weights) in s and in ln E, of ln g (positive).

Accuracy: the interpolated spectrum agrees with direct evaluation to better than :data:`ACCURACY` = 0.5 % wherever
dsigma/dx exceeds 1e-3 of its maximum (tests/test_exact_tables.py, several kinds, beams and masses); the
deterministic rule behind each node is good to <~ 1e-4 (:mod:`.integrate`).

Cache: :func:`muonreach.cache.cached_arrays` under the namespace ``"exact-dsigma-dx"``, keyed by the process (kind,
mass, lepton flavours, form factor, the material's atoms), the grid (energies, x_min, sizes) and muonreach's code
version (the cache adds a fingerprint of the source), so a table is computed once per machine and recomputed
whenever the code changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...cache import cached_arrays
from ...errors import ConvergenceError, InvalidParameter, KinematicallyForbidden
from ...materials import Material
from .integrate import _RULES, Process, dsigma_dx, make_process, x_end

#: Points of the x grid per energy (near threshold: some tabulated energy below FAR_FACTOR x the threshold).
N_X: int = 28
#: Points of the x grid per energy when every tabulated energy is at least :data:`FAR_FACTOR` times the threshold.
#: Measured interpolation error against direct evaluation (13 x fractions 0.003-0.97 of the window at three
#: energies; docs/exact-production.md, "Numerical uncertainty and speed"): 18 points <= 3.9e-4, 22 points
#: <= 1.7e-4, 28 points <= 2.3e-4 (the rule's own noise) for NA64-mu (0.01, 0.1 GeV, 160 GeV mu on Pb), LDMX
#: (0.01, 1 GeV, 11-16 GeV e on W, x > 0.7) and e -> mu (0.05 GeV, 20-100 GeV); near threshold (0.5 GeV vector
#: from 0.7-3 GeV mu) 18 points gave 3.8e-3 against 1.9e-3 with 28, hence the split.
N_X_FAR: int = 20
#: Smallest E_min / threshold of the coarser grid. Set from the measurements: LDMX's 1 GeV scalar (E_min /
#: threshold = 11.2) 4.7e-4 on the coarser grid; its 2 GeV scalar (5.6) 2.8e-3 on it against 6.3e-4 on the
#: finer one (too little margin below ACCURACY), so that mass keeps the finer grid.
FAR_FACTOR: float = 10.0
#: Stated interpolation accuracy (relative), tested against direct evaluation.
ACCURACY: float = 5e-3
#: Largest estimated node error |fine - coarse| / value accepted when a table is built, at the nodes the
#: accuracy statement covers (dsigma/dx above 1e-3 of its maximum at that energy, outside the first and last
#: :data:`END_SLIVER` of the x window, where the spectrum opens or closes as a square root and the rule loses
#: accuracy: up to 25 % at 1e-4 of the window from the end, a region worth < 1e-4 of sigma), and for the x
#: integral of each energy row (all nodes): ConvergenceError above it. Half the stated interpolation accuracy;
#: the estimate (the difference from the coarser rule) overstates the fine rule's error (docs/exact-production.md).
NODE_RTOL: float = 0.5 * ACCURACY
END_SLIVER: float = 1e-2
NEAR_THRESHOLD_ZONE: float = 0.1
NAMESPACE = "exact-dsigma-dx"
#: Energy range tolerance: requested energies may exceed the tabulated range by this fraction (rounding of nodes).
_E_SLACK = 1e-9


@lru_cache(maxsize=64)
def _chebyshev(n: int) -> tuple[NDArray, NDArray]:
    """Chebyshev points of the first kind on [0, 1] and their barycentric weights (read-only, shared)."""
    k = np.arange(n)
    theta = (2 * k + 1) * math.pi / (2 * n)
    nodes = 0.5 * (1.0 - np.cos(theta))
    weights = (-1.0) ** k * np.sin(theta)
    nodes.flags.writeable = weights.flags.writeable = False
    return nodes, weights


def _barycentric(nodes: NDArray, weights: NDArray, values: NDArray, s: NDArray) -> NDArray:
    """Interpolate ``values`` (..., n) given at ``nodes`` to points ``s`` (broadcast with values' leading axes)."""
    diff = s[..., None] - nodes
    with np.errstate(divide="ignore", invalid="ignore"):  # s on a node: fixed below
        ratio = weights / diff
        out = np.sum(ratio * values, axis=-1) / np.sum(ratio, axis=-1)
    hit = diff == 0.0
    if np.any(hit):
        out = np.where(np.any(hit, axis=-1), np.sum(np.where(hit, values, 0.0), axis=-1), out)
    return out


def _barycentric_matrix(nodes: NDArray, weights: NDArray, matrix: NDArray, s: NDArray) -> NDArray:
    """Interpolate every column but the last of ``matrix`` (n, m + 1), whose rows are given at ``nodes`` and whose
    last column is ones, to points ``s`` (..., k): (..., k, m). ``matrix`` may carry leading axes broadcasting with
    those of ``s`` before its last (a table per row of points). The barycentric weights w_j / (s - s_j) are
    computed once for all columns, and their sum comes out of the same product; a point on a node gets that node's
    row exactly."""
    diff = s[..., None] - nodes
    with np.errstate(divide="ignore", invalid="ignore"):  # s on a node: its weights replaced below
        ratio = weights / diff
    hit = diff == 0.0
    if np.any(hit):
        ratio = np.where(np.any(hit, axis=-1, keepdims=True), hit, ratio)
    sums = np.matmul(ratio, matrix)
    return sums[..., :-1] / sums[..., -1:]


class _Params(NamedTuple):
    """What the evaluation of a table needs besides its values: masses m, m', m_X and the heaviest nucleus' M,
    x_min, ln E_min and ln(E_max/E_min); floats for one table, or arrays (a table per point) that broadcast with
    the energies."""

    m: float | NDArray
    mp: float | NDArray
    mx: float | NDArray
    big_m: float | NDArray
    x_min: float | NDArray
    ln_lo: float | NDArray
    ln_span: float | NDArray


def _window(p: _Params, energy: NDArray) -> tuple[NDArray, NDArray]:
    """The x window (max(x_min, m_X / E), x_end(E)) of the grid."""
    return np.maximum(p.x_min, p.mx / energy), x_end(energy, p.m, p.mp, p.mx, p.big_m)


def _s_of_x(energy: NDArray, x: NDArray, window: tuple[NDArray, NDArray]) -> NDArray:
    """The grid coordinate s: logit(x) linear in s from the window's start (0) to its end (1)."""
    a, b = window
    za, zb = np.log(a / (1.0 - a)), np.log(b / (1.0 - b))
    return (np.log(x / (1.0 - x)) - za) / (zb - za)


def _threshold_factor(p: _Params, energy: NDArray, x: NDArray, end: NDArray) -> NDArray:
    """beta_X beta' (module docstring), with the end point shifted by the recoil to ``end`` = x_end(E)."""
    bx = np.sqrt(np.maximum(1.0 - (p.mx / (x * energy)) ** 2, 0.0))
    bl = np.sqrt(np.maximum(1.0 - (p.mp / ((1.0 - x) * energy)) ** 2, 0.0))
    w = 1.0 - p.mp / energy - end  # the recoil shift of the end point
    gap = np.maximum(end - x, 0.0)
    return bx * bl * gap / (gap + w)


def _interpolate(p: _Params, matrix: NDArray, s_grid: tuple[NDArray, NDArray], e_grid: tuple[NDArray, NDArray],
                 energy: NDArray, x: NDArray) -> tuple[NDArray, NDArray]:
    """(dsigma/dx, s) of tabulated ln g at (energy, x) (broadcast; zero outside the window, s mid-window there):
    ``matrix`` (n_x, n_E + 1) is ln g transposed with a column of ones (or one such matrix per point, leading
    axes), ``s_grid`` and ``e_grid`` the Chebyshev nodes and weights in s and in the unit ln E. Everything that
    depends on the energy alone is computed on the energies' own shape (e.g. (n, 1) against x (n, n_x))."""
    a, b = _window(p, energy)
    inside = (x > a) & (x < b)
    xs = np.where(inside, x, 0.5 * (a + b))
    s = _s_of_x(energy, xs, (a, b))
    per_energy = _barycentric_matrix(*s_grid, matrix, s)  # ln g in s at every tabulated energy, then in ln E
    if e_grid[0].size == 1:
        log_g = per_energy[..., 0]
    else:
        u = (np.log(energy) - p.ln_lo) / p.ln_span
        log_g = _barycentric(*e_grid, per_energy, u)
    value = np.exp(log_g) * _threshold_factor(p, energy, xs, b)
    return np.where(inside, value, 0.0), s


#: Widest ln(E_max/E_min) tabulated with 2 energy nodes (linear in ln E): the interpolation error is
#: ~ span^2 / 8 x |d^2 ln g / d(ln E)^2| = O(1), i.e. < 5e-5 (a muon crossing NA64's lead: span 0.0017).
LINEAR_SPAN: float = 0.02
#: Energy nodes per unit of ln(E_max/E_min) far above threshold (3.5 otherwise). Measured interpolation error
#: (5 energies x 13 x fractions, docs/exact-production.md): LDMX (11.2-16 GeV e, x > 0.7; 0.01 / 0.3 / 1 GeV)
#: 3 nodes <= 4.7e-4 against <= 3.6e-4 with the 4 of slope 3.5 (2 nodes: 9.5e-3); e -> mu 0.05 GeV scalar from
#: 20-100 GeV: 6, 7 and 8 nodes all 2.9e-4 (the x grid's share).
FAR_SLOPE: float = 2.5


def energy_points(lo: float, hi: float, far: bool = False) -> int:
    """Number of energy nodes for the range [lo, hi]: ceil(2 + c ln(hi/lo)), at most 12, with c = 3.5, or
    :data:`FAR_SLOPE` when ``far`` (every energy at least :data:`FAR_FACTOR` times the threshold, :func:`is_far`)."""
    span = math.log(hi / lo)
    if span <= 0.0:
        return 1
    if span <= LINEAR_SPAN:
        return 2
    slope = FAR_SLOPE if far else 3.5
    return int(min(12, max(2, math.ceil(2 + slope * span))))


def is_far(e_min: float, threshold: float) -> bool:
    """Whether tabulated energies from ``e_min`` up all lie at least :data:`FAR_FACTOR` times above the threshold
    energy of the x window (smooth spectra: the coarser grid :data:`N_X_FAR`, :data:`FAR_SLOPE`)."""
    return e_min >= FAR_FACTOR * threshold


class ExactSpectrum:
    """Exact dsigma/dx of l N -> l' N X for ``kind`` (scalar, pseudoscalar, vector; scalar with ``final_lepton``
    different from ``lepton`` is the chiral e-mu scalar of 001 eq. (2)), boson ``mass`` (GeV), target ``material``,
    tabulated for beam energies in ``energy_range`` (GeV) and x >= ``x_min``; ``form_factor`` "full" (elastic +
    inelastic, 002 App. A), "elastic" or "point" (module docstring); ``n_x`` x nodes per energy (default
    :data:`N_X`, or :data:`N_X_FAR` far above threshold), ``n_e`` energy nodes (default :func:`energy_points`).
    Coupling 1, GeV^-2 per formula unit."""

    def __init__(self, kind: str, mass: float, material: Material | str, lepton: str = "mu", final_lepton: str | None = None,
                 *, energy_range: tuple[float, float], x_min: float = 0.0, form_factor: str = "full",
                 n_x: int | None = None, n_e: int | None = None, use_cache: bool = True) -> None:
        self.process: Process = make_process(kind, mass, material, lepton, final_lepton, form_factor)
        lo, hi = (float(e) for e in energy_range)
        if not (math.isfinite(lo) and math.isfinite(hi) and 0.0 < lo <= hi):
            raise InvalidParameter(f"energy_range must be 0 < E_min <= E_max, got {energy_range!r}")
        if not (0.0 <= x_min < 1.0):
            raise InvalidParameter(f"x_min must be in [0, 1), got {x_min!r}")
        self.process.check_energy(lo, x_min)
        self.energy_range = (lo, hi)
        self.x_min = float(x_min)
        far = is_far(lo, self.process.threshold(x_min))
        n_e = energy_points(lo, hi, far) if n_e is None else n_e
        e_nodes, self._e_weights = _chebyshev(n_e)
        self._ln_lo, self._ln_span = math.log(lo), math.log(hi / lo)
        self._e_unit = e_nodes
        self.energies = np.exp(self._ln_lo + self._ln_span * e_nodes) if n_e > 1 else np.array([lo])
        n_x = (N_X_FAR if far else N_X) if n_x is None else n_x
        self.n_x = n_x
        self._s_nodes, self._s_weights = _chebyshev(n_x)
        proc = self.process
        self._params = _Params(proc.m, proc.mp, proc.m_x, max(n.M for n in proc.nuclei), self.x_min, self._ln_lo,
                               self._ln_span)
        inputs = {"kind": proc.kind, "mass": proc.m_x, "lepton": proc.lepton, "final_lepton": proc.final_lepton,
                  "form_factor": proc.form_factor, "atoms": [[n.count, n.Z, n.A] for n in proc.nuclei],
                  "energies": self.energies.tolist(), "x_min": self.x_min, "n_x": n_x, "rule": _RULES["fine"]}
        tables = cached_arrays(NAMESPACE, inputs, self._compute, enabled=use_cache)
        self._log_g = tables["log_g"]
        self._matrix = np.vstack([self._log_g, np.ones(n_x)]).T
        #: The largest estimated relative error of a table node (|fine - coarse| of :mod:`.integrate`).
        self.node_error = float(np.max(tables["node_error"]))

    # --- the grid --------------------------------------------------------------------------------------------
    def _x_window(self, energy: NDArray) -> tuple[NDArray, NDArray]:
        return _window(self._params, energy)

    def _x_of_s(self, energy: NDArray, s: NDArray) -> NDArray:
        a, b = self._x_window(energy)
        za, zb = np.log(a / (1.0 - a)), np.log(b / (1.0 - b))
        z = za + (zb - za) * s
        return 1.0 / (1.0 + np.exp(-z))

    def _s_of_x(self, energy: NDArray, x: NDArray, window: tuple[NDArray, NDArray] | None = None) -> NDArray:
        return _s_of_x(energy, x, self._x_window(energy) if window is None else window)

    def _thresholds(self, energy: NDArray, x: NDArray, end: NDArray | None = None) -> NDArray:
        return _threshold_factor(self._params, energy, x, self.process.x_end(energy) if end is None else end)

    def _compute(self) -> dict[str, NDArray]:
        rows, errors = [], []
        for e in self.energies:
            x = self._x_of_s(np.array(e), self._s_nodes)
            spec, err = dsigma_dx(self.process, float(e), x)
            assert err is not None
            errors.append(self._node_error(float(e), x, spec, err))
            g = spec / self._thresholds(np.array(e), x)
            # Within ~1e-5 of the end point the deterministic rule can return 0 where the phase space is a sliver
            # (close to threshold), and next to x = m_X/E a heavy boson at rest needs a momentum transfer that the
            # form factor kills (6.3 GeV from 51 GeV electrons: 0, then 6e-17 of the maximum); there log g is
            # continued from the nearest positive node (regions worth < 1e-6 of sigma). Zeros anywhere else are an
            # error.
            positive = np.flatnonzero(g > 0.0)
            if positive.size:
                index = np.arange(g.size)
                tail = (g <= 0.0) & (self._s_nodes > 0.9) & (index > positive.max())
                head = (g <= 0.0) & (self._s_nodes < 0.1) & (index < positive.min())
                g = np.where(tail, g[positive.max()], np.where(head, g[positive.min()], g))
            if not np.all(np.isfinite(g)) or np.any(g <= 0.0):
                raise ConvergenceError(f"exact dsigma/dx table: non-positive values at E = {e:g} GeV "
                                       f"({self.process.kind}, m = {self.process.m_x:g} GeV)")
            rows.append(np.log(g))
        return {"log_g": np.array(rows), "node_error": np.array(errors)}

    def _node_error(self, energy: float, x: NDArray, spec: NDArray, err: NDArray) -> float:
        """The largest relative node error at one energy where the accuracy statement applies (:data:`NODE_RTOL`);
        ConvergenceError if it, or the relative error of the row's x integral, exceeds :data:`NODE_RTOL`."""
        a, b = (float(v) for v in self._x_window(np.array(energy)))
        # the zones the accuracy statement leaves out (module docstring, docs/exact-production.md): the last 10 % of
        # the window below twice the threshold energy (the recoil zone), else the first and last END_SLIVER
        top = NEAR_THRESHOLD_ZONE if energy < 2.0 * self.process.threshold(self.x_min) else END_SLIVER
        relevant = (spec > 1e-3 * np.max(spec)) & (b - x > top * (b - a)) & (x - a > END_SLIVER * (b - a))
        rel = np.where(relevant, err / np.where(spec > 0.0, spec, 1.0), 0.0)
        integral = float(np.trapezoid(err, x) / np.trapezoid(spec, x))
        worst = max(float(np.max(rel)), integral)
        if worst > NODE_RTOL:
            i = int(np.argmax(rel))
            raise ConvergenceError(f"exact dsigma/dx table ({self.process.kind}, m = {self.process.m_x:g} GeV, E = "
                                   f"{energy:g} GeV): estimated error {worst:.2g} relative (worst node x = {x[i]:.6g}; "
                                   f"row integral {integral:.2g}), above {NODE_RTOL:g}")
        return float(np.max(rel))

    # --- evaluation ------------------------------------------------------------------------------------------
    def dsigma_dx(self, energy: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
        """Interpolated dsigma/dx (GeV^-2 per formula unit, coupling 1) at beam energies ``energy`` and ``x``
        (broadcast). Zero outside the kinematic range (x <= m_X/E or x >= 1 - m'/E); InvalidParameter for
        energies outside ``energy_range`` or 0 < x < x_min."""
        return self.dsigma_dx_and_s(energy, x)[0]

    def dsigma_dx_and_s(self, energy: ArrayLike, x: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """:meth:`dsigma_dx` and the grid coordinate s of each point (module docstring; mid-window outside the
        kinematic range), for callers that interpolate further tables on the same grid."""
        e, xa = np.asarray(energy, dtype=float), np.asarray(x, dtype=float)
        self._check_points(e, xa)
        return _interpolate(self._params, self._matrix, (self._s_nodes, self._s_weights),
                            (self._e_unit, self._e_weights), e, xa)

    def _check_points(self, energy: NDArray, x: NDArray) -> None:
        _check_points(energy, x, self.energy_range[0], self.energy_range[1], self.x_min, self.process.m_x)


def _check_points(energy: NDArray, x: NDArray, lo: float | NDArray, hi: float | NDArray, x_min: float | NDArray,
                  mx: float | NDArray) -> None:
    """InvalidParameter for energies outside [lo, hi] (the tabulated range) or 0 < x < x_min inside the
    kinematic range (arguments broadcast: a table per point allowed)."""
    low, high = np.asarray(lo), np.asarray(hi)
    if np.any(energy < low * (1 - _E_SLACK)) or np.any(energy > high * (1 + _E_SLACK)):
        raise InvalidParameter(f"energy outside the tabulated range [{np.min(low):g}, {np.max(high):g}] GeV")
    if np.any(np.asarray(x_min) > 0.0):
        a = np.maximum(x_min, mx / energy)
        bad = (x < a) & (x > mx / energy) & (x < np.multiply(x_min, 1 - 1e-12))
        if np.any(bad):
            raise InvalidParameter(f"x below the tabulated x_min = {np.max(np.broadcast_to(x_min, bad.shape)[bad]):g}")


#: Tables per vectorised evaluation of :func:`dsigma_dx_many`: ~16 x 8 energies x 32 x keeps the (points, x nodes)
#: arrays below ~1 MB; measured (100 tables of 3 x 20 nodes, 8 x 32 points each) 64-68 CPU-us per table with 16-32,
#: 77 with 8, 121 with all 100 at once (page faults of the larger temporaries), 135 one table at a time.
_MANY_BLOCK: int = 16


def dsigma_dx_many(spectra: Sequence[ExactSpectrum], energies: Sequence[ArrayLike], x: Sequence[ArrayLike]
                   ) -> list[NDArray[np.float64]]:
    """``spectra[j].dsigma_dx(energies[j][:, None], x[j])`` for every j (energies (n_j,), x (n_j, n_p)), the
    same numbers to rounding, evaluated together: one vectorised interpolation for all tables of the same grid
    size (a reach over many masses: one table per mass)."""
    out: list[NDArray[np.float64]] = [np.zeros(0)] * len(spectra)
    groups: dict[tuple[int, int, int], list[int]] = {}
    es = [np.asarray(e, dtype=float).reshape(-1, 1) for e in energies]
    xs = [np.asarray(v, dtype=float) for v in x]
    for j, spectrum in enumerate(spectra):
        xs[j] = np.broadcast_to(xs[j], np.broadcast_shapes(es[j].shape, xs[j].shape))
        groups.setdefault((spectrum.energies.size, spectrum.n_x, xs[j].shape[1]), []).append(j)
    blocks = [members[i:i + _MANY_BLOCK] for members in groups.values() for i in range(0, len(members), _MANY_BLOCK)]
    for members in blocks:
        counts = [es[j].shape[0] for j in members]
        first = spectra[members[0]]
        table = np.array([[*spectra[j]._params, *spectra[j].energy_range] for j in members])  # (k, 9)
        per_point = np.repeat(table, counts, axis=0)[:, :, None]  # (rows, 9, 1)
        params = _Params(*per_point[:, :7].transpose(1, 0, 2))
        energy = np.concatenate([es[j] for j in members])
        points = np.concatenate([xs[j] for j in members])
        _check_points(energy, points, per_point[:, 7], per_point[:, 8], params.x_min, params.mx)
        matrix = np.repeat(np.stack([spectra[j]._matrix for j in members]), counts, axis=0)
        value, _ = _interpolate(params, matrix, (first._s_nodes, first._s_weights), (first._e_unit, first._e_weights),
                                energy, points)
        for j, part in zip(members, np.split(value, np.cumsum(counts)[:-1])):
            out[j] = part
    return out


def exact_spectrum_direct(kind: str, mass: float, material: Material | str, lepton: str, final_lepton: str | None,
                          energy: float, x: ArrayLike, form_factor: str = "full") -> NDArray[np.float64]:
    """dsigma/dx evaluated directly (no table), for tests and one-off use."""
    proc = make_process(kind, mass, material, lepton, final_lepton, form_factor)
    try:
        return dsigma_dx(proc, energy, x, with_error=False)[0]
    except KinematicallyForbidden:
        return np.zeros(np.shape(x))
