"""``muonreach heavy ...``: heavy new physics behind (g-2)_mu (004 S4-S6).

* ``heavy bhabha --energy E --luminosity L``: the lightest singlet scalar and vector masses probed by the
  forward-backward variable r_FB of mu+ mu- -> mu+ mu- (E in GeV, L in fb^-1);
* ``heavy clfv``: the coupling-ratio bounds of 004 eq. (2.19) for the flavour-anarchic scalar singlet;
* ``heavy table4``: Table 4 of arXiv:2101.10334 computed by the max-min search (eq. (2.7)), next to the paper's;
* ``heavy nbsm``: the lightest charged mass vs N_BSM per criterion (and its figure with ``--out``).
"""

from __future__ import annotations

import math

import click

from .common import emit, json_option, output_path

dataset_option = click.option("--dataset", default=None, metavar="NAME",
                              help="(g-2) dataset fixing Delta a_mu (default: the registry's latest; "
                                   "ccdk2020 = 2.79e-9 of the papers)")


@click.group("heavy")
def command() -> None:
    """Heavy new physics behind (g-2)_mu: singlets at a muon collider, CLFV, the max-min Table 4."""


def _muon_dataset(name: str | None):
    """The (g-2) dataset fixing Delta a_mu; an electron dataset is refused."""
    from ..errors import InvalidParameter
    from ..gm2.datasets import get_dataset

    ds = get_dataset(name)
    if ds.lepton != "mu":
        raise InvalidParameter(f"dataset {ds.name!r} is for a_{ds.lepton}; the heavy scenarios need a muon dataset")
    return ds


@command.command("bhabha")
@click.option("--energy", type=float, required=True, help="collider sqrt(s) in GeV")
@click.option("--luminosity", type=float, required=True, help="integrated luminosity in fb^-1")
@click.option("--threshold", type=float, default=2.0, show_default=True, help="|r_FB| needed to probe a mass")
@click.option("--theta-min", type=float, default=10.0, show_default=True,
              help="angular acceptance: theta_min < theta < 180 - theta_min (degrees)")
@dataset_option
@json_option
def bhabha_command(energy: float, luminosity: float, threshold: float, theta_min: float, dataset: str | None,
                   as_json: bool) -> None:
    """Lightest singlet S and V masses with |r_FB| >= threshold (mu+ mu- -> mu+ mu-)."""
    from ..errors import InvalidParameter
    from ..heavy import bhabha

    if not 0.0 < theta_min < 90.0:
        raise InvalidParameter(f"--theta-min must be in (0, 90) degrees, got {theta_min:g}")
    ds = _muon_dataset(dataset)
    c_max = math.cos(math.radians(theta_min))
    masses = {kind: bhabha.min_probed_mass(kind, energy, luminosity, ds.delta, threshold=threshold, c_max=c_max)
              for kind in ("scalar", "vector")}
    payload = {"energy_gev": energy, "luminosity_inv_fb": luminosity, "dataset": ds.name, "delta_a_mu": ds.delta,
               "threshold": threshold, "theta_min_deg": theta_min,
               "scalar_min_mass_gev": masses["scalar"], "vector_min_mass_gev": masses["vector"]}
    human = (f"Bhabha r_FB at sqrt(s) = {energy:g} GeV, {luminosity:g} fb^-1 (Delta a_mu = {ds.delta:.3g}, {ds.name}, "
             f"|r_FB| >= {threshold:g}, {theta_min:g} < theta < {180 - theta_min:g} deg)\n"
             f"  scalar probed above {masses['scalar']:.4g} GeV\n  vector probed above {masses['vector']:.4g} GeV")
    emit(payload, as_json, human)


@command.command("clfv")
@dataset_option
@json_option
def clfv_command(dataset: str | None, as_json: bool) -> None:
    """Bounds of 004 eq. (2.19) on coupling-ratio sums of the flavour-anarchic scalar singlet."""
    from ..heavy import flavour

    ds = _muon_dataset(dataset)
    bounds = flavour.ratio_bounds(ds.delta)
    payload = {"dataset": ds.name, "delta_a_mu": ds.delta, "ratio_bounds": bounds}
    lines = [f"CLFV bounds on sum_l g^(il) g^(lj) / (g^(mu mu))^2 for Delta a_mu = {ds.delta:.3g} ({ds.name})"]
    lines += [f"  {name:<7} < {value:.3g}" for name, value in bounds.items()]
    emit(payload, as_json, "\n".join(lines))


def _row_numbers(rows: tuple[int, ...], default_all: bool) -> list[int]:
    """The Table 4 row numbers of ``--row`` (1-based, checked); none given: all rows or row 1."""
    from ..errors import InvalidParameter
    from ..heavy import table4

    count = len(table4.paper_rows())
    for n in rows:
        if not 1 <= n <= count:
            raise InvalidParameter(f"--row must be in 1..{count}, got {n}")
    return list(rows or (range(1, count + 1) if default_all else (1,)))


channels_option = click.option(
    "--channels", type=click.Choice(["helicity", "single"]), default="helicity", show_default=True,
    help="unitarity of the FFS Higgs Yukawas: J = 0 helicity matrix of the fermion pair, or each element alone")


@command.command("table4")
@dataset_option
@click.option("--row", "rows", type=int, multiple=True, metavar="N",
              help="compute only row N (1..24, repeatable; default: all 24, a few minutes)")
@click.option("--seed", type=int, default=1, show_default=True, help="seed of differential_evolution")
@click.option("--workers", type=int, default=1, show_default=True, help="processes (rows in parallel; same result)")
@channels_option
@json_option
def table4_command(dataset: str | None, rows: tuple[int, ...], seed: int, workers: int, channels: str,
                   as_json: bool) -> None:
    """Highest mass (TeV) of the lightest charged BSM state of each SSF / FFS scenario (max-min search)."""
    from ..errors import InvalidParameter
    from ..heavy import table4

    numbers = _row_numbers(rows, default_all=True)
    if workers < 1:
        raise InvalidParameter(f"--workers must be >= 1, got {workers}")
    ds = _muon_dataset(dataset)
    chosen = [table4.paper_rows()[n - 1] for n in numbers]
    computed = table4.compute_rows([n - 1 for n in numbers], ds.delta, seed=seed, workers=workers, channels=channels)
    payload = {"dataset": ds.name, "delta_a_mu": ds.delta, "seed": seed, "channels": channels, "columns": list(table4.COLUMNS),
               "rows": [c.as_dict() for c in computed],
               "paper": {"delta_a_mu": 2.79e-9, "rows": [{"model": r.scenario.model, "R": r.labels[0], "R_A": r.labels[1],
                                                           "R_B": r.labels[2], "max_mass_tev": r.max_mass_tev} for r in chosen]}}
    head = f"{'model':<5}{'R':>7}{'R_A':>7}{'R_B':>7} " + " ".join(f"{c:>15}" for c in table4.COLUMNS)
    lines = [f"Table 4 (arXiv:2101.10334) by max-min search, Delta a_mu = {ds.delta:.3g} ({ds.name}); TeV, "
             f"computed [paper at 2.79e-9]", head]
    for c, r in zip(computed, chosen):
        cells = " ".join(f"{c.max_mass_tev[k]:>7.3g} [{r.max_mass_tev[k]:>5.3g}]" for k in table4.COLUMNS)
        lines.append(f"{c.scenario.model:<5}{c.labels[0]:>7}{c.labels[1]:>7}{c.labels[2]:>7} {cells}")
    emit(payload, as_json, "\n".join(lines))


@command.command("nbsm")
@dataset_option
@click.option("--row", "rows", type=int, multiple=True, metavar="N", help="Table 4 row (1..24, repeatable; default 1)")
@click.option("--n", "n_values", type=int, multiple=True, metavar="N", help="N_BSM values (default 1 2 5 10 20)")
@click.option("--seed", type=int, default=1, show_default=True, help="seed of differential_evolution")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="write the figure (.png, .pdf, .svg)")
@channels_option
@json_option
def nbsm_command(dataset: str | None, rows: tuple[int, ...], n_values: tuple[int, ...], seed: int, out: str | None,
                 channels: str, as_json: bool) -> None:
    """Largest mass of the lightest charged state vs N_BSM for each criterion (unitarity, MFV, naturalness)."""
    from ..errors import InvalidParameter
    from ..heavy import nbsm, table4

    numbers = _row_numbers(rows, default_all=False)
    n_values = n_values or (1, 2, 5, 10, 20)
    if any(n < 1 for n in n_values):
        raise InvalidParameter("--n values must be >= 1")
    path = output_path(out, (".png", ".pdf", ".svg"))
    ds = _muon_dataset(dataset)
    chosen = [table4.paper_rows()[n - 1] for n in numbers]
    results = {r.scenario.label(): nbsm.scan(r.scenario, ds.delta, tuple(n_values), seed, channels) for r in chosen}
    exponents = {label: {k: nbsm.fitted_exponent(tuple(n_values), v) for k, v in per.items()} for label, per in results.items()}
    if path is not None:
        nbsm.plot(results, tuple(n_values), path, f"max-min search, Delta a_mu = {ds.delta:.3g} ({ds.name})")
    payload = {"dataset": ds.name, "delta_a_mu": ds.delta, "n_bsm": list(n_values), "max_mass_tev": results,
               "exponent": exponents, "figure": out}
    lines = [f"Lightest charged mass (TeV) vs N_BSM = {list(n_values)} (Delta a_mu = {ds.delta:.3g}, {ds.name})"]
    for label, per in results.items():
        for k, v in per.items():
            lines.append(f"  {label:<24} {k:<12} " + " ".join(f"{x:7.3g}" for x in v) + f"   ~N^{exponents[label][k]:.2f}")
    emit(payload, as_json, "\n".join(lines))
