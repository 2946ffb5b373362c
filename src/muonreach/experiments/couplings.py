"""How production and decays depend on the scanned coupling g of a model, at one mass.

Production scales as g_prod(g)^2 and the lab decay length as 1/Gamma(g). Both are found from the model itself:

* the fast path (DESIGN.md: "production scales as g^2 and lifetime as 1/g^2"), generalised: g_prod is checked
  to be affine in g (g_prod = a + b g: e.g. the muon coupling g_mu - eps e of a muon vector with kinetic mixing)
  and every partial width to be quadratic, Gamma_c = a_c + b_c g + c_c g^2 (a fixed dark width, interference
  of g with a fixed coupling in a loop or a mixed coupling ...), each verified at an extra coupling to 1e-7 and,
  as the fits are then used up to g_max, again at a large coupling (g_max/10, to 1e-6: a g^4 term 1e-3 of the g^2
  one, invisible at g ~ 1e-3, is 1e-3 there);
* otherwise the model is rebuilt at every coupling asked for (exact, slower); :attr:`CouplingDependence.exact_reason`
  says why.

Couplings beyond the model's validity (|g| <= 4 pi, or less when the model derives larger couplings from g,
e.g. g_tau = 16.8 g_mu) are refused; :attr:`CouplingDependence.g_max` is the largest valid one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameter
from ..models.base import Mediator
from ..models.registry import ModelSpec
from ..validation import PERTURBATIVE_LIMIT

#: Reference coupling at which the model is probed.
G_REF: float = 1e-3
_PROBES: tuple[float, ...] = (0.5, 1.0, 2.0, 3.0)  # multiples of G_REF; the last checks the fit
_RTOL: float = 1e-7
#: Relative tolerance of the fits at the large probe (g_max/10): far above the rounding of a quadratic extrapolated
#: from g ~ 1e-3 (~1e-16 x the ratio of a fixed width to the g^2 part at G_REF), far below a g^4 term that matters.
_RTOL_LARGE: float = 1e-6


@dataclass(frozen=True)
class _Polynomial:
    """sum_k c_k g^k."""

    coefficients: tuple[float, ...]

    def __call__(self, g: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(np.polynomial.polynomial.polyval(g, self.coefficients), dtype=np.float64)

    def __add__(self, other: _Polynomial) -> _Polynomial:
        n = max(len(self.coefficients), len(other.coefficients))
        pad = lambda c: tuple(c) + (0.0,) * (n - len(c))
        return _Polynomial(tuple(a + b for a, b in zip(pad(self.coefficients), pad(other.coefficients))))


_PROBE_G = np.array(_PROBES) * G_REF
#: Inverse Vandermonde matrices: the interpolating polynomial through the first degree + 1 probes.
_INVERSE_VANDERMONDE_ROWS = {d: np.linalg.inv(np.vander(_PROBE_G[: d + 1], d + 1, increasing=True)).tolist()
                             for d in (1, 2)}
_PROBE_LAST: float = float(_PROBE_G[-1])


def _fit(values: list[float], degree: int) -> _Polynomial | None:
    """The polynomial of ``degree`` through the first degree + 1 probes, if it predicts the last one (plain floats:
    called a few times per mass and model, where numpy's per-call cost dominated the reach set-up)."""
    coeffs = tuple(math.fsum(a * float(v) for a, v in zip(row, values)) for row in _INVERSE_VANDERMONDE_ROWS[degree])
    scale = max(abs(v) for v in values) or 1.0
    predicted = 0.0
    for c in reversed(coeffs):  # Horner, as numpy's polyval
        predicted = c + predicted * _PROBE_LAST
    if not math.isclose(predicted, values[-1], rel_tol=_RTOL, abs_tol=1e-12 * scale):
        return None
    return _Polynomial(coeffs)


def _sum_extended(terms: Sequence[NDArray[np.float64]], n: int) -> NDArray[np.float64]:
    """Elementwise sum of float arrays in extended precision, rounded once (math.fsum's result but for a
    cancellation beyond 11 extra bits)."""
    total = np.zeros(n, dtype=np.longdouble)
    for t in terms:
        total += np.asarray(t, dtype=np.longdouble)
    return total.astype(float)


def _horner_rows(c: NDArray[np.float64], g: NDArray[np.float64]) -> NDArray[np.float64]:
    """sum_k c[k] g^k per column, in Horner order (as :class:`_Polynomial` through numpy's polyval)."""
    out = c[-1] + 0.0 * g
    for k in range(c.shape[0] - 2, -1, -1):
        out = c[k] + out * g
    return out


def _close(a: NDArray, b: NDArray, rtol: float, atol: NDArray | float) -> NDArray[np.bool_]:
    """math.isclose elementwise."""
    return np.abs(a - b) <= np.maximum(rtol * np.maximum(np.abs(a), np.abs(b)), atol)


def _fit_many(values: NDArray[np.float64], degree: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """:func:`_fit` for many masses: values (n_probes, n) -> (coefficients (degree + 1, n), fit predicts the last probe)."""
    rows = _INVERSE_VANDERMONDE_ROWS[degree]
    coeffs = np.array([_sum_extended([a * values[i] for i, a in enumerate(row)], values.shape[1]) for row in rows])
    scale = np.max(np.abs(values), axis=0)
    scale = np.where(scale > 0.0, scale, 1.0)
    return coeffs, _close(_horner_rows(coeffs, np.full(values.shape[1], _PROBE_LAST)), values[-1], _RTOL, 1e-12 * scale)


def _largest_valid_coupling(build: Callable[[float, float], Mediator], mass: float) -> float:
    """4 pi, or the largest g at which the model can still be built (bisection in log g)."""
    if _valid(build, mass, PERTURBATIVE_LIMIT):
        return PERTURBATIVE_LIMIT
    lo, hi = math.log(G_REF), math.log(PERTURBATIVE_LIMIT)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _valid(build, mass, math.exp(mid)) else (lo, mid)
    return math.exp(lo)


def _valid(build: Callable[[float, float], Mediator], mass: float, g: float) -> bool:
    try:
        build(mass, g)
    except InvalidParameter:
        return False
    return True


class CouplingDependence:
    """Production coupling and visible/invisible widths of a named model at one mass, for any scanned g."""

    def __init__(self, spec: ModelSpec, mass: float, overrides: Mapping[str, object] | None,
                 production: Callable[[Mediator], float], *, array_production: bool = True) -> None:
        """``array_production``: ``production`` also works elementwise on a model with array fields (then
        :meth:`many` and :meth:`exact_many` may evaluate it for many masses at once)."""
        self.spec, self.mass, self.overrides = spec, mass, dict(overrides or {})
        self._production = production
        self.array_production = array_production
        self.reference = spec.build(mass, G_REF, self.overrides)
        self.invisible = self.reference.invisible_channels()
        self.g_max = _largest_valid_coupling(spec.builder_for(self.overrides), mass)
        probes = [self.reference if k == 1.0 else spec.build(mass, k * G_REF, self.overrides) for k in _PROBES]
        self._prod_fit = _fit([production(m) for m in probes], 1)
        widths = [m.partial_widths() for m in probes]
        fits = {ch: _fit([w[ch] for w in widths], 2) for ch in widths[0]}
        self._width_fits: tuple[_Polynomial, _Polynomial] | None = None  # (invisible, visible) totals
        if all(f is not None for f in fits.values()):
            zero = _Polynomial((0.0,))
            inv = sum((f for ch, f in fits.items() if f is not None and ch in self.invisible), zero)
            vis = sum((f for ch, f in fits.items() if f is not None and ch not in self.invisible), zero)
            self._width_fits = (inv, vis)
        self.exact_reason = "" if self._width_fits is not None else "a partial width is not quadratic in g near G_REF"
        if self._prod_fit is None:
            self.exact_reason = "the production coupling is not affine in g near G_REF"
        if self._prod_fit is not None and self._width_fits is not None:
            self.exact_reason = self._check_large_coupling(production, self._prod_fit, self._width_fits)
            if self.exact_reason:
                self._prod_fit = self._width_fits = None
        self.exact_path = bool(self.exact_reason)

    @classmethod
    def many(cls, spec: ModelSpec, masses: Sequence[float], overrides: Mapping[str, object] | None,
             production: Callable[[Mediator], float], *, array_production: bool = True) -> list[CouplingDependence]:
        """The dependence at each of ``masses``: the same probes, fits and checks as the constructor, with the
        widths and production couplings of all masses evaluated at once on the model's array form
        (:meth:`ModelSpec.build_many`). A model without one, a ``production`` that is not ``array_production``, or
        a mass whose fits fail (the exact path, with its reason), gets the constructor. The models at G_REF
        (:attr:`reference`) and at the largest valid coupling are still built one by one: they validate the fields.
        Fit coefficients agree with the constructor's to ~1e-16 relative (sums in extended precision instead of
        math.fsum)."""
        ov = dict(overrides or {})
        arrays = spec.build_many(np.zeros(1), np.zeros(1), ov) if len(masses) and array_production else None
        if arrays is None:
            return [cls(spec, float(m), ov, production, array_production=array_production) for m in masses]
        m = np.asarray(masses, dtype=float)
        build = spec.builder_for(ov)
        references = [build(float(x), G_REF) for x in m]
        g_max = np.array([_largest_valid_coupling(build, float(x)) for x in m])
        large = np.where(g_max / 10.0 > _PROBE_LAST, g_max / 10.0, g_max)
        g = np.vstack([np.broadcast_to(_PROBE_G[:, None], (len(_PROBES), m.size)), large[None, :]])
        model = spec.build_many(m[None, :], g, ov)
        assert model is not None
        invisible = model.invisible_channels()
        widths = model.partial_width_arrays()
        prod = np.broadcast_to(np.asarray(production(model), dtype=float), g.shape)
        prod_c, prod_ok = _fit_many(prod[:-1], 1)
        fits = {ch: _fit_many(np.broadcast_to(w, g.shape)[:-1], 2) for ch, w in widths.items()}
        ok = prod_ok & np.logical_and.reduce([f[1] for f in fits.values()])
        zero = np.zeros((3, m.size))
        inv_c = sum((f[0] for ch, f in fits.items() if ch in invisible), zero)
        vis_c = sum((f[0] for ch, f in fits.items() if ch not in invisible), zero)
        # the large probe (constructor: _check_large_coupling)
        w_large = {ch: np.broadcast_to(w, g.shape)[-1] for ch, w in widths.items()}
        inv = _sum_extended([w for ch, w in w_large.items() if ch in invisible], m.size)
        vis = _sum_extended([w for ch, w in w_large.items() if ch not in invisible], m.size)
        scale = 1e-12 * np.maximum(inv, vis)
        ok &= _close(_horner_rows(prod_c, large), prod[-1], _RTOL_LARGE, 1e-12 * np.abs(prod[-1]))
        ok &= _close(_horner_rows(inv_c, large), inv, _RTOL_LARGE, scale)
        ok &= _close(_horner_rows(vis_c, large), vis, _RTOL_LARGE, scale)
        out = []
        for j, x in enumerate(m):
            if not ok[j]:
                out.append(cls(spec, float(x), ov, production))
                continue
            dep = object.__new__(cls)
            dep.spec, dep.mass, dep.overrides, dep._production = spec, float(x), ov, production
            dep.array_production = True
            dep.reference, dep.invisible, dep.g_max = references[j], references[j].invisible_channels(), float(g_max[j])
            dep._prod_fit = _Polynomial(tuple(float(v) for v in prod_c[:, j]))
            dep._width_fits = (_Polynomial(tuple(float(v) for v in inv_c[:, j])),
                               _Polynomial(tuple(float(v) for v in vis_c[:, j])))
            dep.exact_reason, dep.exact_path = "", False
            out.append(dep)
        return out

    def _check_large_coupling(self, production: Callable[[Mediator], float], prod_fit: _Polynomial,
                              width_fits: tuple[_Polynomial, _Polynomial]) -> str:
        """"" if the fits still hold at the large probe coupling (g_max/10, or g_max when that is inside the small
        probes), else why not (the model is then rebuilt at every coupling)."""
        g = self.g_max / 10.0 if self.g_max / 10.0 > _PROBE_G[-1] else self.g_max
        model = self.spec.build(self.mass, g, self.overrides)
        prod, fitted = production(model), float(prod_fit(np.array(g)))
        if not math.isclose(fitted, prod, rel_tol=_RTOL_LARGE, abs_tol=1e-12 * abs(prod)):
            return f"the affine production coupling misses g_prod({g:.3g}) = {prod:.6g} (fit {fitted:.6g})"
        widths = model.partial_widths()
        inv = math.fsum(w for ch, w in widths.items() if ch in self.invisible)
        vis = math.fsum(w for ch, w in widths.items() if ch not in self.invisible)
        for name, exact, fit in (("invisible", inv, width_fits[0]), ("visible", vis, width_fits[1])):
            value = float(fit(np.array(g)))
            if not math.isclose(value, exact, rel_tol=_RTOL_LARGE, abs_tol=1e-12 * max(inv, vis)):
                return f"the quadratic {name} width misses Gamma({g:.3g}) = {exact:.6g} GeV (fit {value:.6g} GeV)"
        return ""

    def check(self, g: NDArray[np.float64]) -> NDArray[np.float64]:
        """``g`` as a float array, refusing non-finite couplings and |g| > :attr:`g_max` (one line)."""
        arr = np.asarray(g, dtype=float)
        biggest = float(np.max(np.abs(arr))) if arr.size else 0.0
        if not math.isfinite(biggest):
            raise InvalidParameter(f"{self.spec.coupling} must be finite")
        if biggest > self.g_max * (1.0 + 1e-12):
            too_big = np.abs(arr) > self.g_max * (1.0 + 1e-12)
            bad = float(arr[too_big].flat[0])
            raise InvalidParameter(f"{self.spec.coupling} = {bad:g} is beyond the validity of {self.spec.name} "
                                   f"(|{self.spec.coupling}| <= {self.g_max:.4g})")
        return arr

    def model(self, g: float) -> Mediator:
        """The model at coupling g."""
        return self.spec.build(self.mass, g, self.overrides)

    def production_coupling(self, g: NDArray[np.float64]) -> NDArray[np.float64]:
        """g_prod at each g."""
        g = self.check(g)
        if self._prod_fit is not None:
            return self._prod_fit(g)
        return np.array([self._production(self.model(float(x))) for x in g.ravel()]).reshape(g.shape)

    def widths(self, g: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(Gamma_invisible, Gamma_visible) in GeV at each g."""
        g = self.check(g)
        if self._width_fits is not None:
            inv_fit, vis_fit = self._width_fits
            return np.maximum(inv_fit(g), 0.0), np.maximum(vis_fit(g), 0.0)
        inv, vis = np.zeros(g.shape), np.zeros(g.shape)
        for i, x in np.ndenumerate(g):
            for channel, w in self.model(float(x)).partial_widths().items():
                if channel in self.invisible:
                    inv[i] += w
                else:
                    vis[i] += w
        return inv, vis

    @staticmethod
    def exact_many(deps: Sequence[CouplingDependence], g: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
        """(g_prod, Gamma_inv, Gamma_vis) at the pairs (deps[k], g[k]) with the model rebuilt at each coupling (the
        exact path): in one call of the model's array form when the dependences share model, parameters and an
        array-capable production (the same sums in the same channel order as :meth:`widths`), else pair by pair."""
        g = np.asarray(g, dtype=float)
        first = deps[0]
        same = first.array_production and all(
            d.spec is first.spec and d.overrides == first.overrides and d._production is first._production
            and d.invisible == first.invisible for d in deps)
        model = first.spec.build_many(np.array([d.mass for d in deps]), g, first.overrides) if same else None
        if model is None:
            out = [(d.production_coupling(np.array([x]))[0], *(w[0] for w in d.widths(np.array([x]))))
                   for d, x in zip(deps, g)]
            return tuple(np.array(v, dtype=float) for v in zip(*out))  # type: ignore[return-value]
        g_max = np.array([d.g_max for d in deps])
        if not np.all(np.isfinite(g)) or np.any(np.abs(g) > g_max * (1.0 + 1e-12)):
            k = int(np.flatnonzero(~(np.abs(g) <= g_max * (1.0 + 1e-12)))[0])
            deps[k].check(g[k : k + 1])  # raises with the one-line message
        inv, vis = np.zeros(g.shape), np.zeros(g.shape)
        for channel, w in model.partial_width_arrays().items():
            if channel in first.invisible:
                inv = inv + np.broadcast_to(w, g.shape)
            else:
                vis = vis + np.broadcast_to(w, g.shape)
        prod = np.broadcast_to(np.asarray(first._production(model), dtype=float), g.shape)
        return np.array(prod), inv, vis

    def polynomials(self) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] | None:
        """Coefficients (increasing powers of g) of g_prod and of the invisible and visible widths on the fast path
        (for evaluating many masses at once, :mod:`muonreach.reach.stack`); None on the exact path."""
        if self._prod_fit is None or self._width_fits is None:
            return None
        inv, vis = self._width_fits
        return self._prod_fit.coefficients, inv.coefficients, vis.coefficients

    def couples(self) -> bool:
        """Whether the model couples to the beam: g_prod != 0 at G_REF or at g_max (plain floats on the fast path)."""
        if self._prod_fit is not None:
            a, b = self._prod_fit.coefficients
            return a + b * G_REF != 0.0 or a + b * self.g_max != 0.0  # Horner, as production_coupling
        return bool(np.any(self.production_coupling(np.array([G_REF, self.g_max])) != 0.0))

    def production_is_linear(self) -> float | None:
        """b if g_prod = b g exactly (no constant part), else None (used for the reach floor)."""
        if self._prod_fit is None:
            return None
        a, b = self._prod_fit.coefficients
        return b if abs(a) <= 1e-12 * abs(b) * G_REF else None

