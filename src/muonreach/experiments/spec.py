"""Experiment definitions: one TOML file per experiment (``data/*.toml``; format in ``data/README.md``).

An experiment is data: the beam, the exposure, the target, the production channel and its approximation, the
detector geometry, the selection, the efficiency (with its source), the signature (a registered class with its
own fields) and the statistics. Every field is declared once, as a :class:`~muonreach.parameters.Param` with its
type, range and TOML section (:data:`FIELDS`); the signature's fields come from its class. ``--set key=value``
overrides any of them by its short name (``muonreach list experiments`` and :func:`overridable` list them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..datafiles import read_toml, shipped_tomls
from ..errors import InvalidParameter, SpecError, UnknownName
from ..materials import Material, get_material
from ..parameters import Param
from ..specfields import Fields, require_schema
from .efficiency import Efficiency
from .signatures import SIGNATURES, Geometry, Signature, signature_class

#: Most beam particles an experiment may declare (far beyond any facility: ~1e20-1e22 for proton dumps).
MAX_PARTICLES: float = 1e25
STATUSES: tuple[str, ...] = ("projection", "result")
APPROXIMATIONS: tuple[str, ...] = ("iww", "ww", "exact")
ENERGY_LOSS_MODES: tuple[str, ...] = ("constant", "table", "shower", "primary")
#: The beam lepton's energy loss in the target by lepton: muons lose energy continuously (CSDA), electrons shower.
LOSS_BY_LEPTON: dict[str, tuple[str, ...]] = {"mu": ("constant", "table"), "e": ("shower", "primary")}
LEPTON_CHOICES: tuple[str, ...] = ("mu", "e")
#: The ``[statistics] statistic`` choices: the event count, and the binned criteria of :mod:`muonreach.reach.binned`.
BINNED_STATISTICS: tuple[str, ...] = ("count", "asimov", "cut_and_count")

#: Every field of an experiment: short name -> (TOML section, key, declaration). The number of beam
#: particles is ``muons_on_target`` or ``electrons_on_target`` by the beam lepton (handled in the parser).
FIELDS: dict[str, tuple[str, str, Param]] = {
    "lepton": ("beam", "lepton", Param("mu", "beam lepton", "choice", LEPTON_CHOICES)),
    "energy": ("beam", "energy", Param(None, "beam energy in GeV", low=0.0, low_open=True, high=1e5, required=True)),
    "material": ("target", "material", Param(None, "target material (`muonreach list materials`; not for meson_decay)", "str")),
    "target_length": ("target", "length", Param(None, "target thickness in cm (meson_decay: the fiducial decay region)",
                                                low=0.0, low_open=True, high=1e6, required=True)),
    "energy_loss": ("target", "energy_loss", Param(None, "beam energy loss: muons constant <dE/dx> (default) or the material's "
                                                   "table; electrons the full shower (default) or the primary only",
                                                   "choice", ENERGY_LOSS_MODES)),
    "channel": ("production", "channel", Param("bremsstrahlung", "production channel", "str")),
    # the default is the most accurate method (exact tree level, production/exact); files that reproduce a paper
    # keep that paper's method explicitly (docs/exact-production.md)
    "approximation": ("production", "approximation", Param("exact", "production cross section: exact (tree-level "
                                                            "2 -> 3, default), ww or iww", "choice", APPROXIMATIONS)),
    "form_factor": ("production", "form_factor", Param("full", "nuclear form factor of the exact cross section: "
                                                               "full (elastic + inelastic, 002 App. A) or elastic",
                                                               "choice", ("full", "elastic"))),
    "final_lepton": ("production", "final_lepton", Param(None, "outgoing lepton (default: the beam lepton)", "choice", LEPTON_CHOICES)),
    "meson": ("production", "meson", Param("K+", "decaying meson of the meson_decay channel", "choice", ("K+",))),
    "decay_lepton": ("production", "decay_lepton", Param("mu", "charged lepton of meson -> l nu X (meson_decay)", "choice",
                                                         LEPTON_CHOICES)),
    "detector_distance": ("detector", "distance", Param(0.0, "distance from the target end to the detector or decay volume, cm",
                                                        low=0.0, high=1e7)),
    "detector_length": ("detector", "length", Param(0.0, "detector or decay-volume length in cm", low=0.0, high=1e7)),
    "x_min": ("selection", "x_min", Param(0.0, "minimal boson energy fraction x = E_X/E (missing-energy cut): E the "
                                          "muon's energy at the production point (002), the beam energy for electron "
                                          "showers (beam.x_lower)", low=0.0, high=1.0, high_open=True)),
    "m_miss2_min": ("selection", "m_miss2_min", Param(0.0, "meson_decay: lowest missing mass squared (P_K - p_l)^2, GeV^2",
                                                      low=0.0, high=10.0)),
    "m_miss2_max": ("selection", "m_miss2_max", Param(10.0, "meson_decay: highest missing mass squared, GeV^2 (default: "
                                                      "the kinematic end point)", low=0.0, low_open=True, high=10.0)),
    "energy_min": ("selection", "energy_min", Param(0.0, "lowest beam-lepton energy integrated over in the target, GeV",
                                                    low=0.0)),
    "lepton_energy_min": ("selection", "lepton_energy_min", Param(0.0, "lowest energy of the outgoing lepton, GeV (e.g. a "
                                                                  "muon that must cross the HCAL)", low=0.0, high=1e5)),
    "events_cl": ("statistics", "events_cl", Param(3.0, "signal events defining the reach (3: 95 % CL background free)",
                                                   low=0.0, low_open=True, high=1e9)),
    "background": ("statistics", "background", Param(0.0, "expected background events", low=0.0, high=1e12)),
    "observed": ("statistics", "observed", Param(None, "observed events", "int", low=0, high=10**12)),
    "statistic": ("statistics", "statistic", Param("count", "reach criterion: count (N >= N_CL; CLs with a background), "
                                                   "asimov (binned likelihood, 1902.07715 eq. (11)) or cut_and_count "
                                                   "(S/sqrt(B + kappa^2 B^2) with an optimised lower cut, its App. C)",
                                                   "choice", BINNED_STATISTICS)),
    "background_model": ("statistics", "background_model", Param(None, "binned m_miss^2 background (a name in "
                                                                 "experiments/backgrounds or a .toml path; meson_decay): "
                                                                 "the bins of the binned statistics, the window's total "
                                                                 "for statistic = count", "str")),
    "gtk": ("statistics", "gtk", Param(False, "apply the background model's GTK rescaling (binned statistics)", "bool")),
    "kappa": ("statistics", "kappa", Param(0.0, "relative background systematic sigma_sys/B (cut_and_count)", low=0.0,
                                           high=100.0)),
    "n_sigma": ("statistics", "n_sigma", Param(2.0, "significance of the binned statistics (asimov: Lambda = n_sigma^2)",
                                               low=0.0, low_open=True, high=10.0)),
}
_PARTICLES = Param(None, "beam particles on target", low=0.0, low_open=True, high=MAX_PARTICLES, required=True)
_EFFICIENCY = Param(None, "a constant signal efficiency in (0, 1] (replaces the file's)", low=0.0, low_open=True, high=1.0)
_TOP_KEYS = ("schema", "name", "description", "source", "status", "approximate")
_SECTIONS = ("beam", "target", "production", "detector", "selection", "efficiency", "signature", "statistics")


MESON_CHANNEL = "meson_decay"
MESON_EXPOSURE = "meson_decays"


def particles_key(lepton: str, channel: str = "bremsstrahlung") -> str:
    """The TOML and ``--set`` name of the exposure: muons_on_target / electrons_on_target for a lepton beam,
    meson_decays (decays in the fiducial region) for the meson_decay channel."""
    if channel == MESON_CHANNEL:
        return MESON_EXPOSURE
    return {"mu": "muons_on_target", "e": "electrons_on_target"}[lepton]


@dataclass(frozen=True)
class Experiment:
    """A fixed-target experiment (see the module docstring). Energies in GeV, lengths in cm."""

    name: str
    description: str
    source: str
    status: str
    values: dict[str, Any] = field(repr=False)
    particles_on_target: float
    efficiency: Efficiency
    signature: Signature
    approximate: str = ""
    origin: str = ""

    # --- the fields by name --------------------------------------------------------------------------------
    def __getattr__(self, key: str) -> Any:
        values = self.__dict__.get("values", {})
        if key in values:
            return values[key]
        raise AttributeError(key)

    @property
    def lepton(self) -> str:
        return self.values["lepton"]

    @property
    def final_lepton(self) -> str:
        return self.values["final_lepton"] or self.values["lepton"]

    @property
    def target(self) -> Material:
        if self.values["material"] is None:
            raise InvalidParameter(f"{self.name}: no target material (a {self.values['channel']} experiment)")
        return get_material(self.values["material"])

    @property
    def exposure_key(self) -> str:
        """The name of the exposure field (:func:`particles_key`)."""
        return particles_key(self.lepton, self.values["channel"])

    @property
    def geometry(self) -> Geometry:
        return Geometry(self.values["target_length"], self.values["detector_distance"], self.values["detector_length"])

    @property
    def muons_on_target(self) -> float:
        """Beam particles on target (the historical name; for electron beams the electrons on target)."""
        return self.particles_on_target

    @property
    def signature_name(self) -> str:
        return self.signature.name

    def as_dict(self) -> dict[str, Any]:
        """A JSON-safe description of every field (for provenance and spec hashes)."""
        return {"name": self.name, "description": self.description, "source": self.source, "status": self.status,
                **self.values, "particles_on_target": self.particles_on_target,
                "efficiency": {"variable": self.efficiency.variable, "points": list(self.efficiency.points),
                               "values": list(self.efficiency.values), "source": self.efficiency.source,
                               "assumption": self.efficiency.assumption},
                "signature": {"kind": self.signature.name, **self.signature.values}, "approximate": self.approximate,
                **self._background_bins()}

    def _background_bins(self) -> dict[str, Any]:
        """The binned background's content (a user file can change under the same name: it keys the caches)."""
        if self.values.get("background_model") is None:
            return {}
        from ..reach.binned import search_bins

        bins = search_bins(self)
        return {"background_bins": {"low": bins.lo.tolist(), "high": bins.hi.tolist(), "events": bins.background.tolist()}}

    def overridable(self) -> dict[str, Param]:
        """The ``--set`` names of this experiment and their declarations."""
        out = {name: decl for name, (_, _, decl) in FIELDS.items()}
        out[self.exposure_key] = _PARTICLES
        out["efficiency"] = _EFFICIENCY
        out["signature"] = Param(self.signature.name, "signature kind", "choice", tuple(sorted(SIGNATURES)))
        out.update(type(self).signature_params())
        return out

    @staticmethod
    def signature_params() -> dict[str, Param]:
        """The fields of every registered signature (settable with --set; each applies to its own kind)."""
        out: dict[str, Param] = {}
        for cls in SIGNATURES.values():
            out.update(cls.params)
        return out

    def with_overrides(self, overrides: dict[str, Any] | None) -> Experiment:
        """A copy with ``--set`` style overrides applied (strings converted, ranges checked)."""
        if not overrides:
            return self
        settable = self.overridable()
        values = dict(self.values)
        particles, efficiency, signature = self.particles_on_target, self.efficiency, self.signature
        sig_values = dict(signature.values)
        sig_kind = signature.name
        for key, raw in overrides.items():
            if key not in settable:
                raise UnknownName(f"experiment {self.name!r} has no parameter {key!r}; settable: {', '.join(sorted(settable))}")
            value = settable[key].parse(key, raw)
            if key == self.exposure_key:
                particles = value
            elif key == "efficiency":
                efficiency = Efficiency.constant(value, "--set efficiency")
            elif key == "signature":
                sig_kind = value
            elif key in FIELDS:
                values[key] = value
            else:
                sig_values[key] = value
        if values["lepton"] != self.lepton:
            raise InvalidParameter(f"{self.name}: the beam lepton cannot be changed with --set (the exposure and the "
                                   f"energy loss differ); write an experiment file for a {values['lepton']} beam")
        cls = signature_class(sig_kind)
        known = {k: sig_values.get(k, p.default) for k, p in cls.params.items()}
        unused = sorted(set(overrides) & (set(Experiment.signature_params()) - set(cls.params)))
        if unused:
            raise InvalidParameter(f"{self.name}: --set {', '.join(unused)}: does not apply to the signature {sig_kind!r}")
        new = replace(self, values=values, particles_on_target=particles, efficiency=efficiency, signature=cls(known))
        _check(new)
        return new


def _check(exp: Experiment) -> None:
    """Cross-field checks (each field's own range is checked by its declaration)."""
    v = exp.values
    if v["material"] is not None:
        get_material(v["material"])  # UnknownName for an unknown material
    elif v["channel"] != MESON_CHANNEL:
        raise InvalidParameter(f"{exp.name}: [target] material is required for the {v['channel']} channel")
    allowed = LOSS_BY_LEPTON[v["lepton"]]
    if v["energy_loss"] is None:
        v["energy_loss"] = allowed[0]
    elif v["energy_loss"] not in allowed:
        raise InvalidParameter(f"{exp.name}: energy_loss {v['energy_loss']!r} does not apply to a {v['lepton']} beam "
                               f"(use {' or '.join(allowed)})")
    if v["energy_min"] >= v["energy"]:
        raise InvalidParameter(f"{exp.name}: energy_min {v['energy_min']:g} GeV is not below the beam energy {v['energy']:g} GeV")
    if exp.status not in STATUSES:
        raise InvalidParameter(f"{exp.name}: status must be one of {', '.join(STATUSES)}, got {exp.status!r}")
    _check_statistics(exp)
    from .production import production_channel

    production_channel(v["channel"]).check_experiment(exp)


def _check_statistics(exp: Experiment) -> None:
    """The binned statistics need a binned background (``background_model``) and a channel with a binned observable
    (meson_decay); with statistic = count a background_model gives the background of the whole window."""
    v = exp.values
    if v["background_model"] is None:
        if v["statistic"] != "count":
            raise InvalidParameter(f"{exp.name}: statistic {v['statistic']!r} needs [statistics] background_model")
        if v["gtk"]:
            raise InvalidParameter(f"{exp.name}: gtk rescales a background_model; there is none")
    if v["kappa"] != 0.0 and v["statistic"] != "cut_and_count":
        raise InvalidParameter(f"{exp.name}: kappa (sigma_sys/B) applies to statistic = cut_and_count only")
    if v["background_model"] is None:
        return
    if v["channel"] != MESON_CHANNEL:
        raise InvalidParameter(f"{exp.name}: a background_model bins the m_miss^2 of the meson_decay channel; "
                               f"this experiment uses {v['channel']!r}")
    if v["background"] != 0.0 or v["observed"] is not None:
        raise InvalidParameter(f"{exp.name}: the background comes from background_model {v['background_model']!r}; "
                               "give no [statistics] background or observed with it")
    from ..reach.binned import search_bins

    search_bins(exp)  # the background file and the window (SpecError / InvalidParameter)


def parse_experiment(raw: dict, origin: str) -> Experiment:
    """Build an :class:`Experiment` from a parsed TOML document; SpecError (one line, located) on any problem."""
    top = Fields(raw, origin)
    require_schema(raw, origin)
    top.raw("schema")
    name = top.string("name", nonempty=True)
    where = f"experiment {name!r} ({origin})"
    sections = {s: Fields(raw.get(s, {}), f"{where} [{s}]") for s in _SECTIONS}
    for s in _SECTIONS:
        top.raw(s, None)
    top_text = {k: top.string(k, "") for k in ("description", "source", "approximate")}
    status = top.string("status", "projection")
    top.done()
    values = {short: decl.read(sections[section], key) for short, (section, key, decl) in FIELDS.items()}
    beam = sections["beam"]
    key = particles_key(values["lepton"], values["channel"])
    for other in {particles_key(lep, ch) for lep in LEPTON_CHOICES for ch in ("bremsstrahlung", MESON_CHANNEL)} - {key}:
        if beam.has(other):
            what = "a meson_decay experiment" if values["channel"] == MESON_CHANNEL else f"a {values['lepton']} beam"
            raise SpecError(f"{beam.where}: {what} gives its exposure as {key!r}, not {other!r}")
    particles = _PARTICLES.read(beam, key)
    efficiency = Efficiency.read(sections["efficiency"]) if raw.get("efficiency") is not None else None
    if efficiency is None:
        raise SpecError(f"{where}: missing [efficiency] (value or table, with its source; mark unsourced values assumption = true)")
    sig = sections["signature"]
    cls = signature_class(sig.choice("kind", tuple(sorted(SIGNATURES))))
    sig_values = {k: p.read(sig, k) for k, p in cls.params.items()}
    for s in _SECTIONS:
        if s != "efficiency":
            sections[s].done()
    try:
        exp = Experiment(name, top_text["description"], top_text["source"], status, values, particles, efficiency,
                         cls(sig_values), top_text["approximate"], origin)
        _check(exp)
    except (InvalidParameter, UnknownName) as exc:
        raise SpecError(f"{where}: {exc}") from None
    return exp


def list_experiments() -> list[str]:
    """Names of the shipped experiments."""
    return sorted(shipped_tomls(__package__, "data"))


def load_experiment(name_or_path: str | Path) -> Experiment:
    """A shipped experiment by name, or a user TOML file by path."""
    raw, origin = read_toml(name_or_path, __package__, "data", "experiment")
    return parse_experiment(raw, origin)


def overridable() -> dict[str, Param]:
    """Every name ``--set`` can give to some experiment, with its declaration (used to route --set keys between
    experiment and model, and by scan specs)."""
    out = {name: decl for name, (_, _, decl) in FIELDS.items()}
    out.update({"muons_on_target": _PARTICLES, "electrons_on_target": _PARTICLES, MESON_EXPOSURE: _PARTICLES,
                "efficiency": _EFFICIENCY,
                "signature": Param("invisible", "signature kind", "choice", tuple(sorted(SIGNATURES)))})
    out.update(Experiment.signature_params())
    return out


def overridable_names() -> set[str]:
    """The names of :func:`overridable`."""
    return set(overridable())
