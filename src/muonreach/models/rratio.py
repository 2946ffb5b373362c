"""Data-driven hadronic R ratio, R(sqrt s) = sigma(e+e- -> hadrons) / sigma_pt(e+e- -> mu+mu-).

Two tables shipped in ``muonreach/data/rratio`` (origin, licence and checksums in its README.md) are joined:

* sqrt(s) < :data:`SWITCH_GEV` = 1.60 GeV: the smooth R built by GAMBIT from the DarkCast vector-meson-dominance
  fits (Ilten, Soreq, Williams, Xue, arXiv:1801.04847, Fig. 1), file ``darkcast_hadronicrpp.dat``
  (0.2818-28.18 GeV). It resolves the rho, omega and phi peaks, but above 2.00 GeV it is the constant 2.1801
  (no charm threshold), and between 1.65 and 1.85 GeV it lies up to 12% above the measurements.
* 1.60 GeV <= sqrt(s) <= 38.38 GeV (last point below :data:`CUTOFF_GEV` = 40 GeV): the PDG 2020
  compilation of measured R, file ``rpp2020-hadronicrpp_page1001_removed-duplicates.dat`` (GAMBIT's copy of
  PDG ``rpp2020-hadronicrpp_page1001.dat``). The two tables cross at 1.60 GeV (2.386 vs 2.380), so the join is
  continuous to 0.3%. The PDG points scatter by ~5% point to point (measurement noise, kept as is); narrow
  resonances (J/psi, psi(2S), Upsilon(1S-3S)) are not in the compilation and are therefore not in R.
* Above 40 GeV the measured R contains Z exchange (+3% at 40 GeV, +10% at 50 GeV, about x900 at the Z pole;
  tree-level estimate) and no longer describes a photon-like current: :func:`r_ratio` raises DataRangeError.
* Below the first VMD point (0.2818 GeV, just above 2 m_pi = 0.2791 GeV) R = 0. This is exact for every
  hadronic final state except pi0 gamma (open above m_pi0). pi0 gamma is neglected below 2 m_pi, where a rough
  VMD estimate from the omega tail gives R ~ 1e-5, negligible next to the leptonic channels.

Interpolation is linear in sqrt(s) between tabulated points (as in GAMBIT's ``virtual_photon.cpp``).
R is normalised to the point cross section 4 pi alpha^2 / (3 s) (PDG definition).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from io import StringIO
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import DataRangeError, SpecError
from ..validation import non_negative
from .kinematics import scalar_or_array

VMD_FILE = "darkcast_hadronicrpp.dat"
PDG_FILE = "rpp2020-hadronicrpp_page1001_removed-duplicates.dat"
#: Below this sqrt(s) (GeV) the DarkCast VMD table is used, at and above it the PDG measurements.
SWITCH_GEV: float = 1.60
#: PDG points above this sqrt(s) (GeV) are dropped: Z exchange contaminates them.
CUTOFF_GEV: float = 40.0


def _load(name: str) -> np.ndarray:
    text = (resources.files("muonreach") / "data" / "rratio" / name).read_text(encoding="utf-8")
    data = np.loadtxt(StringIO(text), comments="*", ndmin=2)
    if data.shape[1] != 2 or not np.all(np.diff(data[:, 0]) > 0.0):
        raise SpecError(f"R-ratio table {name} must have two columns with increasing sqrt(s)")
    return data


@cache
def table() -> tuple[np.ndarray, np.ndarray]:
    """The joined table (sqrt(s) in GeV, R), read-only arrays."""
    vmd, pdg = _load(VMD_FILE), _load(PDG_FILE)
    low = vmd[vmd[:, 0] < SWITCH_GEV]
    high = pdg[(pdg[:, 0] >= SWITCH_GEV) & (pdg[:, 0] <= CUTOFF_GEV)]
    joined = np.vstack([low, high])
    x, r = joined[:, 0].copy(), joined[:, 1].copy()
    x.flags.writeable = r.flags.writeable = False
    return x, r


def sqrt_s_range() -> tuple[float, float]:
    """First and last tabulated sqrt(s) in GeV (R = 0 below the first, DataRangeError above the last)."""
    x, _ = table()
    return float(x[0]), float(x[-1])


def r_values(sqrt_s: np.ndarray) -> np.ndarray:
    """Vectorised R for sqrt(s) >= 0 (GeV), 0 below the table; the caller keeps sqrt(s) within range."""
    x, r = table()
    return np.interp(sqrt_s, x, r, left=0.0, right=float(r[-1]))


def r_ratio(sqrt_s: ArrayLike) -> Any:
    """R(sqrt s) from the joined VMD + PDG table (see module docstring); sqrt_s in GeV, elementwise on arrays
    (a float for a float). InvalidParameter for a negative or non-finite sqrt(s), DataRangeError above the table."""
    e = np.asarray(sqrt_s, dtype=float)
    bad = ~(np.isfinite(e) & (e >= 0.0))
    if np.any(bad):
        non_negative("sqrt_s", float(e[bad].flat[0]) if e.ndim else float(e))  # raises, with the one-line message
    low, high = sqrt_s_range()
    if np.any(e > high):
        raise DataRangeError(f"R ratio is tabulated for sqrt(s) <= {high:g} GeV (from {low:g} GeV), got "
                             f"{float(e.max()):g} GeV")
    return scalar_or_array(r_values(e))
