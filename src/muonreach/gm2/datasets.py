"""Registry of (g-2) measurements, Standard-Model predictions and the differences Delta a they imply.

The numbers live in ``data/datasets.toml`` (each with its citation); this module only loads them.
A *dataset* is a Delta a = a(exp) - a(SM) with experimental and theoretical uncertainties, either quoted by a
paper or derived here from a measurement and a prediction (errors added in quadrature, no correlation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import SpecError, UnknownName
from ..specfields import parse_toml_text, read_bytes, require_schema


@dataclass(frozen=True)
class Value:
    """A measurement or prediction of a_l with its total uncertainty."""

    name: str
    lepton: str
    value: float
    uncertainty: float
    reference: str
    arxiv: str = ""


@dataclass(frozen=True)
class Dataset:
    """Delta a_l = a_l(exp) - a_l(SM) with its experimental and theoretical uncertainties."""

    name: str
    lepton: str
    delta: float
    sigma_exp: float
    sigma_th: float
    reference: str
    description: str = ""
    status: str = "official"

    @property
    def sigma(self) -> float:
        """Total uncertainty: experimental and theoretical added in quadrature."""
        return math.hypot(self.sigma_exp, self.sigma_th)

    @property
    def significance(self) -> float:
        """Delta a / sigma: the size of the discrepancy in standard deviations."""
        return self.delta / self.sigma

    def pull(self, delta_a_new_physics: float) -> float:
        """(Delta a_NP - Delta a) / sigma: how many sigma a new-physics contribution is from the data."""
        return (delta_a_new_physics - self.delta) / self.sigma

    def future(self, exp_factor: float = 4.0, th_factor: float = 2.0) -> Dataset:
        """The projection of 000 Sec. 2.1: same central value, experimental error / 4, theory error / 2."""
        return replace(
            self,
            name=f"{self.name}-future",
            sigma_exp=self.sigma_exp / exp_factor,
            sigma_th=self.sigma_th / th_factor,
            description=f"{self.description} (future: sigma_exp/{exp_factor:g}, sigma_th/{th_factor:g}, 000 Sec. 2.1)",
            status="projection",
        )


@dataclass(frozen=True)
class Registry:
    measurements: dict[str, Value]
    predictions: dict[str, Value]
    datasets: dict[str, Dataset]
    defaults: dict[str, str]

    def dataset(self, name: str) -> Dataset:
        """Look a dataset up by name; ``NAME-future`` gives the 000 projection of NAME."""
        if name.endswith("-future") and name[: -len("-future")] in self.datasets:
            return self.datasets[name[: -len("-future")]].future()
        if name not in self.datasets:
            known = ", ".join(sorted(self.datasets))
            raise UnknownName(f"unknown (g-2) dataset {name!r}; known: {known} (append -future for the 000 projection)")
        return self.datasets[name]

    def default(self, lepton: str = "mu") -> Dataset:
        """The dataset new work uses by default: the latest one for each lepton."""
        if lepton not in self.defaults:
            raise UnknownName(f"no (g-2) dataset for lepton {lepton!r}; leptons with data: {', '.join(sorted(self.defaults))}")
        return self.dataset(self.defaults[lepton])


def _value(kind: str, name: str, entry: dict) -> Value:
    try:
        return Value(name, entry["lepton"], float(entry["value"]), float(entry["uncertainty"]), entry["reference"], entry.get("arxiv", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(f"{kind} {name!r}: missing or malformed field ({exc})") from None


def _dataset(name: str, entry: dict, meas: dict[str, Value], pred: dict[str, Value]) -> Dataset:
    try:
        if "measurement" in entry:
            m, p = meas[entry["measurement"]], pred[entry["prediction"]]
            if m.lepton != p.lepton or m.lepton != entry["lepton"]:
                raise SpecError(f"dataset {name!r} mixes leptons")
            return Dataset(
                name, entry["lepton"], round(m.value - p.value, 15), m.uncertainty, p.uncertainty,
                f"{m.reference} (arXiv:{m.arxiv}) minus {p.reference} (arXiv:{p.arxiv})",
                entry.get("description", ""), "derived",
            )
        return Dataset(
            name, entry["lepton"], float(entry["delta"]), float(entry["sigma_exp"]), float(entry["sigma_th"]),
            f"{entry['reference']} (arXiv:{entry['arxiv']})", entry.get("description", ""),
        )
    except KeyError as exc:
        raise SpecError(f"dataset {name!r}: missing or unknown reference {exc}") from None
    except (TypeError, ValueError) as exc:
        raise SpecError(f"dataset {name!r}: malformed number ({exc})") from None


def load_registry(path: str | Path | None = None) -> Registry:
    """Load a (g-2) data file (the packaged one by default)."""
    if path is None:
        origin, data = "muonreach gm2/data/datasets.toml", resources.files(__package__).joinpath("data/datasets.toml").read_bytes()
    else:
        origin, data = str(path), read_bytes(path, "(g-2) data file")
    raw = parse_toml_text(data, origin)
    require_schema(raw, origin)
    meas = {k: _value("measurement", k, v) for k, v in raw.get("measurements", {}).items()}
    pred = {k: _value("prediction", k, v) for k, v in raw.get("predictions", {}).items()}
    sets = {k: _dataset(k, v, meas, pred) for k, v in raw.get("datasets", {}).items()}
    defaults = raw.get("defaults", {})
    for lepton, name in defaults.items():
        if name not in sets:
            raise SpecError(f"default dataset {name!r} for lepton {lepton!r} is not defined")
    return Registry(meas, pred, sets, defaults)


@cache
def registry() -> Registry:
    """The packaged registry (loaded once)."""
    return load_registry()


def get_dataset(name: str | None = None, lepton: str = "mu") -> Dataset:
    """A dataset by name, or the default (latest) one for ``lepton``."""
    reg = registry()
    ds = reg.default(lepton) if name is None else reg.dataset(name)
    return ds
