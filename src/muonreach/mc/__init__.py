"""Event generation: unweighted l N -> l N X events with decays and per-event selection (``muonreach generate``).

:func:`~muonreach.mc.generate.generate` returns events in memory; :mod:`muonreach.mc.writers` streams them to
Parquet or LHE files.
"""
