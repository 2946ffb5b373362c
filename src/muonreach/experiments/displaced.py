"""The ``displaced_vertex`` signature: a dark state produced with the mediator decays to a displaced lepton pair
inside a tracking module (003_731e213823d1e5dc.txt, Table I and eq. (5); Krnjaic, Rocha, Wang 2024).

Geometry (003 "The MUonE Experiment"): identical modules, each a Be target of ``module_target_length`` followed by
three square tracking planes of half-width ``tracker_half_width`` at ``tracker1_z``, ``tracker2_z``, ``tracker3_z``
behind the target's downstream face. Only the last ``modules_used`` modules count; the experiment's target
length must equal ``modules_used x module_target_length`` (production in those modules; the beam's energy loss
between modules is that of the Be only, the tracker silicon is neglected: < 0.1 GeV of 160 GeV). Tracks are
straight (no magnetic field, 003), the beam enters on axis (x = y = 0; the beam spot is neglected, ASSUMPTION).

Per event (event-level, from :mod:`muonreach.mc.displaced`), all cuts as data:

* the dark state decays to a pair channel listed in ``pairs`` (003: e+e- or mu+mu-, identified by the ECAL and
  the muon filter);
* the decay point is ``fiducial_z_min`` < z < ``fiducial_z_max`` from the interaction point (eq. (5));
* both pair daughters and the scattered beam lepton have E > ``track_energy_min`` (003: all three charged tracks);
* the pair opening angle exceeds ``opening_angle_min``;
* all three tracks cross all three tracking planes of their module (inside |x|, |y| < half-width).

For a decay at distance s along the dark state's flight line, each track's position on each plane is linear in s,
so the accepted decay points form one interval [s_lo, s_hi] per event; the decay probability is then
exp(-s_lo/L) - exp(-s_hi/L) with the lab decay length L, for every coupling without regenerating.
The ECAL + muon filter (1 x 1 m^2 behind the last module, 003) is not a separate cut: 003 states that tracks that
cross the three planes of the last 5 modules above the energy threshold enter it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameter
from ..parameters import Param
from .sample import BosonSample
from .signatures import Decays, Geometry, Signature

#: Most modules an experiment may declare (MUonE: 40).
MAX_MODULES: int = 40


class DisplacedVertex(Signature):
    name = "displaced_vertex"
    description = "dark state decaying to a displaced lepton pair in a tracking module (003 Table I, eq. (5))"
    needs_events = True
    # the geometry and the cuts have no defaults: every value comes from the experiment's [signature] table (an
    # engine knows no experiment; MUonE's, with their sources, are in data/muone.toml)
    params: ClassVar[Mapping[str, Param]] = {
        "modules": Param(None, "tracking modules of the apparatus", "int", low=1, high=MAX_MODULES, required=True),
        "modules_used": Param(None, "last modules whose events are used", "int", low=1, high=MAX_MODULES,
                              required=True),
        "module_target_length": Param(None, "target thickness per module, cm", low=0.0, low_open=True, high=100.0,
                                      required=True),
        "module_spacing": Param(None, "distance between consecutive modules, cm", low=0.0, low_open=True, high=1e4,
                                required=True),
        "tracker1_z": Param(None, "first tracking plane behind the module target, cm", low=0.0, low_open=True,
                            high=1e4, required=True),
        "tracker2_z": Param(None, "second tracking plane behind the module target, cm", low=0.0, low_open=True,
                            high=1e4, required=True),
        "tracker3_z": Param(None, "third tracking plane behind the module target, cm", low=0.0, low_open=True,
                            high=1e4, required=True),
        "tracker_half_width": Param(None, "half side of the square tracking planes, cm", low=0.0, low_open=True,
                                    high=1e4, required=True),
        "fiducial_z_min": Param(None, "decay vertex at least this far from the interaction point, cm", low=0.0,
                                high=1e4, required=True),
        "fiducial_z_max": Param(None, "decay vertex at most this far from the interaction point, cm", low=0.0,
                                low_open=True, high=1e4, required=True),
        "track_energy_min": Param(None, "lowest energy of each charged track (pair daughters and beam lepton), GeV",
                                  low=0.0, required=True),
        "opening_angle_min": Param(None, "lowest opening angle of the pair, rad", low=0.0, high=3.15, required=True),
        "pairs": Param(None, "accepted pair channels of the dark-state decay (comma separated)", "str",
                       required=True),
        "mc_events": Param(20000, "generated events per mass point (cached; reused for every coupling)", "int",
                           low=100, high=10**8),
        "mc_seed": Param(1, "random seed of the generated events", "int", low=0, high=2**62),
    }

    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__(values)
        v = self.values
        missing = [k for k, p in self.params.items() if p.required and v.get(k) is None]
        if missing:
            raise InvalidParameter(f"displaced_vertex needs {', '.join(missing)} (the experiment's [signature] table; "
                                   "no engine defaults)")
        if v["modules_used"] > v["modules"]:
            raise InvalidParameter(f"modules_used = {v['modules_used']} exceeds the {v['modules']} modules")
        if not v["fiducial_z_min"] < v["fiducial_z_max"]:
            raise InvalidParameter(f"fiducial_z_min {v['fiducial_z_min']:g} cm must be below fiducial_z_max "
                                   f"{v['fiducial_z_max']:g} cm: the fiducial region selects nothing")
        planes = (v["tracker1_z"], v["tracker2_z"], v["tracker3_z"])
        if not planes[0] < planes[1] < planes[2]:
            raise InvalidParameter(f"tracking planes must be ordered along the beam, got {planes} cm")
        if planes[2] > v["module_spacing"]:  # 003 puts the third plane 1 m behind the target, modules 1 m apart
            raise InvalidParameter(f"the third tracking plane ({planes[2]:g} cm behind the target) lies beyond the next "
                                   f"module ({v['module_spacing']:g} cm spacing)")
        if v["fiducial_z_max"] > v["module_target_length"] + planes[0]:
            raise InvalidParameter("fiducial_z_max reaches beyond the first tracking plane")
        if not self.pair_channels:
            raise InvalidParameter("pairs lists no decay channel: the selection selects nothing")

    @property
    def pair_channels(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in str(self.values["pairs"]).split(",") if p.strip())

    @property
    def planes(self) -> NDArray[np.float64]:
        """Tracking-plane positions (cm) from the module target's upstream face."""
        v = self.values
        return v["module_target_length"] + np.array([v["tracker1_z"], v["tracker2_z"], v["tracker3_z"]])

    def check_experiment(self, target_length: float, beam_energy: float) -> None:
        """The experiment's target must be the used modules' targets back to back, and three tracks above
        ``track_energy_min`` must fit in the beam energy (else the selection selects nothing)."""
        want = self.values["modules_used"] * self.values["module_target_length"]
        if abs(target_length - want) > 1e-9 * want:
            raise InvalidParameter(f"displaced_vertex: target length {target_length:g} cm must equal modules_used x "
                                   f"module_target_length = {want:g} cm")
        e_min = self.values["track_energy_min"]
        if 3.0 * e_min >= beam_energy:
            raise InvalidParameter(f"track_energy_min = {e_min:g} GeV selects nothing: three tracks above it need more "
                                   f"than the {beam_energy:g} GeV beam")

    def check_pairs(self, channels: Mapping[str, bool]) -> None:
        """``pairs`` must name lepton-pair channels of the decaying state (``channels``: name -> has exclusive
        products, e.g. e_e: True, hadrons: False)."""
        allowed = sorted(k for k, exclusive in channels.items() if exclusive)
        bad = [p for p in self.pair_channels if p not in allowed]
        if bad:
            raise InvalidParameter(f"pairs: unknown pair channel(s) {', '.join(bad)}; the decaying state's pair channels "
                                   f"are {', '.join(allowed)}")

    def probability(self, sample: BosonSample, geometry: Geometry, decays: Decays) -> NDArray[np.float64]:
        raise InvalidParameter("displaced_vertex is an event-level signature: its yield comes from generated events "
                               "(muonreach.mc.displaced), not from the quadrature sample")

    # --- per-event pieces (used by muonreach.mc.displaced) ------------------------------------------------------
    def local_depth(self, depth: NDArray[np.float64]) -> NDArray[np.float64]:
        """Production depth inside its own module's target (cm) from the depth in the stacked targets."""
        t = self.values["module_target_length"]
        return depth - t * np.minimum(np.floor(depth / t), self.values["modules_used"] - 1)

    def track_accepted(self, origin: NDArray, momentum: NDArray) -> NDArray[np.bool_]:
        """Straight tracks from ``origin`` (n, 3) with ``momentum`` (n, 3) cross every tracking plane inside it."""
        h = self.values["tracker_half_width"]
        pz = momentum[:, 2]
        forward = pz > 0.0
        slope = np.divide(momentum[:, :2], pz[:, None], out=np.zeros((pz.size, 2)), where=forward[:, None])
        ok = forward.copy()
        for z in self.planes:
            at = origin[:, :2] + (z - origin[:, 2])[:, None] * slope
            ok &= np.all(np.abs(at) < h, axis=1) & (origin[:, 2] < z)
        return ok

    def decay_interval(self, production_z: NDArray, start: NDArray, direction: NDArray,
                       daughters: tuple[NDArray, ...], acceptance: bool = True) -> tuple[NDArray, NDArray]:
        """[s_lo, s_hi] (cm along ``direction`` from ``start``) of the accepted decay points: the fiducial z range
        from the interaction point and, with ``acceptance``, every daughter track through every plane."""
        v = self.values
        n = start.shape[0]
        lo, hi = np.zeros(n), np.full(n, np.inf)
        dz = direction[:, 2]
        forward = dz > 0.0
        safe = np.where(forward, dz, 1.0)
        offset = start[:, 2] - production_z
        lo = np.maximum(lo, (v["fiducial_z_min"] - offset) / safe)
        hi = np.minimum(hi, (v["fiducial_z_max"] - offset) / safe)
        hi = np.where(forward, hi, -np.inf)
        if acceptance:
            h = v["tracker_half_width"]
            for p in daughters:
                pz = p[:, 2]
                good = pz > 0.0
                t = np.divide(p[:, :2], pz[:, None], out=np.zeros((n, 2)), where=good[:, None])
                for z in self.planes:
                    a = start[:, :2] + (z - start[:, 2])[:, None] * t  # position at s = 0
                    b = direction[:, :2] - direction[:, 2:3] * t  # d position / ds
                    for k in range(2):
                        lo_k, hi_k = _linear_window(a[:, k], b[:, k], h)
                        lo, hi = np.maximum(lo, lo_k), np.minimum(hi, hi_k)
                hi = np.where(good, hi, -np.inf)
        return lo, hi


def _linear_window(a: NDArray, b: NDArray, h: float) -> tuple[NDArray, NDArray]:
    """The s interval where |a + b s| < h (empty: lo > hi; all s when b = 0 and |a| < h)."""
    flat = b == 0.0
    safe = np.where(flat, 1.0, b)
    s1, s2 = (-h - a) / safe, (h - a) / safe
    lo, hi = np.minimum(s1, s2), np.maximum(s1, s2)
    inside = np.abs(a) < h
    lo = np.where(flat, np.where(inside, -np.inf, np.inf), lo)
    hi = np.where(flat, np.where(inside, np.inf, -np.inf), hi)
    return lo, hi
