"""Flavour-changing radiation l N -> l' N phi (e N -> mu N phi, mu N -> e N phi) in the Weizsaecker-Williams
approximation: an explicit, approximate option next to the exact 2 -> 3 cross section.

The chiral scalar of 001_d90c7661beefddfc.txt eq. (2), L = -h ebar_L mu_R phi + h.c. = -h (ebar P_R mu phi +
mubar P_L e phi^*), turns the beam lepton l (mass m) into l' (mass m') while radiating phi. As for the diagonal
case (:mod:`muonreach.production.cross_sections`; Kim & Tsai 1973, Bjorken et al. arXiv:0906.0580 App. A, Liu,
McKeen, Miller arXiv:1609.06781) the nucleus supplies a quasi-real photon and the 2 -> 3 process reduces to
gamma(q) l(p) -> l'(p') phi(k), with s- (l propagator, mass m) and u-channel (l' propagator, mass m') diagrams;
both leptons have charge -e, so the pair is gauge invariant (tested).

Lab kinematics at the photon's minimal virtuality (small angles, x = E_phi/E, theta the angle of phi; derived
here, reducing to the diagonal forms for m' = m)::

    U = -u~ = x E^2 theta^2 + U_min,   U_min = (m_phi^2 (1 - x) + m^2 x^2) / x,   u~ = (p - k)^2 - m^2
    V = (1 - x) s~ = U + m'^2 - m^2,   s~ = s - m^2,   t_min = V^2 / (4 E^2 (1 - x)^2)

    dsigma / (dx dU) = (h^2 alpha^2 / (4 pi)) chi(t_min, t_max) beta_l beta_phi (1 - x) |A|^2 / V^2

with |A|^2 the spin-averaged 2 -> 2 squared amplitude at e = h = 1 (1/4 for the lepton spin and the photon
polarisation), computed here by explicit Dirac traces (:mod:`muonreach.production.dirac` conventions), and
t_max = m_phi^2 + max(m, m')^2 (the diagonal choice with the heavier lepton). For m' = m the vertex P_L gives
|A|^2 = (|A|^2_S + |A|^2_P)/4 and the cross section is (dsigma_S + dsigma_P)/4 of the diagonal WW (tests).

Approximation, stated: WW (equivalent real photon at t_min, small angles); no exact 2 -> 3 phase space. It is
the ``approximation = "ww"`` option for flavour-changing experiments; the exact 2 -> 3 cross section
(``production.exact``) replaces it where available. Valid for E >> m, m', m_phi. For m_phi < m - m' the beam
lepton itself decays, l -> l' phi (the s channel goes on shell): refused (KinematicallyForbidden); that region
belongs to the decay bound (constraints/emu.py).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..constants import ALPHA, LEPTON_MASSES
from ..errors import InvalidParameter, KinematicallyForbidden
from ..materials import Material, get_material
from .dirac import GAMMA, GAMMA5, IDENTITY, METRIC
from .flux import photon_flux

#: Fractions of [0, ln(U_cut/U_min)] bounding the Gauss-Legendre segments of the angular integral, and nodes per
#: segment (the diagonal WW rule of cross_sections; converged to < 1e-3 there and in tests/test_flavour_changing.py).
V_FRACTIONS = np.array([0.0, 0.05, 0.15, 0.35, 0.65, 1.0])
N_U: int = 12
_GL_U = np.polynomial.legendre.leggauss(N_U)
#: Points of the photon-flux table in ln t_min (0: evaluate the flux at every node).
FLUX_POINTS: int = 400
_P_L = 0.5 * (IDENTITY - GAMMA5)
_P_R = 0.5 * (IDENTITY + GAMMA5)


def _slash(p: NDArray) -> NDArray:
    """p-slash for (possibly complex) momenta of shape (n, 4)."""
    return np.einsum("nm,mij->nij", p @ METRIC, GAMMA)


def _momenta(s: NDArray, u: NDArray, m: float, mp: float, mx: float) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """(p, q, p', k) in the centre-of-mass frame at invariants s, u. Points just outside the physical region (the
    small-angle lab mapping) get an imaginary transverse momentum: the traces are polynomials in the components,
    so this is their analytic continuation in u (no complex conjugation is used below)."""
    rs = np.sqrt(s)
    big_p = (s - m * m) / (2.0 * rs)
    e_p = (s + m * m) / (2.0 * rs)
    e_k = (s + mx * mx - mp * mp) / (2.0 * rs)
    big_k = np.sqrt(np.maximum(e_k * e_k - mx * mx, 0.0))
    cos = (m * m + mx * mx - u - 2.0 * e_p * e_k) / (2.0 * big_p * big_k)
    sin = np.sqrt((1.0 - cos * cos).astype(complex))
    zero = np.zeros_like(s)
    p = np.stack([e_p, zero, zero, -big_p], axis=1).astype(complex)
    q = np.stack([big_p, zero, zero, big_p], axis=1).astype(complex)
    k = np.stack([e_k + 0j, big_k * sin, zero + 0j, big_k * cos + 0j], axis=1)
    return p, q, p + q - k, k


def amplitude_currents(s: ArrayLike, u: ArrayLike, m: float, mp: float, mx: float, chirality: str = "L"
                       ) -> tuple[NDArray, NDArray, tuple[NDArray, ...]]:
    """(O^mu, Obar^mu, (p, q, p', k)) of M^mu = ubar(p') O^mu u(p) for gamma l -> l' phi with vertex P_L or P_R:
    O^mu = G S_s gamma^mu + gamma^mu S_u G, S_s = (p + q + m)/(s - m^2), S_u = (p - k + m')/(u - m'^2); Obar^mu is
    its Dirac conjugate written out (reversed product, G -> its conjugate), analytic in the momenta. O has shape
    (n, 4, 4, 4) with mu second."""
    if chirality not in ("L", "R"):
        raise InvalidParameter(f"chirality must be 'L' or 'R', got {chirality!r}")
    s_a, u_a = np.atleast_1d(np.asarray(s, dtype=float)), np.atleast_1d(np.asarray(u, dtype=float))
    p, q, pp, k = _momenta(s_a, u_a, m, mp, mx)
    g, g_bar = (_P_L, _P_R) if chirality == "L" else (_P_R, _P_L)
    s_prop = (_slash(p + q) + m * IDENTITY) / (s_a - m * m)[:, None, None]
    u_prop = (_slash(p - k) + mp * IDENTITY) / (u_a - mp * mp)[:, None, None]
    o = np.einsum("ij,njk,mkl->nmil", g, s_prop, GAMMA) + np.einsum("mij,njk,kl->nmil", GAMMA, u_prop, g)
    o_bar = np.einsum("mij,njk,kl->nmil", GAMMA, s_prop, g_bar) + np.einsum("ij,njk,mkl->nmil", g_bar, u_prop, GAMMA)
    return o, o_bar, (p, q, pp, k)


def _trace_average(o: NDArray, o_bar: NDArray, p: NDArray, pp: NDArray, m: float, mp: float) -> NDArray:
    """1/4 sum_mu (-g_mu mu) Tr[(p' + m') O^mu (p + m) Obar^mu] (real part)."""
    left = _slash(pp) + mp * IDENTITY
    right = _slash(p) + m * IDENTITY
    first = np.einsum("nij,nmjk,nkl->nmil", left, o, right)
    traces = np.einsum("nmil,nmli->nm", first, o_bar)
    return np.real(np.einsum("nm,m->n", traces, -np.diag(METRIC))) / 4.0


def amplitude_squared_traces(s: ArrayLike, u: ArrayLike, m: float, mp: float, mx: float, chirality: str = "L",
                             diagrams: str = "both") -> NDArray:
    """Spin-averaged |A|^2 (e = h = 1) of gamma(q) l(p) -> l'(p') phi(k) at s, u by explicit traces: sum over final
    spins and -g_{mu nu} for the photon (gauge invariant), 1/4 for the initial spin and polarisation. ``diagrams``
    "s" or "u" keeps one diagram (for the polynomial form of :func:`amplitude_squared`)."""
    o, o_bar, (p, q, pp, k) = amplitude_currents(s, u, m, mp, mx, chirality)
    if diagrams != "both":
        g, g_bar = (_P_L, _P_R) if chirality == "L" else (_P_R, _P_L)
        s_a, u_a = np.atleast_1d(np.asarray(s, dtype=float)), np.atleast_1d(np.asarray(u, dtype=float))
        if diagrams == "s":
            prop = (_slash(p + q) + m * IDENTITY) / (s_a - m * m)[:, None, None]
            o = np.einsum("ij,njk,mkl->nmil", g, prop, GAMMA)
            o_bar = np.einsum("mij,njk,kl->nmil", GAMMA, prop, g_bar)
        else:
            prop = (_slash(p - k) + mp * IDENTITY) / (u_a - mp * mp)[:, None, None]
            o = np.einsum("mij,njk,kl->nmil", GAMMA, prop, g)
            o_bar = np.einsum("ij,njk,mkl->nmil", g_bar, prop, GAMMA)
    return _trace_average(o, o_bar, p, pp, m, mp)


#: Monomials a^i b^j (i + j <= 2) of the numerators of :func:`amplitude_squared`.
_POWERS = ((0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2))


def _monomials(a: NDArray, b: NDArray) -> NDArray:
    return np.stack([a**i * b**j for i, j in _POWERS], axis=-1)


@lru_cache(maxsize=256)
def _numerators(m: float, mp: float, mx: float, chirality: str) -> tuple[float, NDArray]:
    """(scale, coefficients (3, 6)) of |A|^2 = N_ss/a^2 + N_uu/b^2 + N_su/(a b), a = s - m^2, b = u - m'^2, each N a
    quadratic polynomial in (a, b)/scale (the traces hold at most four momenta): fitted exactly (least squares on
    24 physical points of the traces; tests check fresh points to 1e-9)."""
    scale = (m + mp + mx) ** 2
    rng = np.random.default_rng(20240613)
    s = (mp + mx) ** 2 * (1.0 + rng.uniform(0.05, 20.0, 24))
    rs = np.sqrt(s)
    big_p, e_p = (s - m * m) / (2.0 * rs), (s + m * m) / (2.0 * rs)
    e_k = (s + mx * mx - mp * mp) / (2.0 * rs)
    big_k = np.sqrt(e_k * e_k - mx * mx)
    u = m * m + mx * mx - 2.0 * (e_p * e_k + big_p * big_k * rng.uniform(-0.95, 0.95, 24))
    a, b = (s - m * m) / scale, (u - mp * mp) / scale
    design = _monomials(a, b)
    t_s = amplitude_squared_traces(s, u, m, mp, mx, chirality, "s") * a * a
    t_u = amplitude_squared_traces(s, u, m, mp, mx, chirality, "u") * b * b
    t_all = amplitude_squared_traces(s, u, m, mp, mx, chirality) * a * b
    coeffs = [np.linalg.lstsq(design, target, rcond=None)[0] for target in (t_s, t_u, t_all - t_s * b / a - t_u * a / b)]
    return scale, np.array(coeffs)


def amplitude_squared(s: ArrayLike, u: ArrayLike, m: float, mp: float, mx: float, chirality: str = "L") -> NDArray:
    """Spin-averaged |A|^2 (e = h = 1) of gamma l -> l' phi: the trace result (:func:`amplitude_squared_traces`) in
    its exact rational form N_ss/a^2 + N_uu/b^2 + N_su/(a b) with polynomial numerators (:func:`_numerators`),
    ~1000x faster for yield grids."""
    if chirality not in ("L", "R"):
        raise InvalidParameter(f"chirality must be 'L' or 'R', got {chirality!r}")
    scale, c = _numerators(float(m), float(mp), float(mx), chirality)
    a = (np.asarray(s, dtype=float) - m * m) / scale
    b = (np.asarray(u, dtype=float) - mp * mp) / scale
    mono = _monomials(a, b)
    return (mono @ c[0] / (a * a) + mono @ c[1] / (b * b) + mono @ c[2] / (a * b))


def _masses(lepton: str, final_lepton: str) -> tuple[float, float]:
    for name, lep in (("lepton", lepton), ("final_lepton", final_lepton)):
        if lep not in ("e", "mu"):
            raise InvalidParameter(f"{name} must be 'e' or 'mu', got {lep!r}")
    return LEPTON_MASSES[lepton], LEPTON_MASSES[final_lepton]


class FlavourChangingWW:
    """dsigma/dx of l N -> l' N phi in the WW approximation (module docstring), coupling h = 1, GeV^-2 per formula
    unit of ``material``: call :meth:`dsigma_dx` with broadcastable beam energies and x."""

    def __init__(self, mass: float, material: Material | str, lepton: str, final_lepton: str) -> None:
        if not (isinstance(mass, (int, float)) and math.isfinite(mass) and mass > 0.0):
            raise InvalidParameter(f"boson mass must be positive (GeV), got {mass!r}")
        self.m, self.mp = _masses(lepton, final_lepton)
        if mass <= self.m - self.mp:
            raise KinematicallyForbidden(
                f"m_phi = {mass:g} GeV < m_{lepton} - m_{final_lepton}: the beam {lepton} decays to {final_lepton} phi "
                "(use the decay bound, constraints/emu.py), no radiative production")
        self.mass = float(mass)
        self.material = material if isinstance(material, Material) else get_material(material)
        self.chirality = "L" if final_lepton == "mu" else "R"  # mubar P_L e phi^* / ebar P_R mu phi (001 eq. (2))
        self.t_max = mass * mass + max(self.m, self.mp) ** 2

    def _flux(self, t_min: NDArray) -> NDArray:
        """chi(t_min, t_max): on a table of FLUX_POINTS values log-spaced in t_min, interpolated linearly in ln t_min
        (chi is smooth there; relative error < 1e-4 against direct evaluation, tests); direct if ``FLUX_POINTS`` = 0."""
        if FLUX_POINTS == 0:
            return np.asarray(photon_flux(self.material, t_min, self.t_max, "fast", allow_forbidden=True))
        lo = float(np.min(t_min))
        grid = np.geomspace(min(lo, 0.5 * self.t_max), self.t_max, FLUX_POINTS)
        table = photon_flux(self.material, grid, self.t_max, "fast", allow_forbidden=True)
        return np.interp(np.log(t_min), np.log(grid), table)

    def x_range(self, energy: NDArray) -> tuple[NDArray, NDArray]:
        """(m_phi/E, 1 - m'/E)."""
        return self.mass / energy, 1.0 - self.mp / energy

    def dsigma_dx(self, energy: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
        """dsigma/dx (GeV^-2, h = 1) on broadcast arrays of beam energy and x; zero outside the kinematic range."""
        e_b, x_b = np.broadcast_arrays(np.asarray(energy, dtype=float), np.asarray(x, dtype=float))
        shape = x_b.shape
        e, xs = e_b.ravel(), x_b.ravel()
        m, mp, mx = self.m, self.mp, self.mass
        x_lo, x_hi = self.x_range(e)
        u_min = (mx * mx * (1.0 - xs) + m * m * xs * xs) / np.where(xs > 0.0, xs, 1.0)
        shift = mp * mp - m * m  # V - U
        u_cut = 2.0 * e * (1.0 - xs) * math.sqrt(self.t_max) - shift  # t_min(U) = t_max there
        open_ = (xs > x_lo) & (xs < x_hi) & (u_cut > u_min) & (u_min + shift > 0.0)
        out = np.zeros(xs.size)
        if not np.any(open_):
            return out.reshape(shape)
        e, xs, u_min, u_cut = e[open_], xs[open_], u_min[open_], u_cut[open_]
        edges = np.log(u_cut / u_min)[:, None] * V_FRACTIONS[None, :]
        half, mid = 0.5 * np.diff(edges, axis=1), 0.5 * (edges[:, 1:] + edges[:, :-1])
        v = mid[..., None] + half[..., None] * _GL_U[0]  # (n, segments, nodes)
        big_u = u_min[:, None, None] * np.exp(v)
        big_v = big_u + shift
        xx, ee = xs[:, None, None], e[:, None, None]
        s_mand = m * m + big_v / (1.0 - xx)
        u_mand = m * m - big_u
        amp = amplitude_squared(s_mand.ravel(), u_mand.ravel(), m, mp, mx, self.chirality).reshape(big_u.shape)
        t_min = (big_v / (2.0 * ee * (1.0 - xx))) ** 2
        chi = self._flux(np.minimum(t_min, self.t_max))
        beta = np.sqrt(np.maximum(0.0, 1.0 - (m / e) ** 2)) * np.sqrt(np.maximum(0.0, 1.0 - (mx / (xs * e)) ** 2))
        integrand = (1.0 - xx) * amp * big_u / big_v**2 * chi  # dU = U dv
        integral = np.einsum("ns,nsk,k->n", half, integrand, _GL_U[1])
        value = ALPHA * ALPHA / (4.0 * math.pi) * beta * integral
        if not np.all(np.isfinite(value)):
            raise KinematicallyForbidden(f"flavour-changing WW dsigma/dx not finite at m_phi = {mx:g} GeV")
        out[open_] = value
        return out.reshape(shape)

    def sigma(self, energy: float, x_min: float = 0.0) -> float:
        """sigma(x > x_min) (GeV^-2 per formula unit, h = 1) at beam energy ``energy`` (GeV): :meth:`dsigma_dx` on
        the x rule of the diagonal WW (:func:`~muonreach.production.cross_sections.x_nodes`); agrees with
        adaptive quadrature to < 1e-5 relative (tests/test_flavour_changing.py)."""
        from .cross_sections import x_nodes

        e, xm = float(energy), float(x_min)
        if not (math.isfinite(e) and e > 0.0):
            raise InvalidParameter(f"beam energy must be positive (GeV), got {energy!r}")
        if not (math.isfinite(xm) and 0.0 <= xm < 1.0):
            raise InvalidParameter(f"x_min must be in [0, 1), got {x_min!r}")
        x_lo, x_hi = self.x_range(np.array(e))
        a, b = max(xm, float(x_lo)), float(x_hi)
        if a >= b:
            return 0.0
        xs, ws = x_nodes(a, b, float(x_lo), x_peak=self.mass / max(self.m, self.mp))
        return float(np.dot(ws, self.dsigma_dx(e, xs)))
