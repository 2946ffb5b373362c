"""Writing results safely: every output file is written to a temporary file beside it and renamed into place.

A failed write (full disk, killed process, exception while writing) therefore never leaves a truncated file
and never destroys an existing good one. :func:`check_output_path` is called by commands *before* they
compute, so an unwritable ``--out`` fails at once and not after a long run.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import InvalidParameter

__all__ = ["atomic_path", "check_output_directory", "check_output_path", "json_safe", "write_bytes", "write_json",
           "write_rows", "write_text"]


def json_safe(obj: Any) -> Any:
    """JSON-safe copy: non-finite floats become null (a stable particle has no finite c*tau), numpy scalars
    and arrays become Python numbers and lists."""
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        obj = obj.tolist()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def check_output_path(path: str | Path, suffixes: Sequence[str] | None = None, what: str = "--out") -> Path:
    """Validate an output file path before any work: allowed suffix, an existing writable directory, not a
    directory itself. Raises :class:`InvalidParameter` with a one-line reason."""
    target = Path(path)
    if suffixes is not None and target.suffix.lower() not in tuple(s.lower() for s in suffixes):
        raise InvalidParameter(f"{what} must end in {', '.join(suffixes)}, got {str(path)!r}")
    if target.is_dir():
        raise InvalidParameter(f"{what} {str(path)!r} is a directory, not a file")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise InvalidParameter(f"{what}: directory {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise InvalidParameter(f"{what}: {str(parent)!r} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidParameter(f"{what}: directory {str(parent)!r} is not writable")
    _probe_directory(parent, what)
    if target.exists() and not os.access(target, os.W_OK):
        raise InvalidParameter(f"{what}: {str(path)!r} exists and is not writable")
    return target


def check_output_directory(path: str | Path, suffix: str, what: str = "--out") -> Path:
    """Validate an output directory store (e.g. DIR.zarr, which a later run may resume) before any work: the
    ``suffix``, an existing writable parent (as :func:`check_output_path`: no parents are created), and not a
    plain file. Raises :class:`InvalidParameter` with a one-line reason."""
    target = Path(path)
    if target.suffix.lower() != suffix.lower():
        raise InvalidParameter(f"{what} must end in {suffix}, got {str(path)!r}")
    if target.exists() and not target.is_dir():
        raise InvalidParameter(f"{what} {str(path)!r} is a file, not a {suffix} directory")
    parent = target.parent
    if not parent.is_dir():
        raise InvalidParameter(f"{what}: directory {str(parent)!r} does not exist")
    _probe_directory(parent, what)
    return target


def _probe_directory(parent: Path, what: str) -> None:
    """Create and remove a temporary file in ``parent``: os.access says yes for root and for pseudo file systems
    (/proc, /sys) or read-only mounts, where the atomic write (a temporary file beside the target) fails only
    after the computation."""
    try:
        fd, name = tempfile.mkstemp(prefix=".muonreach-probe.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise InvalidParameter(f"{what}: cannot create files in {str(parent)!r}: {exc.strerror or exc}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's directory; on success it is renamed onto ``path`` (atomic on
    POSIX), on any exception it is removed and the original file is left untouched."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (flushed and fsync'ed before the rename)."""
    target = Path(path)
    try:
        with atomic_path(target) as tmp, tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise InvalidParameter(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, payload: Any) -> Path:
    """Write ``payload`` as indented JSON (non-finite numbers as null), atomically."""
    return write_text(path, json.dumps(json_safe(payload), indent=2, allow_nan=False) + "\n")


def write_rows(path: str | Path, payload: dict, columns: Sequence[str]) -> Path:
    """Write ``payload['rows']`` as CSV (header = columns; an empty cell is null) or the whole payload as JSON,
    by the suffix of ``path``; atomically."""
    target = Path(path)
    suffix = target.suffix.lower()  # as check_output_path: X.CSV passed the check, then failed after the run
    if suffix == ".json":
        return write_json(target, payload)
    if suffix != ".csv":
        raise InvalidParameter(f"--out must end in .csv or .json, got {str(path)!r}")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in payload["rows"]:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return write_text(target, buf.getvalue())
