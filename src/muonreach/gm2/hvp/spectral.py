"""R(s) as one discrete spectral measure: integral ds R(s) f(s) = sum_k w_k f(s_k), each node tagged by energy region.

Both HVP routes integrate the same measure, so they differ only by their own quadrature:
time-like a_mu = (alpha^2 / 3 pi^2) sum_k w_k K(s_k) / s_k, space-like Delta alpha_had(t) = (alpha/3pi)(-t) sum_k w_k / (s_k (s_k - t)).

Pieces (inputs in ``gm2/data/hvp_inputs.toml`` and ``muonreach/data/rratio``):

* data: the shipped R table of :mod:`muonreach.models.rratio` (DarkCast VMD below 1.6 GeV, PDG 2020 compilation
  above), linear in sqrt(s) between points exactly as :func:`~muonreach.models.rratio.r_values` interpolates it,
  from its first point (0.2818 GeV) to the pQCD threshold. Each interval gets 4 Gauss-Legendre nodes in sqrt(s),
  exact for the piecewise-linear R times the smooth kernels to far below the data's own precision.
* narrow resonances (J/psi, psi(2S), Upsilon(1S-3S), absent from the table): zero-width peaks,
  R(s) = (9 pi / alpha^2) Gamma_ee^0 M delta(s - M^2) (from sigma = 12 pi^2 Gamma_ee^0 / M delta(s - M^2) and
  sigma_pt = 4 pi alpha^2 / 3s). Gamma_ee^0 is the PDG (dressed) width undressed with the *leptonic* running only,
  Gamma_ee^0 = Gamma_ee (1 - Delta alpha_lep(M^2))^2 (real part, one loop); the hadronic part of the undressing
  (a further ~-1.5 % at the J/psi, i.e. ~-0.1e-10 in a_mu) is neglected.
* pQCD above the threshold (11.5 GeV by default): R = 3 sum_f Q_f^2 [1 + a + (1.9857 - 0.1152 n_f) a^2], a = alpha_s/pi
  (massless quarks, O(alpha_s^2); Chetyrkin, Kuehn, Kwiatkowski, Phys. Rept. 277 (1996) 189), alpha_s two-loop
  running from alpha_s(M_Z); nodes Gauss-Legendre in u = 1/s on (0, 1/s_thr], which contains s -> infinity.

Not included (stated, not silent): pi0 gamma below 2 m_pi (R ~ 1e-5, see the rratio README), the table's
uncertainties (the shipped copy has none), FSR/VP corrections of the data (taken as given).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import StringIO

import numpy as np
from scipy.integrate import solve_ivp

from ...constants import ALPHA, LEPTON_MASSES, particle_mass_gev
from ...errors import InvalidParameter
from ...models import rratio
from ...specfields import Fields, parse_toml_text, require_schema
from .kernel import r_lepton

__all__ = ["LOW_ENERGY_CHOICES", "REGIONS", "HvpInputs", "Resonance", "SpectralMeasure", "alpha_s", "lepton_measure", "load_inputs",
           "r_pqcd", "spectral_measure"]

#: Energy regions for the contribution table: (label, lower sqrt(s), upper sqrt(s)) in GeV; the upper edge of
#: the last data region is the pQCD threshold.
REGIONS: tuple[tuple[str, float, float], ...] = (
    ("threshold-0.6 GeV", 0.0, 0.6),
    ("0.6-0.9 GeV (rho, omega)", 0.6, 0.9),
    ("0.9-1.6 GeV (phi)", 0.9, 1.6),
    ("1.6-3.7 GeV (PDG data)", 1.6, 3.7),
    ("3.7 GeV-pQCD threshold (PDG data)", 3.7, np.inf),
)
NARROW_CHARMONIUM = "narrow charmonium (J/psi, psi(2S))"
NARROW_BOTTOMONIUM = "narrow bottomonium (Upsilon(1S-3S))"
PQCD = "pQCD above threshold"

_GL4 = np.polynomial.legendre.leggauss(4)


@dataclass(frozen=True)
class Resonance:
    name: str
    mass: float  # GeV
    gamma_ee: float  # GeV, dressed (PDG)
    gamma_ee_error: float


@dataclass(frozen=True)
class HvpInputs:
    pqcd_threshold: float
    alpha_s_mz: float
    m_z: float
    n_flavours: int
    resonances: tuple[Resonance, ...]
    quoted: dict[str, float]


@dataclass(frozen=True)
class SpectralMeasure:
    """Nodes s_k (GeV^2), weights w_k (GeV^2, so that sum w_k f(s_k) = int ds R f) and a region label per node."""

    s: np.ndarray
    w: np.ndarray
    region: np.ndarray
    labels: tuple[str, ...]
    pqcd_threshold: float = np.inf

    def integrate(self, values: np.ndarray) -> float:
        return float(np.dot(self.w, values))

    def by_region(self, values: np.ndarray) -> dict[str, float]:
        """sum_k w_k f_k split by region label, in the order of :attr:`labels`."""
        return {lab: float(np.dot(self.w[self.region == i], values[self.region == i])) for i, lab in enumerate(self.labels)}


def read_gm2_data(name: str) -> Fields:
    """The top-level fields of the packaged TOML file ``gm2/data/NAME`` (schema checked)."""
    origin = f"muonreach gm2/data/{name}"
    doc = parse_toml_text(resources.files("muonreach.gm2").joinpath("data", name).read_bytes(), origin)
    require_schema(doc, origin)
    return Fields(doc, origin)


@cache
def load_inputs() -> HvpInputs:
    """Read ``gm2/data/hvp_inputs.toml`` (pQCD settings, narrow resonances, quoted targets)."""
    top = read_gm2_data("hvp_inputs.toml")
    origin = "muonreach gm2/data/hvp_inputs.toml"
    p = top.table("pqcd")
    res = []
    for name, entry in top.table("resonances").data.items():
        f = Fields(entry, f"{origin}: [resonances.{name}]")
        mass = particle_mass_gev(f.integer("pdgid"))
        res.append(Resonance(name, mass, f.positive("gamma_ee_kev") * 1e-6, f.non_negative("gamma_ee_error_kev") * 1e-6))
        f.done()
    quoted = {k: float(v) for k, v in top.table("quoted").data.items()}
    out = HvpInputs(p.positive("threshold_gev"), p.positive("alpha_s_mz"), p.positive("m_z_gev"),
                    p.integer("n_flavours", low=3, high=6), tuple(res), quoted)
    p.done()
    return out


@cache
def _alpha_s_solution(alpha_s_mz: float, m_z: float, nf: int):
    b0 = 11.0 - 2.0 * nf / 3.0
    b1 = 102.0 - 38.0 * nf / 3.0

    def rhs(_lnmu2, y):
        a = y[0]
        return [-(b0 / (4 * np.pi)) * a * a - (b1 / (16 * np.pi**2)) * a**3]

    ln0 = np.log(m_z**2)
    down = solve_ivp(rhs, (ln0, np.log(1.0)), [alpha_s_mz], dense_output=True, rtol=1e-10, atol=1e-13)
    up = solve_ivp(rhs, (ln0, np.log(1e12)), [alpha_s_mz], dense_output=True, rtol=1e-10, atol=1e-13)
    return down.sol, up.sol, ln0


def alpha_s(mu, alpha_s_mz: float = 0.1179, m_z: float = 91.1876, nf: int = 5) -> np.ndarray:
    """alpha_s(mu) (MS-bar, two-loop running at fixed nf) for 1 <= mu <= 1e6 GeV; vectorised."""
    mu = np.asarray(mu, dtype=float)
    if np.any(mu < 1.0) or np.any(mu > 1e6):
        raise InvalidParameter("alpha_s is evaluated here for 1 GeV <= mu <= 1e6 GeV")
    down, up, ln0 = _alpha_s_solution(alpha_s_mz, m_z, nf)
    ln = np.log(mu**2)
    flat = ln.ravel()
    out = np.where(flat <= ln0, down(np.minimum(flat, ln0))[0], up(np.maximum(flat, ln0))[0])
    return out.reshape(mu.shape)


def r_pqcd(sqrt_s, inputs: HvpInputs | None = None) -> np.ndarray:
    """Massless-quark R at O(alpha_s^2): 3 sum Q^2 [1 + a + (1.9857 - 0.1152 n_f) a^2], a = alpha_s(sqrt s)/pi."""
    inp = load_inputs() if inputs is None else inputs
    charges = np.array([2 / 3, -1 / 3, -1 / 3, 2 / 3, -1 / 3, 2 / 3])[: inp.n_flavours]
    a = alpha_s(sqrt_s, inp.alpha_s_mz, inp.m_z, inp.n_flavours) / np.pi
    return 3.0 * float(np.sum(charges**2)) * (1.0 + a + (1.9857 - 0.1152 * inp.n_flavours) * a * a)


def _delta_alpha_lep_timelike(s: float) -> float:
    """Re Delta alpha_lep(s) at one loop, s > 4 m_l^2 for l = e, mu and any s for tau (used to undress Gamma_ee)."""
    total = 0.0
    for m in LEPTON_MASSES.values():
        r = 4.0 * m * m / s
        if r < 1.0:  # above threshold: Re of -5/3 - r + (1 + r/2) beta ln((beta + 1)/(beta - 1))
            beta = np.sqrt(1.0 - r)
            total += -5.0 / 3.0 - r + (1.0 + r / 2.0) * beta * np.log((1.0 + beta) ** 2 / r)
        else:  # below threshold, beta = i b: beta ln(...) = 2 b arctan(1/b) (real); -> 0 as s -> 0
            b = np.sqrt(r - 1.0)
            total += -5.0 / 3.0 - r + (1.0 + r / 2.0) * 2.0 * b * np.arctan(1.0 / b)
    return ALPHA / (3.0 * np.pi) * total


#: Choices for R below 1.6 GeV: the shipped join (DarkCast VMD fits) or the PDG compilation points.
LOW_ENERGY_CHOICES = ("vmd", "pdg")


@cache
def _table(low_energy: str) -> tuple[np.ndarray, np.ndarray]:
    """(sqrt s, R) knots: ``vmd`` is :func:`muonreach.models.rratio.table`; ``pdg`` uses the PDG compilation from its
    first point (0.30 GeV) up, and the VMD table only between 2 m_pi and 0.30 GeV (0.4e-10 of a_mu)."""
    x, r = rratio.table()
    if low_energy == "vmd":
        return x, r
    text = (resources.files("muonreach") / "data" / "rratio" / rratio.PDG_FILE).read_text(encoding="utf-8")
    pdg = np.loadtxt(StringIO(text), comments="*", ndmin=2)
    pdg = pdg[pdg[:, 0] <= x[-1]]
    below = x < pdg[0, 0]
    return np.concatenate([x[below], pdg[:, 0]]), np.concatenate([r[below], pdg[:, 1]])


def _data_nodes(low: float, high: float, low_energy: str = "vmd") -> tuple[np.ndarray, np.ndarray]:
    x, rt = _table(low_energy)
    cuts = [edge for _, lo, hi in REGIONS for edge in (lo, hi) if low < edge < high]
    knots = np.unique(np.concatenate([x[(x > low) & (x < high)], [low, high], cuts]))
    a, b = knots[:-1], knots[1:]
    t, wt = _GL4
    e = 0.5 * (b - a)[:, None] * t[None, :] + 0.5 * (a + b)[:, None]
    we = 0.5 * (b - a)[:, None] * wt[None, :]
    e, we = e.ravel(), we.ravel()
    r = np.interp(e, x, rt, left=0.0, right=float(rt[-1]))  # as rratio.r_values: linear in sqrt(s)
    return e * e, 2.0 * e * we * r  # ds = 2 E dE


def _pqcd_nodes(threshold: float, inputs: HvpInputs, n: int = 48) -> tuple[np.ndarray, np.ndarray]:
    # u = 1/s in (0, 1/s0]; ds = du / u^2, split at u0/100 to follow the slow log running of alpha_s
    u0 = 1.0 / threshold**2
    uu, ww = [], []
    t, wt = np.polynomial.legendre.leggauss(n)
    for lo, hi in ((u0 * 1e-6, u0 * 1e-2), (u0 * 1e-2, u0)):
        # geometric map inside each piece: u = lo (hi/lo)^y, y in [0, 1]
        y, wy = 0.5 * (t + 1.0), 0.5 * wt
        u = lo * (hi / lo) ** y
        uu.append(u)
        ww.append(wy * u * np.log(hi / lo))
    u, wu = np.concatenate(uu), np.concatenate(ww)
    s = 1.0 / u
    w = wu / u**2 * r_pqcd(np.sqrt(s), inputs)
    return s, w


def spectral_measure(pqcd_threshold: float | None = None, resonances: bool = True, low_energy: str = "vmd") -> SpectralMeasure:
    """The measure of R(s) for the HVP integrals (see module docstring). ``pqcd_threshold`` in GeV (default from
    the inputs file) must lie within the data table; ``resonances=False`` drops the narrow peaks; ``low_energy``
    picks R below 1.6 GeV (``vmd``: the shipped join, ``pdg``: the PDG compilation points)."""
    if low_energy not in LOW_ENERGY_CHOICES:
        raise InvalidParameter(f"low_energy must be one of {', '.join(LOW_ENERGY_CHOICES)}, got {low_energy!r}")
    inputs = load_inputs()
    thr = inputs.pqcd_threshold if pqcd_threshold is None else float(pqcd_threshold)
    low, high = rratio.sqrt_s_range()
    if not (4.0 <= thr <= high):
        raise InvalidParameter(f"the pQCD threshold must lie in [4, {high:g}] GeV (within the R data), got {thr:g} GeV")
    labels = [lab for lab, _, _ in REGIONS] + [NARROW_CHARMONIUM, NARROW_BOTTOMONIUM, PQCD]
    s_d, w_d = _data_nodes(low, thr, low_energy)
    e_d = np.sqrt(s_d)
    reg_d = np.array([next(i for i, (_, lo, hi) in enumerate(REGIONS) if lo <= e < hi) for e in e_d])
    parts_s, parts_w, parts_r = [s_d], [w_d], [reg_d]
    if resonances:
        for res in inputs.resonances:
            if res.mass >= thr:
                continue  # above the threshold pQCD describes the region (quark-hadron duality)
            s0 = res.mass**2
            undressed = res.gamma_ee * (1.0 - _delta_alpha_lep_timelike(s0)) ** 2
            label = NARROW_CHARMONIUM if res.mass < 5.0 else NARROW_BOTTOMONIUM
            parts_s.append(np.array([s0]))
            parts_w.append(np.array([9.0 * np.pi / ALPHA**2 * undressed * res.mass]))
            parts_r.append(np.array([labels.index(label)]))
    s_p, w_p = _pqcd_nodes(thr, inputs)
    parts_s.append(s_p)
    parts_w.append(w_p)
    parts_r.append(np.full(s_p.size, labels.index(PQCD)))
    return SpectralMeasure(np.concatenate(parts_s), np.concatenate(parts_w), np.concatenate(parts_r), tuple(labels), thr)


def lepton_measure(m: float, n: int = 96) -> SpectralMeasure:
    """The measure of a lepton loop's R_l (:func:`~muonreach.gm2.hvp.kernel.r_lepton`), for validation of the
    integrals against closed forms: nodes in v = sqrt(1 - 4 m^2/s) and u = 1/s."""
    t, wt = np.polynomial.legendre.leggauss(n)
    # s from 4 m^2 to 400 m^2 in beta (R ~ beta at threshold), then u = 1/s to infinity
    s1 = 400.0 * m * m
    b1 = np.sqrt(1.0 - 4.0 * m * m / s1)
    beta = 0.5 * b1 * (t + 1.0)
    wb = 0.5 * b1 * wt
    s_a = 4.0 * m * m / (1.0 - beta**2)
    w_a = wb * 8.0 * m * m * beta / (1.0 - beta**2) ** 2 * r_lepton(s_a, m)
    u1 = 1.0 / s1
    y, wy = 0.5 * (t + 1.0), 0.5 * wt
    lo = u1 * 1e-12
    u = lo * (u1 / lo) ** y
    wu = wy * u * np.log(u1 / lo)
    s_b = 1.0 / u
    w_b = wu / u**2 * r_lepton(s_b, m)
    return SpectralMeasure(np.concatenate([s_a, s_b]), np.concatenate([w_a, w_b]), np.zeros(2 * n, dtype=int), ("lepton",))
