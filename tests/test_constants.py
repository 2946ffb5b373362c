"""The shipped particle table (src/muonreach/data/particles.toml) equals the scikit-hep ``particle`` package,
which stays the source of truth for masses and lifetimes (issue 9 section 4)."""

import math

import pytest
from particle import Particle

from muonreach import constants as c
from muonreach.errors import UnknownName


def test_every_shipped_entry_equals_the_particle_package():
    table = c._particles()
    assert len(table) >= 13
    for pdgid, entry in table.items():
        p = Particle.from_pdgid(int(pdgid))
        # copied verbatim: equality, not a tolerance (a PDG update of `particle` must be copied here)
        assert entry["mass_mev"] == p.mass, pdgid
        assert entry["name"] == p.name, pdgid
        if "lifetime_ns" in entry:
            assert entry["lifetime_ns"] == p.lifetime, pdgid
        else:
            assert p.lifetime is None or math.isinf(p.lifetime), pdgid


def test_constants_in_gev_and_seconds():
    assert Particle.from_pdgid(13).mass * 1e-3 == c.M_MU
    assert Particle.from_pdgid(13).lifetime * 1e-9 == c.TAU_MU_S
    assert c.particle_mass_gev(443) == Particle.from_pdgid(443).mass * 1e-3


def test_unknown_pdg_id_is_a_clear_error():
    with pytest.raises(UnknownName, match="PDG id 999"):
        c.particle_mass_gev(999)
    with pytest.raises(UnknownName, match="lifetime"):
        c.particle_lifetime_s(11)  # the electron is stable: no lifetime entry
