"""Exact tree-level l N -> l' N X (one-photon exchange, X radiated off the lepton line): see
:mod:`.amplitudes` (|M|^2 from Dirac traces), :mod:`.phase_space`, :mod:`.integrate` (deterministic rules and
vegas) and :mod:`.tables` (cached dsigma/dx grids for the yield code)."""
