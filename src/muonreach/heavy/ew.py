"""The EW-charged simplified models SSF and FFS: 004_7de0b22078876a0d.txt eqs. (2.5), (2.6) (companion of
arXiv:2006.16277, arXiv:2101.10334), with the notes' reconstruction (trilinear kappa; (R_A, R_B) typo fixed).

    SSF:  -y1 F^c L phi_A^* - y2 F mu^c phi_B - kappa H phi_A^* phi_B - m_A^2|phi_A|^2 - m_B^2|phi_B|^2 - m_F F F^c + h.c.
    FFS:  -y1 F_A^c L phi^* - y2 F_B mu^c phi - y12 H F_A^c F_B - y12' H^dag F_A F_B^c - m_A F_A F_A^c
          - m_B F_B F_B^c - m_S^2 |phi|^2 + h.c.

Hypercharges follow from gauge invariance: Y_A = -Y - 1/2, Y_B = -Y - 1 (R, Y: the representation of F in SSF,
of the scalar in FFS; R_B = R, R_A in R x 2). SU(2) contractions are normalised Clebsch-Gordan projections
(:mod:`.representations`): y1 couples L-bar to [Psi x phi]_doublet, y2 couples mu-bar to [Psi x phi]_singlet,
kappa (y12) couples phi_A^dag (Psi_A-bar) to [H x phi_B]_{R_A} ([H x Psi_B]_{R_A}), y12' couples Psi_B-bar to
[H~ x Psi_A]_{R_B}, with <H> = (0, v/sqrt 2) and H~ = (v/sqrt 2, 0). Other normalisations of the invariants
rescale y1, y2, kappa, y12 by group factors; the physical component couplings are what
:meth:`component_couplings` returns.

After EWSB each charge sector mixes at most two states (one component of each partner multiplet): scalars by
the 2x2 mass-squared matrix [[m_A^2, d], [d, m_B^2]], d = kappa v/sqrt2 * CG; fermions by the mass matrix
M = [[m_A, y12 v CG/sqrt2], [y12' v CG'/sqrt2, m_B]] (rows right-handed, columns left-handed), diagonalised by
SVD. Delta a_mu is the sum over the muon's loop partners (one fermion component and the mass eigenstates of
the scalar sector of charge -1 - Q_F in SSF; the scalar component and the fermion eigenstates in FFS) of the
one-loop :func:`muonreach.gm2.loops.scalar_fermion_loop_heavy`, times N_BSM copies. The chirally enhanced
part is proportional to m_mu y1 y2 kappa v m_F / M^4 (SSF) or m_mu y1 y2 y12 v / M^2 (FFS), 004 l. 4750-4756.
Valid for masses >> m_mu (the heavy-limit loop; corrections O(m_mu^2/M^2)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np

from ..constants import HIGGS_VEV, M_MU
from ..errors import InvalidParameter
from ..gm2.loops import scalar_fermion_loop_heavy
from .representations import Rep, clebsch_gordan, parse_rep

HALF = Fraction(1, 2)
MODELS = ("SSF", "FFS")
#: <H> = (0, v/sqrt 2): the Higgs VEV in the doublet's neutral component (GeV).
V_OVER_SQRT2: float = HIGGS_VEV / math.sqrt(2.0)


@dataclass(frozen=True)
class Scenario:
    """A row of 004 Table 4: model SSF/FFS and the representations R (F in SSF, the scalar in FFS), R_A, R_B."""

    model: str
    r: Rep
    r_a: Rep
    r_b: Rep

    @classmethod
    def from_labels(cls, model: str, r: str, r_a: str, r_b: str) -> Scenario:
        """From the notes' labels, e.g. ``Scenario.from_labels("SSF", "1_-1", "2_1/2", "1_0")``; checks gauge invariance."""
        if model not in MODELS:
            raise InvalidParameter(f"model must be SSF or FFS, got {model!r}")
        sc = cls(model, parse_rep(r), parse_rep(r_a), parse_rep(r_b))
        y = sc.r.hypercharge
        if sc.r_a.hypercharge != -y - HALF or sc.r_b.hypercharge != -y - 1:
            raise InvalidParameter(f"{model} {r}, {r_a}, {r_b}: hypercharges must be Y_A = -Y - 1/2, Y_B = -Y - 1")
        if sc.r_b.dim != sc.r.dim or sc.r_a.dim not in (sc.r.dim - 1, sc.r.dim + 1):
            raise InvalidParameter(f"{model} {r}, {r_a}, {r_b}: SU(2) needs R_B = R and R_A in R x 2")
        return sc

    def label(self) -> str:
        return f"{self.model} {self.r.label()} {self.r_a.label()} {self.r_b.label()}"


@dataclass(frozen=True)
class Point:
    """A parameter point: masses in GeV (m_r: F in SSF, scalar in FFS; m_a, m_b: the A and B multiplets),
    couplings y1, y2, the mixing coupling (kappa in GeV for SSF, y12 for FFS), y12' (FFS only), N_BSM copies.
    Fields are floats or numpy arrays that broadcast together (the max-min search evaluates whole populations)."""

    m_r: Any
    m_a: Any
    m_b: Any
    y1: Any
    y2: Any
    mix: Any
    mix2: Any = 0.0
    n_bsm: int = 1

    def __post_init__(self) -> None:
        """Masses finite and > 0, couplings finite, n_bsm an integer >= 1 (InvalidParameter); one vectorised
        test per field, so populations of the max-min search pass cheaply."""
        for name in ("m_r", "m_a", "m_b"):
            if not np.all(np.isfinite(m := np.asarray(getattr(self, name), float)) & (m > 0.0)):
                raise InvalidParameter(f"{name} must be finite and > 0 GeV, got {getattr(self, name)!r}")
        for name in ("y1", "y2", "mix", "mix2"):
            if not np.all(np.isfinite(np.asarray(getattr(self, name), float))):
                raise InvalidParameter(f"{name} must be finite, got {getattr(self, name)!r}")
        if isinstance(self.n_bsm, bool) or not isinstance(self.n_bsm, (int, np.integer)) or self.n_bsm < 1:
            raise InvalidParameter(f"n_bsm (copies of the new states) must be an integer >= 1, got {self.n_bsm!r}")


@cache
def _sectors(sc: Scenario) -> tuple[dict, ...]:
    """The muon's loop partners, one entry per component of R: charges, CG factors, partner components."""
    j, ja, jb = sc.r.spin, sc.r_a.spin, sc.r_b.spin
    out = []
    for m in sc.r.components():
        ma, mb = -HALF - m, -m  # components of the A and B multiplets coupled with R's component m
        c1 = clebsch_gordan(j, m, ja, ma, HALF, -HALF) if abs(ma) <= ja else 0.0
        c2 = clebsch_gordan(j, m, jb, mb, Fraction(0), Fraction(0))
        # kappa / y12: [H x (B component mb)] projected on A's component ma (= mb - 1/2); y12' (FFS): [H~ x A] on B
        cmix = clebsch_gordan(HALF, -HALF, jb, mb, ja, ma) if abs(ma) <= ja else 0.0
        cmix2 = clebsch_gordan(HALF, HALF, ja, ma, jb, mb) if sc.model == "FFS" and abs(ma) <= ja else 0.0
        out.append({"q_r": sc.r.charge(m), "c1": c1, "c2": c2, "cmix": cmix, "cmix2": cmix2})
    return tuple(out)


@cache
def group_factors(sc: Scenario) -> dict[str, float]:
    """The largest |Clebsch-Gordan| factor of each coupling (y1: c1, y2: c2, mix: cmix, mix2: cmix2) over the
    components: the component couplings are y1 c1, y2 c2, ... (what the criteria bound)."""
    secs = _sectors(sc)
    return {key: max(abs(float(s[c])) for s in secs) for key, c in
            (("y1", "c1"), ("y2", "c2"), ("mix", "cmix"), ("mix2", "cmix2"))}


def mixing_terms(sc: Scenario, mix, mix2=0.0) -> list[tuple[float, float]]:
    """Per charge sector, the Higgs couplings (kappa cmix, 0) in SSF or (y12 cmix, y12' cmix2) in FFS (``mix``,
    ``mix2``: kappa or y12, y12'; floats or arrays): the coefficients of h/sqrt2 in the off-diagonal mass
    (squared) entries."""
    return [(mix * s["cmix"], mix2 * s["cmix2"]) for s in _sectors(sc)]


def _scalar_mixing(m_a2, m_b2, d) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending, shape (..., 2)) and eigenvectors (columns, (..., 2, 2)) of [[m_a^2, d], [d, m_b^2]]."""
    m = np.empty((*np.broadcast(m_a2, m_b2, d).shape, 2, 2))
    m[..., 0, 0], m[..., 1, 1] = m_a2, m_b2
    m[..., 0, 1] = m[..., 1, 0] = d
    vals, vecs = np.linalg.eigh(m)
    return vals, vecs


def _fermion_mass_matrix(sec: dict, p: Point) -> np.ndarray:
    """The (..., 2, 2) mass matrix [[m_A, y12 v CG/sqrt2], [y12' v CG'/sqrt2, m_B]] of one FFS charge sector."""
    m = np.empty((*np.broadcast(p.m_a, p.m_b, p.mix, p.mix2).shape, 2, 2))
    m[..., 0, 0], m[..., 1, 1] = p.m_a, p.m_b
    m[..., 0, 1], m[..., 1, 0] = p.mix * V_OVER_SQRT2 * sec["cmix"], p.mix2 * V_OVER_SQRT2 * sec["cmix2"]
    return m


def _fermion_mixing(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SVD M = U_R diag(m_k) U_L^T (real), over a stack (..., 2, 2)."""
    u_r, masses, u_l_t = np.linalg.svd(m)
    return masses, u_r, np.swapaxes(u_l_t, -1, -2)


@dataclass(frozen=True)
class Partner:
    """One loop partner of the muon: fermion and scalar masses, their charges, and the chiral couplings
    b (to the muon doublet, y1 side) and a (to mu^c, y2 side) of the mass eigenstate; arrays broadcast."""

    m_f: np.ndarray
    m_s: np.ndarray
    q_f: float
    q_s: float
    a: np.ndarray
    b: np.ndarray


def loop_partners(sc: Scenario, p: Point) -> tuple[list[Partner], np.ndarray]:
    """The muon's loop partners at the point (arrays broadcast over the fields of ``p``) and a mask of the
    tachyonic points (SSF: a scalar eigenvalue <= 0)."""
    out: list[Partner] = []
    tachyonic = np.zeros(np.broadcast(p.m_r, p.m_a, p.m_b, p.mix).shape, bool)
    for sec in _sectors(sc):
        q_r = float(sec["q_r"])
        if sc.model == "SSF":
            vals, vecs = _scalar_mixing(p.m_a**2, p.m_b**2, p.mix * V_OVER_SQRT2 * sec["cmix"])
            tachyonic = tachyonic | (vals[..., 0] <= 0)
            for k in range(2):
                out.append(Partner(np.asarray(p.m_r, float), np.sqrt(np.maximum(vals[..., k], 1e-30)), q_r, -1.0 - q_r,
                                   p.y2 * sec["c2"] * vecs[..., 1, k], p.y1 * sec["c1"] * vecs[..., 0, k]))
        else:
            masses, u_r, u_l = _fermion_mixing(_fermion_mass_matrix(sec, p))
            for k in range(2):
                out.append(Partner(masses[..., k], np.asarray(p.m_r, float), -1.0 - q_r, q_r,
                                   p.y2 * sec["c2"] * u_l[..., 1, k], p.y1 * sec["c1"] * u_r[..., 0, k]))
    return out, tachyonic


def delta_a_array(sc: Scenario, p: Point) -> tuple[np.ndarray, np.ndarray]:
    """Delta a_mu (N_BSM copies) over arrays of parameters, and the tachyon mask (Delta a is not physical there)."""
    partners, tachyonic = loop_partners(sc, p)
    total = sum(scalar_fermion_loop_heavy(M_MU, x.m_f, x.m_s, x.q_f, x.q_s, 0.5 * (x.a + x.b), 0.5 * (x.b - x.a))
                for x in partners)
    return p.n_bsm * np.asarray(total, float), tachyonic


def delta_a(sc: Scenario, p: Point) -> float:
    """Delta a_mu of the scenario at the point (N_BSM copies), heavy-mass limit of the one-loop formula."""
    total, tachyonic = delta_a_array(sc, p)
    if np.any(tachyonic):
        raise InvalidParameter("tachyonic scalar: kappa v too large for m_A, m_B (a new VEV, excluded by assumption 4)")
    return float(total)


def charged_mass_arrays(sc: Scenario, p: Point) -> list[np.ndarray]:
    """Masses (GeV) of every electrically charged BSM state after EWSB (each multiplet component once), as
    arrays broadcast over the fields of ``p``."""
    out: list[np.ndarray] = []
    partnered_a, partnered_b = set(), set()
    m_r, m_a, m_b = (np.asarray(x, float) for x in (p.m_r, p.m_a, p.m_b))
    for m, sec in zip(sc.r.components(), _sectors(sc)):
        ma, mb = -HALF - m, -m
        q = -1 - sc.r.charge(m)  # charge of the A/B partners of R's component m
        if sc.r.charge(m) != 0 and sc.model == "SSF":
            out.append(m_r)
        if abs(ma) <= sc.r_a.spin:
            partnered_a.add(ma)
            partnered_b.add(mb)
            if q != 0:
                if sc.model == "SSF":
                    vals, _ = _scalar_mixing(m_a**2, m_b**2, p.mix * V_OVER_SQRT2 * sec["cmix"])
                    out += [np.sqrt(np.maximum(vals[..., k], 0.0)) for k in range(2)]
                else:
                    masses = _fermion_mixing(_fermion_mass_matrix(sec, p))[0]
                    out += [masses[..., k] for k in range(2)]
    if sc.model == "FFS":
        out += [m_r for m in sc.r.components() if sc.r.charge(m) != 0]
    out += [m_a for ma in sc.r_a.components() if ma not in partnered_a and sc.r_a.charge(ma) != 0]
    out += [m_b for mb in sc.r_b.components() if mb not in partnered_b and sc.r_b.charge(mb) != 0]
    return out


def charged_masses(sc: Scenario, p: Point) -> list[float]:
    """Masses (GeV) of every electrically charged BSM state after EWSB (each multiplet component once)."""
    return [float(x) for x in charged_mass_arrays(sc, p)]
