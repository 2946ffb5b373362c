"""Layer types of a figure spec: each turns its options and the panel (model, benchmark, ranges) into shapes.

No matplotlib here: a layer returns :class:`~muonreach.plot.shapes.LayerData` (lines, bands, polygons,
already clipped to the axes), which ``render.py`` draws and the tests inspect. Physics comes from the
packages that own it: ``gm2.bands`` (favoured band, exclusion), ``reach.contour`` (reach), ``cosmo``
(relic target, self-interaction and perturbativity bounds), ``constraints`` (data curves); ``planes.py``
maps (mediator mass, coupling) to the sigma_e plane and back.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..cache import cached_arrays
from ..errors import ConvergenceError, KinematicallyForbidden, MuonReachError, SpecError, UnknownName
from ..validation import PERTURBATIVE_LIMIT
from . import planes, pool
from .shapes import Band, LayerData, Line, clip_band, clip_line, clip_polygon, log_grid, runs
from .spec import LayerSpec, LayerType, Option, PanelSpec

_MASS_RANGE = {
    "mass_min": Option("float", None, help="lowest mediator mass in GeV (default: from the panel's x range)", positive=True),
    "mass_max": Option("float", None, help="highest mediator mass in GeV (default: from the panel's x range)", positive=True),
}


def _model_name(panel: PanelSpec) -> str:
    """The panel's model (layers that need one are checked for it when the spec is read)."""
    if panel.model is None:
        raise SpecError(f"{panel.where}: the panel needs a 'model'")
    return panel.model


def _masses(layer: LayerSpec, panel: PanelSpec, points: int) -> np.ndarray:
    lo, hi = planes.mediator_range(panel)
    lo = layer.options.get("mass_min") or lo
    hi = layer.options.get("mass_max") or hi
    if not 0.0 < lo < hi:
        raise SpecError(f"{layer.where}: mass range [{lo:g}, {hi:g}] GeV is empty")
    return log_grid(lo, hi, points)


def _check_masses(layer: LayerSpec, panel: PanelSpec) -> None:
    lo, hi = layer.options.get("mass_min"), layer.options.get("mass_max")
    for name, v in (("mass_min", lo), ("mass_max", hi)):
        if v is not None and v <= 0.0:
            raise SpecError(f"option {name} must be positive, got {v:g}")
    if lo is not None and hi is not None and lo >= hi:
        raise SpecError(f"mass_min {lo:g} must be below mass_max {hi:g}")


def _bands(panel: PanelSpec, m: np.ndarray, g_low: np.ndarray, g_high: np.ndarray) -> list[Band]:
    """Bands in coupling (NaN = none at that mass), mapped to the panel's plane and clipped."""
    out: list[Band] = []
    for r in runs(np.isfinite(g_low) & np.isfinite(g_high)):
        x, lo = planes.to_axes(panel, m[r], g_low[r])
        _, hi = planes.to_axes(panel, m[r], g_high[r])
        out += clip_band(x, lo, hi, panel.x, panel.y)
    return out


# --- (g-2) ------------------------------------------------------------------------------------------------

_GM2_OPTIONS = {
    "dataset": Option("str", None, True, "a (g-2) dataset of `muonreach list datasets` (NAME-future: 000's projection)"),
    "lepton": Option("str", "mu", help="mu or e"),
    "points": Option("int", 120, help="number of log-spaced masses"),
    **_MASS_RANGE,
}


def _check_dataset(layer: LayerSpec, panel: PanelSpec) -> None:
    from ..gm2.datasets import get_dataset

    ds = get_dataset(layer.options["dataset"])
    if ds.lepton != layer.options["lepton"]:
        raise SpecError(f"dataset {ds.name!r} is for lepton {ds.lepton!r}, not {layer.options['lepton']!r}")
    if layer.options["n_sigma"] <= 0:
        raise SpecError("n_sigma must be positive")
    _check_masses(layer, panel)


def _unit_contributions(layer: LayerSpec, panel: PanelSpec) -> tuple[np.ndarray, np.ndarray]:
    """(masses, Delta a per unit coupling squared) of the panel's model for a (g-2) layer: computed once per
    (model, benchmark, lepton, masses) and cached (a panel's band, future band and exclusion share them)."""
    from ..gm2.bands import unit_contribution

    m = _masses(layer, panel, layer.options["points"])
    lepton = layer.options["lepton"]

    def compute() -> dict[str, np.ndarray]:
        return {"unit": np.array([unit_contribution(planes.model_at(panel, float(mass)), lepton) for mass in m])}

    got = cached_arrays("gm2-unit", {"model": _model_name(panel), "benchmark": panel.benchmark, "lepton": lepton,
                                     "masses": m.tolist()}, compute)
    return m, got["unit"]


def _gm2_band(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """Couplings within n sigma of the dataset's Delta a (000 Sec. 4.1): a band in coupling."""
    from ..gm2.bands import favored_band
    from ..gm2.datasets import get_dataset

    o = layer.options
    ds = get_dataset(o["dataset"])
    m, units = _unit_contributions(layer, panel)
    low, high = np.full(m.size, math.nan), np.full(m.size, math.nan)
    for i, unit in enumerate(units):
        band = favored_band(float(unit), ds, o["n_sigma"])
        if band is not None:
            low[i], high[i] = band.low, min(band.high, PERTURBATIVE_LIMIT)
    notes = [f"{ds.name}: Delta a = {ds.delta:.3e} +- {ds.sigma:.2e}, {o['n_sigma']:g} sigma band"]
    if np.any(low == 0.0):
        notes.append(f"{ds.name}: the {o['n_sigma']:g} sigma band reaches zero coupling (Delta a is within "
                     f"{o['n_sigma']:g} sigma of zero); drawn down to the bottom of the axis")
    return LayerData(tuple(_bands(panel, m, low, high)), tuple(notes))


def _gm2_exclusion(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """Couplings whose contribution lies more than n sigma beyond Delta a (000 Sec. 4.1): excluded above."""
    from ..gm2.bands import excluded_coupling
    from ..gm2.datasets import get_dataset

    o = layer.options
    ds = get_dataset(o["dataset"])
    m, units = _unit_contributions(layer, panel)
    low = np.full(m.size, math.nan)
    for i, unit in enumerate(units):
        g = excluded_coupling(float(unit), ds, o["n_sigma"])
        if g is not None:
            low[i] = g
    high = np.full(m.size, PERTURBATIVE_LIMIT)
    return LayerData(tuple(_bands(panel, m, low, high)),
                     (f"{ds.name}: excluded where Delta a_NP > Delta a + {o['n_sigma']:g} sigma",))


# --- reach ------------------------------------------------------------------------------------------------


def _experiment(layer: LayerSpec):
    return _load_experiment(layer.options["experiment"], layer.options["set"])


def _load_experiment(name: str, overrides: dict):
    from ..experiments.spec import load_experiment

    return load_experiment(name).with_overrides(overrides)


def _reach_block(args: tuple[str, dict, str, np.ndarray, dict]) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) reach edges (NaN: none) of one block of masses: a task of the figure pool."""
    from ..models.registry import get_model_spec
    from ..reach.contour import reach

    experiment, overrides, model, masses, benchmark = args
    # method "batch" for every block size: its edges do not depend on which masses share a block (bit for bit,
    # tests/test_figure_pool.py), so a figure is the same on any number of workers and in the explorer; "auto"
    # switches to the per-mass search for blocks of < 6 masses, whose edges differ in the last bits (7e-11)
    rows = reach(_load_experiment(experiment, overrides), get_model_spec(model), masses, benchmark, method="batch")
    return (np.array([math.nan if r.coupling_low is None else r.coupling_low for r in rows]),
            np.array([math.nan if r.coupling_high is None else r.coupling_high for r in rows]))


def _check_reach(layer: LayerSpec, panel: PanelSpec) -> None:
    _experiment(layer)
    _check_masses(layer, panel)


_EXPOSURE_LABELS = {"muons_on_target": "MOT", "electrons_on_target": "EOT", "meson_decays": "meson decays"}


def _reach(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """Region with at least N_CL signal events (``reach.contour``); open edges run to 4 pi."""
    from ..experiments.production import production_channel

    exp = _experiment(layer)
    m = _masses(layer, panel, layer.options["points"])
    allowed = []
    for mass in m:
        try:
            production_channel(exp.channel).check_mass(exp, float(mass))
            allowed.append(True)
        except KinematicallyForbidden:
            allowed.append(False)
    m = m[np.array(allowed, dtype=bool)]
    if m.size == 0:
        return LayerData((), (f"{exp.name}: no mass in range can be produced",))
    model = _model_name(panel)

    def contour() -> dict[str, np.ndarray]:  # masses are independent: blocks of them on the figure pool
        o = layer.options
        parts = pool.map_blocks(_reach_block, [(o["experiment"], o["set"], model, block, panel.benchmark)
                                               for block in pool.mass_blocks(m)])
        return {"low": np.concatenate([p[0] for p in parts]), "high": np.concatenate([p[1] for p in parts])}

    edges = cached_arrays("reach-contour", {"experiment": exp.as_dict(), "model": model, "benchmark": panel.benchmark,
                                            "masses": m.tolist()}, contour)
    low = edges["low"]
    high = np.where(np.isnan(low), math.nan, np.where(np.isnan(edges["high"]), PERTURBATIVE_LIMIT, edges["high"]))
    overrides = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in layer.options["set"].items())
    exposure = f"; {exp.particles_on_target:.3g} {_EXPOSURE_LABELS[exp.exposure_key]}"
    note = f"{exp.name} ({exp.source})" + (f" with {overrides}" if overrides else "") + exposure
    notes = (note,) + ((f"warning: {exp.name}: {exp.approximate}",) if exp.approximate else ())
    return LayerData(tuple(_bands(panel, m, low, high)), notes)


# --- computed bounds (constraints.computed) ----------------------------------------------------------------


def _check_bound(layer: LayerSpec, panel: PanelSpec) -> None:
    from ..constraints.computed import get_bound
    from ..models.registry import get_model_spec

    bound = get_bound(layer.options["name"])
    if panel.model is not None and not bound.applies_to(get_model_spec(_model_name(panel))):
        raise SpecError(f"bound {bound.name!r} does not apply to model {panel.model!r}")
    _check_masses(layer, panel)


def _bound_block(args: tuple[str, str, np.ndarray, dict]):
    """The :class:`~muonreach.constraints.computed.BoundRows` of one block of masses: a task of the figure pool."""
    from ..constraints.computed import get_bound
    from ..models.registry import get_model_spec

    name, model, masses, overrides = args
    return get_bound(name).evaluate(get_model_spec(model), masses, overrides)


def _bound(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """A constraint computed by muonreach for the panel's model (``constraints.computed``)."""
    from ..constraints.computed import get_bound

    bound = get_bound(layer.options["name"])
    m = _masses(layer, panel, layer.options["points"])
    model, overrides = _model_name(panel), {**panel.benchmark, **layer.options["set"]}

    def compute() -> dict[str, np.ndarray]:  # per-mass bounds: blocks of masses on the figure pool
        blocks = pool.mass_blocks(m) if bound.per_mass else [m]
        parts = pool.map_blocks(_bound_block, [(bound.name, model, block, overrides) for block in blocks])
        notes = list(dict.fromkeys(n for p in parts for n in p.notes))  # a note of every block appears once
        return {"mass": np.concatenate([p.mass for p in parts]), "low": np.concatenate([p.low for p in parts]),
                "high": np.concatenate([p.high for p in parts]), "notes": np.array(notes, dtype=str)}

    # cached on disk like the reach contours: figures that repeat a bound layer (000-fig5, status-2025) share it
    rows = cached_arrays("bound-layer", {"bound": bound.name, "model": model, "masses": m.tolist(),
                                         "overrides": overrides}, compute)
    high = np.where(np.isnan(rows["high"]), PERTURBATIVE_LIMIT, rows["high"])
    high = np.where(np.isnan(rows["low"]), math.nan, high)
    notes = (f"{bound.name}: {bound.description} ({bound.source}; {100 * bound.cl:.0f} % CL)",
             *(str(n) for n in rows["notes"]))
    if bound.approximate:
        notes += (f"{bound.name}: approximate: {bound.approximate}",)
    return LayerData(tuple(_bands(panel, rows["mass"], rows["low"], high)), notes)


# --- relic target -----------------------------------------------------------------------------------------


def _relic_curve(model: str, masses: np.ndarray, overrides: dict, workers: int = 1) -> list[float | None]:
    """The coupling giving Omega h^2 = 0.12 per mediator mass (None: none below 4 pi), from ``cosmo.relic``, on
    ``workers`` processes: the figure pool's when one is active (its worker count then), else a pool of its own.

    Imported here, at call time: the relic solver is slow and lives in ``muonreach.cosmo``."""
    from ..cosmo.relic import relic_curve

    def curve() -> dict[str, np.ndarray]:
        shared = pool.executor() if workers > 1 and pool.active() else None
        if shared is None:
            values = relic_curve(model, masses, overrides, workers=workers)
        else:
            values = relic_curve(model, masses, overrides, workers=pool.pool_workers(), executor=shared)
        return {"coupling": np.array([math.nan if v is None else v for v in values])}

    # cached on disk: figures that repeat another's relic layer (000-fig5 and status-2025) do not recompute it
    got = cached_arrays("relic-curve", {"model": model, "masses": np.asarray(masses).tolist(), "overrides": overrides}, curve)
    return [None if math.isnan(v) else float(v) for v in got["coupling"]]


def _relic(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """Relic target (000 Sec. 2.2): below the line the DM is over-abundant.

    Masses where the relic solver does not converge become a gap in the line and a warning note (printed by
    ``muonreach figure``), rather than ending the whole figure."""
    m = _masses(layer, panel, layer.options["points"])
    g = np.full(m.size, math.nan)
    failed = []
    try:  # all masses at once, spread over the machine's cores
        workers = pool.pool_workers() if pool.active() else pool.default_workers()
        values = _relic_curve(_model_name(panel), m, dict(panel.benchmark), workers=workers)
    except ConvergenceError:  # find the culprits one by one, keep the rest
        values = []
        for mass in m:
            try:
                values += _relic_curve(_model_name(panel), np.array([mass]), dict(panel.benchmark))
            except ConvergenceError:
                failed.append(float(mass))
                values.append(None)
    for i, value in enumerate(values):
        if value is not None:
            g[i] = float(value)
    notes = ["relic target Omega h^2 = 0.12 (muonreach.cosmo.relic)"]
    if failed:
        masses = ", ".join(f"{v:.4g}" for v in failed)
        notes.append(f"warning: relic ({panel.model}): no convergence at m = {masses} GeV; gap in the line")
    shapes: list = []
    for r in runs(np.isfinite(g)):
        x, y = planes.to_axes(panel, m[r], g[r])
        shapes += clip_line(x, y, panel.x, panel.y)
        if layer.options["shade_below"]:
            shapes += clip_band(x, np.zeros_like(y), y, panel.x, panel.y)
    return LayerData(tuple(shapes), tuple(notes))


# --- data curves -----------------------------------------------------------------------------------------


def _curve(layer: LayerSpec):
    from ..constraints import get_limit

    return get_limit(layer.options["name"])


def _check_limit(layer: LayerSpec, panel: PanelSpec) -> None:
    curve = _curve(layer)
    if curve.plane.name == panel.plane:
        pass
    elif curve.plane.name == "sigma-e" and panel.plane == "coupling":
        planes.check_sigma_e(panel)  # drawn through 000 eq. (4.1) at the panel's benchmark
    elif curve.plane.name == "coupling" and panel.plane == "y":
        pass  # drawn through 003 eq. (2) at the panel's benchmark (the panel's y check ran)
    else:
        raise SpecError(f"limit {curve.name!r} lives in plane {curve.plane.name!r}; the panel is {panel.plane!r}")
    if panel.model is not None and not curve.applies_to_model(panel.model):
        raise SpecError(f"limit {curve.name!r} is for model {curve.model!r}, not {panel.model!r} "
                        "(curves are translated to another model only where justified: constraints/data/README.md)")


def _limit(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """A data curve of ``muonreach.constraints``, its excluded (or probed) side filled if the style says so."""
    c = _curve(layer)
    x, y, y_high = c.x, c.y, c.y_high
    notes = [f"{c.name}: {c.source.paper}" + (f", arXiv:{c.source.arxiv}" if c.source.arxiv else "")
             + f"; {c.provenance}; licence: {c.licence_status}"]
    if c.plane.name == "sigma-e" and panel.plane == "coupling":  # sigma_e limit drawn in the coupling plane
        x, y = planes.sigma_e_to_coupling(panel, x, y)
        notes.append(f"{c.name}: sigma_e converted to {panel.model} couplings with 000 eq. (4.1) at the panel's benchmark")
    elif c.plane.name == "coupling" and panel.plane == "y":  # (m_X, eps) -> (m_DM, y), 003 eq. (2)
        m = x
        x, y = planes.to_axes(panel, m, y)
        y_high = None if y_high is None else planes.to_axes(panel, m, y_high)[1]
        notes.append(f"{c.name}: mapped to (m_DM, y = eps^2 alpha_D (m_DM/m_X)^4) at the panel's benchmark")
    xa, ya = panel.x, panel.y
    shapes: list[Any]
    if c.edge == "closed":
        shapes = clip_polygon(x, y, xa, ya)
    elif c.edge == "two-sided":
        shapes = clip_band(x, y, y_high, xa, ya)
    elif c.edge == "lower":
        shapes = clip_band(x, y, np.full(x.size, math.inf), xa, ya)
    else:
        shapes = clip_band(x, np.zeros(x.size), y, xa, ya)
    return LayerData(tuple(shapes), tuple(notes))


# --- dark-coupling bounds (000 Fig. 1) ----------------------------------------------------------------------


def _g_chi_masses(layer: LayerSpec, panel: PanelSpec) -> np.ndarray:
    return log_grid(panel.x.min, panel.x.max, layer.options["points"])


def _self_interaction(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """g_chi above which sigma_T/m_chi exceeds the bound (000 eq. (2.10)); excluded above."""
    m = _g_chi_masses(layer, panel)
    g = planes.g_chi_self_interaction(m, layer.options["ratio"], layer.options["limit_cm2_g"])
    return LayerData(tuple(clip_band(m, g, np.full(m.size, math.inf), panel.x, panel.y)),
                     (f"sigma_T/m_chi > {layer.options['limit_cm2_g']:g} cm^2/g, m_chi/m_S = {layer.options['ratio']:.4g}",))


def _perturbativity(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """g_chi(m_S) above which alpha_chi runs to 4 pi below the scale (000 eq. (2.11))."""
    m = _g_chi_masses(layer, panel)
    g = planes.g_chi_perturbativity(m, layer.options["scale_gev"])
    shapes: list = clip_line(m, g, panel.x, panel.y)
    if layer.options["shade_above"]:
        shapes += clip_band(m, g, np.full(m.size, math.inf), panel.x, panel.y)
    return LayerData(tuple(shapes), (f"alpha_chi >= 4 pi at {layer.options['scale_gev']:g} GeV or below",))


def _resonant(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """Resonant regime alpha_chi >~ m_S/m_chi (000 Fig. 1 caption): the boundary g_chi = sqrt(4 pi m_S/m_chi) of
    the Born condition of ``cosmo.bounds.self_interaction``, beyond which eq. (2.10) does not apply. The second
    condition, m_chi v/m_S < 1, holds everywhere here (v ~ 1e-3, m_chi < m_S/2)."""
    m = _g_chi_masses(layer, panel)
    g = np.full(m.size, math.sqrt(4.0 * math.pi / layer.options["ratio"]))
    return LayerData(tuple(clip_band(m, g, np.full(m.size, math.inf), panel.x, panel.y)),
                     (f"alpha_chi > m_S/m_chi = {1 / layer.options['ratio']:.4g}",))


def _check_ratio(layer: LayerSpec, panel: PanelSpec) -> None:
    if not 0.0 < layer.options["ratio"] < 0.5:
        raise SpecError(f"ratio m_chi/m_S must be in (0, 1/2) (S -> chi chi open), got {layer.options['ratio']:g}")


_RATIO = Option("float", None, True, "m_chi / m_S", positive=True)

#: Every layer type, by the name used in ``type = ...``.
LAYER_TYPES: dict[str, LayerType] = {
    "gm2-band": LayerType(("coupling", "sigma-e"),
                          {**_GM2_OPTIONS, "n_sigma": Option("float", 2.0, help="width of the band", positive=True)},
                          _gm2_band, _check_dataset, "couplings favoured by (g-2) at n sigma"),
    "gm2-exclusion": LayerType(("coupling", "sigma-e"),
                               {**_GM2_OPTIONS, "n_sigma": Option("float", 5.0, help="exclusion level", positive=True)},
                               _gm2_exclusion, _check_dataset, "couplings excluded by (g-2) at n sigma (too large a contribution)"),
    "reach": LayerType(("coupling", "sigma-e", "y"), {
        "experiment": Option("str", None, True, "a `muonreach list experiments` name or a path"),
        "set": Option("table", {}, help="experiment overrides, e.g. { muons_on_target = 1e13 }"),
        "points": Option("int", 100, help="number of log-spaced masses"), **_MASS_RANGE,
    }, _reach, _check_reach, "reach contour of an experiment (region with >= N_CL events)"),
    "relic": LayerType(("coupling", "sigma-e", "y"), {
        "points": Option("int", 50, help="number of masses (the relic solver is the slow part)"),
        "shade_below": Option("bool", False, help="also fill the over-abundant region below the line"), **_MASS_RANGE,
    }, _relic, _check_masses, "thermal relic target Omega h^2 = 0.12"),
    "bound": LayerType(("coupling",), {
        "name": Option("str", None, True, "a computed bound (muonreach.constraints.computed)"),
        "set": Option("table", {}, help="bound or model options, on top of the panel's benchmark"),
        "points": Option("int", 60, help="number of log-spaced masses"), **_MASS_RANGE,
    }, _bound, _check_bound, "a constraint computed by muonreach for the panel's model"),
    "limit": LayerType(("coupling", "sigma-e", "y"), {"name": Option("str", None, True, "a `muonreach limits` name or a .toml path")},
                       _limit, _check_limit, "a data curve (existing limit or projection)", needs_model=False),
    "self-interaction": LayerType(("g-chi",), {
        "ratio": _RATIO, "limit_cm2_g": Option("float", 1.0, help="bound on sigma_T/m_chi in cm^2/g", positive=True),
        "points": Option("int", 100, help="number of masses"),
    }, _self_interaction, _check_ratio, "DM self-interaction bound on g_chi (000 eq. (2.10))", needs_model=False),
    "perturbativity": LayerType(("g-chi",), {
        "scale_gev": Option("float", 1000.0, help="scale up to which alpha_chi must stay below 4 pi", positive=True),
        "points": Option("int", 100, help="number of masses"),
        "shade_above": Option("bool", False, help="also fill the region above the line"),
    }, _perturbativity, None, "perturbativity of g_chi up to a scale (000 eq. (2.11))", needs_model=False),
    "resonant-regime": LayerType(("g-chi",), {"ratio": _RATIO, "points": Option("int", 20, help="number of masses")},
                                 _resonant, _check_ratio, "resonant self-scattering regime (000 Fig. 1)", needs_model=False),
}


def _add_event_layers() -> None:
    from .event_layers import EVENT_LAYER_TYPES

    LAYER_TYPES.update(EVENT_LAYER_TYPES)


_add_event_layers()


def compute(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """The shapes of one layer of a panel; an error while computing is re-raised with the layer's location
    (file, panel, layer) in front, as one line of the same error class."""
    if layer.type not in LAYER_TYPES:
        raise UnknownName(f"{layer.where}: unknown layer type {layer.type!r}")
    try:
        return LAYER_TYPES[layer.type].compute(layer, panel)
    except MuonReachError as exc:
        if str(exc).startswith(layer.where):
            raise
        raise type(exc)(f"{layer.where}: {exc}") from None


__all__ = ["LAYER_TYPES", "Band", "LayerData", "Line", "compute", "compute_all"]


def compute_all(spec, workers: int | None = None, meanwhile: Callable[[], object] | None = None) -> list[list[LayerData]]:
    """Every layer of every panel of a :class:`~muonreach.plot.spec.FigureSpec`, in order; the per-mass work of
    the layers on one pool of ``workers`` processes (default: the CPUs, at most 4; :mod:`.pool`).

    The blocks of all layers are submitted before any is waited for (:func:`.pool.plan`); ``meanwhile`` (e.g. the
    renderer's imports) runs in this process while the workers compute."""
    jobs = [functools.partial(compute, layer, panel) for panel in spec.panels for layer in panel.layers]
    with pool.figure_pool(workers):
        done = pool.plan(jobs)
        if meanwhile is not None:
            meanwhile()
        flat = [done[i] if i in done else job() for i, job in enumerate(jobs)]
    out, start = [], 0
    for panel in spec.panels:
        out.append(flat[start:start + len(panel.layers)])
        start += len(panel.layers)
    return out
