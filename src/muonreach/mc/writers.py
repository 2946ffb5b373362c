"""Event files: Parquet (one row per event, every column of :data:`~muonreach.mc.generate.COLUMNS`) and LHE.

Both are streamed chunk by chunk into a temporary file that is renamed into place when the run finishes
(:func:`muonreach.outputs.atomic_path`): an interrupted run leaves no partial file. The run description
(:class:`~muonreach.mc.generate.RunInfo`: inputs, seed, cross section, produced bosons, the experiment as run,
the units of every column) is stored as JSON in the Parquet key-value metadata under ``muonreach`` (read back
by :func:`read_parquet`) and in the LHE ``<header>`` as a ``<muonreach>`` block. The same run writes the same
bytes (with the same numpy and pyarrow).

LHE (Les Houches Event files, version 3.0: Alwall et al., Comput. Phys. Commun. 176 (2007) 300,
hep-ph/0609017; Andersen et al., arXiv:1405.1391): the beams are the lepton and the nucleus (PDG nuclear code
100ZZZAAA0, RPP 2024 ch. 45) at rest; IDWTUP = 3 (unit-weight events), XSECUP = the track-averaged cross section
per nucleus in pb, the event weight XWGTUP = 1. Each event lists the incoming lepton and nucleus (status -1),
the outgoing lepton and nucleus (1), the mediator (2 if it decays, else 1) and its daughters (1, mother = the
mediator). The recoiling nucleus takes the three-momentum balance, on its mass shell: in the generator's WW
kinematics (:mod:`.bremsstrahlung`) the energy then balances only up to O(|t|/M_N), below the precision of
the cross section. VTIMUP of the daughters is the mediator's *lab* decay distance in mm (the LHE convention is
the proper c tau; a detector simulation needs the lab vertex, so it is stated here); a ``#`` line closing
each event gives the event number, the production depth and the decay vertex in cm.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import MISSING, asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np
from numpy.typing import NDArray

from ..constants import LEPTON_MASSES
from ..errors import InvalidParameter
from ..outputs import atomic_path, json_safe
from .decays import MAX_PRODUCTS
from .generate import COLUMNS, EventGenerator, Events, RunInfo

if TYPE_CHECKING:
    import pyarrow.parquet as pq

SUFFIXES: tuple[str, ...] = (".parquet", ".lhe")
#: Atomic mass unit (CODATA 2018) for the nucleus mass A u (binding energy neglected: < 1 % of M_N).
ATOMIC_MASS_UNIT_GEV: float = 0.93149410242
_METADATA_KEY = "muonreach"
_INTEGER_COLUMNS = frozenset({"event", "decay_channel", "dark_parent", "dark_channel"}
                             | {f"product{i}_pdg" for i in range(1, MAX_PRODUCTS + 1)}
                             | {f"dark_product{i}_pdg" for i in range(1, 4)})


def run_metadata(info: RunInfo) -> dict:
    """The JSON-safe run description written into every file (with the units of the columns)."""
    return json_safe({"format": "muonreach events 1", "run": asdict(info), "units": COLUMNS})


def write_events(generator: EventGenerator, path: str | Path, progress: Callable[[int], None] | None = None) -> RunInfo:
    """Generate the events of ``generator`` into ``path`` (.parquet or .lhe, by suffix); returns the run info."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidParameter(f"event files end in {' or '.join(SUFFIXES)}, got {str(path)!r}")
    with atomic_path(target) as tmp:
        sink = ParquetSink(tmp) if suffix == ".parquet" else LheSink(tmp, generator)
        try:
            info = generator.run(sink.write, sink.restart, progress)
            sink.finish(info)
        finally:
            sink.close()
    return info


def read_parquet(path: str | Path) -> Events:
    """Events written by :func:`write_events` to Parquet, with their run description."""
    import pyarrow.parquet as pq

    from ..specfields import SpecError

    try:
        meta = pq.read_metadata(path).metadata or {}
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise SpecError(f"{path}: not a readable Parquet file ({exc})") from None
    if _METADATA_KEY.encode() not in meta:
        raise SpecError(f"{path}: no muonreach run description (not written by muonreach generate)")
    run = json.loads(meta[_METADATA_KEY.encode()])["run"]
    run = {k: (float("nan") if v is None else v) for k, v in run.items()}
    written_by = f"written by muonreach {run.get('muonreach_version', '(unknown version)')}"
    missing = [k for k in COLUMNS if k not in table.column_names]
    if missing:
        raise SpecError(f"{path}: {written_by}, lacks the event columns {', '.join(missing[:4])}"
                        f"{' ...' if len(missing) > 4 else ''} of this version ({len(missing)} missing): regenerate it")
    unknown = sorted(set(run) - {f.name for f in fields(RunInfo)})
    absent = sorted(f.name for f in fields(RunInfo)
                    if f.default is MISSING and f.default_factory is MISSING and f.name not in run)
    if unknown or absent:
        raise SpecError(f"{path}: {written_by}, its run description does not match this version's "
                        f"({'unknown ' + ', '.join(unknown) if unknown else 'missing ' + ', '.join(absent)}): regenerate it")
    info = RunInfo(**run)
    return Events(info, {k: table.column(k).to_numpy() for k in COLUMNS})


class ParquetSink:
    """Streams chunks into one Parquet file (zstd); the run description is added when the run ends."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa

        self.path = path
        self.schema = pa.schema([(name, pa.int64() if name in _INTEGER_COLUMNS else pa.bool_() if name == "signal"
                                  else pa.float64()) for name in COLUMNS])
        self.writer: pq.ParquetWriter | None = None

    def _open(self) -> pq.ParquetWriter:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        return self.writer

    def write(self, columns: dict[str, NDArray]) -> None:
        import pyarrow as pa

        self._open().write_table(pa.table({k: columns[k] for k in COLUMNS}, schema=self.schema))

    def restart(self) -> None:
        """Discard what was written (the generator starts over after an envelope violation)."""
        self.close()
        self.path.write_bytes(b"")

    def finish(self, info: RunInfo) -> None:
        self._open().add_key_value_metadata({_METADATA_KEY: json.dumps(run_metadata(info), sort_keys=True)})

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class LheSink:
    """Streams chunks as LHE v3 events; the header (with the final run description) is written at the end by
    prepending it to the event body (the body is streamed to a side file first)."""

    def __init__(self, path: Path, generator: EventGenerator) -> None:
        info = generator.info
        self.path = path
        self.body_path = path.with_name(path.name + ".body")
        self.body: TextIO | None = self.body_path.open("w", encoding="utf-8", newline="\n")
        self.masses: dict[str | int, float] = {"lepton": LEPTON_MASSES[info.lepton], "nucleus": info.target_a * ATOMIC_MASS_UNIT_GEV,
                       **{int(p): float(m) for p, m in zip(generator.decays.pdg.ravel(), generator.decays.masses.ravel())}}
        self.nucleus_pdg = 1_000_000_000 + 10_000 * info.target_z + round(info.target_a) * 10
        self.info = info

    def write(self, columns: dict[str, NDArray]) -> None:
        assert self.body is not None
        self.body.write(_lhe_events(columns, self.info, self.nucleus_pdg, self.masses))

    def restart(self) -> None:
        assert self.body is not None
        self.body.seek(0)
        self.body.truncate()

    def finish(self, info: RunInfo) -> None:
        assert self.body is not None
        self.body.close()
        self.body = None
        with self.path.open("w", encoding="utf-8", newline="\n") as out:
            out.write(_lhe_header(info, self.nucleus_pdg))
            with self.body_path.open("r", encoding="utf-8") as body:
                while block := body.read(1 << 20):
                    out.write(block)
            out.write("</LesHouchesEvents>\n")

    def close(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None
        self.body_path.unlink(missing_ok=True)


def _lhe_header(info: RunInfo, nucleus_pdg: int) -> str:
    meta = json.dumps(run_metadata(info), sort_keys=True, indent=1).replace("<", "\\u003c").replace("&", "\\u0026")
    return (
        '<LesHouchesEvents version="3.0">\n<header>\n<muonreach>\n' + meta + "\n</muonreach>\n</header>\n<init>\n"
        f"{info.lepton_pdg:d} {nucleus_pdg:d} {info.beam_energy:.10e} {0.0:.10e} 0 0 0 0 3 1\n"
        f"{info.sigma_pb:.10e} {info.sigma_error_pb:.10e} {1.0:.10e} 1\n</init>\n"
    )


def _particle(pdg: int, status: int, mothers: tuple[int, int], p: NDArray, mass: float, vtim: float) -> str:
    return (f"{pdg:9d} {status:2d} {mothers[0]:4d} {mothers[1]:4d} 0 0 {p[1]: .10e} {p[2]: .10e} {p[3]: .10e} "
            f"{p[0]: .10e} {mass: .10e} {vtim: .4e} 9.\n")


def _lhe_events(c: dict[str, NDArray], info: RunInfo, nucleus_pdg: int, masses: dict) -> str:
    """LHE <event> blocks of one chunk (module docstring); ``masses``: lepton, nucleus and product PDG -> GeV."""
    def four(name: str) -> NDArray:
        return np.stack([c[f"{name}_{k}"] for k in ("e", "px", "py", "pz")], axis=1)

    beam, lepton, boson = four("beam"), four("lepton"), four("boson")
    nucleus_mass, m_l = masses["nucleus"], masses["lepton"]
    recoil = np.zeros_like(beam)
    recoil[:, 1:] = beam[:, 1:] - lepton[:, 1:] - boson[:, 1:]
    recoil[:, 0] = np.sqrt(nucleus_mass**2 + np.einsum("ij,ij->i", recoil[:, 1:], recoil[:, 1:]))
    at_rest = np.array([nucleus_mass, 0.0, 0.0, 0.0])
    pdg = np.stack([c[f"product{i}_pdg"] for i in range(1, MAX_PRODUCTS + 1)], axis=1)
    products = np.stack([np.stack([c[f"product{i}_{k}"] for k in ("e", "px", "py", "pz")], axis=1)
                         for i in range(1, MAX_PRODUCTS + 1)], axis=1)
    distance_mm = 10.0 * np.sqrt((c["decay_x"]) ** 2 + (c["decay_y"]) ** 2 + (c["decay_z"] - c["vertex_z"]) ** 2)
    dark_pdg = np.stack([c[f"dark_product{i}_pdg"] for i in range(1, 4)], axis=1)
    dark = np.stack([np.stack([c[f"dark_product{i}_{k}"] for k in ("e", "px", "py", "pz")], axis=1)
                     for i in range(1, 4)], axis=1)
    dark_mass = np.sqrt(np.maximum(dark[..., 0] ** 2 - np.sum(dark[..., 1:] ** 2, axis=-1), 0.0))
    dark_mm = 10.0 * np.sqrt((c["dark_decay_x"] - c["decay_x"]) ** 2 + (c["dark_decay_y"] - c["decay_y"]) ** 2
                             + (c["dark_decay_z"] - c["decay_z"]) ** 2)
    lines: list[str] = []
    for i in range(beam.shape[0]):
        decays = pdg[i, 0] != 0
        parent = int(c["dark_parent"][i]) if decays else 0  # chain: product `parent` decays to 3 (mothers 5 + parent)
        chained = parent > 0 and dark_pdg[i, 0] != 0
        n_up = 5 + (MAX_PRODUCTS if decays else 0) + (3 if chained else 0)
        lines.append(f"<event>\n{n_up:d} 1 {1.0:.10e} {info.mass:.10e} {-1.0:.10e} {-1.0:.10e}\n")
        lines.append(_particle(info.lepton_pdg, -1, (0, 0), beam[i], m_l, 0.0))
        lines.append(_particle(nucleus_pdg, -1, (0, 0), at_rest, nucleus_mass, 0.0))
        lines.append(_particle(info.lepton_pdg, 1, (1, 2), lepton[i], m_l, 0.0))
        lines.append(_particle(nucleus_pdg, 1, (1, 2), recoil[i], nucleus_mass, 0.0))
        lines.append(_particle(info.boson_pdg, 2 if decays else 1, (1, 2), boson[i], info.mass, 0.0))
        if decays:
            for j in range(MAX_PRODUCTS):
                code = int(pdg[i, j])
                status = 2 if chained and j + 1 == parent else 1
                lines.append(_particle(code, status, (5, 5), products[i, j], masses[code], float(distance_mm[i])))
        if chained:
            vtim = float(distance_mm[i] + dark_mm[i])  # lab distance from the production point, as the mediator's
            for j in range(3):
                lines.append(_particle(int(dark_pdg[i, j]), 1, (5 + parent, 5 + parent), dark[i, j],
                                       float(dark_mass[i, j]), vtim))
        lines.append(f"# event {int(c['event'][i])} vertex_z_cm {c['vertex_z'][i]:.6e} decay_xyz_cm "
                     f"{c['decay_x'][i]:.6e} {c['decay_y'][i]:.6e} {c['decay_z'][i]:.6e}"
                     + (f" dark_decay_xyz_cm {c['dark_decay_x'][i]:.6e} {c['dark_decay_y'][i]:.6e} "
                        f"{c['dark_decay_z'][i]:.6e}" if chained else "") + "\n</event>\n")
    return "".join(lines)
