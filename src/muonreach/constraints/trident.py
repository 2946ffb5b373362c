"""Neutrino-trident constraints (CCFR, CHARM-II) on a vector coupled to nu_mu and to muons, as computed bounds.

Physics in :mod:`muonreach.production.trident` (arXiv:1406.2332, 004 notes S7). For a model whose mediator couples
to the left-handed nu_mu with g_nu (:meth:`Mediator.neutrino_coupling`) and to muons as a vector with g_mu
(:meth:`Mediator.production_coupling`), the trident cross section is sigma = sigma_0 + x sigma_1(m) + x^2 sigma_2(m),
x = g_nu g_mu (for L_mu - L_tau x = g'^2). The measured sigma/sigma_SM (inputs/trident.toml) excludes at 95 % CL
(Gaussian, z = 1.96) every x with sigma/sigma_SM > ratio + z error.

The event samples (one per experiment, E_nu = the mean energy: no flux spectrum is folded) are cached on disk by
:func:`muonreach.cache.cached_arrays`; every (m, g) afterwards is a weighted sum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from .. import units
from ..errors import DataRangeError, InvalidParameter, UnknownName
from ..models.base import Mediator
from ..models.registry import ModelSpec
from ..specfields import Fields
from .computed import BoundRows, ComputedBound, input_fields, register_bound

_ORIGIN = "muonreach constraints/inputs/trident.toml"
FB_PER_GEV2 = units.GEV2_TO_CM2 / 1e-39  # 1 fb = 1e-39 cm^2


@dataclass(frozen=True)
class TridentExperiment:
    """A trident measurement: mean neutrino energy (GeV), coherent target, sigma/sigma_SM with its error."""

    name: str
    label: str
    energy: float
    target: str
    components: tuple[tuple[float, float, float, float], ...]  # (Z, A, count, charge radius in fm) per target unit
    ratio: float
    ratio_error: float
    source: str

    @property
    def a_reference(self) -> float:
        """Mass number of the lightest component (its nuclear size sets the q^2 range of the sample)."""
        return min(comp[1] for comp in self.components)


@dataclass(frozen=True)
class TridentSettings:
    sin2_theta_w: float
    events: int
    seed: int
    mass_min: float
    mass_max: float
    cl: float
    z: float


@cache
def _inputs() -> tuple[TridentSettings, dict[str, TridentExperiment]]:
    top = input_fields("trident.toml")
    ph, st = top.table("physics"), top.table("statistics")
    settings = TridentSettings(ph.number("sin2_theta_w", low=0.0, high=1.0), ph.integer("events", low=1000), ph.integer("seed"),
                               ph.positive("mass_min"), ph.positive("mass_max"), st.number("cl", low=0.0, high=1.0),
                               st.positive("z"))
    exps = {}
    table = top.table("experiments")
    for name in list(table.keys()):
        f = table.table(name)
        comps = []
        raw = f.raw("components")
        if not isinstance(raw, list) or not raw:
            raise f.fail("components", "must be a non-empty list of tables")
        for item in raw:
            cf = Fields(item, f"{_ORIGIN} [experiments.{name}.components]")
            cf.string("symbol")
            comps.append((cf.positive("Z"), cf.positive("A"), cf.positive("count"), cf.positive("r_rms_fm")))
            cf.done()
        exps[name] = TridentExperiment(name, f.string("label"), f.positive("energy"), f.string("target"), tuple(comps),
                                       f.positive("ratio"), f.positive("ratio_error"), f.string("source"))
        f.done()
    for f in (ph, st, table, top):
        f.done()
    return settings, exps


def settings() -> TridentSettings:
    return _inputs()[0]


def experiments() -> dict[str, TridentExperiment]:
    """The shipped trident measurements by name ('ccfr', 'charm-ii')."""
    return dict(_inputs()[1])


def get_experiment(name: str) -> TridentExperiment:
    exps = experiments()
    if name not in exps:
        raise UnknownName(f"unknown trident experiment {name!r}; known: {', '.join(sorted(exps))}")
    return exps[name]


def _sample(exp: TridentExperiment):
    from ..cache import cached_arrays
    from ..production.trident import TridentSample, sample_events

    st = settings()
    inputs = {"energy": exp.energy, "a_reference": exp.a_reference, "sin2_theta_w": st.sin2_theta_w,
              "events": st.events, "seed": st.seed}

    def compute():
        smp = sample_events(exp.energy, a_reference=exp.a_reference, sin2_theta_w=st.sin2_theta_w, events=st.events, seed=st.seed)
        return {"terms": smp.terms, "t": smp.t, "q2": smp.q2}

    arrays = cached_arrays("trident-sample", inputs, compute)
    return TridentSample(exp.energy, arrays["terms"], arrays["t"], arrays["q2"], 0)


@dataclass(frozen=True)
class TridentCrossSections:
    """sigma = sigma_sm (1 + x r1 + x^2 r2), x = g_nu g_mu, per target unit; GeV^-2, with Monte Carlo errors."""

    experiment: TridentExperiment
    masses: NDArray[np.float64]
    sigma_sm: float
    sigma_sm_error: float
    r1: NDArray[np.float64]
    r2: NDArray[np.float64]

    def ratio(self, x: float | NDArray[np.float64]) -> NDArray[np.float64]:
        return 1.0 + x * self.r1 + x * x * self.r2

    def x_limit(self) -> NDArray[np.float64]:
        """Largest allowed x = g_nu g_mu > 0 at each mass (ratio = measured + z error)."""
        st = settings()
        excess = self.experiment.ratio + st.z * self.experiment.ratio_error - 1.0
        if excess <= 0.0:
            raise InvalidParameter(f"{self.experiment.name}: the measurement excludes the Standard Model itself")
        return 2.0 * excess / (self.r1 + np.sqrt(self.r1 * self.r1 + 4.0 * self.r2 * excess))


def check_masses(masses: NDArray[np.float64]) -> NDArray[np.float64]:
    m = np.atleast_1d(np.asarray(masses, dtype=float))
    st = settings()
    bad = (m < st.mass_min) | (m > st.mass_max) | ~np.isfinite(m)
    if bad.any():
        raise DataRangeError(f"trident: the Z' mass {m[bad][0]:g} GeV is outside the computed range "
                             f"[{st.mass_min:g}, {st.mass_max:g}] GeV")
    return m


def cross_sections(name: str, masses: NDArray[np.float64], form_factor: str = "dipole") -> TridentCrossSections:
    """The SM cross section and the Z' coefficients r1, r2 of experiment ``name`` at ``masses`` (GeV), with the
    nuclear ``form_factor`` 'dipole' (the default, used by the shipped bounds) or 'gaussian' (production.trident)."""
    from ..production.trident import sm_couplings

    exp = get_experiment(name)
    m = check_masses(masses)
    c_v, c_a = sm_couplings(settings().sin2_theta_w)
    s0, s1, s2, err = _sample(exp).cross_sections(exp.components, c_v, c_a, m, form_factor)
    return TridentCrossSections(exp, m, float(s0), float(err[0]), s1 / s0, s2 / s0)


def coupling_product(model: Mediator) -> float:
    """x = g_nu_mu g_mu of a model (vector muon coupling required); InvalidParameter when trident does not apply."""
    kind, g_mu = model.production_coupling("mu")
    if kind != "vector":
        raise InvalidParameter(f"trident needs a vector coupling to muons; {type(model).__name__} has a {kind} one")
    x = model.neutrino_coupling("mu") * g_mu
    if x < 0.0:
        raise InvalidParameter("trident with destructive Z'-SM interference (g_nu g_mu < 0) is not implemented")
    return x


def _applies(spec: ModelSpec) -> bool:
    try:
        model = spec.build(0.1, 1e-3)
        return model.neutrino_coupling("mu") != 0.0 and coupling_product(model) > 0.0
    except InvalidParameter:
        return False


def _bound(name: str):
    def compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
        m = check_masses(masses)
        xs = cross_sections(name, m).x_limit()
        low = np.empty(m.size)
        for i, (mass, x_max) in enumerate(zip(m, xs)):
            unit = coupling_product(spec.build(float(mass), 1e-3, overrides)) / 1e-6  # x per coupling^2
            low[i] = math.sqrt(x_max / unit)
        return BoundRows(m, low, np.full(m.size, math.nan),
                         (f"{name}: E_nu = {get_experiment(name).energy:g} GeV (mean energy, no flux spectrum folded)",))

    return compute


def _register() -> None:
    st = settings()
    for name, exp in experiments().items():
        register_bound(ComputedBound(
            f"trident-{name}", f"neutrino trident nu_mu N -> nu_mu N mu+ mu- at {exp.label} (sigma/sigma_SM = "
            f"{exp.ratio:g} +- {exp.ratio_error:g})", f"arXiv:1406.2332; {exp.source}", st.cl, _applies, _bound(name),
            approximate=f"mean neutrino energy {exp.energy:g} GeV instead of the flux spectrum; coherent scattering only; "
                        "equivalent-photon approximation (sigma_SM on O-16: 8 % above Zhou-Beacom's full result at 160 GeV, 45 % at 20); "
                        "dipole nuclear form factor (the Gaussian option moves the g' limit by <= 5 %)",
            per_mass=False))  # one trident sample serves every mass (_sample)


_register()
