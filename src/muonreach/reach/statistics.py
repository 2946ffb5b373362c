"""Poisson limits on a signal (the N_CL of a reach contour).

* background free: N_CL = -ln(1 - CL): 3.00 events at 95 % CL (000, 002), 2.30 at 90 % CL;
* with background b and n observed events: the CLs upper limit (Read, J. Phys. G 28 (2002) 2693),
  CLs = P(n' <= n | s + b) / P(n' <= n | b) = 1 - CL, or the classical (Neyman) limit P(n' <= n | s + b) = 1 - CL.
  For a projection without data, n = b (the Asimov data set, P(n' <= n) continued to real n by the
  regularised incomplete gamma function).
"""

from __future__ import annotations

import math

from scipy import optimize, special

from ..errors import ConvergenceError, InvalidParameter
from ..validation import fraction, non_negative


def poisson_cdf(n: float, mu: float) -> float:
    """P(N <= n) for a Poisson mean mu; real n by the regularised upper incomplete gamma function."""
    return float(special.gammaincc(n + 1.0, mu))


def background_free_events(cl: float) -> float:
    """Signal events with P(0 | s) = 1 - CL: -ln(1 - CL)."""
    return -math.log1p(-fraction("cl", cl))


def upper_limit(cl: float, background: float = 0.0, observed: float | None = None, method: str = "cls") -> float:
    """Upper limit on the signal mean at confidence level ``cl``."""
    cl = fraction("cl", cl)
    b = non_negative("background", background)
    n = b if observed is None else non_negative("observed", observed)
    if method not in ("cls", "classical"):
        raise InvalidParameter(f"method must be 'cls' or 'classical', got {method!r}")
    if b == 0.0 and n == 0.0:
        return background_free_events(cl)
    p_b = poisson_cdf(n, b)

    def excess(s: float) -> float:
        p = poisson_cdf(n, s + b)
        return (p / p_b if method == "cls" else p) - (1.0 - cl)

    hi = 10.0 + 10.0 * (n + math.sqrt(n + 1.0))
    if excess(0.0) <= 0.0:
        raise InvalidParameter(f"observed {n:g} events with background {b:g}: the {method} limit is below zero signal")
    try:
        return float(optimize.brentq(excess, 0.0, hi, xtol=1e-10))
    except ValueError as exc:
        raise ConvergenceError(f"Poisson upper limit did not bracket: {exc}") from None
