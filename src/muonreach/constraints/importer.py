"""Regenerate the shipped curve CSVs from the external data collection (maintainer tool, not used at run time).

Each ``data/<name>.toml`` has an ``[import]`` table saying how its CSV was made from a file of the
external data collection (``shared/data/external/<repo>/<path>`` beside the repository, see its SOURCES.md)::

    [import]
    path = "darkcast-2023_via_Noah-Everett_DS-Decay-Scripts/darkcast/limits/E137_Andreas2012mt.lmt"
    columns = [0, 1, 2]      # x, y (and y_high for two-sided curves), counted from 0
    x_scale = 1.0            # multiply x by this (1e-3: MeV -> GeV)
    y_scale = 1.0            # multiply y by this
    y_transform = "xi_to_g_mu"   # optional: a named translation from TRANSFORMS (never an expression)
    y_max = 12.566           # optional: drop rows with any y >= y_max after conversion (plot sentinels, y > 4 pi)
    sort = true              # sort rows by x (default true; false keeps a closed contour's order)

Run ``python -m muonreach.constraints.importer PATH/TO/shared/data/external`` to rewrite the CSVs, or add
``--check`` to verify that the shipped CSVs are what the recipes give (exit 1 otherwise).
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import constants as c
from ..errors import SpecError

DATA = Path(__file__).with_name("data")

#: Named coupling translations used at import; each is documented next to the curves that use it.
TRANSFORMS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "xi_to_g_mu": (
        lambda xi: xi * c.M_MU / c.HIGGS_VEV,
        "g_mu = xi m_mu / v with v = (sqrt(2) G_F)^(-1/2) = 246.22 GeV (lepton-specific scalar: g_l = xi m_l / v)",
    ),
    "bc2_y_to_eps": (
        lambda y: np.sqrt(y * 3.0**4 / 0.1),
        "eps = sqrt(Y (m_A'/m_chi)^4 / alpha_D) with the PBC BC2 conventions m_A' = 3 m_chi, alpha_D = 0.1 "
        "(Y = eps^2 alpha_D (m_chi/m_A')^4); pair with x_scale = 3 (m_chi -> m_A')",
    ),
}

_IMPORT_KEYS = {"path", "columns", "x_scale", "y_scale", "y_transform", "y_max", "sort"}


def _read_columns(path: Path) -> np.ndarray:
    rows = []
    for line in path.read_text().splitlines():
        text = line.split("#", 1)[0].replace(",", " ").strip()
        if text and not text.startswith('"'):  # a quoted CSV header row ("mass","coupling") is skipped
            rows.append([float(v) for v in text.split()])
    width = min(len(r) for r in rows)
    return np.array([r[:width] for r in rows], dtype=float)


def convert(recipe: dict, external: Path, origin: str) -> np.ndarray:
    """The rows (x, y[, y_high]) that a recipe gives, in muonreach units."""
    unknown = set(recipe) - _IMPORT_KEYS
    if unknown:
        raise SpecError(f"{origin} [import]: unknown key(s) {', '.join(sorted(unknown))}")
    raw = _read_columns(external / recipe["path"])
    data = raw[:, list(recipe["columns"])].copy()
    data[:, 0] *= float(recipe.get("x_scale", 1.0))
    data[:, 1:] *= float(recipe.get("y_scale", 1.0))
    name = recipe.get("y_transform")
    if name is not None:
        if name not in TRANSFORMS:
            raise SpecError(f"{origin} [import]: unknown y_transform {name!r}; known: {', '.join(TRANSFORMS)}")
        data[:, 1:] = TRANSFORMS[name][0](data[:, 1:])
    if "y_max" in recipe:
        data = data[np.all(data[:, 1:] < float(recipe["y_max"]), axis=1)]
    if recipe.get("sort", True):
        data = data[np.lexsort((data[:, 1], data[:, 0]))]
    keep = np.ones(len(data), dtype=bool)
    keep[1:] = np.any(np.diff(data, axis=0) != 0.0, axis=1)  # drop exact duplicate rows
    return data[keep]


def csv_text(rows: np.ndarray) -> str:
    header = "x,y" if rows.shape[1] == 2 else "x,y_low,y_high"
    return header + "\n" + "".join(",".join(f"{v:.6g}" for v in row) + "\n" for row in rows)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    external, check = Path(argv[0]), "--check" in argv[1:]
    status = 0
    for meta in sorted(DATA.glob("*.toml")):
        recipe = tomllib.loads(meta.read_text()).get("import")
        if recipe is None:
            print(f"{meta.stem}: no [import] table, skipped")
            continue
        text = csv_text(convert(recipe, external, meta.name))
        target = meta.with_suffix(".csv")
        if check:
            same = target.exists() and target.read_text() == text
            print(f"{meta.stem}: {'ok' if same else 'DIFFERS'}")
            status |= 0 if same else 1
        else:
            target.write_text(text)
            print(f"{meta.stem}: wrote {text.count(chr(10)) - 1} rows")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
