"""The disk cache: keyed by inputs and code version, corrupt entries recomputed, unwritable dirs tolerated."""


import warnings

import numpy as np
import pytest

from muonreach import cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "c"))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    cache.clear_memory()
    yield tmp_path / "c"
    cache.clear_memory()


def _counting():
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(5.0), "label": np.array("ok")}

    return compute, calls


def test_entry_is_reused_across_processes(cache_dir):
    compute, calls = _counting()
    a = cache.cached_arrays("t", {"m": 0.1}, compute)
    cache.clear_memory()  # as a new process would start
    b = cache.cached_arrays("t", {"m": 0.1}, compute)
    assert calls == [1] and np.array_equal(a["x"], b["x"]) and str(b["label"]) == "ok"
    cache.cached_arrays("t", {"m": 0.2}, compute)  # other inputs: another entry
    assert len(calls) == 2 and len(list((cache_dir / "t").iterdir())) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_corrupt_entry_is_recomputed(cache_dir, damage):
    compute, calls = _counting()
    cache.cached_arrays("t", {"m": 1}, compute)
    (entry,) = (cache_dir / "t").iterdir()
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        entry.write_bytes(b"not a zip file")
    else:  # same size, one byte of the array payload changed: only the checksum can tell
        arrays = dict(np.load(entry))
        arrays["x"] = arrays["x"] + 1.0
        with entry.open("wb") as fh:
            np.savez(fh, **arrays)
    cache.clear_memory()
    out = cache.cached_arrays("t", {"m": 1}, compute)
    assert len(calls) == 2 and np.array_equal(out["x"], np.arange(5.0))


def test_unwritable_cache_warns_once_and_computes_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "sub"))  # a directory under a file cannot be created
    monkeypatch.setattr(cache, "_warned", False)
    cache.clear_memory()
    compute, calls = _counting()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = cache.cached_arrays("t", {"m": 1}, compute)
        cache.cached_arrays("t", {"m": 2}, compute)
    assert calls == [1, 1] and out["x"][4] == 4.0
    assert sum(issubclass(w.category, cache.CacheWarning) for w in seen) == 1


def test_disabled_cache_writes_nothing(cache_dir, monkeypatch):
    monkeypatch.setenv(cache.ENV_OFF, "1")
    compute, _ = _counting()
    cache.cached_arrays("t", {"m": 1}, compute)
    assert not cache_dir.exists()


def test_key_depends_on_code_fingerprint(monkeypatch):
    k1 = cache.cache_key("t", {"m": 1})
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "other")
    assert cache.cache_key("t", {"m": 1}) != k1


def test_bypass_computes_afresh(cache_dir):
    compute, calls = _counting()
    cache.cached_arrays("t", {"m": 1}, compute)
    with cache.bypass():
        cache.cached_arrays("t", {"m": 1}, compute)
    assert len(calls) == 2


def test_figure_layers_are_cached_between_runs(monkeypatch, cache_dir):
    # a relic layer computed once is read back (000-fig5 and status-2025 share theirs); --no-cache recomputes
    from muonreach.cosmo import relic
    from muonreach.plot import layers

    calls = []

    def fake_curve(model, masses, overrides, workers=1):
        calls.append(len(masses))
        return [1e-3] * len(masses)

    monkeypatch.setattr(relic, "relic_curve", fake_curve)
    masses = np.geomspace(0.1, 1.0, 4)
    first = layers._relic_curve("scalar-muon", masses, {"g_chi": 1.0})
    cache.clear_memory()
    second = layers._relic_curve("scalar-muon", masses, {"g_chi": 1.0})
    with cache.bypass():
        layers._relic_curve("scalar-muon", masses, {"g_chi": 1.0})
    assert first == second == [1e-3] * 4 and calls == [4, 4]
