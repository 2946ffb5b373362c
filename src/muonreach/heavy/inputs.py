"""The input numbers of :mod:`muonreach.heavy`, read once from ``data/inputs.toml`` (each entry with its source)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..errors import UnknownName
from ..specfields import Fields, parse_toml_text, require_schema

_ORIGIN = "muonreach/heavy/data/inputs.toml"


@dataclass(frozen=True)
class ClfvLimit:
    """An upper limit on Br(l_heavy -> l_light gamma)."""

    name: str
    heavy: str
    light: str
    br_limit: float
    reference: str
    arxiv: str


@dataclass(frozen=True)
class Electroweak:
    """Tree-level electroweak inputs of the Bhabha amplitudes."""

    sin2_theta_w: float
    z_width_gev: float


@cache
def _document() -> dict:
    text = resources.files("muonreach.heavy").joinpath("data/inputs.toml").read_bytes()
    doc = parse_toml_text(text, _ORIGIN)
    require_schema(doc, _ORIGIN)
    return doc


@cache
def clfv_limits() -> dict[str, ClfvLimit]:
    """The CLFV limits of 004 eqs. (2.13)-(2.15), keyed ``mu-e``, ``tau-mu``, ``tau-e``."""
    out = {}
    top = Fields(_document(), _ORIGIN)
    clfv = top.table("clfv")
    for name in list(clfv.keys()):
        f = clfv.table(name)
        out[name] = ClfvLimit(name, f.choice("heavy", ("mu", "tau")), f.choice("light", ("e", "mu")),
                              f.positive("br_limit"), f.string("reference"), f.string("arxiv"))
        f.string("status")
        f.done()
    return out


def clfv_limit(name: str) -> ClfvLimit:
    """One CLFV limit by name (``mu-e``, ``tau-mu``, ``tau-e``)."""
    limits = clfv_limits()
    if name not in limits:
        raise UnknownName(f"unknown CLFV decay {name!r}; known: {', '.join(sorted(limits))}")
    return limits[name]


@cache
def electroweak() -> Electroweak:
    """sin^2 theta_W and Gamma_Z of ``[electroweak]``."""
    f = Fields(_document(), _ORIGIN).table("electroweak")
    ew = Electroweak(f.number("sin2_theta_w", low=0.0, high=1.0), f.positive("z_width_gev"))
    f.string("sin2_theta_w_reference")
    f.string("z_width_reference")
    f.done()
    return ew


@dataclass(frozen=True)
class Criteria:
    """Inputs of the max-min criteria: the partial-wave bound, the allowed tuning and m_h."""

    partial_wave_max: float
    max_tuning: float
    higgs_mass_gev: float


@cache
def criteria() -> Criteria:
    """``[criteria]`` of the data file."""
    f = Fields(_document(), _ORIGIN).table("criteria")
    out = Criteria(f.positive("partial_wave_max"), f.positive("max_tuning"), f.positive("higgs_mass_gev"))
    for key in ("tuning_reference", "higgs_mass_reference", "status"):
        f.string(key)
    f.done()
    return out
