"""Reach: the couplings where an experiment sees at least the signal needed for a limit or a discovery."""
