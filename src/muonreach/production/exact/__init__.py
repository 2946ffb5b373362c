"""Exact tree-level l N -> l' N X (one-photon exchange, X radiated off the lepton line): see
:mod:`.amplitudes` (|M|^2 from Dirac traces), :mod:`.phase_space`, :mod:`.integrate` (deterministic rules and
vegas), :mod:`.tables` (cached dsigma/dx grids for the yield code) and :mod:`.api` (the public calls)."""

from .api import dsigma_dx_dcos_exact, dsigma_dx_exact, sigma_exact
from .tables import ExactSpectrum

__all__ = ["ExactSpectrum", "dsigma_dx_dcos_exact", "dsigma_dx_exact", "sigma_exact"]
