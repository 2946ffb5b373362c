"""The spec toolkit: one TOML reader and typed field readers with located one-line errors (issue 9)."""

import pytest

from muonreach.errors import SpecError
from muonreach.specfields import Fields, parse_toml_text, read_toml_file, require_schema


def test_non_utf8_file_is_a_spec_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(SpecError, match="not UTF-8"):
        read_toml_file(bad)


def test_missing_and_directory_files(tmp_path):
    with pytest.raises(SpecError, match="cannot read"):
        read_toml_file(tmp_path / "nope.toml")
    with pytest.raises(SpecError, match="directory"):
        read_toml_file(tmp_path)


def test_bad_toml():
    with pytest.raises(SpecError, match="not valid TOML"):
        parse_toml_text("a = = 1", "x.toml")


def test_schema():
    require_schema({"schema": 1}, "x")
    for doc in ({}, {"schema": 2}, {"schema": True}, {"schema": "1"}):
        with pytest.raises(SpecError, match="schema"):
            require_schema(doc, "x")


@pytest.mark.parametrize(
    "reader, value, message",
    [
        ("number", "1.0", "must be a number"),
        ("number", True, "must be a number"),  # TOML true is not 1
        ("positive", 0.0, "must be > 0"),
        ("non_negative", -1.0, "must be >= 0"),
        ("integer", 1.5, "must be an integer"),
        ("boolean", "false", "TOML boolean"),  # the string "false" is not false
        ("string", 3, "must be a string"),
    ],
)
def test_readers_refuse_wrong_types(reader, value, message):
    f = Fields({"k": value}, "exp.toml [beam]")
    with pytest.raises(SpecError, match=message) as info:
        getattr(f, reader)("k")
    assert str(info.value).startswith("exp.toml [beam]: k ")


def test_readers_defaults_choice_tables_and_unknown_keys():
    f = Fields({"a": 2, "sub": {"b": "x"}, "typo": 1}, "f.toml")
    assert f.positive("a") == 2.0 and f.integer("a") == 2
    assert f.number("absent", 7.0) == 7.0
    sub = f.table("sub")
    assert sub.choice("b", ("x", "y")) == "x" and sub.where == "f.toml [sub]"
    assert sub.table("deeper", {}).where == "f.toml [sub.deeper]"
    with pytest.raises(SpecError, match="unknown key"):
        f.done()
    with pytest.raises(SpecError, match="missing 'c'"):
        f.number("c")


def test_every_format_refuses_non_utf8_and_missing_schema(tmp_path):
    # issue 9: one reader for every format; non-UTF-8 files gave UnicodeDecodeError tracebacks
    from importlib import resources

    from muonreach.constraints import get_limit
    from muonreach.gm2.datasets import load_registry
    from muonreach.materials import load_materials

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'schema = 1\nname = "caf\xe9"\n')
    latin1.with_suffix(".csv").write_text("x,y\n1,1\n")  # a limit curve is a TOML + CSV pair
    for loader in (load_materials, load_registry, get_limit):
        with pytest.raises(SpecError, match="not UTF-8"):
            loader(str(latin1))
    no_schema = tmp_path / "materials.toml"
    text = resources.files("muonreach").joinpath("data", "materials.toml").read_text()
    no_schema.write_text(text.replace("schema = 1", ""))
    with pytest.raises(SpecError, match="schema"):
        load_materials(no_schema)
