"""Anomalous magnetic moments: one-loop contributions of new bosons and the measurements they face."""
