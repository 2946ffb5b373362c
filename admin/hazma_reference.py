"""Compute the Hazma relic densities that tests/test_hazma_comparison.py compares muonreach with (issue 16).

Run ONLY in a scratch virtualenv outside the repository that has Hazma (arXiv:1907.11846, Coogan, Morrison,
Profumo; MIT licence), never in muonreach's own environment (muonreach does not depend on Hazma)::

    python3 -m venv /tmp/hzenv && /tmp/hzenv/bin/pip install hazma==2.2.0
    /tmp/hzenv/bin/python admin/hazma_reference.py > tests/data/hazma_relic.csv

It imports nothing from muonreach: the points (the muonreach model, mediator mass, coupling and overrides
exactly as ``muonreach relic`` / ``muonreach.cosmo.relic.omega_h2`` take them) are literals below, with
couplings near the relic target found by ``relic_coupling`` on muonreach main (91e9938) and rounded.

Model mapping (Hazma works in MeV; muonreach in GeV):

* ``scalar-lepton`` (g_l = g_mu m_l/m_mu, Dirac chi, Yukawa g_chi) -> ``ScalarMediator(mx, ms, gsxx=g_chi,
  gsff=g_mu vh/m_mu, gsGG=0, gsFF=0, lam=vh)``: Hazma's fermion couplings are gsff m_f/vh, the same ratio
  g_e/g_mu = m_e/m_mu (Hazma has no tau; chi chibar -> tau tau is closed here). The API has no switch for the
  quarks: gsff also couples S to pions (chi chibar -> pi pi, pi0 pi0 above 2 m_pi), which muonreach's
  leptophilic scalar does not have; its share of <sigma v> at x = 20 is the ``pion_share_x20`` column.
  gsFF = 0 also drops S* -> gamma gamma, which muonreach has through the lepton loop.
* ``vector-muon`` (g_mu V mubar gamma mu, eps = 0, Dirac chi, g_chi) -> ``VectorMediator(mx, mv,
  gvxx=g_chi, gvuu=gvdd=gvss=0, gvee=0, gvmumu=g_mu)``.
* ``dark-photon`` (eps e to e, mu, tau, hadrons through R; Dirac chi, g_D = sqrt(4 pi alpha_D)) ->
  ``VectorMediator(mx, mv, gvxx=sqrt(4 pi alpha_D), gvuu=gvdd=gvss=0, gvee=gvmumu=eps e)`` with
  e = sqrt(4 pi/137.035999084) (muonreach's alpha(0)); hadrons of muonreach (R = 0 below sqrt(s) = 0.2818
  GeV) enter only through the thermal tail, Hazma has none with gvuu = gvdd = 0.

Hazma's relic density: ``hazma.relic_density.relic_density(model, semi_analytic=False, x0=1, xf=1e5,
method="Radau", rtol=1e-8, atol=1e-10)`` (the ODE; the default end xf = 1097 cuts the late s-wave
annihilation and raised Omega by 1.0 % at a vector point, so xf = 1e5) and the semi-analytic default
``relic_density(model)``. Hazma's Boltzmann equation is the one for n_chi alone, with g = 2 and the full
<sigma v> (``hazma/relic_density/_diffeq.py``), and Omega = m Y s_0/rho_c: the density of chi without chibar.
For a Dirac chi (Hazma's DM) the dark-matter density is twice that (Srednicki, Watkins, Olive 1988; see
docs/relic.md), which the test applies. ``omega_ode_tight`` repeats the ODE at rtol 1e-10, atol 1e-12.

Diagnostics (columns ``omega_quad``, ``omega_quad_nopi``): Hazma's ODE, tables and cross sections with its
compiled thermal average replaced by an adaptive scipy quad of the Gondolo-Gelmini integral of Hazma's own
channel cross sections (:class:`QuadModel`), with all channels and without chi chibar -> pi pi, pi0 pi0. They
separate the pion channels and the error of Hazma's thermal average at large x (docs/relic.md, "Peer
comparison: Hazma") from the remaining difference, the g_eff/h_eff tables.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import math
import platform
import sys

import hazma
import numpy as np
import scipy
from hazma.parameters import charged_pion_mass as M_PI_MEV
from hazma.parameters import muon_mass, vh
from hazma.parameters import neutral_pion_mass as M_PI0_MEV
from hazma.relic_density import relic_density
from hazma.scalar_mediator import ScalarMediator
from hazma.vector_mediator import VectorMediator
from scipy.integrate import quad
from scipy.interpolate import CubicSpline
from scipy.special import k1e, kve

E_CHARGE = math.sqrt(4.0 * math.pi / 137.035999084)  # muonreach.constants.E_CHARGE (alpha(0), CODATA 2018)

#: (muonreach model, mediator mass GeV, coupling, overrides); m_mediator = 3 m_chi (000 eq. (2.8) ratio),
#: m_mu < m_chi < m_pi0: above the muon threshold, below the pion threshold.
POINTS: list[tuple[str, float, float, dict[str, float]]] = [
    ("scalar-lepton", 0.330, 2.137e-3, {"g_chi": 1.0, "m_chi": 0.110}),
    ("scalar-lepton", 0.354, 1.585e-3, {"g_chi": 1.0, "m_chi": 0.118}),
    ("scalar-lepton", 0.378, 1.377e-3, {"g_chi": 1.0, "m_chi": 0.126}),
    ("scalar-lepton", 0.402, 1.280e-3, {"g_chi": 1.0, "m_chi": 0.134}),
    ("vector-muon", 0.330, 1.190e-4, {"g_chi": 1.0, "m_chi": 0.110}),
    ("vector-muon", 0.360, 1.089e-4, {"g_chi": 1.0, "m_chi": 0.120}),
    ("vector-muon", 0.390, 1.104e-4, {"g_chi": 1.0, "m_chi": 0.130}),
    ("dark-photon", 0.330, 9.32e-5, {"alpha_D": 0.5, "m_chi": 0.110}),
    ("dark-photon", 0.390, 1.006e-4, {"alpha_D": 0.5, "m_chi": 0.130}),
]

ODE = {"semi_analytic": False, "x0": 1.0, "xf": 1e5, "method": "Radau", "rtol": 1e-8, "atol": 1e-10}
ODE_TIGHT = {**ODE, "rtol": 1e-10, "atol": 1e-12}


def hazma_model(name: str, mass: float, coupling: float, ov: dict[str, float]) -> tuple[object, str]:
    """The Hazma model of one point and the exact constructor call (MeV)."""
    mx, mmed = 1e3 * ov["m_chi"], 1e3 * mass
    if name == "scalar-lepton":
        args = {"mx": mx, "ms": mmed, "gsxx": ov["g_chi"], "gsff": coupling * vh / muon_mass, "gsGG": 0.0,
                "gsFF": 0.0, "lam": vh}
        cls = ScalarMediator
    else:
        gvxx = ov["g_chi"] if name == "vector-muon" else math.sqrt(4.0 * math.pi * ov["alpha_D"])
        gvee = 0.0 if name == "vector-muon" else coupling * E_CHARGE
        gvmumu = coupling if name == "vector-muon" else coupling * E_CHARGE
        args = {"mx": mx, "mv": mmed, "gvxx": gvxx, "gvuu": 0.0, "gvdd": 0.0, "gvss": 0.0, "gvee": gvee,
                "gvmumu": gvmumu}
        cls = VectorMediator
    call = f"{cls.__name__}(" + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")"
    return cls(**args), call


def quad_average(model: object, x: float, channels: tuple[str, ...] = ("total",)) -> float:
    """Gondolo-Gelmini <sigma v>(x) (MeV^-2) of Hazma's own channel cross sections by adaptive scipy quad.

    <sigma v> = int_{2m} dE 2 E sigma(E^2) (E^2 - 4 m^2) E K1(E/T) / (8 m^4 T K2(m/T)^2), E = sqrt(s), with the
    exponentially scaled Bessel functions (no underflow at any x), the mediator pole and 2 m_pi as break
    points. A diagnostic independent of Hazma's compiled ``thermal_cross_section``."""
    mx, mmed = model.mx, getattr(model, "ms", None) or model.mv  # type: ignore[attr-defined]
    t = mx / x
    hi = 2.0 * mx + 80.0 * t
    breaks = [p for p in (mmed, 2.0 * M_PI0_MEV, 2.0 * M_PI_MEV) if 2.0 * mx < p < hi]

    def integrand(e: float) -> float:
        sig = model.annihilation_cross_sections(e)  # type: ignore[attr-defined]
        total = sum(sig.get(ch, 0.0) for ch in channels)
        return 2.0 * e * e * total * (e * e - 4.0 * mx * mx) * k1e(e / t) * math.exp(-(e - 2.0 * mx) / t)

    value = quad(integrand, 2.0 * mx, hi, points=breaks or None, limit=500, epsabs=0.0, epsrel=1e-9)[0]
    return value / (8.0 * mx**4 * t * kve(2, x) ** 2)


class QuadModel:
    """Hazma's model seen by ``relic_density`` with :func:`quad_average` as its thermal average (optionally
    without the pion channels): Hazma's ODE, tables and cross sections, an independent thermal integral.

    The average is tabulated at 80 points per decade in x = 1 ... 1e5 and interpolated by a cubic spline in
    (ln x, ln <sigma v>) (``spline_check`` reports the largest deviation from direct quad between nodes)."""

    def __init__(self, model: object, pions: bool) -> None:
        self.model, self.mx = model, model.mx  # type: ignore[attr-defined]
        sig = model.annihilation_cross_sections(3.0 * self.mx)  # type: ignore[attr-defined]
        self.channels = tuple(ch for ch in sig if ch != "total" and (pions or ch not in ("pi pi", "pi0 pi0")))
        lx = np.linspace(0.0, math.log(1e5), 80 * 5 + 1)
        values = [quad_average(model, math.exp(v), self.channels) for v in lx]
        self.spline = CubicSpline(lx, np.log(values))

    def thermal_cross_section(self, x: float) -> float:
        return float(np.exp(self.spline(math.log(x))))

    def spline_check(self) -> float:
        """max |spline/quad - 1| at the midpoints x = 10^((k + 1/2)/80), k = 0, 8, ..., 392."""
        mids = [10.0 ** ((k + 0.5) / 80.0) for k in range(0, 400, 8)]
        return max(abs(self.thermal_cross_section(x) / quad_average(self.model, x, self.channels) - 1.0) for x in mids)


def main() -> None:
    version = importlib.metadata.version("hazma")
    print(f"# computed with Hazma {version} (hazma.__file__ = {hazma.__file__}) by admin/hazma_reference.py")
    if version == "2.2.0":  # the wheel this file was made with (pip download hazma==2.2.0; sha256sum)
        print("# wheel hazma-2.2.0-cp310-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl from PyPI, sha256 "
              "db8452742aa1e1a92870969cda833fbeffbc8afb0855fa3783aa50d0f3bb7e38")
    print(f"# date {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}; Python "
          f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")
    print("# Hazma: A. Coogan, L. Morrison, S. Profumo, JCAP 01 (2020) 056, arXiv:1907.11846; "
          "https://github.com/LoganAMorrison/Hazma; MIT licence (tests/data/LICENSE-Hazma.txt)")
    print(f"# omega_ode = relic_density(model, **{ODE}): Hazma's number (chi alone; the test doubles it for chi + chibar)")
    print("# omega_ode_tight = the same ODE at rtol 1e-10, atol 1e-12; omega_semi = relic_density(model) "
          "(semi-analytic default); sv_x20 = model.thermal_cross_section(20) in GeV^-2")
    print("# omega_quad, omega_quad_nopi = the same ODE with Hazma's thermal average replaced by QuadModel "
          "(scipy quad of Hazma's channel cross sections; all channels / without pi pi, pi0 pi0): diagnostics")
    print("# pion_share_x20 = 1 - <sigma v>(no pions)/<sigma v>(all) at x = 20 (quad); spline_check = "
          "QuadModel.spline_check() of the no-pion model")
    print("# model mapping, units (MeV) and the Dirac factor: admin/hazma_reference.py docstring")
    print("point,model,mass_GeV,coupling,overrides,hazma_call,omega_ode,omega_ode_tight,omega_semi,sv_x20_GeV-2,"
          "omega_quad,omega_quad_nopi,pion_share_x20,spline_check")
    for i, (name, mass, coupling, ov) in enumerate(POINTS, 1):
        model, call = hazma_model(name, mass, coupling, ov)
        ode = relic_density(model, **ODE)
        tight = relic_density(model, **ODE_TIGHT)
        semi = relic_density(model)
        sv = model.thermal_cross_section(20.0) * 1e6  # MeV^-2 -> GeV^-2
        full, nopi = QuadModel(model, pions=True), QuadModel(model, pions=False)
        share = 1.0 - nopi.thermal_cross_section(20.0) / full.thermal_cross_section(20.0)
        overrides = ";".join(f"{k}={v:g}" for k, v in ov.items())
        print(f"{i},{name},{mass:g},{coupling:g},{overrides},\"{call}\",{ode:.8g},{tight:.8g},{semi:.8g},"
              f"{sv:.8g},{relic_density(full, **ODE):.8g},{relic_density(nopi, **ODE):.8g},{share:.4g},"
              f"{nopi.spline_check():.2g}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
