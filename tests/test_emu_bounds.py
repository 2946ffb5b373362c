"""Constraints on the e-mu scalar of 001 (constraints/emu.py) against the numbers 001 quotes."""

import math

import numpy as np
import pytest

from muonreach import constants as c
from muonreach.constraints.computed import bounds_for, get_bound
from muonreach.errors import InvalidParameter
from muonreach.models.emu_scalar import muon_to_electron_phi_width
from muonreach.models.registry import get_model_spec

EMU = get_model_spec("emu-scalar")


def test_001_estimates_reproduced():
    # 001 after eq. (21): Z decays give h_mue <~ 3e-2 and K -> e nu phi h_mue <~ 7e-2 for m_phi <~ 200 MeV;
    # both are 001's own order-of-magnitude formulas with the PDG inputs of inputs/emu-bounds.toml, so the
    # tolerance is the rounding of the quoted one-digit numbers (5 %)
    z = get_bound("z-mu-e-phi-001").evaluate(EMU, np.array([0.1, 1.0]))
    k = get_bound("k-e-nu-phi-001").evaluate(EMU, np.array([0.1, 0.3]))
    assert z.low == pytest.approx([3e-2, 3e-2], rel=0.05)
    assert k.low[0] == pytest.approx(7e-2, rel=0.05) and math.isnan(k.low[1])  # beyond the momentum window


def test_muon_to_electron_phi_width():
    # crossing of phi -> mu e: the same |M|^2 = h^2 (sum of squared masses with signs); for m_e -> 0 and a light
    # phi it is h^2 m_mu/(32 pi) (tolerance: m_e^2/m_mu^2 = 2e-5 and the phi mass)
    assert muon_to_electron_phi_width(1e-6, 1.0) == pytest.approx(c.M_MU / (32 * math.pi), rel=1e-4)
    assert muon_to_electron_phi_width(c.M_MU, 1.0) == 0.0


def test_twist_bound_scales_with_the_branching_ratio():
    # BR(mu -> e phi) = Gamma(h)/Gamma_mu at the TWIST limit: BR exactly the quoted 1e-5 between 13 and 80 MeV
    rows = get_bound("mu-e-phi-twist").evaluate(EMU, np.array([0.03, 0.09]))
    h = rows.low[0]
    br = muon_to_electron_phi_width(0.03, h) * c.TAU_MU_S / 6.582119569e-25
    assert br == pytest.approx(1e-5, rel=1e-9, abs=0) and math.isnan(rows.low[1])


def test_bounds_apply_only_to_models_with_an_emu_coupling():
    names = {b.name for b in bounds_for(EMU)}
    assert {"mu-e-phi-twist", "z-mu-e-phi-001", "k-e-nu-phi-001"} <= names
    assert not {b.name for b in bounds_for(get_model_spec("scalar-muon"))} & names
    with pytest.raises(InvalidParameter):
        get_bound("mu-e-phi-twist").evaluate(get_model_spec("dark-photon"), np.array([0.01]))
