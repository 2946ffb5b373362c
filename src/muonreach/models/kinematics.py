"""Kinematics shared by the width formulas (scalar two-body functions) and by the event generator and phase-space
integrals (array functions on four-momenta (E, px, py, pz) in GeV, shape (n, 4))."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def scalar_or_array(x: Any) -> Any:
    """A Python float for a 0-d result (widths of a model built at one mass), else the array unchanged."""
    return float(x) if np.ndim(x) == 0 else x


def kallen(a: float, b: float, c: float) -> float:
    """Kallen function lambda(a, b, c) = a^2 + b^2 + c^2 - 2ab - 2ac - 2bc."""
    return a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)


def is_open(mass: float, *daughters: float) -> bool:
    """True if a particle of ``mass`` can decay to daughters of the given masses."""
    return mass > sum(daughters)


def momentum(mass: float, m1: float, m2: float) -> float:
    """Momentum of either daughter in the rest frame of a decaying particle (GeV); 0 below threshold."""
    if not is_open(mass, m1, m2):
        return 0.0
    lam = kallen(mass * mass, m1 * m1, m2 * m2)
    return math.sqrt(max(lam, 0.0)) / (2.0 * mass)


def beta_pair(mass: ArrayLike, m_daughter: ArrayLike) -> Any:
    """Velocity of each daughter of a decay to two equal-mass particles, sqrt(1 - 4 m_d^2 / m^2); 0 if closed.

    Elementwise on arrays (a float for floats): 1 - 4 m_d^2/m^2 <= 0 exactly when the channel is closed."""
    return np.sqrt(np.maximum(1.0 - 4.0 * np.multiply(m_daughter, m_daughter) / np.multiply(mass, mass), 0.0))


def two_body_momentum(mass: ArrayLike, m1: ArrayLike, m2: ArrayLike) -> NDArray[np.float64]:
    """:func:`momentum` on arrays: sqrt(lambda(M^2, m1^2, m2^2))/(2 M), 0 at and below threshold (M <= m1 + m2;
    lambda is also positive for M < |m1 - m2|, which is closed too)."""
    mass, m1, m2 = (np.asarray(v, dtype=float) for v in (mass, m1, m2))
    p = np.sqrt(np.maximum(kallen(mass * mass, m1 * m1, m2 * m2), 0.0)) / (2.0 * mass)
    return np.where(mass > m1 + m2, p, 0.0)


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
