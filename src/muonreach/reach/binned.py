"""Sensitivity statistics of a binned missing-mass search (1902.07715 eq. (11), footnote 3 and App. C).

* Binned Poisson likelihood ratio with the Asimov data set D_i = B_i (background-only expectation, S-hat = 0):
  Lambda(S) = sum_i -2 ln[L_i(S)/L_i(0)] = 2 sum_i [S eps_i - B_i ln(1 + S eps_i/B_i)] (derived from footnote 3 with
  L_i = (S eps_i + B_i)^D_i exp(-(S eps_i + B_i))/D_i!), eps_i the signal fraction in bin i. "2 sigma" is
  Lambda = 4 (ASSUMPTION of the notes, S28: the paper does not print the threshold).
* Cut-and-count: S/sqrt(B + kappa^2 B^2) = 2 with kappa = sigma_sys/B (1902.07715 lines 2348-2355).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from ..errors import InvalidParameter


def asimov_lambda(signal: NDArray[np.float64], background: NDArray[np.float64]) -> float:
    """Lambda(S) = 2 sum_i [S_i - B_i ln(1 + S_i/B_i)] for signal and background events per bin (B_i > 0)."""
    s, b = np.asarray(signal, dtype=float), np.asarray(background, dtype=float)
    if s.shape != b.shape:
        raise InvalidParameter(f"signal and background need the same bins, got {s.shape} and {b.shape}")
    if np.any(b <= 0.0) or np.any(s < 0.0):
        raise InvalidParameter("the Asimov likelihood needs B_i > 0 and S_i >= 0 in every bin")
    return float(2.0 * np.sum(s - b * np.log1p(s / b)))


def signal_for_lambda(shape: NDArray[np.float64], background: NDArray[np.float64], target: float = 4.0) -> float:
    """Total signal S with Lambda(S eps) = target for the signal fractions ``shape`` (normalised here)."""
    eps = np.asarray(shape, dtype=float)
    if np.any(eps < 0.0) or not eps.sum() > 0.0:
        raise InvalidParameter("the signal shape must be non-negative with a positive sum")
    eps = eps / eps.sum()
    hi = 1.0
    while asimov_lambda(hi * eps, background) < target:
        hi *= 10.0
        if hi > 1e30:
            raise InvalidParameter("no finite signal reaches the requested likelihood ratio")
    return float(brentq(lambda s: asimov_lambda(s * eps, background) - target, 0.0, hi, rtol=1e-10))


def cut_and_count_signal(background: float, kappa: float = 0.0, n_sigma: float = 2.0) -> float:
    """S with S/sqrt(B + kappa^2 B^2) = n_sigma (B > 0 events in the window, kappa = sigma_sys/B >= 0)."""
    if not background > 0.0 or kappa < 0.0 or not n_sigma > 0.0:
        raise InvalidParameter(f"cut-and-count needs B > 0, kappa >= 0, n_sigma > 0 (got {background}, {kappa}, {n_sigma})")
    return n_sigma * math.sqrt(background + (kappa * background) ** 2)
