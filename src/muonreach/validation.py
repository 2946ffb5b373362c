"""Checks on user input shared by all modules; each raises a specific :mod:`muonreach.errors` error."""

from __future__ import annotations

import math

from .errors import InvalidParameter

#: Largest coupling muonreach accepts: beyond 4 pi perturbation theory has no meaning.
PERTURBATIVE_LIMIT: float = 4.0 * math.pi


def finite(name: str, value: float) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise InvalidParameter(f"{name} must be finite, got {value!r}")
    return x


def positive(name: str, value: float) -> float:
    """A strictly positive finite number (masses, energies, lengths that cannot vanish)."""
    x = finite(name, value)
    if x <= 0.0:
        raise InvalidParameter(f"{name} must be positive, got {x:g}")
    return x


def non_negative(name: str, value: float) -> float:
    """A finite number >= 0 (lengths, optional masses, counts)."""
    x = finite(name, value)
    if x < 0.0:
        raise InvalidParameter(f"{name} must not be negative, got {x:g}")
    return x


def coupling(name: str, value: float) -> float:
    """A coupling constant with |g| <= 4 pi (the perturbative range muonreach accepts)."""
    x = finite(name, value)
    if abs(x) > PERTURBATIVE_LIMIT:
        raise InvalidParameter(
            f"{name} = {x:g} is outside the perturbative range |{name}| <= 4 pi = {PERTURBATIVE_LIMIT:.4g}"
        )
    return x


def fraction(name: str, value: float, *, low: float = 0.0, high: float = 1.0, closed_high: bool = False) -> float:
    """A number in [low, high) (or [low, high] with ``closed_high``)."""
    x = finite(name, value)
    ok = low <= x <= high if closed_high else low <= x < high
    if not ok:
        bracket = "]" if closed_high else ")"
        raise InvalidParameter(f"{name} must be in [{low:g}, {high:g}{bracket}, got {x:g}")
    return x
