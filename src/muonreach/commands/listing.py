"""``muonreach list models|datasets|experiments|materials|limits``: what muonreach knows, with sources."""

from __future__ import annotations

import click

from .common import emit, json_option


def _models() -> tuple[list[dict], str]:
    from ..models.registry import model_specs

    rows = [
        {"name": s.name, "coupling": s.coupling, "description": s.description, "source": s.source,
         "parameters": {k: {"default": p.default, "help": p.help} for k, p in s.params.items()}}
        for s in model_specs().values()
    ]
    return rows, "\n".join(f"{r['name']:<15} --coupling {r['coupling']:<6} {r['description']}" for r in rows)


def _experiments() -> tuple[list[dict], str]:
    from ..experiments.spec import list_experiments, load_experiment

    rows = []
    for name in list_experiments():
        e = load_experiment(name)
        rows.append({"name": e.name, "description": e.description, "source": e.source, "status": e.status,
                     "lepton": e.lepton, "energy": e.energy, "particles_on_target": e.particles_on_target,
                     "material": e.material, "target_length": e.target_length, "signature": e.signature.name,
                     "production": {"channel": e.channel, "approximation": e.approximation, "final_lepton": e.final_lepton},
                     "efficiency": e.efficiency.describe(), "settable": sorted(e.overridable())})
    return rows, "\n".join(f"{r['name']:<14} {r['description']}" for r in rows)


def _materials() -> tuple[list[dict], str]:
    from ..materials import get_material, list_materials

    rows = []
    for name in list_materials():
        m = get_material(name)
        rows.append({"name": m.name, "Z": m.Z, "A": m.A, "density_g_cm3": m.density_g_cm3,
                     "n_atom_per_cm3": m.n_atom_per_cm3, "dedx_gev_cm": m.dedx_gev_cm,
                     "radiation_length_cm": m.radiation_length_cm, "source": m.source})
    text = "\n".join(f"{r['name']:<5} Z={r['Z']:<4} A={r['A']:<8.3f} rho={r['density_g_cm3']:<7.4g} g/cm3  "
                     f"n={r['n_atom_per_cm3']:.4g}/cm3  dE/dx={r['dedx_gev_cm']:.4g} GeV/cm  X0={r['radiation_length_cm']:.4g} cm"
                     for r in rows)
    return rows, text


def _datasets() -> tuple[list[dict], str]:
    from ..gm2.datasets import registry

    reg = registry()
    rows = [
        {"name": d.name, "lepton": d.lepton, "delta": d.delta, "sigma_exp": d.sigma_exp, "sigma_th": d.sigma_th,
         "sigma": d.sigma, "status": d.status, "reference": d.reference, "description": d.description,
         "default": reg.defaults.get(d.lepton) == d.name}
        for d in reg.datasets.values()
    ]
    text = "\n".join(
        f"{r['name']:<16} {r['lepton']:<3} {r['delta']:+.3e} +- {r['sigma']:.2e}{'  (default)' if r['default'] else ''}  {r['description']}"
        for r in rows
    )
    return rows, text


def _limits() -> tuple[list[dict], str]:
    from .limits import limit_rows

    return limit_rows(None, None)


_LISTS = {"models": _models, "datasets": _datasets, "experiments": _experiments, "materials": _materials,
          "limits": _limits}


@click.command("list")
@click.argument("what", type=click.Choice(list(_LISTS)))
@json_option
def command(what: str, as_json: bool) -> None:
    """List the known models, (g-2) datasets, experiments, materials or limit curves."""
    rows, text = _LISTS[what]()
    emit({what: rows}, as_json, text)
