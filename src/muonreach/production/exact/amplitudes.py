"""Tree-level |M|^2 of l(p) N(P) -> l'(p') N(P') X(k) with one-photon exchange, X radiated off the lepton line.

Amplitude (metric (+, -, -, -), q = P - P' the photon momentum flowing into the lepton line, t = -q^2 > 0)::

    M = (e^2 g / t) Z F(t) (P + P')_mu  ubar(p') Gamma^mu u(p),
    Gamma^mu = V S_l(p + q) gamma^mu + gamma^mu S_l'(p - k) V,     S_l(r) = (r-slash + m_l) / (r^2 - m_l^2)

(the two diagrams: photon absorbed before or after the emission; the internal lepton has the flavour of the line
it sits on) with the X vertex V = 1 (scalar, g X lbar l), i gamma5 (pseudoscalar, g X lbar i gamma5 l),
gamma^alpha epsilon*_alpha (vector, g X_alpha lbar gamma^alpha l) or P_R (the chiral flavour-changing scalar
of 001_d90c7661beefddfc.txt eq. (2), -h ebar_L mu_R phi + h.c.; h in place of g). The nucleus is a spin-0
target with the charge form factor of :mod:`muonreach.production.form_factors`: the hadronic tensor
W^{mu nu} = G2(t) (P + P')^mu (P + P')^nu, G2 = Z^2 F^2 (elastic) plus the inelastic part of 002 App. A
(002_64b267437daa15d5.txt eqs. (A1)-(A2)), so that

    (1/2) sum |M|^2 = (1/2) e^4 g^2 G2(t) / t^2  L_{mu nu} (P + P')^mu (P + P')^nu,
    L_{mu nu} = sum_spins(, polarisations) [ubar' Gamma_mu u] [ubar' Gamma_nu u]^*

(average over the beam lepton's spin only). Because the lepton current is conserved, q_mu L^{mu nu} = 0 (the
two diagrams cancel: tested), the contraction equals the "photon polarisation" trace with
epsilon = (P + P') / (2 M) (normalised so that it stays O(1) for a heavy nucleus)::

    T = Tr[(p'-slash + m') Gamma.eps (p-slash + m) Gamma.eps-bar]

and (1/2) sum |M|^2 = 2 M^2 e^4 g^2 G2 T / t^2. T is computed here from the Dirac traces of
:mod:`.dirac`, once, as polynomials in the invariants (m, m', m_X, t, p.q, k.q, k.p, eps.p, eps.k, eps.eps)
over the propagator denominators D1 = (p + q)^2 - m^2 and D2 = (p - k)^2 - m'^2, with eps.q = 0 exactly
(P^2 = P'^2 = M^2). Reductions:

* vector: the polarisation sum -g_ab + k_a k_b / m_X^2; the k_a k_b part vanishes for m = m' (the vector
  current is conserved: tested against the full sum), so only -g_ab is traced and the vector is flavour-diagonal;
* pseudoscalar: gamma5 (p-slash + m) (-gamma5) = p-slash - m, so T_P(m, m') = T_S(-m, m');
* chiral P_R = (1 + gamma5)/2: the gamma5-odd interference is i eps^{abcd}... and drops from the real spin sum,
  so T_chiral = (T_S(m, m') + T_S(-m, m')) / 4.

Validated in tests/test_exact_amplitudes.py against explicit 4x4 gamma-matrix products contracted with the
hadronic tensor at random phase-space points, for all kinds (with i gamma5, P_R and the full vector
polarisation sum), and for gauge invariance (eps -> eps + lambda q, and eps = q gives 0).

Numerical conditioning: in float64 the polynomial loses accuracy only where the amplitude vanishes, t -> t_min
(relative error <~ 1e-5 at t = 1.01 t_min for 100 GeV electrons, <~ 1e-9 for t > 3 t_min; checked against
60-digit arithmetic in the tests); the screened form factor suppresses that region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from numpy.typing import NDArray

from . import dirac

#: Kinds of radiated boson of the exact calculation (the flavour-changing scalar is "scalar" with l != l').
KINDS: tuple[str, ...] = ("scalar", "pseudoscalar", "vector")
#: The invariants the polynomials depend on (see :class:`Invariants`).
SYMBOLS: tuple[str, ...] = ("m", "mp", "mx", "t", "p.q", "k.q", "k.p", "e.p", "e.k", "e.e")


@dataclass(frozen=True)
class Invariants:
    """Lorentz invariants of one or many phase-space points (arrays broadcast together), GeV units.

    ``m``, ``mp``, ``mx``: masses of the incoming and outgoing lepton and of X; ``t = -q^2``; ``pq = p.q``,
    ``kq = k.q``, ``kp = k.p``; ``ep = eps.p``, ``ek = eps.k``, ``ee = eps.eps`` with eps = (P + P')/(2M);
    ``d1 = (p + q)^2 - m^2 = 2 p.q - t`` and ``d2 = (p - k)^2 - m'^2``."""

    m: float
    mp: float
    mx: float
    t: NDArray
    pq: NDArray
    kq: NDArray
    kp: NDArray
    ep: NDArray
    ek: NDArray
    ee: NDArray
    d1: NDArray
    d2: NDArray

    def values(self, m_sign: float = 1.0) -> dict[str, NDArray | float]:
        return {"m": m_sign * self.m, "mp": self.mp, "mx": self.mx, "t": self.t, "p.q": self.pq, "k.q": self.kq,
                "k.p": self.kp, "e.p": self.ep, "e.k": self.ek, "e.e": self.ee}


def _vertex(kind: str) -> dirac.Expr:
    return dirac.slash((1.0, dirac.INDEX)) if kind == "vector" else [(1.0, (), ())]


@cache
def trace_polynomials(kind: str) -> dict[str, dirac.Poly]:
    """The three pieces of T for ``kind`` "scalar" (vertex 1, any m, m') or "vector" (gamma^a, -g_ab summed):
    ``"11"`` (coefficient of 1/D1^2), ``"22"`` (1/D2^2) and ``"12"`` (1/(D1 D2), counted twice: the two cross
    terms are equal), as polynomials in :data:`SYMBOLS`. Derived from the traces, not typed in."""
    if kind not in ("scalar", "vector"):
        raise ValueError(f"trace polynomials exist for 'scalar' and 'vector', not {kind!r}")
    n1 = dirac.plus(dirac.slash((1.0, "p"), (1.0, "q")), dirac.mass("m"))  # p + q: incoming flavour
    n2 = dirac.plus(dirac.slash((1.0, "p"), (-1.0, "k")), dirac.mass("mp"))  # p - k = p' - q: outgoing flavour
    eps, v = dirac.slash((1.0, "e")), _vertex(kind)
    amp = {"1": dirac.times(v, n1, eps), "2": dirac.times(eps, n2, v)}
    bar = {"1": dirac.times(eps, n1, v), "2": dirac.times(v, n2, eps)}  # Dirac conjugates (reversed order)
    out_spin = dirac.plus(dirac.slash((1.0, "p"), (1.0, "q"), (-1.0, "k")), dirac.mass("mp"))  # p' = p + q - k
    in_spin = dirac.plus(dirac.slash((1.0, "p")), dirac.mass("m"))
    sign = -1.0 if kind == "vector" else 1.0  # -g_ab of the polarisation sum
    on_shell = {"p.p": ((1.0, ("m", "m")),), "k.k": ((1.0, ("mx", "mx")),), "q.q": ((-1.0, ("t",)),), "e.q": ()}
    pieces = {}
    for name, (i, j) in {"11": ("1", "1"), "22": ("2", "2"), "12": ("1", "2"), "21": ("2", "1")}.items():
        poly = dirac.trace(dirac.times(out_spin, amp[i], in_spin, bar[j]))
        pieces[name] = dirac.substitute({key: sign * c for key, c in poly.items()}, on_shell)
    if pieces["12"] != pieces["21"]:  # the two interference terms are complex conjugates and real
        raise AssertionError("interference terms differ")
    return {name: pieces[name] for name in ("11", "22", "12")}


#: The symbols that vary over phase space (the masses are fixed per process and folded into the coefficients).
_VARYING: tuple[str, ...] = ("t", "p.q", "k.q", "k.p", "e.p", "e.k", "e.e")


@lru_cache(maxsize=256)
def _specialised(base: str, m: float, mp: float, mx: float) -> tuple[tuple[tuple[int, ...], ...], NDArray]:
    """The three pieces with the masses substituted: (monomials as exponent tuples over :data:`_VARYING`,
    coefficient matrix (3, n_monomials) for "11", "22", "12")."""
    masses = {"m": m, "mp": mp, "mx": mx}
    pieces = trace_polynomials(base)
    collected: dict[tuple[int, ...], NDArray] = {}
    for row, name in enumerate(("11", "22", "12")):
        for mono, c in pieces[name].items():
            coef = c
            powers = [0] * len(_VARYING)
            for sym in mono:
                if sym in masses:
                    coef *= masses[sym]
                else:
                    powers[_VARYING.index(sym)] += 1
            key = tuple(powers)
            collected.setdefault(key, np.zeros(3))[row] += coef
    monomials = tuple(k for k, v in collected.items() if np.any(v != 0.0))
    return monomials, np.array([collected[k] for k in monomials]).T


@lru_cache(maxsize=256)
def _specialised_sum(base: str, masses: tuple[tuple[float, float, float], ...]
                     ) -> tuple[tuple[tuple[int, ...], ...], NDArray]:
    """:func:`_specialised` summed over several mass assignments (one polynomial for T_S(m) + T_S(-m))."""
    total: dict[tuple[int, ...], NDArray] = {}
    for m, mp, mx in masses:
        monomials, coef = _specialised(base, m, mp, mx)
        for j, mono in enumerate(monomials):
            total[mono] = total.get(mono, np.zeros(3)) + coef[:, j]
    kept = tuple(k for k, v in total.items() if np.any(v != 0.0))
    return kept, np.array([total[k] for k in kept]).T


def _trace_sum(base: str, inv: Invariants, *m_signs: float) -> NDArray:
    """The sum of T over ``m_signs`` (the sign of the beam lepton's mass in the spin sum), evaluated as one
    polynomial in the varying invariants over the propagator denominators: T = (A / D1 + B) / D1 + C with
    A = N11, B = 2 N12 / D2 and C = N22 / D2^2 (the pieces of :func:`trace_polynomials`).

    The same monomials are summed, grouped by the invariants that vary over the whole array (on a quadrature
    grid pq, kq, ep, ek vary with the azimuth, t, kp, ee and D2 do not): the other factors, and 1/D2, are
    multiplied out on their smaller arrays first (:func:`_grouped`), which changes only the rounding. On the whole
    array each monomial is formed once (one product from a lower one) and added to the three rows in place, into
    float64 buffers allocated once."""
    monomials, coef = _specialised_sum(base, tuple((sign * inv.m, inv.mp, inv.mx) for sign in m_signs))
    values = tuple(np.asarray(v, dtype=float) for v in (inv.t, inv.pq, inv.kq, inv.kp, inv.ep, inv.ek, inv.ee))
    d1, d2 = np.asarray(inv.d1, dtype=float), np.asarray(inv.d2, dtype=float)
    shape = np.broadcast_shapes(*(v.shape for v in values), d1.shape, d2.shape)
    size = math.prod(shape)
    wide = tuple(i for i, v in enumerate(values) if v.size == size)
    groups = _grouped(monomials, coef, wide)
    row_factor = (1.0, 1.0 / (d2 * d2), 2.0 / d2)  # rows 11, 22, 12 (12 further over D1)
    small_powers: dict[tuple[int, int], NDArray] = {}

    def small(i: int, n: int) -> NDArray:
        if (i, n) not in small_powers:
            small_powers[(i, n)] = values[i] ** n if n > 1 else values[i]
        return small_powers[(i, n)]

    def factor(row: int, key: tuple[int, ...]) -> NDArray | float:
        total: NDArray | float = 0.0
        for c, rest in groups[row].get(key, ()):
            term: NDArray | float = c
            for i, n in rest:
                term = term * small(i, n)
            total = total + term
        return total * row_factor[row]

    acc = [np.zeros(shape) for _ in range(3)]
    scratch = np.empty(shape)
    monomials_wide: dict[tuple[int, ...], NDArray] = {}

    def wide_monomial(key: tuple[int, ...]) -> NDArray:
        if key not in monomials_wide:  # one product per new monomial: key = (key with one power less) x value
            j = max(i for i, n in enumerate(key) if n)
            lower = tuple(n - (i == j) for i, n in enumerate(key))
            v = values[wide[j]]
            monomials_wide[key] = v if not any(lower) else np.multiply(wide_monomial(lower), v)
        return monomials_wide[key]

    keys = sorted({key for row in groups for key in row}, key=sum)  # lower monomials before higher ones
    for key in keys:
        rows = [row for row in range(3) if key in groups[row]]
        if not any(key):
            for row in rows:
                acc[row] += factor(row, key)
            continue
        for row in rows:
            acc[row] += np.multiply(wide_monomial(key), factor(row, key), out=scratch)
    inv_d1 = np.divide(1.0, d1, out=np.empty(shape))
    out = acc[0]
    out *= inv_d1
    out += acc[2]
    out *= inv_d1
    out += acc[1]
    return out


@lru_cache(maxsize=256)
def _grouped_cached(monomials: tuple[tuple[int, ...], ...], coef: tuple[tuple[float, ...], ...], wide: tuple[int, ...]
                    ) -> tuple[dict[tuple[int, ...], list[tuple[float, tuple[tuple[int, int], ...]]]], ...]:
    out: tuple[dict[tuple[int, ...], list[tuple[float, tuple[tuple[int, int], ...]]]], ...] = ({}, {}, {})
    for j, mono in enumerate(monomials):
        key = tuple(mono[i] for i in wide)
        rest = tuple((i, n) for i, n in enumerate(mono) if n and i not in wide)
        for row in range(3):
            if coef[row][j] != 0.0:
                out[row].setdefault(key, []).append((coef[row][j], rest))
    return out


def _grouped(monomials: tuple[tuple[int, ...], ...], coef: NDArray, wide: tuple[int, ...]
             ) -> tuple[dict[tuple[int, ...], list[tuple[float, tuple[tuple[int, int], ...]]]], ...]:
    """Per row (11, 22, 12): {exponents of the ``wide`` invariants: [(coefficient, ((index, power) of the other
    invariants))]}, the terms of each row grouped by their wide part."""
    return _grouped_cached(monomials, tuple(map(tuple, coef.tolist())), wide)


def lepton_trace(kind: str, inv: Invariants, flavour_changing: bool = False) -> NDArray:
    """T (module docstring): the lepton tensor contracted with eps = (P + P')/(2M), summed over final spins and X
    polarisations, couplings 1. ``flavour_changing`` selects the chiral P_R vertex (kind "scalar" only)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if flavour_changing:
        if kind != "scalar":
            raise ValueError("the flavour-changing vertex is the chiral scalar of 001 eq. (2)")
        return 0.25 * _trace_sum("scalar", inv, 1.0, -1.0)
    if kind == "pseudoscalar":
        return _trace_sum("scalar", inv, -1.0)
    return _trace_sum(kind, inv, 1.0)
