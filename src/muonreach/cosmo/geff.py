"""Effective numbers of relativistic degrees of freedom of the Standard-Model plasma, g_eff(T) and h_eff(T).

Data: the Saikawa-Shirai 2018 equation of state (K. Saikawa and S. Shirai, JCAP 05 (2018) 035,
arXiv:1803.01038), shipped as ``muonreach/data/geff/g_star_SaikawaShirai2018.dat`` (a verbatim copy of the
file distributed with PTArcade, MIT licence; origin, format and checksum in that folder's README.md).
10 000 rows, equally spaced in ln T (step 0.52 %), T = 1.995e-6 ... 9.97e16 GeV; columns
T [GeV], g_eff (energy density, "g_*rho"), its error, h_eff (entropy density, "g_*s"), its error.

Definitions (energy and entropy densities of the plasma):

    rho = (pi^2/30) g_eff(T) T^4,        s = (2 pi^2/45) h_eff(T) T^3.

Interpolation: monotone cubic (PCHIP) in ln T of ln g_eff, ln h_eff and of g_*^{1/2} tabulated on the grid.
On a grid this fine linear and cubic interpolation differ by < 1e-5; PCHIP is used because it is C^1 (the
ODE solver of :mod:`muonreach.cosmo.freezeout` then sees no kink at every table row) and does not overshoot
at the few rows where the table itself has a kink.

Known features of the table (they are in the data, not in the interpolation):

* at T = 0.1198-0.1205 GeV h_eff rises by 1.6 % within one row (19.10 -> 19.41): the table is not smooth
  there, so d ln h_eff / d ln T spikes from 0.64 to 1.95 over two rows;
* at T = 135.5 GeV and 145.8 GeV h_eff dips by 0.2 % within one row.

These enter g_*^{1/2} as narrow spikes whose integral is the small step of ln h_eff; a relic-density curve
integrates over them and stays smooth (see tests/test_freezeout.py).

Outside [T_min, T_max] of the table every function raises :class:`~muonreach.errors.DataRangeError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import StringIO
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import PchipInterpolator

from ..errors import DataRangeError, InvalidParameter, SpecError

DEFAULT_FILE = "g_star_SaikawaShirai2018.dat"


@dataclass(frozen=True, eq=False)
class DofTable:
    """A g_eff(T), h_eff(T) table with interpolation in ln T (see the module docstring)."""

    name: str
    temperature: NDArray[np.float64]  # GeV, increasing
    g_eff_values: NDArray[np.float64]
    h_eff_values: NDArray[np.float64]

    @property
    def t_min(self) -> float:
        return float(self.temperature[0])

    @property
    def t_max(self) -> float:
        return float(self.temperature[-1])

    # --- interpolants, built once per table -------------------------------------------------------------
    @property
    def _interp(self) -> tuple[PchipInterpolator, PchipInterpolator, PchipInterpolator, PchipInterpolator]:
        cached = self.__dict__.get("_cached_interp")
        if cached is None:
            lt = np.log(self.temperature)
            lg = np.log(self.g_eff_values)
            lh = np.log(self.h_eff_values)
            dlnh = np.gradient(lh, lt)  # second-order centred differences on the table grid
            gstar = self.h_eff_values / np.sqrt(self.g_eff_values) * (1.0 + dlnh / 3.0)
            cached = (
                PchipInterpolator(lt, lg, extrapolate=False),
                PchipInterpolator(lt, lh, extrapolate=False),
                PchipInterpolator(lt, dlnh, extrapolate=False),
                PchipInterpolator(lt, gstar, extrapolate=False),
            )
            object.__setattr__(self, "_cached_interp", cached)
        return cached

    def _log_t(self, temperature: ArrayLike) -> NDArray[np.float64]:
        t = np.asarray(temperature, dtype=float)
        if not np.all(np.isfinite(t)) or np.any(t <= 0.0):
            raise InvalidParameter("temperature must be positive and finite")
        lo, hi = float(np.min(t)), float(np.max(t))
        # half a part in 1e12 of slack so that the table's own end points are accepted after float round-off
        if lo < self.t_min * (1.0 - 1e-12) or hi > self.t_max * (1.0 + 1e-12):
            bad = lo if lo < self.t_min * (1.0 - 1e-12) else hi
            raise DataRangeError(
                f"T = {bad:.4g} GeV is outside the {self.name} table ({self.t_min:.4g} - {self.t_max:.4g} GeV)"
            )
        return np.clip(np.log(t), np.log(self.t_min), np.log(self.t_max))

    def g_eff(self, temperature: ArrayLike) -> NDArray[np.float64] | float:
        """g_eff(T): energy-density degrees of freedom, rho = (pi^2/30) g_eff T^4. T in GeV."""
        return _shape(np.exp(self._interp[0](self._log_t(temperature))), temperature)

    def h_eff(self, temperature: ArrayLike) -> NDArray[np.float64] | float:
        """h_eff(T): entropy-density degrees of freedom, s = (2 pi^2/45) h_eff T^3. T in GeV."""
        return _shape(np.exp(self._interp[1](self._log_t(temperature))), temperature)

    def dln_h_dln_t(self, temperature: ArrayLike) -> NDArray[np.float64] | float:
        """d ln h_eff / d ln T (centred differences on the table grid, interpolated)."""
        return _shape(self._interp[2](self._log_t(temperature)), temperature)

    def g_star_sqrt(self, temperature: ArrayLike) -> NDArray[np.float64] | float:
        """g_*^{1/2}(T) = h_eff / sqrt(g_eff) * (1 + (1/3) d ln h_eff / d ln T).

        The combination that multiplies the collision term of the Boltzmann equation for Y = n/s in x = m/T
        (P. Gondolo, G. Gelmini, Nucl. Phys. B360 (1991) 145, Sec. 2; J. Edsjo, P. Gondolo, Phys. Rev. D 56
        (1997) 1879, arXiv:hep-ph/9704361, Sec. 2). It follows from H = sqrt(8 pi rho / 3) / M_Pl and entropy
        conservation, d ln s / d ln T = 3 (1 + (1/3) d ln h_eff / d ln T). Valid in radiation domination with
        the SM plasma in equilibrium, for T inside the table.
        """
        return _shape(self._interp[3](self._log_t(temperature)), temperature)

    def entropy_density(self, temperature: ArrayLike) -> NDArray[np.float64] | float:
        """s(T) = (2 pi^2/45) h_eff(T) T^3 in GeV^3 (standard definition, e.g. Kolb & Turner 1990 eq. (3.73))."""
        t = np.asarray(temperature, dtype=float)
        return _shape(2.0 * np.pi**2 / 45.0 * np.asarray(self.h_eff(t)) * t**3, temperature)


def _shape(values: NDArray[np.float64], like: ArrayLike) -> NDArray[np.float64] | float:
    return float(values) if np.ndim(like) == 0 else values


def _parse(text: str, name: str) -> DofTable:
    try:
        data = np.loadtxt(StringIO(text), comments="#", ndmin=2)
    except ValueError as exc:
        raise SpecError(f"g_eff table {name}: cannot be read as numbers ({exc})") from None
    if data.shape[1] not in (3, 5):
        raise SpecError(f"g_eff table {name}: expected 5 columns (T g_eff err h_eff err) or 3 (T g_eff h_eff)")
    t = data[:, 0]
    g, h = (data[:, 1], data[:, 3]) if data.shape[1] == 5 else (data[:, 1], data[:, 2])
    if not (np.all(np.diff(t) > 0.0) and t[0] > 0.0):
        raise SpecError(f"g_eff table {name}: temperatures must be positive and strictly increasing")
    if not (np.all(g > 0.0) and np.all(h > 0.0) and np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
        raise SpecError(f"g_eff table {name}: g_eff and h_eff must be positive and finite")
    for a in (t, g, h):
        a.flags.writeable = False
    return DofTable(name=name, temperature=t, g_eff_values=g, h_eff_values=h)


@cache
def default_table() -> DofTable:
    """The shipped Saikawa-Shirai 2018 table (read once)."""
    text = (resources.files("muonreach") / "data" / "geff" / DEFAULT_FILE).read_text(encoding="utf-8")
    return _parse(text, "Saikawa-Shirai 2018")


def load_table(path: str | Path) -> DofTable:
    """A user table in the shipped format (5 columns: T[GeV] g_eff err h_eff err; '#' comments) or with
    3 columns T[GeV] g_eff h_eff."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read g_eff table {p}: {exc.strerror}") from None
    return _parse(text, p.name)


# Module-level shortcuts on the default table.
def g_eff(temperature: ArrayLike) -> NDArray[np.float64] | float:
    """g_eff(T) of the default (Saikawa-Shirai 2018) table; T in GeV."""
    return default_table().g_eff(temperature)


def h_eff(temperature: ArrayLike) -> NDArray[np.float64] | float:
    """h_eff(T) of the default (Saikawa-Shirai 2018) table; T in GeV."""
    return default_table().h_eff(temperature)


def g_star_sqrt(temperature: ArrayLike) -> NDArray[np.float64] | float:
    """g_*^{1/2}(T) of the default table (see :meth:`DofTable.g_star_sqrt`); T in GeV."""
    return default_table().g_star_sqrt(temperature)


def entropy_density(temperature: ArrayLike) -> NDArray[np.float64] | float:
    """SM entropy density s(T) in GeV^3 from the default table; T in GeV."""
    return default_table().entropy_density(temperature)
