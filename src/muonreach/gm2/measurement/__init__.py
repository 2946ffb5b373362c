"""The measurement side of (g-2): omega_a toy spectra and fits (:mod:`.wiggle`), R'_mu to a_mu (:mod:`.assembly`)."""
