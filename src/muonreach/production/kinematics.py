"""Kinematic limits shared by every bremsstrahlung-like production l N -> l' N X (IWW, WW, exact, the yield code).

:func:`emission_threshold`: the lowest beam energy E with a non-empty x = E_X / E window
[max(x_min, m_X / E), 1 - m' / E] (nucleus recoil neglected; it lowers the end point by O(m'^2 m_X^2 / (M E^2))).
The window is non-empty iff m_X / E < 1 - m' / E (E > m_X + m') and x_min < 1 - m' / E (E > m' / (1 - x_min)); a cut
x_min below m_X / E does not cut at all, so there is no m_X / x_min term.
"""

from __future__ import annotations


def emission_threshold(m_x: float, m_final: float, x_min: float = 0.0) -> float:
    """Lowest beam energy (GeV) with phase space for x >= ``x_min`` (0 <= x_min < 1), boson mass ``m_x`` and
    outgoing-lepton energy floor ``m_final`` (its mass, or a selection's lowest energy): max(m_X + m', m'/(1 - x_min)).
    Exact in the infinite-nucleus-mass limit (module docstring)."""
    return max(m_x + m_final, m_final / (1.0 - x_min))
