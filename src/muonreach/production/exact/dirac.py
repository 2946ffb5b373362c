"""Symbolic Dirac traces: products of slashed four-vectors and masses, traced into polynomials of dot products.

A tiny computer-algebra kernel, enough for the tree-level |M|^2 of :mod:`.amplitudes`:

* an *expression* is a list of terms ``(coefficient, scalars, vectors)``: a number, a sorted tuple of scalar
  symbols (masses, dot products ``"a.b"``) and the ordered tuple of vectors whose slashes multiply, e.g.
  ``(2.0, ("m",), ("p", "e"))`` is 2 m p-slash e-slash;
* the label :data:`INDEX` in a vector string stands for gamma^alpha, contracted with the one other occurrence of
  the same label in that string (a summed Lorentz index, metric (+, -, -, -));
* :func:`trace` returns the trace as a polynomial ``{scalars: coefficient}``.

Rules (textbook, e.g. Peskin & Schroeder eqs. (5.5)-(5.10), in four dimensions): Tr 1 = 4; the trace of an odd
number of slashes vanishes; Tr[a1 a2 ... an] = sum_j (-1)^j (a1.aj) Tr[a2 ... (no aj) ... an]; and the
contractions gamma^a gamma_a = 4, gamma^a x gamma_a = -2 x, gamma^a x y gamma_a = 4 x.y,
gamma^a x y z gamma_a = -2 z y x, gamma^a w x y z gamma_a = 2 (z w x y + y x w z). No gamma5 appears: the
pseudoscalar and chiral vertices are reduced to the scalar one in :mod:`.amplitudes`.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

Term = tuple[float, tuple[str, ...], tuple[str, ...]]
Expr = list[Term]
Poly = dict[tuple[str, ...], float]

#: The label of a contracted Lorentz index (gamma^alpha ... gamma_alpha) inside a vector string.
INDEX = "#"


def dot_symbol(a: str, b: str) -> str:
    """The scalar symbol of a.b (the names sorted)."""
    return ".".join(sorted((a, b)))


def slash(*terms: tuple[float, str | None]) -> Expr:
    """A linear combination of slashed vectors and numbers: ``(c, "p")`` is c p-slash, ``(c, None)`` is c times 1,
    ``(c, "m")`` with a mass use :func:`mass`."""
    return [(c, (), () if v is None else (v,)) for c, v in terms]


def mass(symbol: str, coefficient: float = 1.0) -> Expr:
    """A mass (a scalar symbol) times the unit matrix."""
    return [(coefficient, (symbol,), ())]


def plus(*exprs: Expr) -> Expr:
    """The sum of expressions."""
    return [t for e in exprs for t in e]


def times(*exprs: Expr) -> Expr:
    """The ordered product of expressions (Dirac matrices do not commute)."""
    out: Expr = [(1.0, (), ())]
    for e in exprs:
        out = [(c1 * c2, s1 + s2, v1 + v2) for c1, s1, v1 in out for c2, s2, v2 in e]
    return out


def scale(expr: Expr, c: float) -> Expr:
    return [(c * k, s, v) for k, s, v in expr]


def _contract(vecs: tuple[str, ...]) -> list[tuple[float, tuple[str, ...], tuple[str, ...]]]:
    """Remove the pair of :data:`INDEX` labels from a cyclic string (the trace is cyclic): (coefficient, scalars,
    remaining vectors) terms. Only valid under a trace."""
    i = vecs.index(INDEX)
    rot = vecs[i:] + vecs[:i]  # gamma^a S gamma_a R
    j = rot.index(INDEX, 1)
    inner, rest = rot[1:j], rot[j + 1:]
    if len(rest) < len(inner):  # Tr[g^a S g_a R] = Tr[g^a R g_a S]: contract around the shorter side
        inner, rest = rest, inner
    n = len(inner)
    if n == 0:
        return [(4.0, (), rest)]
    if n == 1:
        return [(-2.0, (), inner + rest)]
    if n == 2:
        return [(4.0, (dot_symbol(*inner),), rest)]
    if n == 3:
        x, y, z = inner
        return [(-2.0, (), (z, y, x, *rest))]
    if n == 4:
        w, x, y, z = inner
        return [(2.0, (), (z, w, x, y, *rest)), (2.0, (), (y, x, w, z, *rest))]
    raise ValueError(f"contraction across {n} slashes is not implemented")


@cache
def _trace_vectors(vecs: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], float], ...]:
    """Tr of a product of slashed vectors (no index labels) as (scalars, coefficient) pairs."""
    n = len(vecs)
    if n == 0:
        return (((), 4.0),)
    if n % 2:
        return ()
    out: dict[tuple[str, ...], float] = defaultdict(float)
    first = vecs[0]
    for j in range(1, n):
        sign = 1.0 if j % 2 == 1 else -1.0
        rest = vecs[1:j] + vecs[j + 1:]
        d = dot_symbol(first, vecs[j])
        for scal, c in _trace_vectors(rest):
            out[tuple(sorted((*scal, d)))] += sign * c
    return tuple((k, v) for k, v in out.items() if v != 0.0)


def trace(expr: Expr) -> Poly:
    """Tr of an expression as a polynomial in its scalar symbols (zero coefficients dropped)."""
    out: Poly = defaultdict(float)
    for c, scal, vecs in expr:
        pending = [(c, scal, vecs)]
        while pending:
            c0, s0, v0 = pending.pop()
            if INDEX in v0:
                pending.extend((c0 * c1, s0 + s1, v1) for c1, s1, v1 in _contract(v0))
                continue
            for s1, c1 in _trace_vectors(v0):
                out[tuple(sorted(s0 + s1))] += c0 * c1
    return {k: v for k, v in out.items() if v != 0.0}


def substitute(poly: Poly, values: dict[str, tuple[tuple[float, tuple[str, ...]], ...]]) -> Poly:
    """Replace scalar symbols by polynomials: ``values[sym]`` is a tuple of (coefficient, scalars) terms
    (e.g. p.p -> m^2). Symbols not in ``values`` are kept."""
    out: Poly = defaultdict(float)
    for scal, c in poly.items():
        partial: list[tuple[float, tuple[str, ...]]] = [(c, ())]
        for s in scal:
            repl = values.get(s, ((1.0, (s,)),))
            partial = [(c0 * c1, s0 + s1) for c0, s0 in partial for c1, s1 in repl]
        for c0, s0 in partial:
            out[tuple(sorted(s0))] += c0
    return {k: v for k, v in out.items() if v != 0.0}
