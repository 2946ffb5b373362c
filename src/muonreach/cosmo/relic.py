"""Relic targets: Omega h^2 of a named model, and the coupling that gives the observed density.

The coupling scanned is the model's ``--coupling`` (g_mu, h_mue, eps, g'); the dark coupling (g_chi, alpha_D,
g_dm) and the mass ratio come from the benchmark (``--set``). Masses are the mediator's, as on the x axis of
the papers' figures. Omega h^2 = 0.120 is Planck 2018 (Aghanim et al., A&A 641 (2020) A6, arXiv:1807.06209:
0.120 +- 0.001).

Every annihilation cross section into SM states is proportional to the scanned coupling squared except
through the mediator width in the s-channel propagator. The coupling is therefore found by solving
Omega(lambda) = 0.12 for the scale lambda of <sigma v> computed once at a reference coupling (secant method in
ln-ln, where Omega ~ 1/lambda), and the answer is checked by a full recomputation at the solution (which
includes the width's dependence on the coupling); the reference is moved there and the search repeated until
the full calculation agrees to 1e-3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

import numpy as np

from ..errors import ConvergenceError, InvalidParameter
from ..models.registry import get_model_spec
from ..validation import PERTURBATIVE_LIMIT, positive
from .annihilation import break_points, dark_sector
from .freezeout import FreezeOut

#: Planck 2018 cold dark matter density Omega_c h^2 (arXiv:1807.06209, TT,TE,EE+lowE+lensing).
OMEGA_DM_H2: float = 0.120
#: Relative accuracy of the coupling search on Omega h^2.
OMEGA_RTOL: float = 1e-3
#: The ODE tolerance used for relic targets (TR-BDF2, muonreach.cosmo.freezeout): Omega h^2 within 5e-5 of Radau
#: at rtol 1e-10 over 108 points of five model families (tests/test_freezeout.py keeps a sample). Loose
#: tolerances are NOT safe with an implicit solver: Radau at 1e-4 jumped between step sequences and Omega h^2
#: by up to 10 % (m_S = 4.1 GeV, lepton-specific, m_chi = m_S/3; tests/test_relic.py keeps that point).
RELIC_RTOL: float = 1e-7
#: Masses per block of :func:`relic_curve` (at most): within a block each search starts from its neighbour's
#: estimate offset, each block afresh. The blocks follow from the masses alone, never from the worker count, so a
#: curve is the same floats on any number of processes (tests/test_figure_pool.py). Small enough to spread a
#: figure's 24-100 masses evenly over 2-4 workers; each block costs about one ODE solution more than a warm start.
RELIC_BLOCK: int = 6


def _model(name: str, mass: float, coupling: float, overrides: dict | None):
    return get_model_spec(name).build(mass, coupling, overrides)


def _require_invisible_mediator(model, name: str) -> None:
    """The relic targets of 000 (Sec. 2.1) assume m_chi < m_S/2: the mediator decays to dark matter."""
    widths = model.partial_widths()
    invisible = model.invisible_channels()
    # inelastic sectors (003 footnote 1): the mediator decays to D S (S -> D f fbar, not invisible), m_X > m_D + m_S
    if any(d.parent_mass + d.daughter_mass < model.mass for d in model.dark_state_decays().values()):
        return
    if not any(w > 0.0 for ch, w in widths.items() if ch in invisible):
        raise InvalidParameter(
            f"{name}: the mediator cannot decay to the dark matter (m_chi >= m_mediator/2 or no dark coupling); "
            "the invisible relic target (000 Sec. 2.1) needs m_chi < m_mediator/2"
        )


def omega_h2(model_name: str, mass: float, coupling: float, overrides: dict | None = None) -> float:
    """Omega h^2 of the dark matter of a named model at one point (standard freeze-out, muonreach.cosmo.freezeout)."""
    model = _model(model_name, mass, coupling, overrides)
    _require_invisible_mediator(model, model_name)  # the regime of the relic curves (same check, same message)
    return FreezeOut(dark_sector(model), break_points(model), rtol=RELIC_RTOL).solve().omega_h2


def _solve_scale(problem: FreezeOut, target: float, offset: float = 0.0) -> tuple[float, float]:
    """(lambda, offset): Omega(lambda) = target by the ODE, steered by the estimate of :meth:`FreezeOut.estimate`.

    The estimate's root, corrected by ``offset`` = ln(Omega_ODE/Omega_estimate) (smooth in lambda and in the
    mass: a neighbouring mass's offset is a good start), gives the next trial; once two ODE points exist, the
    secant method in (ln lambda, ln Omega) takes over. One or two ODE solutions usually suffice."""
    ln_target = math.log(target)

    def estimate_root(offset: float, start: float) -> float:
        def f(lam: float) -> float:
            return math.log(problem.estimate(math.exp(lam))) + offset - ln_target

        a, fa = start, f(start)
        b = a + fa  # Omega ~ 1/lambda
        for _ in range(60):
            fb = f(b)
            if abs(fb) < 1e-7:
                return b
            slope = (fb - fa) / (b - a) if b != a else -1.0
            if not slope < 0.0:
                slope = -1.0
            a, fa, b = b, fb, b - fb / slope
        raise ConvergenceError("the freeze-out estimate did not bracket the relic density")

    points: list[tuple[float, float]] = []
    guess = 0.0
    for _ in range(40):
        if len(points) < 2:
            guess = estimate_root(offset, guess)
        else:
            (l0, f0), (l1, f1) = points[-2], points[-1]
            slope = (f1 - f0) / (l1 - l0) if l1 != l0 else -1.0
            guess = l1 - f1 / (slope if slope < 0.0 else -1.0)
        omega = problem.solve(math.exp(guess)).omega_h2
        f = math.log(omega) - ln_target
        new_offset = math.log(omega) - math.log(problem.estimate(math.exp(guess)))
        if abs(f) < OMEGA_RTOL:
            return math.exp(guess), new_offset
        offset = new_offset
        points.append((guess, f))
    raise ConvergenceError("the relic-coupling search did not converge")


def relic_coupling(model_name: str, mass: float, overrides: dict | None = None, target: float = OMEGA_DM_H2) -> float | None:
    """The coupling (the model's ``--coupling``) that gives Omega h^2 = ``target`` at this mediator mass.

    None when no coupling within the perturbative range |g| <= 4 pi does (also when a coupling derived from
    it, e.g. g_tau = g_mu m_tau/m_mu of the lepton-specific model, would leave that range).
    """
    return _relic_coupling(model_name, mass, overrides, target, 0.0)[0]


def _relic_coupling(model_name: str, mass: float, overrides: dict | None, target: float,
                    offset: float) -> tuple[float | None, float]:
    """:func:`relic_coupling` with the estimate offset to start from, returning the offset found."""
    positive("mass", mass)
    positive("target", target)
    g_ref = 1e-3
    model = _model(model_name, mass, g_ref, overrides)
    _require_invisible_mediator(model, model_name)
    problem = FreezeOut(dark_sector(model), break_points(model), rtol=RELIC_RTOL)
    for _ in range(4):
        scale, offset = _solve_scale(problem, target, offset)
        g = g_ref * math.sqrt(scale)
        if g > PERTURBATIVE_LIMIT:
            return None, offset
        try:
            at_g = _model(model_name, mass, g, overrides)
        except InvalidParameter:
            return None, offset  # a derived coupling beyond 4 pi
        # sigma(s) ~ g^2 exactly unless the mediator width changed: if it moved by < 1e-4, so did Omega
        if abs(at_g.total_width / model.total_width - 1.0) < 1e-4:
            return g, offset
        # the width moved: check at g itself; if that misses, the same problem becomes the next reference
        problem = FreezeOut(dark_sector(at_g), break_points(at_g), rtol=RELIC_RTOL)
        if abs(problem.solve().omega_h2 / target - 1.0) < 1e-3:
            return g, offset
        g_ref, model = g, at_g
    raise ConvergenceError(f"{model_name} at m = {mass:g} GeV: the relic coupling did not settle (width effects)")


def _relic_block(args: tuple[str, list[float], dict | None, float]) -> list[float | None]:
    """Relic couplings of a run of neighbouring masses, each search started from the previous one's offset."""
    name, masses, overrides, target = args
    out, offset = [], 0.0
    for mass in masses:
        g, offset = _relic_coupling(name, mass, overrides, target, offset)
        out.append(g)
    return out


def relic_blocks(masses: Sequence[float] | np.ndarray) -> list[list[float]]:
    """Contiguous blocks of at most :data:`RELIC_BLOCK` masses, as even as possible: fixed by the masses alone."""
    values = [float(m) for m in masses]
    n = -(-len(values) // RELIC_BLOCK)
    return [[float(v) for v in b] for b in np.array_split(np.array(values), n)] if values else []


def relic_curve(model_name: str, masses: Sequence[float] | np.ndarray, overrides: dict | None = None,
                target: float = OMEGA_DM_H2, workers: int = 1, executor: Executor | None = None) -> list[float | None]:
    """The relic coupling at each mediator mass (None where none below the perturbative limit).

    The masses are split into :func:`relic_blocks` (each block's numbers depend on its own masses only). With
    ``workers`` > 1 the blocks go to the processes as they become free: those of ``executor`` if given (a pool
    of ``workers`` processes shared with other work), else of a pool started here; otherwise they run here, in
    order. The numbers do not depend on ``workers`` or ``executor``."""
    tasks = [(model_name, b, overrides, target) for b in relic_blocks(masses)]
    if workers <= 1 or len(tasks) < 2:
        return [g for task in tasks for g in _relic_block(task)]
    if executor is not None:
        return [g for part in executor.map(_relic_block, tasks) for g in part]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [g for part in pool.map(_relic_block, tasks) for g in part]
