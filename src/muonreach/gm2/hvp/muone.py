"""Toy MUonE analysis: Delta alpha_had(t) from the shape of mu e -> mu e and the space-like a_mu^{HVP,LO}.

Method (Abbiendi et al., EPJC 77 (2017) 139, arXiv:1609.08987; Carloni Calame et al., arXiv:1504.02228; 003 intro):
the elastic mu e -> mu e cross section on electrons at rest is, at leading order with the running coupling,

    dsigma/dt = 4 pi alpha(t)^2 / lambda(s, m_mu^2, m_e^2) [ (s - m_mu^2 - m_e^2)^2 / t^2 + s / t + 1/2 ],
    alpha(t) = alpha / (1 - Delta alpha_lep(t) - Delta alpha_had(t)),

(one-photon exchange, derived from the Dirac traces: |M|^2 = 4 e^4 [(s - S)^2/t^2 + s/t + 1/2], S = m_mu^2 + m_e^2).
The toy counts events per x bin (t = -x^2 m_mu^2/(1 - x), the variable of the space-like integral) for a
luminosity; the truth Delta alpha_had(t) is the dispersion integral of the shipped R(s) (:mod:`.spectral`), the
leptonic running the one-loop e, mu, tau closed form (:func:`.kernel.delta_alpha_lepton_spacelike`). The fit takes
the leptonic running as known and Delta alpha_had(t) in MUonE's "lepton-like" form (the one-loop vacuum polarisation
of a fermion, with an amplitude K and a squared mass M as free parameters; Abbiendi et al. template-fit studies):

    Delta alpha_had(t) = K [ -5/9 - 4M/(3t) + (4M^2/(3t^2) + M/(3t) - 1/6) (2/beta) ln|(1 - beta)/(1 + beta)| ],
    beta = sqrt(1 - 4M/t),

which is (pi K / alpha) times the one-loop Delta alpha of a lepton of mass sqrt(M) (same bracket; checked
algebraically), so it is evaluated through that function. The overall normalisation is free by default (the
luminosity is not known to 1e-5: only the shape is used, anchored at small |t| where Delta alpha_had -> 0, which is
the ratio/normalisation-region idea of 1609.08987). a_mu^{HVP,LO} is the space-like integral of the fitted function
over the whole 0 < x < 1 (the measured range is x ~ 0.26-0.94 at 160 GeV with E_e' > 1 GeV; the rest is the
parametrisation's extrapolation). The statistical error is propagated from the fit covariance.

Not modelled (stated): radiative corrections beyond the running (MESMER-level NLO/NNLO), detector resolution and
acceptance, multiple scattering, systematics (MUonE's 10 ppm shape goal); the toy measures statistics only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from ...constants import ALPHA, LEPTON_MASSES, M_E, M_MU
from ...errors import ConvergenceError, InvalidParameter
from ...models.kinematics import kallen
from ...units import GEV2_TO_CM2, pb
from .dispersion import a_mu_hvp_spacelike, delta_alpha_spacelike, spacelike_nodes, t_of_x
from .kernel import delta_alpha_lepton_spacelike
from .spectral import SpectralMeasure, read_gm2_data, spectral_measure

__all__ = ["MuoneResult", "MuoneSetup", "MuoneToy", "a_mu_lepton_like", "dsigma_dt_born", "lepton_like", "load_setup",
           "muone_extraction", "x_of_t"]

_GL8 = np.polynomial.legendre.leggauss(8)


@dataclass(frozen=True)
class MuoneSetup:
    energy: float  # GeV, muon beam on electrons at rest
    luminosity_pb: float  # pb^-1
    electron_energy_min: float  # GeV
    bins: int


@cache
def load_setup() -> MuoneSetup:
    """Read ``gm2/data/muone_toy.toml`` (beam, luminosity, selection; sources and ASSUMPTIONs in the file)."""
    top = read_gm2_data("muone_toy.toml")
    beam, sel = top.table("beam"), top.table("selection")
    out = MuoneSetup(beam.positive("energy_gev"), beam.positive("luminosity_pb"), sel.positive("electron_energy_min_gev"),
                     sel.integer("bins", low=3))
    beam.done()
    sel.done()
    return out


def x_of_t(t) -> np.ndarray:
    """Inverse of t(x) = -x^2 m_mu^2/(1 - x) for t < 0: the positive root of m^2 x^2 - t x + t = 0."""
    t = np.asarray(t, dtype=float)
    m2 = M_MU * M_MU
    return (t + np.sqrt(t * t - 4.0 * m2 * t)) / (2.0 * m2)


def dsigma_dt_born(t, s: float) -> np.ndarray:
    """LO mu e -> mu e dsigma/dt (GeV^-4) with alpha = alpha(0) (module docstring); the running is a factor on top."""
    t = np.asarray(t, dtype=float)
    big = s - M_MU**2 - M_E**2
    return 4.0 * math.pi * ALPHA**2 / kallen(s, M_MU**2, M_E**2) * (big * big / (t * t) + s / t + 0.5)


def lepton_like(t, k: float, m2: float) -> np.ndarray:
    """MUonE's lepton-like Delta alpha_had(t; K, M) for t < 0, M > 0 in GeV^2 (module docstring)."""
    if not (math.isfinite(m2) and m2 > 0):
        raise InvalidParameter(f"the lepton-like M must be a positive mass squared, got {m2!r}")
    return math.pi * k / ALPHA * delta_alpha_lepton_spacelike(t, math.sqrt(m2), ALPHA)


def a_mu_lepton_like(k: float, m2: float, n: int = 64) -> float:
    """(alpha/pi) int_0^1 dx (1 - x) Delta alpha_had^{lepton-like}[t(x)] (nodes of :func:`.dispersion.spacelike_nodes`)."""
    x, w = spacelike_nodes(n)
    keep = x > 0.0
    return float(ALPHA / math.pi * np.dot(w[keep], (1.0 - x[keep]) * lepton_like(t_of_x(x[keep]), k, m2)))


@dataclass(frozen=True)
class MuoneToy:
    """Bins in x, 8 Gauss-Legendre nodes in t per bin, Born rate and leptonic running at the nodes."""

    setup: MuoneSetup
    x_edges: np.ndarray
    t_nodes: np.ndarray  # (bins, 8)
    born_events: np.ndarray  # (bins, 8): L x dsigma0/dt x node weight
    delta_lep: np.ndarray  # (bins, 8)

    @classmethod
    def build(cls, setup: MuoneSetup) -> MuoneToy:
        s = M_MU**2 + M_E**2 + 2.0 * M_E * setup.energy
        t_kin = -kallen(s, M_MU**2, M_E**2) / s  # largest |t| (electron backward in the CM)
        t_cut = -2.0 * M_E * (setup.electron_energy_min - M_E)  # recoil electron energy threshold
        if not t_kin < t_cut < 0:
            raise InvalidParameter(f"the electron threshold {setup.electron_energy_min:g} GeV leaves no phase space at "
                                   f"E_mu = {setup.energy:g} GeV (|t| <= {-t_kin:.4g} GeV^2)")
        edges = np.linspace(float(x_of_t(t_cut)), float(x_of_t(t_kin)), setup.bins + 1)
        t_edges = t_of_x(edges)
        g, w = _GL8
        half = 0.5 * (t_edges[:-1] - t_edges[1:])  # > 0: t decreases with x
        mid = 0.5 * (t_edges[:-1] + t_edges[1:])
        t_nodes = mid[:, None] + half[:, None] * g[None, :]
        born = setup.luminosity_pb / pb * GEV2_TO_CM2 * dsigma_dt_born(t_nodes, s) * half[:, None] * w[None, :]
        lep = sum(delta_alpha_lepton_spacelike(t_nodes, m, ALPHA) for m in LEPTON_MASSES.values())
        return cls(setup, edges, t_nodes, born, np.asarray(lep))

    def expected(self, delta_had: np.ndarray, norm: float = 1.0) -> np.ndarray:
        """Events per bin for Delta alpha_had at the nodes: norm x sum L dsigma0 / (1 - Delta alpha)^2."""
        return norm * np.sum(self.born_events / (1.0 - self.delta_lep - delta_had) ** 2, axis=1)


@dataclass(frozen=True)
class MuoneResult:
    k: float
    m2: float
    k_error: float
    m2_error: float
    norm: float
    chi2: float
    ndof: int
    events: float
    a_mu: float
    a_mu_error: float
    a_mu_truth: float
    x_range: tuple[float, float]
    luminosity_pb: float
    asimov: bool


def _lepton_like_start(toy: MuoneToy, truth: np.ndarray) -> tuple[float, float]:
    """(K, M) of a least-squares fit of the lepton-like form to the truth at the nodes: the fit's starting point."""
    from scipy.optimize import least_squares

    t = toy.t_nodes.ravel()
    res = least_squares(lambda p: (lepton_like(t, p[0], 10.0 ** p[1]) - truth.ravel()) / truth.ravel().max(),
                        [0.1, math.log10(0.05)])
    return float(res.x[0]), float(10.0 ** res.x[1])


def muone_extraction(setup: MuoneSetup | None = None, seed: int | None = None, free_norm: bool = True,
                     measure: SpectralMeasure | None = None) -> MuoneResult:
    """Generate MUonE counts (Asimov, i.e. the expectation, if ``seed`` is None; else Poisson with that seed), fit
    (K, M[, norm]) with iminuit on chi^2 = sum (n - mu)^2 / mu_truth, and integrate the fit to a_mu^{HVP,LO}."""
    from iminuit import Minuit

    setup = load_setup() if setup is None else setup
    measure = spectral_measure() if measure is None else measure
    toy = MuoneToy.build(setup)
    truth_had = delta_alpha_spacelike(toy.t_nodes, measure)
    mu_truth = toy.expected(truth_had)
    data = mu_truth if seed is None else np.random.default_rng(seed).poisson(mu_truth).astype(float)
    k0, m0 = _lepton_like_start(toy, truth_had)

    def cost(k: float, m2: float, norm: float) -> float:
        if m2 <= 0:
            return 1e300
        return float(np.sum((data - toy.expected(lepton_like(toy.t_nodes, k, m2), norm)) ** 2 / mu_truth))

    m = Minuit(cost, k=k0, m2=m0, norm=1.0)
    m.errordef = Minuit.LEAST_SQUARES
    m.errors["k"], m.errors["m2"], m.errors["norm"] = 1e-3 * abs(k0), 1e-3 * m0, 1e-6
    m.limits["m2"] = (1e-4, 10.0)
    m.fixed["norm"] = not free_norm
    m.migrad()
    m.hesse()
    if not m.valid:
        raise ConvergenceError(f"the MUonE lepton-like fit did not converge (edm={m.fmin.edm:.3g})")
    k, m2 = float(m.values["k"]), float(m.values["m2"])
    a_mu = a_mu_lepton_like(k, m2)
    step = 1e-4 * m2
    grad = np.array([a_mu / k, (a_mu_lepton_like(k, m2 + step) - a_mu_lepton_like(k, m2 - step)) / (2 * step)])
    cov = np.array([[m.covariance["k", "k"], m.covariance["k", "m2"]], [m.covariance["m2", "k"], m.covariance["m2", "m2"]]])
    n_free = 3 if free_norm else 2
    return MuoneResult(k, m2, float(m.errors["k"]), float(m.errors["m2"]), float(m.values["norm"]), float(m.fval),
                       setup.bins - n_free, float(data.sum()), a_mu, float(math.sqrt(grad @ cov @ grad)),
                       a_mu_hvp_spacelike(measure), (float(toy.x_edges[0]), float(toy.x_edges[-1])), setup.luminosity_pb,
                       seed is None)
