"""Three-body decays S -> D f fbar of a dark state (e.g. chi2 -> chi1 l+ l-) from the model's matrix element.

The model supplies the channel widths and |M|^2(q^2, x) (:class:`~muonreach.models.base.DarkStateDecay`, q^2 the
fermion-pair mass squared, x = p_D.k_f). The Dalitz density is dGamma ~ |M|^2 dq^2 dm_Df^2 (PDG kinematics,
eq. (49.22) of RPP 2024 ch. 49), m_Df^2 = m_D^2 + m_f^2 + 2 x:

* q^2 from its marginal by the inverse of a cumulative table (``Q2_POINTS`` Gauss-Legendre-free trapezoids on the
  map q^2 = a + (b - a)(1 - cos th)/2 that smooths both square-root end points; linear interpolation);
* then x = p_D.q/2 + p_D* p_f* c (momenta in the pair rest frame) with c in [-1, 1] by accept-reject against
  the maximum of |M|^2 over c, which is exact because |M|^2 is a quadratic polynomial in x (checked per call);
* c is the cosine between f and the direction of D in the pair rest frame; the pair's direction in the S rest
  frame is isotropic and the azimuth of f about it uniform: S is taken unpolarised (its spin correlation with
  the production is not tracked, as for the two-body decays of :mod:`.decays`).

Products are boosted to the lab with the parent's four-momentum. Channels without an exclusive final state
("hadrons") keep their vertex and get no products (zeros).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceError, InvalidParameter
from ..models.base import DarkStateDecay, Mediator
from .decays import boost, final_states

#: Points of the q^2 cumulative table (relative bias of the q^2 quantiles < 1e-6 for smooth spectra).
Q2_POINTS: int = 4097
#: Accept-reject rounds before giving up (each round keeps >= 1/3 of the remaining points for a quadratic).
_MAX_ROUNDS: int = 200


@dataclass(frozen=True)
class _Channel:
    name: str
    pdg: tuple[int, int, int]
    m_f: float
    cdf: NDArray[np.float64]  # on the th grid
    th: NDArray[np.float64]


@dataclass(frozen=True)
class ThreeBodyDecay:
    """The three-body decays of one dark state of one model instance."""

    decay: DarkStateDecay
    channels: tuple[str, ...]
    branching: NDArray[np.float64]
    exclusive: tuple[_Channel | None, ...]

    @classmethod
    def of(cls, model: Mediator, state: str) -> ThreeBodyDecay:
        """The decays of ``state``; InvalidParameter when the model gives it no decay (stable or closed)."""
        decays = model.dark_state_decays()
        if state not in decays:
            raise InvalidParameter(f"{type(model).__name__}: the dark state {state!r} has no open decay")
        decay = decays[state]
        widths = {k: v for k, v in decay.widths.items() if v > 0.0}
        table = final_states()
        names = tuple(widths)
        total = math.fsum(widths.values())
        exclusive: list[_Channel | None] = []
        for ch in names:
            products = table.dark_products(state, ch)
            if not products:
                exclusive.append(None)
                continue
            m_f = products[1].mass(model)
            pdg = (products[0].pdg, products[1].pdg, products[2].pdg)
            exclusive.append(_tabulate(decay, ch, pdg, m_f))
        return cls(decay, names, np.array([widths[k] / total for k in names]), tuple(exclusive))

    @property
    def pair_channels(self) -> dict[str, bool]:
        """Every channel of the state's decay table (open or closed) -> whether it has exclusive products (f fbar)."""
        return {ch: bool(final_states().dark_products(self.decay.parent, ch)) for ch in self.decay.widths}

    @property
    def total_width(self) -> float:
        return math.fsum(self.decay.widths.values())

    def sample(self, parent: NDArray[np.float64], rng: np.random.Generator) -> tuple[NDArray, NDArray, NDArray]:
        """(channel index, pdg (n, 3), lab products (n, 3, 4)) for parents of lab four-momenta ``parent`` (n, 4)."""
        n = parent.shape[0]
        channel = np.minimum(np.searchsorted(np.cumsum(self.branching), rng.random(n), side="right"),
                             len(self.channels) - 1)
        products = np.zeros((n, 3, 4))
        pdg = np.zeros((n, 3), dtype=np.int64)
        for i, ch in enumerate(self.exclusive):
            pick = np.flatnonzero(channel == i)
            if ch is None or pick.size == 0:
                continue
            rest = self.rest_frame(ch, pick.size, rng)
            for j in range(3):
                products[pick, j] = boost(rest[:, j], parent[pick], self.decay.parent_mass)
            pdg[pick] = ch.pdg
        return channel, pdg, products

    def rest_frame(self, ch: _Channel, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """(n, 3, 4) four-momenta of D, f, fbar in the parent rest frame (isotropic orientation)."""
        m, md, mf = self.decay.parent_mass, self.decay.daughter_mass, ch.m_f
        a, b = 4.0 * mf * mf, (m - md) ** 2
        th = np.interp(rng.random(n), ch.cdf, ch.th)
        q2 = a + 0.5 * (b - a) * (1.0 - np.cos(th))
        c = _cosines(self.decay, q2, md, m, mf, rng)
        mq = np.sqrt(q2)
        pl = 0.5 * np.sqrt(np.maximum(q2 - a, 0.0))
        pstar = np.sqrt(np.maximum((m * m - (md + mq) ** 2) * (m * m - (md - mq) ** 2), 0.0)) / (2.0 * m)
        # the pair moves along +z in the parent frame, D along -z (also in the pair frame); x = E_D E_f - p_D* p_f*
        # cos(f, D) = x0 + half c gives cos(f, D) = -c, i.e. cos(f, z) = c
        sin = np.sqrt(np.maximum(1.0 - c * c, 0.0))
        phi = 2.0 * math.pi * rng.random(n)
        f_pair = np.stack([0.5 * mq, pl * sin * np.cos(phi), pl * sin * np.sin(phi), pl * c], axis=1)
        fbar_pair = f_pair * np.array([1.0, -1.0, -1.0, -1.0])
        pair = np.stack([np.sqrt(q2 + pstar * pstar), np.zeros(n), np.zeros(n), pstar], axis=1)
        f_rest, fbar_rest = boost(f_pair, pair, mq), boost(fbar_pair, pair, mq)
        d_rest = np.stack([np.sqrt(md * md + pstar * pstar), np.zeros(n), np.zeros(n), -pstar], axis=1)
        rot = _random_rotations(n, rng)
        out = np.stack([d_rest, f_rest, fbar_rest], axis=1)
        out[:, :, 1:] = np.einsum("nij,nkj->nki", rot, out[:, :, 1:])
        return out


def _tabulate(decay: DarkStateDecay, name: str, pdg: tuple[int, int, int], m_f: float) -> _Channel:
    """The cumulative q^2 distribution of a channel on the cos-mapped grid (trapezoids)."""
    m, md = decay.parent_mass, decay.daughter_mass
    a, b = 4.0 * m_f * m_f, (m - md) ** 2
    th = np.linspace(0.0, math.pi, Q2_POINTS)
    q2 = a + 0.5 * (b - a) * (1.0 - np.cos(th))
    u, w = np.polynomial.legendre.leggauss(3)  # exact for the quadratic |M|^2 in x
    inner = np.zeros_like(q2)
    ok = (q2 > a) & (q2 < b)
    x0, half = _x_range(q2[ok], md, m, m_f)
    inner[ok] = half * (np.asarray(decay.msq(q2[ok, None], x0[:, None] + half[:, None] * u, m_f)) @ w)
    density = np.maximum(inner, 0.0) * np.sin(th)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(th))])
    if not cdf[-1] > 0.0:
        raise ConvergenceError(f"{decay.parent} -> {name}: the Dalitz density vanishes everywhere")
    return _Channel(name, pdg, m_f, cdf / cdf[-1], th)


def _x_range(q2: NDArray, md: float, m: float, m_f: float) -> tuple[NDArray, NDArray]:
    """Centre p_D.q/2 and half-width p_D* p_f* of x = p_D.k_f at fixed q^2 (pair rest frame momenta)."""
    pq = 0.5 * (m * m - md * md - q2)
    p_d = np.sqrt(np.maximum(((m + md) ** 2 - q2) * ((m - md) ** 2 - q2), 0.0) / (4.0 * q2))
    p_f = 0.5 * np.sqrt(np.maximum(q2 - 4.0 * m_f * m_f, 0.0))
    return 0.5 * pq, p_d * p_f


def _cosines(decay: DarkStateDecay, q2: NDArray, md: float, m: float, m_f: float, rng: np.random.Generator) -> NDArray:
    """c in [-1, 1] distributed as |M|^2(q2, x(c)) at each q2 (accept-reject below the exact quadratic maximum)."""
    x0, half = _x_range(q2, md, m, m_f)
    f = lambda c, sel: np.asarray(decay.msq(q2[sel], x0[sel] + half[sel] * c, m_f))
    everyone = np.ones(q2.size, dtype=bool)
    lo, mid, hi = f(-1.0, everyone), f(0.0, everyone), f(1.0, everyone)
    # quadratic through the three points: vertex at c_v = (lo - hi) / (2 (lo - 2 mid + hi))
    curv = lo - 2.0 * mid + hi
    cv = np.clip(np.divide(lo - hi, 2.0 * curv, out=np.zeros_like(curv), where=curv != 0.0), -1.0, 1.0)
    vertex = mid + 0.5 * (hi - lo) * cv + 0.5 * curv * cv * cv
    top = np.maximum.reduce([lo, hi, vertex]) * (1.0 + 1e-12)
    c = np.empty(q2.size)
    todo = np.arange(q2.size)
    for _ in range(_MAX_ROUNDS):
        if todo.size == 0:
            return c
        trial = 2.0 * rng.random(todo.size) - 1.0
        value = f(trial, todo)
        keep = rng.random(todo.size) * top[todo] <= value
        c[todo[keep]] = trial[keep]
        todo = todo[~keep]
    raise ConvergenceError(f"{decay.parent}: Dalitz accept-reject did not finish in {_MAX_ROUNDS} rounds")


def _random_rotations(n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """n uniformly random rotation matrices (unit quaternions uniform on S^3, Shoemake 1992)."""
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1)[:, None]
    w, x, y, z = q.T
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], axis=1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], axis=1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], axis=1),
    ], axis=1)
