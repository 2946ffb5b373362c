"""Two-body kinematics shared by all width formulas."""

from __future__ import annotations

import math


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


def beta_pair(mass: float, m_daughter: float) -> float:
    """Velocity of each daughter of a decay to two equal-mass particles, sqrt(1 - 4 m_d^2 / m^2); 0 if closed."""
    if not is_open(mass, m_daughter, m_daughter):
        return 0.0
    return math.sqrt(1.0 - 4.0 * m_daughter * m_daughter / (mass * mass))
