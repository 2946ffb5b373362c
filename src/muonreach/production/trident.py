"""Neutrino trident production nu_mu N -> nu_mu N mu+ mu- in the equivalent-photon approximation, with the SM
(W + Z) four-fermion interaction and an L_mu - L_tau Z'.

Source: Altmannshofer, Gori, Pospelov, Yavin, arXiv:1406.2332 (004_7de0b22078876a0d.txt lines ~4831-5444,
notes-004-part2.md S7):

* eq. (2)-(3): sigma(nu N) = int sigma(nu gamma -> nu mu mu)(s) P(s, q^2), with the coherent photon probability
  P = (Z^2 alpha/pi) (ds/s) (dq^2/q^2) F^2(q^2); s = 2 k1.q from 4 m^2 to 2 E_nu q, q = sqrt(q^2) >= 2 m^2/E_nu
  (the printed upper limit "1" of q is infinity, cut off by F);
* eq. (4): d sigma(nu gamma) = (1/(2s)) dPS_3 (1/2) sum|M|^2 (photon average), |M|^2 from
  :mod:`.trident_amplitude` (exact Dirac traces with the muon mass);
* eq. (5): dPS_3 = (1/(64 pi^2)) (dt/s) (dl/(2 pi)) v (dOmega'/(4 pi)), l = m_mumu^2 in [4m^2, s], t = |k^2| in
  [0, s - l] (k = k1 - k2, re-derived here: this is the paper's t in (l, s) shifted by l), Omega' the mu- direction in
  the mu mu rest frame relative to the photon;
* eq. (7)-(8): the Z' adds to C_V the momentum-dependent C_V^Z' m_Z'^2/(m_Z'^2 - k^2) = g'^2 v^2/(m_Z'^2 + |k^2|)
  (v = 246 GeV, constructive with the SM's C_V = 1/2 + 2 s_W^2). So sigma = sigma_0 + g'^2 sigma_1(m) + g'^4 sigma_2(m),
  exactly, and one event sample gives every (m_Z', g').

Nuclear form factor (:func:`form_factor_sq`, an explicit option): ``dipole`` (default) F(q^2) = 1/(1 + q^2/d),
d = 0.164 A^(-2/3) GeV^2 (the nuclear part of 002 App. A eq. (A1), after Bjorken, Essig, Schuster, Toro, arXiv:0906.0580;
:func:`muonreach.production.form_factors.nuclear_d`), or ``gaussian`` F = exp(-q^2 <r^2>/6) with the measured charge
radius, one reading of the "simple exponential form factor" of 1406.2332 (whose parameters the extraction does not
give). Atomic screening is negligible (q >= 2 m_mu^2/E_nu ~ 1 MeV). Only the coherent (nuclear) process: the
diffractive/incoherent part on single nucleons (~10-30 % at these energies, Ballett et al. arXiv:1807.10973) is not
included; it cancels to a large extent in sigma/sigma_SM. Against Zhou & Beacom's full calculation (arXiv:1910.08090,
O-16) the EPA agrees at 160 GeV (dipole 1.08, Gaussian 0.90 of their total) and overestimates at 20 GeV (1.45, 1.14).

Integration: the 6-dimensional integral (ln q^2, ln s, ln l, ln t, eta, phi') is adapted by ``vegas`` (Lepage), with
the collinear poles 1/((1 - v c)(1 + v c)) flattened analytically by c = tanh(eta)/v; t is sampled in
[t_min, s - l] with t_min = 1e-12 GeV^2 (the omitted slice [0, t_min] is < 1e-6 of any Z' term for m_Z' >= 1 MeV).
The grid is adapted to the SM integrand plus the pure-Z' integrands of reference masses, so that one stored sample
serves light and heavy Z' alike. Valid for E_nu >> m_mu, coherent scattering, k^2 << M_W^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from .. import units
from ..errors import InvalidParameter, KinematicallyForbidden, UnknownName
from ..validation import positive
from .form_factors import nuclear_d
from .trident_amplitude import trace_terms

T_MIN_GEV2 = 1e-12
#: reference Z' masses (GeV) whose pure-Z' integrands steer the vegas grid
_REFERENCE_MASSES = (0.003, 0.03, 0.3, 3.0)
_CHUNK = 8000


FORM_FACTORS = ("dipole", "gaussian")


def form_factor_sq(q2: NDArray[np.float64], a: float, r_rms_fm: float, form: str = "dipole") -> NDArray[np.float64]:
    """|F(q^2)|^2 of the nuclear charge at photon virtuality q2 (GeV^2): ``dipole`` 1/(1 + q^2/d)^2 with
    d = nuclear_d(A) (0906.0580, its rms radius sqrt(6/d) is 3.0 fm for O-16, 4.6 fm for Fe), or ``gaussian``
    exp(-q^2 <r^2>/3) with the charge radius ``r_rms_fm`` (F(q^2) = 1 - q^2 <r^2>/6 + ... in both)."""
    if form == "dipole":
        return 1.0 / (1.0 + q2 / nuclear_d(a)) ** 2
    if form == "gaussian":
        r_gev = r_rms_fm * units.fm / units.HBARC_GEV_CM
        return np.exp(-q2 * r_gev * r_gev / 3.0)
    raise UnknownName(f"unknown nuclear form factor {form!r}; known: {', '.join(FORM_FACTORS)}")


def sm_couplings(sin2_theta_w: float) -> tuple[float, float]:
    """(C_V, C_A) of the SM nu_mu - mu interaction: (1/2 + 2 s_W^2, 1/2) (1406.2332 after eq. (7))."""
    return 0.5 + 2.0 * sin2_theta_w, 0.5


def kinematics(s, ell, t, cos_theta, phi, m: float):
    """Four-momenta (k1, k2, q, p-, p+) in the mu mu rest frame for nu(k1) gamma(q) -> nu(k2) [mu- mu+](l).

    Invariants: s = (k1 + q)^2, l = (p- + p+)^2, t = -(k1 - k2)^2 >= 0; the photon is along z, k1 in the x-z plane,
    the mu- at polar angle arccos(cos_theta) from the photon and azimuth phi. Derivation: q.P = (l + t)/2,
    k1.P = (s - t)/2, k1.q = s/2 with P = (sqrt l, 0).
    """
    rl = np.sqrt(ell)
    w = (ell + t) / (2.0 * rl)
    e1 = (s - t) / (2.0 * rl)
    ct1 = np.clip(1.0 - s / (2.0 * e1 * w), -1.0, 1.0)
    st1 = np.sqrt(1.0 - ct1 * ct1)
    zero = np.zeros_like(w)
    q = np.stack([w, zero, zero, w], -1)
    k1 = np.stack([e1, e1 * st1, zero, e1 * ct1], -1)
    k2 = k1 + q - np.stack([rl, zero, zero, zero], -1)
    v = np.sqrt(np.clip(1.0 - 4.0 * m * m / ell, 0.0, None))
    st = np.sqrt(np.clip(1.0 - cos_theta * cos_theta, 0.0, None))
    n = np.stack([st * np.cos(phi), st * np.sin(phi), cos_theta], -1) * (0.5 * rl * v)[:, None]
    half = (0.5 * rl)[:, None]
    pm = np.concatenate([half, n], -1)
    pp = np.concatenate([half, -n], -1)
    return k1, k2, q, pm, pp


def _phase_space(y: NDArray[np.float64], s: NDArray[np.float64], m: float):
    """Map 4 unit variables to (l, t, cos, phi) at each s; returns (kinematics, weight = dPS_3/(2s) / d^4y, t)."""
    four_m2 = 4.0 * m * m
    l_span = np.log(s / four_m2)
    ell = four_m2 * np.exp(l_span * y[:, 0])
    t_max = s - ell
    ok = t_max > T_MIN_GEV2
    t_span = np.log(np.where(ok, t_max, 2.0 * T_MIN_GEV2) / T_MIN_GEV2)
    t = T_MIN_GEV2 * np.exp(t_span * y[:, 1])
    v = np.sqrt(np.clip(1.0 - four_m2 / ell, 1e-300, None))
    eta_max = np.arctanh(np.minimum(v, 1.0 - 1e-16))
    eta = eta_max * (2.0 * y[:, 2] - 1.0)
    cos_theta = np.tanh(eta) / v
    phi = 2.0 * math.pi * y[:, 3]
    jac = (ell * l_span) * (t * t_span) * ((1.0 - v * v * cos_theta**2) / v * 2.0 * eta_max) * (2.0 * math.pi)
    dps = jac * v / (64.0 * math.pi**2 * s) / (2.0 * math.pi) / (4.0 * math.pi)
    weight = np.where(ok, dps / (2.0 * s), 0.0)
    return kinematics(s, ell, t, cos_theta, phi, m), weight, t


def _amplitude_terms(kin, m: float) -> NDArray[np.float64]:
    """(3, N): photon-averaged (1/2) (G_F^2 e^2/2) (T_VV, T_AA, T_VA), chunked."""
    n = kin[0].shape[0]
    out = np.empty((3, n))
    pref = 0.5 * c.G_F**2 * c.E_CHARGE**2 / 2.0
    for i in range(0, n, _CHUNK):
        sl = slice(i, i + _CHUNK)
        k1, k2, q, pm, pp = (k[sl] for k in kin)
        tvv, taa, tva = trace_terms(k1, k2, q, pm, pp, m)
        out[:, sl] = pref * np.stack([tvv, taa, tva])
    return out


@dataclass(frozen=True)
class TridentSample:
    """Weighted events whose sums give the trident cross section for any (C_V(k^2), C_A) and any coherent target.

    ``terms[j, i]`` (GeV^-2 per unit of Z^2 F^2) times C_V^2, C_A^2, -C_V C_A for j = 0, 1, 2; ``t`` = |k^2| (GeV^2),
    ``q2`` = photon virtuality (GeV^2) of each event; ``energy`` = E_nu (GeV). The per-nucleus weight is
    Z^2 F^2(q2; A) (:meth:`nucleus_weights`).
    """

    energy: float
    terms: NDArray[np.float64]
    t: NDArray[np.float64]
    q2: NDArray[np.float64]
    n_adapt: int

    def nucleus_weights(self, components: tuple[tuple[float, float, float, float], ...],
                        form_factor: str = "dipole") -> NDArray[np.float64]:
        """sum over (Z, A, count, r_rms_fm) of count Z^2 F^2(q^2): the coherent target factor per event."""
        w = np.zeros_like(self.q2)
        for z, a, count, r_rms in components:
            w += count * z * z * form_factor_sq(self.q2, a, r_rms, form_factor)
        return w

    def cross_sections(self, components, c_v: float, c_a: float, masses: NDArray[np.float64], form_factor: str = "dipole"):
        """(sigma_0, sigma_1(m), sigma_2(m), errors) in GeV^-2: sigma = sigma_0 + g'^2 sigma_1 + g'^4 sigma_2.

        Errors are the Monte Carlo standard errors of the three sums (events are independent draws). The sample's
        grid is adapted with the dipole form factor; the Gaussian one falls faster, so the same events serve it.
        """
        w = self.nucleus_weights(components, form_factor)
        vv, aa, va = self.terms * w
        n = vv.size
        e0 = c_v * c_v * vv + c_a * c_a * aa - c_v * c_a * va
        f = c.HIGGS_VEV**2 / (np.asarray(masses)[:, None] ** 2 + self.t[None, :])
        e1 = f * (2.0 * c_v * vv - c_a * va)[None, :]
        e2 = f * f * vv[None, :]
        # each event is an independent draw whose weight includes 1/n: var(sum) = sum e^2 - (sum e)^2/n
        err = lambda e: np.sqrt(np.maximum(np.sum(e * e, axis=-1) - np.sum(e, axis=-1) ** 2 / n, 0.0))
        return e0.sum(), e1.sum(axis=1), e2.sum(axis=1), (err(e0), err(e1), err(e2))


def _integrand_parts(y: NDArray[np.float64], energy: float, d_scale: float, m: float):
    """Unit cube (n, 6) -> (terms (3, n) weighted by the EPA and phase-space Jacobians without Z^2 F^2, t, q2, F^2)."""
    q2_min = (2.0 * m * m / energy) ** 2
    q2_max = 1e4 * d_scale
    lq = math.log(q2_max / q2_min)
    q2 = q2_min * np.exp(lq * y[:, 0])
    s_max = 2.0 * energy * np.sqrt(q2)
    four_m2 = 4.0 * m * m
    ls = np.log(s_max / four_m2)
    s = four_m2 * np.exp(ls * y[:, 1])
    kin, w_ps, t = _phase_space(y[:, 2:], s, m)
    epa = (c.ALPHA / math.pi) * lq * ls  # (alpha/pi) dq^2/q^2 ds/s in the unit variables
    terms = _amplitude_terms(kin, m) * (epa * w_ps)[None, :]
    f2 = 1.0 / (1.0 + q2 / d_scale) ** 2
    return terms, t, q2, f2


def sample_events(energy: float, *, a_reference: float, sin2_theta_w: float, events: int = 120_000,
                  seed: int = 1, adapt_iterations: int = 8, adapt_events: int = 20_000) -> TridentSample:
    """Adapt a vegas grid to the trident integrand at E_nu = ``energy`` and draw ``events`` weighted events.

    ``a_reference`` is the mass number whose nuclear size sets the q^2 range and the form factor used for
    adaptation (the sample serves any nucleus: weights are recomputed per target, q^2 range up to 1e4 d).
    """
    import vegas

    e = positive("neutrino energy", energy)
    m = c.M_MU
    if 2.0 * e * math.sqrt(1e4 * nuclear_d(a_reference)) <= 4.0 * m * m * 1.01:
        raise InvalidParameter(f"neutrino energy {e:g} GeV is too low for coherent muon-pair production")
    d_scale = nuclear_d(a_reference)
    c_v, c_a = sm_couplings(sin2_theta_w)
    rng = np.random.default_rng(seed)
    ref = np.asarray(_REFERENCE_MASSES)
    norms = np.ones(1 + ref.size)

    def parts(y):
        terms, t, _, f2 = _integrand_parts(y, e, d_scale, m)
        vv, aa, va = terms * f2
        sm = c_v * c_v * vv + c_a * c_a * aa - c_v * c_a * va
        fz = c.HIGGS_VEV**2 / (ref[:, None] ** 2 + t[None, :])
        return np.vstack([sm[None, :], fz * fz * vv[None, :]])

    @vegas.lbatchintegrand
    def adapt_f(y):
        p = parts(y)
        return np.sum(np.abs(p) / norms[:, None], axis=0)

    integ = vegas.Integrator(6 * [[0.0, 1.0]], ran_array_generator=rng.random)
    integ(adapt_f, nitn=3, neval=adapt_events)  # first pass: grid from the un-normalised sum
    # normalise each steering component to its integral so that all weigh alike, then adapt further
    pts, wts = [], []
    for y, wgt in integ.random_batch():
        pts.append(np.array(y))
        wts.append(np.array(wgt))
    y0, w0 = np.concatenate(pts), np.concatenate(wts)
    est = (parts(y0) * w0[None, :]).sum(axis=1)
    norms = np.where(est > 0.0, est, 1.0)
    integ(adapt_f, nitn=adapt_iterations, neval=adapt_events)
    integ.set(neval=events, adapt=False)
    ys, ws = [], []
    for y, wgt in integ.random_batch():
        ys.append(np.array(y))
        ws.append(np.array(wgt))
    y, wgt = np.concatenate(ys), np.concatenate(ws)
    terms, t, q2, _ = _integrand_parts(y, e, d_scale, m)
    return TridentSample(e, terms * wgt[None, :], t, q2, adapt_events * (adapt_iterations + 3))


def sigma_nu_gamma(s: float, c_v: float, c_a: float, masses=(), *, events: int = 60_000, seed: int = 2):
    """sigma(nu_mu gamma -> nu_mu mu+ mu-) at fixed s (GeV^2), in GeV^-2: (sigma_0, sigma_1(m), sigma_2(m), errors).

    sigma = sigma_0 + x sigma_1 + x^2 sigma_2 with x = g_nu g_mu (the module docstring); plain importance sampling
    in the analytic maps of :func:`_phase_space`. Used to check the leading-log formulas (9) (constant corrected), (12)-(14) of 1406.2332.
    """
    s = positive("s", s)
    m = c.M_MU
    if s <= 4.0 * m * m:
        raise KinematicallyForbidden(f"s = {s:g} GeV^2 is below the muon-pair threshold {4 * m * m:g} GeV^2")
    rng = np.random.default_rng(seed)
    y = rng.random((events, 4))
    kin, w, t = _phase_space(y, np.full(events, s), m)
    vv, aa, va = _amplitude_terms(kin, m) * w[None, :]
    f = c.HIGGS_VEV**2 / (np.asarray(masses, dtype=float)[:, None] ** 2 + t[None, :])
    parts = [c_v * c_v * vv + c_a * c_a * aa - c_v * c_a * va, f * (2.0 * c_v * vv - c_a * va), f * f * vv]
    means = [p.mean(axis=-1) for p in parts]
    errs = [p.std(axis=-1) / math.sqrt(events) for p in parts]
    return means[0], means[1], means[2], errs


#: constant of the leading-log SM/V-A nu gamma -> nu mu+ mu- cross section (see :func:`sigma_sm_leading_log`)
EQ9_CONSTANT = -8.0 / 3.0


def sigma_sm_leading_log(s: float, c_v: float, c_a: float) -> float:
    """sigma(nu_mu gamma -> nu_mu mu+ mu-) ~ (1/2)(C_V^2 + C_A^2) (2 G_F^2 alpha s/(9 pi^2)) (ln(s/m^2) - 8/3), s >> m^2.

    1406.2332 eq. (9) (004 lines 5194-5231) prints the constant as -19/6; it is -8/3 (docs/trident-neff.md): the
    neutrino scatters by the contact interaction off the point-like QED structure functions of the real photon,
    F_2 = N (alpha/pi) x [(x^2 + (1-x)^2) ln(W^2/m^2) + 8x(1-x) - 1], F_L = N (alpha/pi) 4x^2 (1-x), W^2 = y s (1-x)
    (N = C_V^2 + C_A^2; V and A equal and the V-A interference cancelling between mu- and mu+ for m << Q), and
    d sigma/dx dy = (G_F^2 s/(2 pi)) [F_2 (1 - y + y^2/2) - F_L y^2/2]; the integrals over x, y give
    (2/9)[ln(s/m^2) - 8/3] exactly. -19/6 follows if the 8x(1-x) - 1 term is dropped from the x-weighted integral.
    The exact Monte Carlo (:func:`sigma_nu_gamma`) agrees with -8/3. Valid for s >> m^2 (corrections O(m^2/s)).
    """
    big_log = math.log(s / c.M_MU**2)
    return 0.5 * (c_v**2 + c_a**2) * 2.0 * c.G_F**2 * c.ALPHA * s / (9.0 * math.pi**2) * (big_log + EQ9_CONSTANT)


def sigma_interference_leading_log(s: float, c_v: float) -> float:
    """1406.2332 eq. (12), per unit g'^2: sigma_inter ~ (G_F/sqrt 2) (C_V alpha/(3 pi^2)) ln^2(s/m^2), m_Z' << sqrt s.

    The sqrt 2 is read as a denominator (notes-004-part2.md S7)."""
    return c.G_F / math.sqrt(2.0) * c_v * c.ALPHA / (3.0 * math.pi**2) * math.log(s / c.M_MU**2) ** 2


def sigma_zprime_leading_log(m_zp: float) -> float:
    """1406.2332 eqs. (13)-(14), per unit g'^4: (alpha/(6 pi^2 m_Z'^2)) ln(m_Z'^2/m^2) for m << m_Z' << sqrt s;
    (7 alpha/(72 pi^2 m^2)) ln(m^2/m_Z'^2) for m_Z' << m << sqrt s."""
    m2, mz2 = c.M_MU**2, positive("m_Z'", m_zp) ** 2
    if mz2 > m2:
        return c.ALPHA / (6.0 * math.pi**2 * mz2) * math.log(mz2 / m2)
    return 7.0 * c.ALPHA / (72.0 * math.pi**2 * m2) * math.log(m2 / mz2)
