"""Units, declared once.

Inside muonreach energies, masses and momenta are in GeV, lengths in cm and times in s. Multiply a
number by a unit to convert *into* the internal system, divide to convert out of it::

    m = 100 * MeV        # 0.1 (GeV)
    L = 5 * m_unit       # 500.0 (cm)

Conversion constants are CODATA 2018 exact or recommended values (PDG 2024, "Physical constants").
"""

from __future__ import annotations

import math

from .errors import InvalidParameter

# energy (internal unit: GeV)
GeV: float = 1.0
MeV: float = 1e-3
keV: float = 1e-6
eV: float = 1e-9
TeV: float = 1e3

# length (internal unit: cm)
cm: float = 1.0
mm: float = 0.1
m: float = 100.0
km: float = 1e5
fm: float = 1e-13

# time (internal unit: s)
s: float = 1.0
ns: float = 1e-9

# hbar*c = 197.3269804 MeV fm (CODATA 2018, exact given SI definitions)
HBARC_GEV_CM: float = 1.973269804e-14
# hbar = 6.582119569e-25 GeV s (CODATA 2018)
HBAR_GEV_S: float = 6.582119569e-25
# speed of light in cm/s (exact)
C_CM_PER_S: float = 2.99792458e10
# (hbar c)^2 = 0.3893793721 GeV^2 mbarn, i.e. 1 GeV^-2 = 0.3893793721e-27 cm^2
GEV2_TO_CM2: float = 0.3893793721e-27
# cross sections
barn: float = 1e-24  # cm^2
mb: float = 1e-27
pb: float = 1e-36
# 1 g in GeV (for cross sections per mass, cm^2/g): 1 GeV/c^2 = 1.78266192e-24 g
GEV_IN_GRAMS: float = 1.78266192e-24
# Avogadro constant (exact, SI 2019)
AVOGADRO: float = 6.02214076e23


def _checked_width(width_gev: float) -> float:
    """The width as a float; InvalidParameter unless finite and >= 0 (0: a stable particle)."""
    w = float(width_gev)
    if not (math.isfinite(w) and w >= 0.0):
        raise InvalidParameter(f"a total width must be finite and >= 0 GeV, got {width_gev!r}")
    return w


def width_to_ctau_cm(width_gev: float) -> float:
    """c*tau in cm of a particle with total width ``width_gev`` (GeV); inf for a stable particle (width 0)."""
    w = _checked_width(width_gev)
    return math.inf if w == 0.0 else HBARC_GEV_CM / w


def width_to_lifetime_s(width_gev: float) -> float:
    """Proper lifetime in s of a particle with total width ``width_gev`` (GeV); inf for width 0."""
    w = _checked_width(width_gev)
    return math.inf if w == 0.0 else HBAR_GEV_S / w
