"""Tree-level annihilation cross sections of the dark matter into Standard-Model final states: the building
blocks (kinematics, the Breit-Wigner propagator, the fermion-pair-via-vector cross section, hadrons through R)
and the engine that turns a model's :meth:`~muonreach.models.base.Mediator.annihilation` into a dark sector.

Each model family supplies its own channels (its ``annihilation(width)`` method, in the model's module, built
from the blocks here); :func:`dark_sector` returns a :class:`~muonreach.cosmo.channels.DarkSector` that follows the contract of
:mod:`muonreach.cosmo.channels` exactly: sigma_ij(s) in GeV^-2 as a function of the Mandelstam s (numpy in,
numpy out), for particle i + ANTIparticle j when the states are not self-conjugate (for self-conjugate states,
i + j), averaged over the initial spins (1/dof_i/dof_j), summed over final states, and exactly 0 at and below
every threshold (s <= (m_i + m_j)^2, and s <= (m_f1 + m_f2)^2 channel by channel). Derivations, paper
comparisons and the discrepancies found are in ``docs/annihilation.md``.

Everything is an s-channel exchange of the model's mediator of mass M, with the full tree-level s dependence
and the Breit-Wigner factor

    P(s) = |1/(s - M^2 + i M Gamma)|^2 = 1/((s - M^2)^2 + M^2 Gamma^2),   Gamma = model.total_width.

Width scheme. The default ``width="constant"`` uses the total width at the pole, as returned by the model (the
fixed-width scheme of Griest & Seckel, Phys. Rev. D 43 (1991) 3191, and Gondolo & Gelmini, Nucl. Phys. B 360
(1991) 145, used by most relic codes). ``width="running"`` replaces M Gamma by sqrt(s) Gamma(sqrt s), the
imaginary part of the one-loop self-energy of the mediator (scalar, or the transverse part of a vector), with
Gamma(sqrt s) the total width of the same model at mass sqrt(s). The two agree at the pole and differ by
O(Gamma/M) across the peak (|s - M^2| ~ M Gamma); next to a threshold whose width changes fast (the
resonant benchmark of 000 eq. (2.9), where Gamma(S -> chi chibar) ~ beta_chi^3 is small) the difference is at
the per-cent level (numbers in docs/annihilation.md). The constant width is the default because (i) it is the
model's own ``total_width`` (one number, also returned by :func:`poles`), (ii) the running width of a
kinetically mixed vector needs R(sqrt s) at every s (DataRangeError above 38.4 GeV even for leptonic
channels) and (iii) away from the peak the width term is negligible in both schemes. Neither keeps the
real part of the self-energy; both are good to O(Gamma/M).

Conventions: v is the Moller velocity, equal in the centre-of-mass frame to the relative velocity
p sqrt(s)/(E_1 E_2) (= 2 beta for equal masses, so s = 4 m^2/(1 - v^2/4)); sigma v = a + b v^2 + O(v^4).
Couplings are those of the models (``models/scalar.py``, ``models/emu_scalar.py``, ``models/dark_photon.py``,
``models/vector.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import constants as c
from ..errors import DataRangeError, InvalidParameter
from ..models.base import Mediator
from ..models.rratio import SWITCH_GEV, r_values, sqrt_s_range, table
from .channels import CrossSection, DarkSector, DarkState

__all__ = [
    "WIDTH_SCHEMES",
    "Annihilation",
    "Channel",
    "annihilation_channels",
    "beta",
    "cm_momentum",
    "dark_sector",
    "hadron_channel",
    "kinetic_mixing_channels",
    "poles",
    "propagator",
    "sigma_fermions_via_vector",
    "vector_channel",
    "vector_current_contraction",
]

#: Breit-Wigner width schemes (see the module docstring).
WIDTH_SCHEMES: tuple[str, ...] = ("constant", "running")

Propagator = Callable[[NDArray[np.float64]], NDArray[np.float64]]
Pair = tuple[int, int]


# --- kinematics ---------------------------------------------------------------------------------------


def cm_momentum(s: NDArray[np.float64], m_a: float, m_b: float) -> NDArray[np.float64]:
    """Centre-of-mass momentum sqrt(lambda(s, m_a^2, m_b^2))/(2 sqrt s), for s above (m_a + m_b)^2."""
    lam = (s - (m_a + m_b) ** 2) * (s - (m_a - m_b) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * np.sqrt(s))


def beta(s: NDArray[np.float64], m: float) -> NDArray[np.float64]:
    """Velocity sqrt(1 - 4 m^2/s) of each member of an equal-mass pair, for s above 4 m^2."""
    return np.sqrt(np.clip(1.0 - 4.0 * m * m / s, 0.0, None))


def _on_open(s: ArrayLike, threshold: float, f: Callable[[NDArray[np.float64]], NDArray[np.float64]]) -> NDArray[np.float64]:
    """f(s) where s > threshold, exactly 0 elsewhere (f is only evaluated on the open points); shape of s kept."""
    s = np.asarray(s, dtype=float)
    if np.any(np.isnan(s)):
        raise InvalidParameter("Mandelstam s must not be NaN")
    out = np.zeros(s.shape)
    mask = s > threshold
    if np.any(mask):
        out[mask] = f(s[mask])
    return out


@dataclass(frozen=True)
class Channel:
    """One annihilation channel: sigma(s) in GeV^-2 for s above ``threshold`` (GeV^2), 0 at and below it.

    ``threshold`` is max((m_i + m_j)^2, (m_f1 + m_f2)^2); ``formula`` (s > threshold, vectorised) is the
    tree-level cross section of the sector function that built it; ``peaks``: sqrt(s) (GeV) of narrow structure
    in it other than the mediator pole (break points for the thermal average, see :func:`break_points`).
    """

    name: str
    threshold: float
    formula: Callable[[NDArray[np.float64]], NDArray[np.float64]]
    peaks: tuple[float, ...] = ()

    def __call__(self, s: ArrayLike) -> NDArray[np.float64]:
        return _on_open(s, self.threshold, self.formula)


@dataclass(frozen=True)
class _Total:
    """Sum of the channels of one initial pair (the sigma_ij of the contract)."""

    channels: tuple[Channel, ...]

    def __call__(self, s: ArrayLike) -> NDArray[np.float64]:
        s = np.asarray(s, dtype=float)
        total = np.zeros(s.shape)
        for ch in self.channels:
            total = total + ch(s)
        return total


# --- propagator ------------------------------------------------------------------------------------------


def propagator(model: Mediator, width: str) -> Propagator:
    """|1/(s - M^2 + i Im Sigma)|^2 with Im Sigma = M Gamma(M) ('constant') or sqrt(s) Gamma(sqrt s) ('running')."""
    if width not in WIDTH_SCHEMES:
        raise InvalidParameter(f"width must be one of {', '.join(WIDTH_SCHEMES)}; got {width!r}")
    m2 = model.mass**2
    if width == "constant":
        mg2 = (model.mass * model.total_width) ** 2

        def constant(s: NDArray[np.float64]) -> NDArray[np.float64]:
            return 1.0 / ((s - m2) ** 2 + mg2)

        return constant

    def running(s: NDArray[np.float64]) -> NDArray[np.float64]:
        unique, inverse = np.unique(s, return_inverse=True)
        gamma = np.array([dataclasses.replace(model, mass=math.sqrt(x)).total_width for x in unique])[inverse]
        return 1.0 / ((s - m2) ** 2 + s * gamma.reshape(s.shape) ** 2)

    return running


# --- the shared building blocks ---------------------------------------------------------------------------


def vector_current_contraction(
    p1: NDArray[np.float64],
    p2: NDArray[np.float64],
    k1: NDArray[np.float64],
    k2: NDArray[np.float64],
    m1: float,
    m2: float,
    m_f: float,
) -> NDArray[np.float64]:
    """(1/16) L_chi^{mu nu} L_f,mu nu for fermion(p1, m1) + antifermion(p2, m2) -> f(k1) fbar(k2) via a vector.

    L_chi = Tr[(p2/ - m2) g^mu (p1/ + m1) g^nu] = 4 [p1^mu p2^nu + p2^mu p1^nu - g^{mu nu}(p1.p2 + m1 m2)],
    L_f = Tr[(k1/ + m_f) g_mu (k2/ - m_f) g_nu] = 4 [k1 k2 + k2 k1 - g (k1.k2 + m_f^2)], and

        L_chi . L_f / 16 = 2 (p1.k1)(p2.k2) + 2 (p1.k2)(p2.k1) + 2 m_f^2 (p1.p2 + m1 m2) + 2 m1 m2 (k1.k2 + m_f^2).

    Four-vectors along the last axis, metric (+,-,-,-). Checked against explicit Dirac matrices in the tests.
    """

    def dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
        return a[..., 0] * b[..., 0] - np.sum(a[..., 1:] * b[..., 1:], axis=-1)

    return (
        2.0 * dot(p1, k1) * dot(p2, k2)
        + 2.0 * dot(p1, k2) * dot(p2, k1)
        + 2.0 * m_f**2 * (dot(p1, p2) + m1 * m2)
        + 2.0 * m1 * m2 * (dot(k1, k2) + m_f**2)
    )


def sigma_fermions_via_vector(
    s: NDArray[np.float64],
    m1: float,
    m2: float,
    g_dm: float,
    g_f: float,
    m_f: float,
    propagator: Propagator,
    helicity_fraction: float = 1.0,
) -> NDArray[np.float64]:
    """sigma(chi_a chi_b -> V* -> f fbar) for a vector current g_dm chibar_b gamma chi_a of unequal masses m1, m2.

    The one helper for every "fermion pair -> vector* -> fermion pair" channel: Dirac chi chibar (m1 = m2) and
    the inelastic chi1 chi2 (m2 = m1 + Delta). The amplitude is M = g_dm g_f [vbar(p2) g^mu u(p1)] [ubar(k1)
    g_mu v(k2)] / (s - M^2 + i M Gamma); the k^mu k^nu/M^2 part of the propagator drops because the SM current
    (g_f fbar gamma f, equal masses) is conserved, even though the dark current is not for m1 != m2.
    With :func:`vector_current_contraction`, sum_spins |M|^2 = 16 g_dm^2 g_f^2 P(s) [2 (p1.k1)(p2.k2) + 2 (p1.k2)
    (p2.k1) + 2 m_f^2 (p1.p2 + m1 m2) + 2 m1 m2 (k1.k2 + m_f^2)]. Its angular average in the c.m. frame is
    16 g_dm^2 g_f^2 P (s - D^2)(2 s + S^2)(s + 2 m_f^2)/(6 s) with S = m1 + m2, D = m2 - m1; spin average 1/4
    and sigma = <|M|^2> p_f/(16 pi s p_i) give

        sigma = g_dm^2 g_f^2 (2 s + S^2)(s + 2 m_f^2) sqrt(1 - 4 m_f^2/s) sqrt(s - D^2) P(s) / (24 pi s sqrt(s - S^2)).

    For m1 = m2 = m: g_dm^2 g_f^2 (s + 2 m^2)(s + 2 m_f^2) beta_f P/(12 pi s beta_chi), whose massless, heavy-
    mediator limit at s >> m^2 is the point cross section 4 pi alpha^2/(3 s) for g = e. ``helicity_fraction``
    = 1/2 for a massless neutrino coupled as nubar gamma P_L nu (the epsilon tensor of Tr[.. gamma5] contracts
    to 0 with the symmetric dark tensor). Evaluated where s > max(S^2, 4 m_f^2), 0 elsewhere.
    """
    big_s2, d2 = (m1 + m2) ** 2, (m2 - m1) ** 2

    def f(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return (
            helicity_fraction
            * (g_dm * g_f) ** 2
            * (2.0 * x + big_s2)
            * (x + 2.0 * m_f * m_f)
            * beta(x, m_f)
            * np.sqrt(x - d2)
            * propagator(x)
            / (24.0 * math.pi * x * np.sqrt(x - big_s2))
        )

    return _on_open(s, max(big_s2, 4.0 * m_f * m_f), f)


def _hadrons(
    s: NDArray[np.float64], m1: float, m2: float, g_dm: float, eps_e: float, propagator: Propagator
) -> NDArray[np.float64]:
    """sigma(-> hadrons) = sigma(-> mu mu with m_mu = 0) R(sqrt s) (DarkCast arXiv:1801.04847).

    R is the data-driven ratio of :mod:`muonreach.models.rratio` (0 below 0.2818 GeV); above the end of the
    table (38.38 GeV) DataRangeError propagates, as for the widths.
    """
    s = np.asarray(s, dtype=float)
    root = np.sqrt(np.clip(s[s > (m1 + m2) ** 2], 0.0, None))
    high = sqrt_s_range()[1]
    if root.size and float(root.max()) > high:
        raise DataRangeError(
            f"hadronic annihilation needs R(sqrt s), tabulated up to {high:g} GeV; got sqrt(s) = {float(root.max()):g} GeV"
        )
    massless = sigma_fermions_via_vector(s, m1, m2, g_dm, eps_e, 0.0, propagator)
    return massless * r_values(np.sqrt(np.clip(s, 0.0, None)))


def vector_channel(
    name: str, m1: float, m2: float, g_dm: float, g_f: float, m_f: float, prop: Propagator, helicity_fraction: float = 1.0
) -> Channel:
    """A fermion-pair -> vector* -> f fbar channel (:func:`sigma_fermions_via_vector`) with its threshold."""

    def formula(s: NDArray[np.float64]) -> NDArray[np.float64]:
        return sigma_fermions_via_vector(s, m1, m2, g_dm, g_f, m_f, prop, helicity_fraction)

    return Channel(name, max((m1 + m2) ** 2, 4.0 * m_f * m_f), formula)


@functools.cache
def _r_peaks() -> tuple[float, ...]:
    """sqrt(s) of the local maxima of R in the smooth VMD part of the table (below SWITCH_GEV: the rho-omega,
    phi and a 1.5 GeV peak); the PDG part above scatters point to point and has no narrow peaks."""
    x, r = table()
    top = np.nonzero((r[1:-1] > r[:-2]) & (r[1:-1] >= r[2:]))[0] + 1
    return tuple(float(v) for v in x[top] if v < SWITCH_GEV)


def hadron_channel(m1: float, m2: float, g_dm: float, eps_e: float, prop: Propagator) -> Channel:
    """Fermion pair -> vector* -> hadrons through a coupling eps e to the EM current (:func:`_hadrons`); the peaks
    of R are its ``peaks`` (without them the thermal average moved Omega h^2 by 8e-5: docs/relic.md)."""

    def formula(s: NDArray[np.float64]) -> NDArray[np.float64]:
        return _hadrons(s, m1, m2, g_dm, eps_e, prop)

    return Channel("hadrons", max((m1 + m2) ** 2, sqrt_s_range()[0] ** 2), formula, _r_peaks())


def kinetic_mixing_channels(m1: float, m2: float, g_dm: float, eps: float, prop: Propagator) -> list[Channel]:
    """e e, mu mu, tau tau (coupling eps e Q_l, Q_l = -1) and hadrons for a kinetically mixed vector."""
    eps_e = abs(eps) * c.E_CHARGE
    leptons = [vector_channel(f"{l}_{l}", m1, m2, g_dm, eps_e, c.LEPTON_MASSES[l], prop) for l in c.LEPTONS]
    return [*leptons, hadron_channel(m1, m2, g_dm, eps_e, prop)]


# --- the engine --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Annihilation:
    """What a model supplies for freeze-out: its dark states, the channels of each annihilating pair (i, j) and a
    one-line description. The cross sections follow the contract of :mod:`muonreach.cosmo.channels`."""

    states: tuple[DarkState, ...]
    channels: Mapping[Pair, list[Channel]]
    description: str


def _annihilation(model: Mediator, width: str) -> Annihilation:
    if width not in WIDTH_SCHEMES:
        raise InvalidParameter(f"width must be one of {', '.join(WIDTH_SCHEMES)}; got {width!r}")
    return model.annihilation(width)


def annihilation_channels(model: Mediator, width: str = "constant") -> dict[Pair, dict[str, Channel]]:
    """The channels of every listed pair, by name (e.g. {(0, 0): {'mu_mu': ..., 'gamma_gamma': ...}}).

    Their sum is the sigma_ij of :func:`dark_sector`; useful for annihilation branching fractions.
    """
    ann = _annihilation(model, width)
    return {pair: {ch.name: ch for ch in chs} for pair, chs in ann.channels.items() if chs}


def dark_sector(model: Mediator, width: str = "constant") -> DarkSector:
    """The :class:`DarkSector` of any model with dark matter; InvalidParameter (one line) if it has none."""
    ann = _annihilation(model, width)
    cross_sections: dict[Pair, CrossSection] = {pair: _Total(tuple(chs)) for pair, chs in ann.channels.items() if chs}
    return DarkSector(states=ann.states, cross_sections=cross_sections, description=ann.description)


def poles(model: Mediator) -> list[tuple[float, float]]:
    """s-channel poles of the sector as (mediator mass, total width) in GeV: breakpoints for the thermal average.

    One mediator per model, so one pole; the width is the constant (pole) width ``model.total_width``.
    """
    _annihilation(model, "constant")  # same validation as dark_sector
    return [(model.mass, model.total_width)]


def break_points(model: Mediator) -> list[tuple[float, float]]:
    """:func:`poles` plus zero-width break points (sqrt(s) in GeV, 0.0) where sigma(s) has a kink or narrow
    structure above the threshold of its initial pair: every channel threshold (a final state opening, e.g.
    mu+ mu- for m_chi < m_mu) and the channels' ``peaks`` (those of R for hadrons). The thermal average grades
    its quadrature panels towards each (muonreach.cosmo.freezeout._edges); without them Omega h^2 moved by up
    to 4.7e-4 where a channel opens at u ~ 10 near freeze-out (docs/relic.md)."""
    ann = _annihilation(model, "constant")
    points: set[float] = set()
    for (i, j), chs in ann.channels.items():
        pair = ann.states[i].mass + ann.states[j].mass
        for ch in chs:
            opens = math.sqrt(ch.threshold)
            points.update(p for p in (opens, *ch.peaks) if p > pair and p >= opens)
    return [(model.mass, model.total_width)] + [(p, 0.0) for p in sorted(points)]
