"""A disk cache for expensive tables (K-factor grids, relic curves, reach contours, event samples).

Entries live in the user cache directory (``platformdirs.user_cache_dir("muonreach")``, or the directory in
the environment variable ``MUONREACH_CACHE_DIR``); ``MUONREACH_NO_CACHE=1`` (or ``enabled=False``) bypasses
the disk. An entry is a ``.npz`` file of named numpy arrays, keyed by a SHA-256 of

* the namespace (what the table is, e.g. ``"exact-dsigma-dx"``),
* the inputs (any JSON-serialisable mapping: masses, energies, material, method, accuracy ...),
* the code version: the package version and a fingerprint of muonreach's own source and data files, so an entry made
  by other code is never used.

Each file stores a checksum of its arrays; an entry that cannot be read, lacks a field or fails the checksum
is recomputed and replaced, never trusted. Writes are atomic (temporary file + rename). If the cache
directory cannot be written, one :class:`CacheWarning` is issued and results are kept in memory only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .outputs import atomic_path

__all__ = ["CacheWarning", "bypass", "cache_dir", "cache_key", "cached_arrays", "clear_memory", "code_fingerprint"]

ENV_DIR = "MUONREACH_CACHE_DIR"
ENV_OFF = "MUONREACH_NO_CACHE"
_CHECKSUM_KEY = "__checksum__"
_KEY_KEY = "__key__"


class CacheWarning(UserWarning):
    """The disk cache could not be used (results are computed and kept in memory)."""


#: Files whose bytes make the code fingerprint: the source and the shipped data (model, experiment and
#: constraint inputs), so that an entry computed from other data is never used either.
FINGERPRINT_SUFFIXES: tuple[str, ...] = (".py", ".toml", ".csv", ".dat", ".txt", ".json")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the package version and the bytes of every source and data file of muonreach
    (:data:`FINGERPRINT_SUFFIXES`, sorted by path)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    files = (p for p in root.rglob("*") if p.suffix in FINGERPRINT_SUFFIXES and "__pycache__" not in p.parts)
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path:
    """The cache directory (not created here)."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("muonreach"))


def cache_key(namespace: str, inputs: Mapping[str, Any]) -> str:
    """Hex key of (namespace, inputs, code fingerprint)."""
    blob = json.dumps({"ns": namespace, "in": inputs, "code": code_fingerprint()}, sort_keys=True, default=_jsonable)
    return hashlib.sha256(blob.encode()).hexdigest()


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"cache inputs must be JSON-serialisable, got {type(obj).__name__}")


def _checksum(arrays: Mapping[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        arr = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str(arr.dtype).encode())
        digest.update(str(arr.shape).encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


_memory: dict[str, dict[str, np.ndarray]] = {}
_warned = False
_bypassed = False


@contextlib.contextmanager
def bypass() -> Iterator[None]:
    """Compute everything afresh inside the block: neither the disk nor the in-memory copies are read or
    written (``--no-cache``)."""
    global _bypassed
    previous, _bypassed = _bypassed, True
    try:
        yield
    finally:
        _bypassed = previous


def bypassed() -> bool:
    """True inside :func:`bypass` (``--no-cache``)."""
    return _bypassed


def inherit_bypass(flag: bool) -> None:
    """Set the bypass state of a worker process to its parent's (:func:`bypassed` there), for its lifetime."""
    global _bypassed
    _bypassed = bool(flag)


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, CacheWarning, stacklevel=3)


def _read(path: Path, key: str) -> dict[str, np.ndarray] | None:
    """The arrays of a valid entry, or None (missing, unreadable, wrong key or failed checksum)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except Exception:
        return None
    stored_sum = arrays.pop(_CHECKSUM_KEY, None)
    stored_key = arrays.pop(_KEY_KEY, None)
    if stored_sum is None or stored_key is None or str(stored_key) != key or str(stored_sum) != _checksum(arrays):
        return None
    return arrays


def _write(path: Path, key: str, arrays: Mapping[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {**arrays, _CHECKSUM_KEY: np.array(_checksum(arrays)), _KEY_KEY: np.array(key)}
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        np.savez(fh, allow_pickle=False, **payload)


def cached_arrays(namespace: str, inputs: Mapping[str, Any], compute: Callable[[], Mapping[str, np.ndarray]],
                  enabled: bool = True) -> dict[str, np.ndarray]:
    """The arrays of ``compute()`` for these inputs, from the disk cache when a valid entry exists.

    ``compute`` returns a mapping of names to numpy arrays (numeric or string dtypes, no objects)."""
    if _bypassed:
        return {k: np.asarray(v) for k, v in compute().items()}
    key = cache_key(namespace, inputs)
    if key in _memory:
        return dict(_memory[key])
    use_disk = enabled and os.environ.get(ENV_OFF, "") in ("", "0")
    path = cache_dir() / namespace / f"{key}.npz"
    if use_disk and path.exists():
        found = _read(path, key)
        if found is not None:
            _memory[key] = found
            return dict(found)
    arrays = {k: np.asarray(v) for k, v in compute().items()}
    if any(k.startswith("__") for k in arrays):
        raise ValueError("cache array names must not start with '__'")
    if use_disk:
        try:
            _write(path, key, arrays)
        except OSError as exc:
            _warn_once(f"cache directory {path.parent} is not writable ({exc.strerror or exc}); computing in memory")
    _memory[key] = arrays
    return dict(arrays)


def clear_memory() -> None:
    """Forget the in-process copies (the disk entries stay)."""
    _memory.clear()
