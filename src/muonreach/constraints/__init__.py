"""Limit curves: existing limits and projections as data (CSV + TOML metadata), with a registry.

``get_limit(name)`` returns a :class:`LimitCurve`; ``list_limits()`` the shipped names; ``limits_for(model,
plane)`` those drawable for a model. Computed bounds ((g-2) bands, relic targets, reach contours) are layers
of ``muonreach.plot``; this package holds only curves that come from elsewhere. Every curve records its
source, confidence level, provenance ('official' or 'digitised') and licence (``data/README.md``).
"""

from __future__ import annotations

from .curve import ANY_MODEL, PLANES, LimitCurve, Plane, Source
from .registry import all_limits, get_limit, limits_for, list_limits

__all__ = ["ANY_MODEL", "PLANES", "LimitCurve", "Plane", "Source", "all_limits", "get_limit", "limits_for", "list_limits"]
