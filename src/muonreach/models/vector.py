"""Muon-philic vectors: a muon-specific vector V and the gauged L_mu - L_tau boson Z'.

* :class:`MuonVector`: L ⊃ g_mu V_a mubar gamma^a mu (M^3 paper eq. (2.2) in 004_7de0b22078876a0d.txt,
  arXiv:1804.03144) + optional tree-level kinetic mixing eps + optional Dirac dark matter chi.
* :class:`LmuLtau`: L ⊃ -Z'_a J^a, J = g' (mubar gamma mu + nubar_mu gamma P_L nu_mu - taubar gamma tau
  - nubar_tau gamma P_L nu_tau) (M^3 paper eqs. (2.5)-(2.6) in 004, lines ~1020-1079; 1902.07715 eq. (1)),
  with the finite one-loop kinetic mixing of :func:`kinetic_mixing` and optional Dirac dark matter.

Kinetic-mixing convention (1902.07715 eq. (1), 004 line ~3130): L ⊃ V_a (g J_V^a + eps e J_EM^a) with
J_EM = sum_f Q_f fbar gamma f and Q_e = Q_mu = Q_tau = -1, the photon coupling written the same way. So eps
gives the electron the vector coupling eps e Q_e = -eps e. Widths depend on eps^2 only; the sign matters
only where eps interferes with a direct coupling (the muon coupling of :class:`MuonVector`).

Widths in GeV; a closed channel has width 0.0. The V -> f fbar formula and the hadronic width induced by
mixing (data-driven R ratio) are those of :mod:`muonreach.models.dark_photon`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from .. import constants as c
from ..errors import DataRangeError, InvalidParameter
from ..gm2 import loops
from ..validation import coupling, finite, positive
from .base import Mediator, require_lepton
from .dark_photon import hadronic_width, vector_to_fermions_width

if TYPE_CHECKING:
    from ..cosmo.annihilation import Annihilation

# --- widths ----------------------------------------------------------------------------------------


def vector_width_from_coupling(mass: ArrayLike, g: Any, m_f: ArrayLike) -> Any:
    """Gamma(V -> f fbar) = g^2 m_V/(12 pi) (1 + 2 m_f^2/m_V^2) sqrt(1 - 4 m_f^2/m_V^2) for a coupling g; 0 if closed.

    The formula lives once, in :func:`muonreach.models.dark_photon.vector_to_fermions_width` (in terms of
    alpha_V = g^2/(4 pi): 1902.07715 eq. (2), 004 lines ~3157-3184, with m_f for the printed m_mu, DESIGN.md
    erratum); this wrapper takes the coupling g. Same form for Dirac dark matter (1902.07715 eq. (3)). Elementwise.
    """
    return vector_to_fermions_width(mass, g * g / (4.0 * math.pi), m_f)


def vector_to_neutrinos_width(mass: Any, g: Any) -> Any:
    """Gamma(V -> nu nubar) = g^2 m_V/(24 pi) per flavour (alpha_V m_V/6, 1902.07715 text after eq. (2)).

    The current nubar gamma P_L nu couples one helicity only: half the massless Dirac width. Massless nu.
    """
    return g * g * mass / (24.0 * math.pi)


# --- loop-induced kinetic mixing -------------------------------------------------------------------


def _vacuum_polarization(z: float) -> complex:
    """I(z) = int_0^1 dx x(1-x) ln[1 - z x(1-x) - i0], z = q^2/m^2 (closed form, derived here).

    With t = 2x - 1 and c = 4/z - 1 = -beta^2 (beta^2 = 1 - 4/z), integrating by parts gives
    I = -(1/4) [16/9 + (2/3) c - (2 c + 2 c^2/3) K],  K = int_0^1 dt/(t^2 + c):
    K = arctan(1/sqrt c)/sqrt c for 0 < z < 4, K = ln|(1-beta)/(1+beta)|/(2 beta) otherwise (principal
    value). For z > 4 the -i0 adds Im I = -pi int_{x-}^{x+} x(1-x) dx = -pi (beta/6)(1 + 2/z).
    For |z| < 1/2 the closed form cancels badly; there the series -sum_n z^n/n B(n+2, n+2) is used.
    Checked against adaptive quadrature in tests/test_vector.py.
    """
    if z == 0.0:
        return 0.0 + 0.0j
    if abs(z) < 0.5:
        total, coeff, n = 0.0, 1.0 / 30.0, 1  # coeff = B(n+2, n+2) = ((n+1)!)^2/(2n+3)!
        term = z * coeff
        while True:
            total -= term / n
            n += 1
            coeff *= (n + 1) * (n + 1) / ((2 * n + 3) * (2 * n + 2))
            term = z**n * coeff
            if abs(term) <= 1e-17 * abs(total):
                return complex(total, 0.0)
    cc = 4.0 / z - 1.0
    if cc > 0.0:  # 0 < z < 4: below threshold
        root = math.sqrt(cc)
        ck = (2.0 * cc + 2.0 * cc * cc / 3.0) * math.atan(1.0 / root) / root
        imag = 0.0
    elif cc == 0.0:  # exactly at threshold: c K -> 0
        ck, imag = 0.0, 0.0
    else:  # z > 4 (above threshold) or z < 0 (space-like)
        beta = math.sqrt(-cc)
        one_minus = (4.0 / abs(z)) / (1.0 + beta)  # |1 - beta| without cancellation
        k = math.log(one_minus / (1.0 + beta)) / (2.0 * beta)
        ck = (2.0 * cc + 2.0 * cc * cc / 3.0) * k
        imag = -math.pi * beta / 6.0 * (1.0 + 2.0 / z) if z > 4.0 else 0.0
    return complex(-0.25 * (16.0 / 9.0 + 2.0 * cc / 3.0 - ck), imag)


def kinetic_mixing(g: float, q2: float) -> complex:
    """Loop-induced L_mu - L_tau / photon kinetic mixing eps(q^2) = Pi(q^2) (complex above 2 m_mu).

    Pi(q^2) = (e g/(2 pi^2)) int_0^1 dx x(1-x) ln[(m_tau^2 - x(1-x) q^2 - i0)/(m_mu^2 - x(1-x) q^2 - i0)]
    (004 notes-004-part2 S8 eq. (5) = 8 e g/(4 pi)^2 (...), Araki et al., arXiv:1702.01497; sign as printed
    there). Pi(0) = (e g/(12 pi^2)) ln(m_tau^2/m_mu^2) = g/69.3 with e = e(0) = sqrt(4 pi alpha(0)).
    1902.07715 (004 line ~3149) quotes "eps ≃ g/67": that is this formula with alpha(M_Z) ≈ 1/128 (g/66.95);
    muonreach uses alpha(0), the coupling of an on-shell photon at low q^2 (see tests/test_vector.py).
    Above 2 m_mu the -i0 (Feynman) prescription gives Im Pi = (e g/(12 pi)) [beta_mu (1 + 2 m_mu^2/q^2) -
    theta(q^2 - 4 m_tau^2) beta_tau (1 + 2 m_tau^2/q^2)] > 0 (optical theorem: = e Gamma(Z'->mu mu)/(g M)).
    Valid at one loop for any real q^2 (GeV^2, space-like q^2 < 0 allowed), assuming no tree-level mixing.
    """
    return _kinetic_mixing(coupling("g", g), finite("q2", q2))


@functools.lru_cache(maxsize=4096)
def _mixing_bracket(q2: float) -> complex:
    """The q^2-dependent bracket of :func:`kinetic_mixing` (remembered: Pi is linear in g)."""
    mu2, tau2 = c.M_MU**2, c.M_TAU**2
    return math.log(tau2 / mu2) / 6.0 + _vacuum_polarization(q2 / tau2) - _vacuum_polarization(q2 / mu2)


def _kinetic_mixing(g: Any, q2: Any) -> Any:
    """:func:`kinetic_mixing` without the checks, elementwise in g and q2 (the bracket is evaluated per distinct
    q^2: a loop over the masses of an array, as its series has a data-dependent length)."""
    if np.ndim(q2) == 0:
        bracket: Any = _mixing_bracket(float(q2))
    else:
        q2 = np.asarray(q2, dtype=float)
        bracket = np.array([_mixing_bracket(float(x)) for x in q2.ravel()]).reshape(q2.shape)
    return c.E_CHARGE * g / (2.0 * math.pi**2) * bracket


def _hadronic_width(mass: float, eps: float, model: str) -> float:
    """Gamma(V -> hadrons) = eps^2 alpha m/3 R(m) of a vector with kinetic mixing eps (dark-photon module).

    R is data (:mod:`muonreach.models.rratio`), tabulated up to 38.4 GeV: beyond it DataRangeError is raised,
    with a hint, rather than dropping the channel silently.
    """
    try:
        return hadronic_width(mass, eps)
    except DataRangeError as err:
        raise DataRangeError(f"{model}: the hadronic width through kinetic mixing needs R(m): {err}") from err


def _require_dm(model: MuonVector | LmuLtau) -> float:
    """The Dirac DM mass, or a one-line InvalidParameter for a model without dark matter."""
    if model.m_chi is None or model.g_chi == 0.0:
        raise InvalidParameter(f"{type(model).__name__} has no dark matter to annihilate: set m_chi and a non-zero g_chi")
    return float(model.m_chi)


def _validate_dm(g_chi: float, m_chi: float | None) -> None:
    coupling("g_chi", g_chi)
    if m_chi is not None:
        positive("m_chi", m_chi)
    elif g_chi != 0.0:
        raise InvalidParameter("g_chi is set but m_chi is not: give the dark-matter mass")


# --- models ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MuonVector(Mediator):
    """Muon-specific vector V (mass in GeV), optional tree-level kinetic mixing ``eps`` and Dirac DM chi.

    L ⊃ V_a (g_mu mubar gamma^a mu + eps e J_EM^a + g_chi chibar gamma^a chi) (M^3 eq. (2.2), arXiv:1804.03144;
    1902.07715 eqs. (1), (3)). With eps = 0, no DM and m_V < 2 m_mu, V has no tree-level decay (stable).
    """

    g_mu: float = 0.0
    eps: float = 0.0
    g_chi: float = 0.0
    m_chi: float | None = None
    array_safe: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        coupling("g_mu", self.g_mu)
        if not abs(finite("eps", self.eps)) < 1.0:
            raise InvalidParameter(f"kinetic mixing eps must satisfy |eps| < 1, got {self.eps:g}")
        _validate_dm(self.g_chi, self.m_chi)

    @property
    def lepton_couplings(self) -> dict[str, float]:
        """Total vector coupling to each lepton: g_mu delta_{l mu} + eps e Q_l with Q_l = -1 (module docstring).

        Direct and mixing couplings add in the amplitude, so the muon's is g_mu - eps e: with eps g_mu < 0 the
        electron coupling (-eps e) has the sign of g_mu and they interfere constructively in Delta a_mu.
        """
        ee = self.eps * c.E_CHARGE
        return {"e": -ee, "mu": self.g_mu - ee, "tau": -ee}

    def partial_widths(self) -> dict[str, float]:
        """'mu_mu' (and with eps != 0 'e_e', 'tau_tau', 'hadrons'; with DM 'chi_chi'), tree level."""
        g = self.lepton_couplings
        widths = {"mu_mu": vector_width_from_coupling(self.mass, g["mu"], c.M_MU)}
        if self.eps != 0.0:
            widths["e_e"] = vector_width_from_coupling(self.mass, g["e"], c.M_E)
            widths["tau_tau"] = vector_width_from_coupling(self.mass, g["tau"], c.M_TAU)
            widths["hadrons"] = _hadronic_width(self.mass, abs(self.eps), "MuonVector with eps != 0")
        if self.m_chi is not None:
            widths["chi_chi"] = vector_width_from_coupling(self.mass, self.g_chi, self.m_chi)
        return widths

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        """Radiated as a vector with the total coupling of :attr:`lepton_couplings`."""
        return "vector", self.lepton_couplings[require_lepton(lepton)]

    def invisible_channels(self) -> frozenset[str]:
        return frozenset({"chi_chi"})

    def dark_state_masses(self) -> dict[str, float]:
        """{"chi": m_chi} when the Dirac dark matter is set."""
        return {} if self.m_chi is None else {"chi": self.m_chi}

    def annihilation(self, width: str = "constant") -> Annihilation:
        """Dirac chi chibar -> V* -> mu+mu- (coupling g_mu - eps e) and, with kinetic mixing, e+e-, tau+tau-, hadrons.

        Same helper as the dark photon and L_mu - L_tau (:func:`sigma_fermions_via_vector`), couplings from
        :attr:`MuonVector.lepton_couplings`; hadrons through eps e with R(sqrt s).
        """
        from ..cosmo import annihilation as an

        m = _require_dm(self)
        prop = an.propagator(self, width)
        couplings = self.lepton_couplings
        channels = []
        if couplings["mu"] != 0.0:
            channels.append(an.vector_channel("mu_mu", m, m, self.g_chi, couplings["mu"], c.M_MU, prop))
        if self.eps != 0.0:
            channels.append(an.vector_channel("e_e", m, m, self.g_chi, couplings["e"], c.M_E, prop))
            channels.append(an.vector_channel("tau_tau", m, m, self.g_chi, couplings["tau"], c.M_TAU, prop))
            channels.append(an.hadron_channel(m, m, self.g_chi, abs(self.eps) * c.E_CHARGE, prop))
        return an.Annihilation((an.DarkState("chi", m, 2, False),), {(0, 0): channels},
                               f"Dirac chi ({m:g} GeV) chi chibar -> V* -> mu mu (+ mixing channels); V {self.mass:g} GeV")

    def delta_a(self, lepton: str = "mu") -> float:
        """One-loop Delta a_l = loops.vector(m_l, m_V, total coupling) (M^3 eq. (2.4), arXiv:1804.03144).

        The total coupling is :attr:`lepton_couplings` (g_mu - eps e for the muon, -eps e for e and tau):
        exact at one loop because both are tree-level vector couplings. DM does not enter at one loop.
        """
        g = self.lepton_couplings[require_lepton(lepton)]
        return loops.vector(c.LEPTON_MASSES[lepton], self.mass, g)


@dataclass(frozen=True)
class LmuLtau(Mediator):
    """Gauged L_mu - L_tau boson Z' (mass in GeV), gauge coupling ``g`` = g', optional Dirac DM chi.

    ``g_chi`` = g' q_chi is given directly (1902.07715 eq. (3)). ``loop_mixing`` (default True) adds the decays
    through the finite one-loop kinetic mixing eps = Pi(m_Z'^2) of :func:`kinetic_mixing`, present in the
    minimal model (no tree-level mixing): 'e_e' with coupling e |Pi(m^2)|, and 'hadrons' via the dark-photon R
    ratio. Below 2 m_mu, Gamma_ee/Gamma_nunu(both flavours) = e^2 |Pi/g|^2 = 1.9e-5 (m -> 0) rising to 3.9e-5
    just below 2 m_mu ("suppressed by eps^2 alpha/alpha_V", 1902.07715 after eq. (2)); above, the mixing
    channels are < 3e-4 of the total (largest at the phi(1020) peak of R). Above 38.4 GeV (end of the R table)
    the hadronic channel raises DataRangeError: use ``loop_mixing=False`` there. ``loop_mixing=False`` is the
    approximation of 1902.07715, which neglects these channels. The mixing's O(e Pi/g) ~ 0.4% correction to the
    mu and tau couplings (two-loop order, like the QED corrections) is not added (see :meth:`delta_a`).
    """

    g: float = 0.0
    g_chi: float = 0.0
    m_chi: float | None = None
    loop_mixing: bool = True
    array_safe: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        coupling("g", self.g)
        _validate_dm(self.g_chi, self.m_chi)
        if not isinstance(self.loop_mixing, bool):
            raise InvalidParameter(f"loop_mixing must be True or False, got {self.loop_mixing!r}")

    def epsilon(self) -> complex:
        """Kinetic mixing at the Z' pole, Pi(m_Z'^2) (eq. (7) of Araki et al.: eps_Belle = Pi(M^2))."""
        return _kinetic_mixing(self.g, np.square(self.mass))  # the fields are checked (or arrays: unchecked)

    def partial_widths(self) -> dict[str, float]:
        """'mu_mu', 'tau_tau', 'nu_mu_nu_mu', 'nu_tau_nu_tau' (+ 'chi_chi', + 'e_e', 'hadrons' with mixing)."""
        m, g = self.mass, self.g
        widths = {
            "mu_mu": vector_width_from_coupling(m, g, c.M_MU),
            "tau_tau": vector_width_from_coupling(m, g, c.M_TAU),
            "nu_mu_nu_mu": vector_to_neutrinos_width(m, g),
            "nu_tau_nu_tau": vector_to_neutrinos_width(m, g),
        }
        if self.m_chi is not None:
            widths["chi_chi"] = vector_width_from_coupling(m, self.g_chi, self.m_chi)
        if self.loop_mixing and (np.ndim(g) or g != 0.0):  # an array of couplings: its zeros add exactly 0
            eps = np.abs(self.epsilon())
            widths["e_e"] = vector_width_from_coupling(m, eps * c.E_CHARGE, c.M_E)
            widths["hadrons"] = _hadronic_width(m, eps, "LmuLtau (use loop_mixing=False above the table)")
        return widths

    def invisible_channels(self) -> frozenset[str]:
        return frozenset({"nu_mu_nu_mu", "nu_tau_nu_tau", "chi_chi"})

    def dark_state_masses(self) -> dict[str, float]:
        """{"chi": m_chi} when the Dirac dark matter is set."""
        return {} if self.m_chi is None else {"chi": self.m_chi}

    def neutrino_coupling(self, flavour: str) -> float:
        """+g' for nu_mu, -g' for nu_tau (left-handed; L_mu - L_tau charges), 0 for nu_e."""
        require_lepton(flavour)
        return {"mu": self.g, "tau": -self.g}.get(flavour, 0.0)

    def annihilation(self, width: str = "constant") -> Annihilation:
        """Dirac chi chibar -> Z'* -> mu+mu-, tau+tau-, nu_mu nubar_mu, nu_tau nubar_tau (gauged L_mu - L_tau).

        :func:`sigma_fermions_via_vector` with g_dm = g_chi, g_f = g' (the sign of the tau charge drops in |M|^2);
        neutrinos couple through nubar gamma P_L nu: one helicity, half the massless Dirac cross section. s-wave:
        per charged lepton a = g_chi^2 g'^2 (2 m^2 + m_l^2) sqrt(1 - m_l^2/m^2) P(4 m^2)/(2 pi), which for
        m_Z' >> m_chi >> m_l is y/(pi m_chi^2) with the M^3 variable y = g_chi^2 g'^2 (m_chi/m_Z')^4 (004,
        notes-004-part2.md S2); each neutrino flavour gives half of that. The loop-induced kinetic mixing of
        ``loop_mixing`` (e+e- and hadrons, < 4e-5 of nu nubar below 2 m_mu, < 3e-4 above) enters the total width
        through the model but is not added as an annihilation channel.
        """
        from ..cosmo import annihilation as an

        m = _require_dm(self)
        prop = an.propagator(self, width)
        g, g_chi = self.g, self.g_chi
        channels = []
        if g != 0.0:
            channels = [
                an.vector_channel("mu_mu", m, m, g_chi, g, c.M_MU, prop),
                an.vector_channel("tau_tau", m, m, g_chi, g, c.M_TAU, prop),
                an.vector_channel("nu_mu_nu_mu", m, m, g_chi, g, 0.0, prop, 0.5),
                an.vector_channel("nu_tau_nu_tau", m, m, g_chi, g, 0.0, prop, 0.5),
            ]
        return an.Annihilation((an.DarkState("chi", m, 2, False),), {(0, 0): channels},
                               f"Dirac chi ({m:g} GeV) chi chibar -> Z'* -> mu mu, tau tau, nu nu; Z' {self.mass:g} GeV")

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        """Radiated off muons with the gauge coupling g' (off electrons only through the loop mixing e Pi(0),
        valid for a light Z': the q^2 dependence of the mixing is neglected in production)."""
        require_lepton(lepton)
        if lepton == "mu":
            return "vector", self.g
        if lepton == "tau":
            return "vector", -self.g
        return "vector", (c.E_CHARGE * abs(kinetic_mixing(self.g, 0.0)) if self.loop_mixing else 0.0)

    def delta_a(self, lepton: str = "mu") -> float:
        """Delta a_l = loops.vector(m_l, m_Z', g') for mu and tau (M^3 eq. (2.4), arXiv:1804.03144).

        For mu and tau the loop mixing is not included: it shifts their coupling by e Pi(q^2) inside the loop,
        a two-loop (vacuum-polarisation insertion) effect of relative size 2 e Pi(0)/g =
        (2 alpha/(3 pi)) ln(m_tau^2/m_mu^2) = 0.9%, the order of the two-loop corrections muonreach omits.
        The electron couples only through the mixing; with ``loop_mixing`` its leading term is the vector loop
        with coupling e Pi(0) (static approximation: loop momenta ~ max(m_Z', m_e) << 2 m_mu, good for
        m_Z' << m_mu; above that it is an estimate of a contribution falling like m_e^2/m_Z'^2). It is at most
        ~5e-14 in the (g-2)_mu region (light Z', g' = 4.4e-4). Without ``loop_mixing`` it is 0.0.
        """
        if require_lepton(lepton) != "e":
            return loops.vector(c.LEPTON_MASSES[lepton], self.mass, self.g)
        if not self.loop_mixing:
            return 0.0
        return loops.vector(c.M_E, self.mass, c.E_CHARGE * kinetic_mixing(self.g, 0.0).real)
