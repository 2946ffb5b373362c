"""Atomic output files and output-path checks (issue 9: a failed write never destroys a good file)."""


import pytest

from muonreach.errors import InvalidParameter
from muonreach.outputs import atomic_path, check_output_path, json_safe, write_rows, write_text


def test_write_is_atomic_and_failure_keeps_old_file(tmp_path):
    target = tmp_path / "rows.csv"
    write_text(target, "good\n" * 1000)
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "good\n" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]  # no temporary file left behind


def test_write_rows_csv_and_json(tmp_path):
    payload = {"rows": [{"mass": 0.1, "g": None}, {"mass": 0.2, "g": 1e-3}]}
    write_rows(tmp_path / "a.csv", payload, ("mass", "g"))
    assert (tmp_path / "a.csv").read_text() == "mass,g\n0.1,\n0.2,0.001\n"
    write_rows(tmp_path / "a.json", payload, ("mass", "g"))
    assert '"g": null' in (tmp_path / "a.json").read_text()


@pytest.mark.parametrize("case", ["missing-dir", "under-file", "is-dir", "suffix"])
def test_check_output_path_refuses(tmp_path, case):
    (tmp_path / "file").write_text("x")
    path = {"missing-dir": tmp_path / "nope" / "a.csv", "under-file": tmp_path / "file" / "a.csv",
            "is-dir": tmp_path, "suffix": tmp_path / "a.txt"}[case]
    with pytest.raises(InvalidParameter) as info:
        check_output_path(path, (".csv", ".json"))
    assert "\n" not in str(info.value)


def test_check_output_path_tries_the_directory(tmp_path, monkeypatch):
    """Permission bits pass (root, read-only or virtual file systems such as /proc) but no file can be created:
    refused before any work, and the probe file is not left behind where it can be."""
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(30, "Read-only file system")

    assert check_output_path(tmp_path / "ok.csv", (".csv",)) == tmp_path / "ok.csv"
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(InvalidParameter, match=r"cannot create files in .*Read-only file system"):
        check_output_path(tmp_path / "rows.csv", (".csv",))


def test_json_safe_turns_non_finite_into_null():
    import numpy as np

    assert json_safe({"a": float("inf"), "b": np.float64(2.0), "c": np.array([1.0, np.nan])}) == {"a": None, "b": 2.0, "c": [1.0, None]}
