"""Leptonic decays with a radiated scalar (000_2bfc33bcfac4181d.txt Sec. 4.6, Table 1), computed bounds:

* ``tau-mu-invisible``: BR(tau -> mu nu nu S) BR(S -> invisible) below the 95 % CL limit on extra tau -> mu + missing.

No muon-decay bound is registered: 000 Table 1's 2.0e-6 for mu -> e nu nu is 1.96 x the 1.0 ppm precision of the
muon lifetime, which cannot bound an extra decay mode because G_F is extracted from that lifetime; with it the
computed width would give g_mu < 0.035 at m_S = 20 MeV, while 000's text says the muon lifetime constrains only
g_mu >~ 1 (an extra-rate limit of order 1e-3: the computed ratio gives BR = 1.6e-3 at g_mu = 1).
docs/constraints.md.

The width ratio is computed at tree level in Fermi theory with radiation off both charged lines
(:mod:`muonreach.production.lepton_decay_radiation`: deterministic quadrature, from a cached mass table: 1 MeV to
70 % of m_l - m_l'; above, 1.17 GeV for the tau, the bounds need couplings beyond 4 pi: not evaluated),
with the model's Yukawas g_l, g_l' from ``production_coupling`` (so the lepton-specific scalar's m_tau/m_mu
enhancement enters through the tau-line emission and the interference) and its invisible branching ratio (a
stable S counts as invisible). As 000: all such decays assumed to pass the selection of the BR measurement.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from ..models.registry import ModelSpec
from ..production.lepton_decay_radiation import DAUGHTERS, interpolated_ratios
from .computed import RATE_SLOPE, BoundRows, ComputedBound, excluded_interval, input_fields, invisible_fraction, register_bound, yukawa


@cache
def _inputs(parent: str) -> dict[str, float]:
    top = input_fields("lepton_decays.toml")
    f = top.table(parent)
    out = {"br_sm": f.positive("br_sm"), "limit": f.positive("br_limit"), "cl": f.number("cl")}
    f.done()
    top.done()
    return out


def _compute(parent: str):
    daughter = DAUGHTERS[parent]

    def compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
        d = _inputs(parent)
        low = np.full(masses.size, math.nan)
        high = np.full(masses.size, math.nan)
        for i, mass in enumerate(masses):
            m = float(mass)
            ratios = interpolated_ratios(parent, m)
            if ratios is None:
                continue

            def excess(g: float, m: float = m, ratios=ratios) -> float:
                model = spec.build(m, g, overrides)
                rate = d["br_sm"] * ratios.ratio(yukawa(model, parent), yukawa(model, daughter)) * invisible_fraction(model)
                return math.log(rate / d["limit"]) if rate > 0.0 else -math.inf

            low[i], high[i] = excluded_interval(excess, max_slope=RATE_SLOPE)
        return BoundRows(masses, low, high)

    return compute


def _applies(parent: str):
    def applies(spec: ModelSpec) -> bool:
        model = spec.build(0.05, 1e-3)
        return (yukawa(model, parent) != 0.0 or yukawa(model, DAUGHTERS[parent]) != 0.0) and bool(model.invisible_channels())

    return applies


def _register() -> None:
    for parent, name in (("tau", "tau-mu-invisible"),):
        daughter = DAUGHTERS[parent]
        register_bound(ComputedBound(
            name, f"{parent} -> {daughter} nu nu S, S -> invisible, against the {parent} -> {daughter} nu nu branching ratio",
            "000_2bfc33bcfac4181d.txt Sec. 4.6 and Table 1 (PDG); width: production/lepton_decay_radiation.py",
            _inputs(parent)["cl"], _applies(parent), _compute(parent),
            approximate="000's criterion (extra rate below 1.96 sigma of the measured BR), all events assumed to pass "
                        "the selection; masses from 1 MeV to 70 % of the kinematic limit (1.17 GeV)"))


_register()
