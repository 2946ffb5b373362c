"""Sensitivity statistics of a binned missing-mass search (1902.07715 eq. (11), footnote 3 and App. C).

* Binned Poisson likelihood ratio with the Asimov data set D_i = B_i (background-only expectation, S-hat = 0):
  Lambda(S) = sum_i -2 ln[L_i(S)/L_i(0)] = 2 sum_i [S eps_i - B_i ln(1 + S eps_i/B_i)] (derived from footnote 3 with
  L_i = (S eps_i + B_i)^D_i exp(-(S eps_i + B_i))/D_i!), eps_i the signal fraction in bin i. "2 sigma" is
  Lambda = 4 (ASSUMPTION of the notes, S28: the paper does not print the threshold).
* Cut-and-count: S/sqrt(B + kappa^2 B^2) = 2 with kappa = sigma_sys/B (1902.07715 lines 2348-2355).

An experiment with ``[statistics] statistic = "asimov" | "cut_and_count"`` and a ``background_model`` gets its
analysis bins from :func:`search_bins` and its criterion from :func:`binned_test`; ``reach.contour`` solves
statistic(g) = threshold with the signal per bin of ``EventCalculator.binned_events`` (docs/meson_decays.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

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
    from scipy.optimize import brentq  # lazily: the module is imported by quick commands (list experiments)

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


# --- the binned search of an experiment (``[statistics] statistic = asimov | cut_and_count``) ----------------------

#: Tolerance (GeV^2) when comparing the missing-mass window with bin edges given to a few digits.
EDGE_TOL = 1e-9


@dataclass(frozen=True)
class SearchBins:
    """The analysis bins of a binned m_miss^2 search: the background file's bins that overlap the experiment's
    window [m_miss2_min, m_miss2_max], clipped to it (``lo``, ``hi``), and the expected background events in each
    (the file's count times the covered fraction of the bin: flat within a bin, ASSUMPTION for clipped bins)."""

    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    background: NDArray[np.float64]
    source: str

    def index(self, x: NDArray[np.float64]) -> NDArray[np.int64]:
        """Bin of each value of the observable (-1 outside the bins)."""
        x = np.asarray(x, dtype=float)
        i = np.searchsorted(self.hi, x, side="left")
        inside = (i < self.hi.size) & (x >= self.lo[np.minimum(i, self.hi.size - 1)] - EDGE_TOL)
        return np.where(inside, i, -1)


def search_bins(exp) -> SearchBins:
    """The :class:`SearchBins` of ``exp`` (its background_model, gtk, meson_decays and window): SpecError for a bad
    file, InvalidParameter when the bins do not cover the window."""
    from ..experiments.background import load_background

    bkg = load_background(exp.background_model)
    lo_w, hi_w = exp.m_miss2_min, exp.m_miss2_max
    if bkg.edges[0] > lo_w + EDGE_TOL or bkg.edges[-1] < hi_w - EDGE_TOL:
        raise InvalidParameter(f"{exp.name}: background {bkg.name!r} covers m_miss^2 in [{bkg.edges[0]:g}, {bkg.edges[-1]:g}] "
                               f"GeV^2, not the whole window [{lo_w:g}, {hi_w:g}] GeV^2")
    counts = bkg.counts(exp.particles_on_target, gtk=exp.gtk)
    lo = np.maximum(bkg.edges[:-1], lo_w)
    hi = np.minimum(bkg.edges[1:], hi_w)
    keep = hi - lo > EDGE_TOL
    frac = (hi - lo) / np.diff(bkg.edges)
    background = (counts * frac)[keep]
    if np.any(background <= 0.0):
        raise InvalidParameter(f"{exp.name}: background {bkg.name!r} has empty bins in the window: the binned statistics "
                               "need B > 0 in every bin")
    return SearchBins(lo[keep], hi[keep], background, f"{bkg.name} ({bkg.source})")


@dataclass(frozen=True)
class BinnedTest:
    """The reach criterion of a binned search: a statistic of the signal events per bin and its threshold.

    * ``asimov``: Lambda (eq. (11), :func:`asimov_lambda`) >= n_sigma^2;
    * ``cut_and_count``: max over the lower cuts c (bin edges) of S(>= c)/sqrt(B(>= c) + kappa^2 B(>= c)^2) >=
      n_sigma, the cut "optimized for each value of m_X" of 1902.07715 App. C (always above m_miss2_min, the window's
      lower end)."""

    method: str
    bins: SearchBins
    n_sigma: float
    kappa: float = 0.0

    @property
    def threshold(self) -> float:
        return self.n_sigma**2 if self.method == "asimov" else self.n_sigma

    @property
    def label(self) -> str:
        if self.method == "asimov":
            return f"Asimov Lambda >= {self.threshold:g}"
        return f"cut-and-count S/sqrt(B + kappa^2 B^2) >= {self.n_sigma:g}, kappa = {self.kappa:g}"

    def _sigma_above(self) -> NDArray[np.float64]:
        b = np.cumsum(self.bins.background[::-1])[::-1]  # B above each lower cut
        return np.sqrt(b + (self.kappa * b) ** 2)

    def statistic(self, signal: NDArray[np.float64]) -> NDArray[np.float64]:
        """The statistic for signal events per bin, shape (..., n_bins) -> (...)."""
        s = np.asarray(signal, dtype=float)
        if self.method == "asimov":
            b = self.bins.background
            return 2.0 * np.sum(s - b * np.log1p(s / b), axis=-1)
        above = np.cumsum(s[..., ::-1], axis=-1)[..., ::-1]
        return np.max(above / self._sigma_above(), axis=-1)

    def events_needed(self, shape: NDArray[np.float64]) -> float:
        """Total signal events (in the window) reaching the threshold with the per-bin distribution ``shape``."""
        eps = np.asarray(shape, dtype=float)
        if np.any(eps < 0.0) or not eps.sum() > 0.0:
            raise InvalidParameter("the signal has no events in the search bins")
        if self.method == "asimov":
            return signal_for_lambda(eps, self.bins.background, self.threshold)
        return float(self.threshold / self.statistic(eps / eps.sum()))


def binned_test(exp) -> BinnedTest | None:
    """The binned criterion of ``exp``, or None for ``statistic = count``."""
    if exp.statistic == "count":
        return None
    return BinnedTest(exp.statistic, search_bins(exp), exp.n_sigma, exp.kappa)
