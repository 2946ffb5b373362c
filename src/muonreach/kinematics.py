"""Relativistic kinematics shared by the event generator and the phase-space integrals (four-momenta (E, px, py, pz)
in GeV, arrays of shape (n, 4))."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["boost", "two_body_momentum"]


def two_body_momentum(mass: ArrayLike, m1: ArrayLike, m2: ArrayLike) -> NDArray[np.float64]:
    """Daughter momentum in the rest frame of a parent of mass ``mass`` decaying to m1 + m2: sqrt(lambda)/(2 M);
    0 at and below threshold."""
    mass, m1, m2 = (np.asarray(v, dtype=float) for v in (mass, m1, m2))
    lam = (mass * mass - (m1 + m2) ** 2) * (mass * mass - (m1 - m2) ** 2)
    return np.sqrt(np.maximum(lam, 0.0)) / (2.0 * mass)


def boost(rest: NDArray, parent: NDArray, mass: ArrayLike) -> NDArray:
    """Boost four-momenta ``rest`` from the rest frame of ``parent`` (mass ``mass``, scalar or (n,)) to the frame
    in which ``parent`` is given (a pure boost along the parent's momentum)."""
    beta = parent[:, 1:] / parent[:, :1]
    gamma = parent[:, 0] / np.asarray(mass, dtype=float)
    bp = np.einsum("ij,ij->i", beta, rest[:, 1:])
    b2 = np.einsum("ij,ij->i", beta, beta)
    factor = np.divide(gamma - 1.0, b2, out=np.zeros_like(b2), where=b2 > 0.0)
    energy = gamma * (rest[:, 0] + bp)
    space = rest[:, 1:] + ((factor * bp + gamma * rest[:, 0])[:, None]) * beta
    return np.concatenate([energy[:, None], space], axis=1)
