"""The public entry points of the exact tree-level cross section l N -> l' N X (for commands, experiments and
other packages' code, e.g. electron-beam e -> mu conversion): one call each for dsigma/dx (tabulated and cached,
or direct), d^2sigma/(dx dcos theta_X) and sigma(x > x_min) with its numerical uncertainty.

Conventions of every function here: GeV and GeV^-2, cross sections per formula unit of ``material`` (per nucleus
for an element), coupling 1 (the rate scales as g^2; for the chiral e-mu scalar of 001 eq. (2), -h ebar_L mu_R
phi + h.c., g = h); ``kind`` "scalar", "pseudoscalar" or "vector"; ``lepton`` the beam lepton and
``final_lepton`` the outgoing one ("e" or "mu"; a different final lepton selects the flavour-changing chiral
scalar, kind "scalar" only); ``form_factor`` "full" (elastic + inelastic G2 of 002 App. A), "elastic" or "point".
"""

from __future__ import annotations

import math
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...errors import ConvergenceError, InvalidParameter
from ...materials import Material
from .integrate import DSIGMA_RTOL, make_process, sigma_quadrature, sigma_vegas
from .integrate import dsigma_dx as _dsigma_dx_direct
from .integrate import dsigma_dx_dcos as _dsigma_dx_dcos
from .tables import ACCURACY, ExactSpectrum

__all__ = ["dsigma_dx_dcos_exact", "dsigma_dx_exact", "sigma_exact"]

METHODS: tuple[str, ...] = ("quadrature", "vegas")


@overload
def dsigma_dx_exact(kind: str, energy: ArrayLike, x: ArrayLike, material: Material | str, mass: float, *,
                    lepton: str = ..., final_lepton: str | None = ..., form_factor: str = ..., x_min: float = ...,
                    tabulated: bool = ..., with_error: Literal[False] = ..., rtol: float = ...) -> NDArray[np.float64]: ...
@overload
def dsigma_dx_exact(kind: str, energy: ArrayLike, x: ArrayLike, material: Material | str, mass: float, *,
                    lepton: str = ..., final_lepton: str | None = ..., form_factor: str = ..., x_min: float = ...,
                    tabulated: bool = ..., with_error: Literal[True], rtol: float = ...
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def dsigma_dx_exact(kind: str, energy: ArrayLike, x: ArrayLike, material: Material | str, mass: float, *,
                    lepton: str = "mu", final_lepton: str | None = None, form_factor: str = "full",
                    x_min: float = 0.0, tabulated: bool = True, with_error: bool = False,
                    rtol: float = DSIGMA_RTOL) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exact dsigma/dx (GeV^-2 per formula unit, coupling 1) at beam energies ``energy`` and ``x`` = E_X / E
    (broadcast). ``tabulated``: interpolate a table over [min E, max E] and x >= ``x_min`` that is computed once
    and cached on disk (:class:`.tables.ExactSpectrum`, accuracy stated there; ``x_min`` only has to lie at or
    below the x values asked for); otherwise evaluate each point directly (a few ms per point). Zero outside
    m_X/E < x < x_end(E), in particular at energies at or below the threshold for x >= ``x_min``
    (:meth:`.integrate.Process.threshold`); KinematicallyForbidden if no energy is above it.

    ``with_error``: also return the numerical uncertainty. Direct: |fine - coarse| of the nested rule at each
    point (:mod:`.integrate`). Tabulated: value x (the table's largest node error + the stated interpolation
    accuracy :data:`.tables.ACCURACY`, a tested bound rather than an estimate). ConvergenceError if the estimate
    exceeds ``rtol`` relative (direct: at any point; tabulated: the tables refuse nodes above
    :data:`.tables.NODE_RTOL`, and ``rtol`` below the table's own error raises)."""
    _check_rtol(rtol)
    e, xa = np.broadcast_arrays(np.asarray(energy, dtype=float), np.asarray(x, dtype=float))
    if e.size == 0:
        return (np.zeros(e.shape), np.zeros(e.shape)) if with_error else np.zeros(e.shape)
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(xa))):
        raise InvalidParameter("energies and x must be finite")
    proc = make_process(kind, mass, material, lepton, final_lepton, form_factor)
    _check_x_min(x_min)
    above = e > proc.threshold(x_min)
    if not np.any(above):  # raises with the threshold in the message
        proc.check_energy(float(e.max()), x_min)
    out, err = np.zeros(e.shape), np.zeros(e.shape)
    if tabulated:
        spectrum = ExactSpectrum(kind, mass, material, lepton, final_lepton,
                                 energy_range=(float(e[above].min()), float(e[above].max())), x_min=x_min,
                                 form_factor=form_factor)
        relative = spectrum.node_error + ACCURACY
        if relative > rtol:
            raise ConvergenceError(f"tabulated exact dsigma/dx: error bound {relative:.2g} relative (node error "
                                   f"{spectrum.node_error:.2g} + interpolation {ACCURACY:g}) exceeds rtol = {rtol:g}; "
                                   "use tabulated=False for a direct evaluation")
        out[above] = spectrum.dsigma_dx(e[above], xa[above])
        err = relative * out
    else:
        for value in np.unique(e[above]):
            sel = e == value
            out[sel], err[sel] = _dsigma_dx_direct(proc, float(value), xa[sel], rtol=rtol)
    return (out, err) if with_error else out


def _check_x_min(x_min: float) -> None:
    if not (math.isfinite(x_min) and 0.0 <= x_min < 1.0):
        raise InvalidParameter(f"x_min must be in [0, 1), got {x_min!r}")


def _check_rtol(rtol: float) -> None:
    if not (math.isfinite(rtol) and rtol > 0.0):
        raise InvalidParameter(f"rtol must be positive, got {rtol!r}")


def dsigma_dx_dcos_exact(kind: str, energy: float, x: ArrayLike, theta: ArrayLike, material: Material | str,
                         mass: float, *, lepton: str = "mu", final_lepton: str | None = None,
                         form_factor: str = "full") -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """d^2sigma/(dx dcos theta_X) (GeV^-2 per formula unit, coupling 1) at ``x`` and the lab angle ``theta``
    (radians) of X, with its numerical uncertainty; see :func:`.integrate.dsigma_dx_dcos`."""
    proc = make_process(kind, mass, material, lepton, final_lepton, form_factor)
    return _dsigma_dx_dcos(proc, energy, x, theta)


def sigma_exact(kind: str, energy: float, material: Material | str, mass: float, *, x_min: float = 0.0,
                lepton: str = "mu", final_lepton: str | None = None, form_factor: str = "full",
                method: str = "quadrature", rtol: float = 3e-3, seed: int = 1) -> tuple[float, float]:
    """(sigma(x > x_min), its numerical uncertainty) in GeV^-2 per formula unit, coupling 1. ``method``
    "quadrature" (deterministic nested Gauss-Legendre, error = rule differences, x segments doubled until the
    error is below ``rtol`` relative, ~0.3-0.5 s) or "vegas" (adaptive Monte Carlo to relative accuracy ``rtol``
    with a fixed ``seed``, error = statistical, 1 sigma). ConvergenceError if ``rtol`` is not reached."""
    if method not in METHODS:
        raise InvalidParameter(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    _check_rtol(rtol)
    _check_x_min(x_min)
    proc = make_process(kind, mass, material, lepton, final_lepton, form_factor)
    if method == "quadrature":
        return sigma_quadrature(proc, energy, x_min, rtol=rtol)
    result = sigma_vegas(proc, energy, x_min, rtol=rtol, seed=seed)
    return result.value, result.error
