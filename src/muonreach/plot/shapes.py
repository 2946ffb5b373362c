"""What a layer hands to the renderer: lines, bands and polygons in axis coordinates, clipped to the axes.

Clipping happens here (not in matplotlib) so that every layer's data are finite and inside the panel's
ranges, which the tests check. It works in log10 coordinates on log axes, so a clipped edge is the
straight line the plot shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Axis:
    min: float
    max: float
    log: bool = True
    label: str | None = None

    def fwd(self, v: ArrayLike) -> np.ndarray:
        return np.log10(v) if self.log else np.asarray(v, dtype=float)

    def inv(self, u: np.ndarray) -> np.ndarray:
        return 10.0 ** np.asarray(u) if self.log else np.asarray(u, dtype=float)


@dataclass(frozen=True)
class Line:
    """A polyline (e.g. a relic target); ``closed`` joins the last point to the first."""

    x: np.ndarray
    y: np.ndarray
    closed: bool = False


@dataclass(frozen=True)
class Band:
    """The region y_low(x) <= y <= y_high(x) (a favoured band, an excluded region, a reach island)."""

    x: np.ndarray
    y_low: np.ndarray
    y_high: np.ndarray


@dataclass(frozen=True)
class Polygon:
    """A closed region given by its boundary, in order."""

    x: np.ndarray
    y: np.ndarray


Shape = Line | Band | Polygon


@dataclass(frozen=True)
class LayerData:
    """The shapes of one layer (all inside the axes) and notes for the figure's provenance record."""

    shapes: tuple[Shape, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def arrays(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every (x, y) array pair, for checks."""
        out = []
        for s in self.shapes:
            if isinstance(s, Band):
                out += [(s.x, s.y_low), (s.x, s.y_high)]
            else:
                out.append((s.x, s.y))
        return out


def runs(mask: np.ndarray) -> list[slice]:
    """Slices of the contiguous True stretches of a boolean array."""
    idx = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [slice(a, b) for a, b in zip(idx[::2], idx[1::2], strict=True)]


def _clip_segment(p, q, lo, hi):
    """Liang-Barsky: the part of segment p->q inside the box [lo, hi] (2-vectors), or None."""
    t0, t1 = 0.0, 1.0
    d = q - p
    for k in range(2):
        for num, den in ((p[k] - lo[k], -d[k]), (hi[k] - p[k], d[k])):
            if den == 0.0:
                if num < 0.0:
                    return None
                continue
            t = num / den
            if den < 0.0:
                if t > t1:
                    return None
                t0 = max(t0, t)
            else:
                if t < t0:
                    return None
                t1 = min(t1, t)
    return p + t0 * d, p + t1 * d


def clip_line(x: np.ndarray, y: np.ndarray, xa: Axis, ya: Axis) -> list[Line]:
    """Pieces of a polyline inside the axes (finite points only; non-finite points split the line)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    good = np.isfinite(x) & np.isfinite(y)
    if xa.log:
        good &= x > 0
    if ya.log:
        good &= y > 0
    lo, hi = np.array([xa.fwd(xa.min), ya.fwd(ya.min)]), np.array([xa.fwd(xa.max), ya.fwd(ya.max)])
    pieces: list[list[np.ndarray]] = []
    for r in runs(good):
        u = np.column_stack([xa.fwd(x[r]), ya.fwd(y[r])])
        current: list[np.ndarray] = []
        for p, q in zip(u[:-1], u[1:], strict=True):
            seg = _clip_segment(p, q, lo, hi)
            if seg is None:
                if current:
                    pieces.append(current)
                    current = []
                continue
            a, b = seg
            if current and np.allclose(current[-1], a, rtol=0, atol=1e-12):
                current.append(b)
            else:
                if current:
                    pieces.append(current)
                current = [a, b]
        if current:
            pieces.append(current)
    out = []
    for pts in pieces:
        arr = np.array(pts)
        out.append(Line(xa.inv(arr[:, 0]), ya.inv(arr[:, 1])))
    return out


def clip_band(x: np.ndarray, y_low: np.ndarray, y_high: np.ndarray, xa: Axis, ya: Axis) -> list[Band]:
    """Pieces of a band inside the axes. NaN or inverted edges end a piece; x is cut at the axis range by
    interpolation (in the axis scale), y is clamped to the range."""
    x, lo, hi = (np.asarray(a, float) for a in (x, y_low, y_high))
    if ya.log:  # a band reaching zero (or -inf) starts at the bottom of the axis
        lo = np.where(np.isnan(lo), np.nan, np.where(lo > 0, lo, ya.min))
    hi = np.where(np.isposinf(hi), ya.max, hi)  # open upwards: to the top of the axis
    ok = np.isfinite(x) & np.isfinite(lo) & np.isfinite(hi) & (hi > lo)
    if xa.log:
        ok &= x > 0
    out = []
    for r in runs(ok):
        u, vl, vh = xa.fwd(x[r]), ya.fwd(lo[r]), ya.fwd(hi[r])
        start, stop = max(xa.fwd(xa.min), u[0]), min(xa.fwd(xa.max), u[-1])
        if u.size < 2 or stop <= start:
            continue
        grid = np.concatenate(([start], u[(u > start) & (u < stop)], [stop]))
        gl, gh = np.interp(grid, u, vl), np.interp(grid, u, vh)
        ymin, ymax = ya.fwd(ya.min), ya.fwd(ya.max)
        gl, gh = np.clip(gl, ymin, ymax), np.clip(gh, ymin, ymax)
        for rr in runs(gh > gl):
            if rr.stop - rr.start >= 2:
                out.append(Band(xa.inv(grid[rr]), ya.inv(gl[rr]), ya.inv(gh[rr])))
    return out


def clip_polygon(x: np.ndarray, y: np.ndarray, xa: Axis, ya: Axis) -> list[Polygon]:
    """Sutherland-Hodgman clipping of a closed polygon to the axes box."""
    pts = [tuple(p) for p in np.column_stack([xa.fwd(np.asarray(x, float)), ya.fwd(np.asarray(y, float))])]
    bounds = [(0, xa.fwd(xa.min), 1), (0, xa.fwd(xa.max), -1), (1, ya.fwd(ya.min), 1), (1, ya.fwd(ya.max), -1)]
    for k, edge, sign in bounds:
        if not pts:
            break
        inside = [sign * (p[k] - edge) >= 0 for p in pts]
        new = []
        for i, p in enumerate(pts):
            q, q_in = pts[i - 1], inside[i - 1]
            if inside[i] != q_in:
                t = (edge - q[k]) / (p[k] - q[k])
                new.append(tuple(q[j] + t * (p[j] - q[j]) for j in range(2)))
            if inside[i]:
                new.append(p)
        pts = new
    if len(pts) < 3:
        return []
    arr = np.array(pts)
    return [Polygon(xa.inv(arr[:, 0]), ya.inv(arr[:, 1]))]


def inside(data: LayerData, xa: Axis, ya: Axis, rel: float = 1e-9) -> bool:
    """True if every point of the layer is finite and inside the axes (with a relative tolerance)."""
    for x, y in data.arrays():
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            return False
        for v, a in ((x, xa), (y, ya)):
            if np.any(v < a.min * (1 - rel)) or np.any(v > a.max * (1 + rel)):
                return False
    return True


def log_grid(lo: float, hi: float, points: int) -> np.ndarray:
    """``points`` log-spaced values from lo to hi (both included)."""
    return np.geomspace(lo, hi, max(int(points), 2)) if hi > lo else np.array([lo])


__all__ = ["Axis", "Band", "LayerData", "Line", "Polygon", "clip_band", "clip_line", "clip_polygon", "inside",
           "log_grid", "runs"]
