"""Figure specs: every shipped spec validates and renders headless; layer data are finite and inside the
axes; invalid specs give one-line errors (SpecError / UnknownName) and exit code 2 on the command line.

The relic layer calls ``muonreach.cosmo.relic.relic_curve`` (slow, another module's job); these tests replace
it by a cheap stand-in so they check the plotting, not the freeze-out solver."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from conftest import run_in_process, run_subprocess
from muonreach.errors import SpecError, UnknownName
from muonreach.plot import layers, list_specs, load_spec, make_figure
from muonreach.plot.render import draw
from muonreach.plot.shapes import (
    Axis,
    Band,
    Line,
    clip_band,
    clip_line,
    clip_polygon,
    inside,
)
from muonreach.plot.spec import parse_spec

SPECS = list_specs()


def _fake_relic(model, masses, overrides):
    """Stand-in for cosmo.relic.relic_curve: a smooth power law, no solution above 30 GeV."""
    return [None if m > 30.0 else 3e-4 * (m / 0.1) ** 1.2 for m in np.asarray(masses, dtype=float)]


@pytest.fixture
def fake_relic(monkeypatch):
    calls = []

    def fake(model, masses, overrides, workers=1):
        calls.append((model, len(masses), dict(overrides)))
        return _fake_relic(model, masses, overrides)

    monkeypatch.setattr(layers, "_relic_curve", fake)
    return calls


def test_shipped_specs():
    assert {"000-fig1", "000-fig5", "000-fig6", "000-fig7", "001-fig3", "002-fig5", "status-2025"} <= set(SPECS)


@pytest.mark.parametrize("name", SPECS)
def test_spec_says_what_it_reproduces(name):
    spec = load_spec(name)
    assert spec.name == name
    assert "Fig." in spec.source and "arXiv:" in spec.source
    for panel in spec.panels:
        for layer in panel.layers:
            if layer.type == "relic":  # keep figures fast: the relic solver is the slow part
                assert layer.options["points"] <= 60


#: Masses per layer in the render test, which checks structure (every layer draws, inside the axes): each layer's
#: mass range, its end points included, is kept with at most this many masses (the shipped grids have 30-120; the
#: full grids are drawn by `make run` and benchmarks/figures_bench.py). 8 masses still give every layer of every
#: shipped spec a band or line; the numbers of the layers are checked by their own tests (reach, bounds, relic).
RENDER_POINTS = 8


@pytest.fixture
def few_masses(monkeypatch):
    full = layers._masses
    monkeypatch.setattr(layers, "_masses", lambda layer, panel, points: full(layer, panel, min(points, RENDER_POINTS)))


@pytest.mark.parametrize("name", SPECS)
def test_spec_renders_with_data_inside_axes(name, tmp_path, fake_relic, few_masses):
    spec = load_spec(name)
    path, data = make_figure(spec, tmp_path / f"{name}.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for panel, panel_data in zip(spec.panels, data, strict=True):
        assert len(panel_data) == len(panel.layers)
        for layer, ldata in zip(panel.layers, panel_data, strict=True):
            assert ldata.shapes, f"{layer.where}: nothing to draw"
            assert inside(ldata, panel.x, panel.y), f"{layer.where}: data outside the axes or not finite"
    n_relic = sum(min(layer.options["points"], RENDER_POINTS) for panel in spec.panels for layer in panel.layers
                  if layer.type == "relic")
    assert sum(n for _, n, _ in fake_relic) == n_relic  # every mass of every relic layer, once


def test_relic_layer_gets_model_and_benchmark(fake_relic):
    spec = load_spec("000-fig5")
    panel = spec.panels[0]
    layer = next(lay for lay in panel.layers if lay.type == "relic")
    layers.compute(layer, panel)
    assert len(fake_relic) == 1  # one call for the whole curve (spread over processes)
    model, n, overrides = fake_relic[-1]
    assert model == "scalar-muon" and n == 50
    assert overrides == {"g_chi": 1.0, "m_chi_ratio": pytest.approx(1 / 3)}


def test_relic_point_without_convergence_is_a_gap_with_a_warning(monkeypatch):
    from muonreach.errors import ConvergenceError

    def flaky(model, masses, overrides, workers=1):
        if any(1.0 < float(m) < 2.0 for m in masses):
            raise ConvergenceError("the relic-coupling search did not converge")
        return _fake_relic(model, masses, overrides)

    monkeypatch.setattr(layers, "_relic_curve", flaky)
    panel = load_spec("000-fig5").panels[1]
    data = layers.compute(next(lay for lay in panel.layers if lay.type == "relic"), panel)
    assert len(data.shapes) == 2  # the line is split at the failed mass
    assert any(n.startswith("warning: relic (scalar-lepton): no convergence at m = 1.") for n in data.notes)


def test_vector_formats(tmp_path, fake_relic):
    spec = load_spec("000-fig1")
    pdf, data = make_figure(spec, tmp_path / "f.pdf")
    svg = draw(spec, data, tmp_path / "f.svg")  # the same layers drawn again (make_figure = compute_all + draw)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert b"<svg" in svg.read_bytes()[:2000]


def test_reach_layers_solid_and_dashed_differ():
    """000 Fig. 5: the 1e13 MOT contour (experiment override) lies below the 1e12 one."""
    spec = load_spec("000-fig5")
    panel = spec.panels[0]
    reach = [lay for lay in panel.layers if lay.type == "reach" and lay.options["experiment"] == "na64mu-2018"]
    assert [lay.options["set"] for lay in reach] == [{}, {"muons_on_target": 1e13}]
    lows = []
    for lay in reach:
        band = layers.compute(lay, panel).shapes[0]
        lows.append(np.interp(-1.0, np.log10(band.x), np.log10(band.y_low)))  # at m_S = 0.1 GeV
    assert lows[1] < lows[0] - 0.3


def test_gm2_band_matches_gm2_module():
    from muonreach.gm2.bands import model_band
    from muonreach.gm2.datasets import get_dataset
    from muonreach.models.registry import get_model_spec

    spec = load_spec("002-fig5")
    panel = spec.panels[1]
    layer = next(lay for lay in panel.layers if lay.type == "gm2-band")
    band = layers.compute(layer, panel).shapes[0]
    i = band.x.size // 2
    ref = model_band(lambda g: get_model_spec("scalar-muon").build(float(band.x[i]), g), get_dataset("pdg2016"), 2.0, "mu")
    assert band.y_low[i] == pytest.approx(ref.low, rel=1e-6) and band.y_high[i] == pytest.approx(ref.high, rel=1e-6)


def test_status_2025_band_reaches_zero():
    """With Delta a_mu (2025) within 2 sigma of zero the band's lower edge is zero coupling."""
    spec = parse_spec({"schema": 1, "panels": [{
        "model": "scalar-muon", "x": {"min": 0.01, "max": 1.0}, "y": {"min": 1e-6, "max": 1.0},
        "layers": [{"type": "gm2-band", "options": {"dataset": "wa2025-wp2025"}}]}]}, "t.toml")
    data = layers.compute(spec.panels[0].layers[0], spec.panels[0])
    assert np.allclose(data.shapes[0].y_low, 1e-6) and any("reaches zero" in n for n in data.notes)


def test_sigma_e_conversion_round_trip():
    """A sigma_e limit drawn in the coupling plane and mapped back gives the original curve."""
    from muonreach.constraints import get_limit
    from muonreach.plot import planes

    spec = load_spec("000-fig5")
    panel = spec.panels[1]  # lepton-specific, g_chi = 1, m_chi = m_S/3
    curve = get_limit("darkside50-e-2022")
    m_s, g = planes.sigma_e_to_coupling(panel, curve.x, curve.y)
    assert m_s == pytest.approx(3 * curve.x)
    sigma_panel = load_spec("000-fig7").panels[0]
    m_chi, sigma = planes.to_axes(sigma_panel, m_s, g)
    assert m_chi == pytest.approx(curve.x) and sigma == pytest.approx(curve.y, rel=1e-9, abs=0)


def test_load_by_name_and_by_path():
    from importlib import resources

    path = resources.files("muonreach.plot").joinpath("specs/002-fig5.toml")
    assert load_spec(str(path)).raw == load_spec("002-fig5").raw


# --- clipping --------------------------------------------------------------------------------------------

AX, AY = Axis(1e-2, 1e2), Axis(1e-6, 1.0)


def test_clip_line_cuts_at_the_axes():
    pieces = clip_line(np.array([1e-3, 1.0, 1e3]), np.array([1e-3, 1e-3, 1e-3]), AX, AY)
    assert len(pieces) == 1 and pieces[0].x[0] == pytest.approx(1e-2) and pieces[0].x[-1] == pytest.approx(1e2)
    # a line that leaves through the top and comes back is split in two
    pieces = clip_line(np.array([0.1, 1.0, 10.0]), np.array([1e-3, 10.0, 1e-3]), AX, AY)
    assert len(pieces) == 2 and all(isinstance(p, Line) for p in pieces)
    assert max(p.y.max() for p in pieces) == pytest.approx(1.0)


def test_clip_band_open_and_zero_edges():
    x = np.geomspace(1e-3, 1e3, 7)
    bands = clip_band(x, np.zeros(7), np.full(7, np.inf), AX, AY)
    assert len(bands) == 1 and isinstance(bands[0], Band)
    assert np.allclose(bands[0].y_low, 1e-6) and np.allclose(bands[0].y_high, 1.0)
    assert bands[0].x[0] == pytest.approx(1e-2) and bands[0].x[-1] == pytest.approx(1e2)
    gaps = clip_band(x, np.array([1e-4, np.nan, 1e-4, 1e-4, np.nan, 1e-4, 1e-4]), np.full(7, 1e-2), AX, AY)
    assert len(gaps) == 1  # only the run of 2 points inside the x range survives


def test_clip_polygon():
    poly = clip_polygon(np.array([1e-3, 1e3, 1e3, 1e-3]), np.array([1e-3, 1e-3, 1e3, 1e3]), AX, AY)
    assert len(poly) == 1 and poly[0].x.min() == pytest.approx(1e-2) and poly[0].y.max() == pytest.approx(1.0)


# --- invalid specs ---------------------------------------------------------------------------------------

_GOOD = """schema = 1
name = "mine"
source = "a test"
[[panels]]
model = "scalar-lepton"
benchmark = { g_chi = 1.0 }
x = { min = 0.01, max = 1.0 }
y = { min = 1e-6, max = 1.0 }
[[panels.layers]]
type = "gm2-band"
options = { dataset = "pdg2016" }
style = { color = "green", fill = true, label = "band" }
[[panels.layers]]
type = "limit"
options = { name = "xenon10-e-2012" }
"""

BAD = {
    "unknown layer type": (_GOOD.replace('type = "gm2-band"', 'type = "rainbow"'), UnknownName, "unknown layer type 'rainbow'"),
    "unknown model": (_GOOD.replace('"scalar-lepton"', '"axion-42"'), UnknownName, "unknown model 'axion-42'"),
    "unknown experiment": (_GOOD + '[[panels.layers]]\ntype = "reach"\noptions = { experiment = "lhc-mu" }\n',
                           UnknownName, "unknown experiment 'lhc-mu'"),
    "unknown dataset": (_GOOD.replace('"pdg2016"', '"pdg1999"'), UnknownName, "unknown (g-2) dataset 'pdg1999'"),
    "unknown limit": (_GOOD.replace('"xenon10-e-2012"', '"xenon9"'), UnknownName, "unknown limit curve 'xenon9'"),
    "range min >= max": (_GOOD.replace("max = 1.0 }\ny", "max = 0.01 }\ny"), SpecError, "min 0.01 must be below max 0.01"),
    "non-positive log range": (_GOOD.replace("min = 1e-6", "min = 0.0"), SpecError, "must be positive"),
    "malformed TOML": (_GOOD.replace("[[panels]]", "[[panels]"), SpecError, "not valid TOML"),
    "unknown option": (_GOOD.replace('dataset = "pdg2016"', 'dataset = "pdg2016", colour = 1'), SpecError, "unknown key(s) colour"),
    "missing option": (_GOOD.replace('options = { dataset = "pdg2016" }', ""), SpecError, "missing option 'dataset'"),
    "bad colour": (_GOOD.replace('"green"', '"greenish"'), SpecError, "not a colour"),
    "bad linestyle": (_GOOD.replace("fill = true", 'linestyle = "wavy"'), SpecError, "linestyle"),
    "bad benchmark": (_GOOD.replace("g_chi = 1.0", "g_nu = 1"), UnknownName, "no parameter 'g_nu'"),
    "sigma_e limit without electron coupling": (_GOOD.replace('"scalar-lepton"', '"scalar-muon"'), SpecError,
                                                "needs electron and dark-matter couplings"),
    "limit of another model": (_GOOD.replace('"xenon10-e-2012"', '"e137"'), SpecError, "lives in plane|is for model"),
    "layer in wrong plane": (_GOOD.replace('type = "gm2-band"', 'type = "self-interaction"'), SpecError, "cannot be drawn in plane"),
    "no schema": (_GOOD.replace("schema = 1", "schema = 7"), SpecError, "'schema' must be 1"),
    "no panels": ('schema = 1\nname = "x"\n', SpecError, "at least one"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_spec_is_one_line_error(case, tmp_path):
    text, exc, message = BAD[case]
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(exc, match=message.replace("(", r"\(").replace(")", r"\)") if "|" not in message else message) as info:
        load_spec(str(path))
    assert "\n" not in str(info.value) and "mine.toml" in str(info.value)


@pytest.mark.parametrize("case", ["unknown layer type", "unknown model", "unknown experiment", "range min >= max", "malformed TOML"])
def test_cli_invalid_spec_exits_2_with_one_line(case, tmp_path, run_cli):
    # in-process (CliRunner, through the same error handler as the console script: an uncaught exception would
    # give exit code 1); the fresh-interpreter view of a user is test_cli_renders_a_user_spec
    path = tmp_path / "mine.toml"
    path.write_text(BAD[case][0])
    code, _, err = run_cli("figure", str(path), "--out", str(tmp_path / "x.png"))
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muonreach: error:"), err
    assert not (tmp_path / "x.png").exists()


def test_cli_errors_for_names_and_outputs(tmp_path, run_cli):
    for args in (["figure", "no-such-figure", "--out", str(tmp_path / "x.png")],
                 ["figure", "000-fig1", "--out", str(tmp_path / "x.jpg")],
                 ["figure", "000-fig1"],
                 ["figure", "000-fig1", "--out", str(tmp_path / "x.png"), "--workers", "0"]):
        code, _, err = run_cli(*args)
        assert code == 2 and len(err.strip().splitlines()) == 1, err


def test_cli_renders_a_user_spec(tmp_path):
    """End to end in a fresh interpreter (no relic layer: nothing to stand in for)."""
    path = tmp_path / "mine.toml"
    path.write_text(_GOOD)
    missing = run_subprocess("figure", str(path), "--out", str(tmp_path / "sub" / "mine.svg"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr  # checked before drawing, one line
    out = tmp_path / "mine.svg"
    proc = run_subprocess("figure", str(path), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and b"<svg" in out.read_bytes()[:2000]
    assert '"spec": "mine"' in proc.stdout


def test_cli_lists_specs():
    proc = run_in_process("figure", "--list")
    assert proc.returncode == 0 and all(name in proc.stdout for name in SPECS)


def test_figure_module_imports_no_matplotlib():
    """`muonreach --help` stays fast: the command modules import matplotlib only when they run."""
    import subprocess
    import sys

    code = "import sys, muonreach.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_docs_list_every_spec():
    docs = Path(__file__).resolve().parents[1] / "docs" / "figures.md"
    text = docs.read_text()
    for name in SPECS:
        assert f"`{name}`" in text


@pytest.mark.parametrize("edit, message", [
    (("[figure]\n", "[figure]\nsize = [1e5, 1e5]\n"), "at most 100 inches"),
    (("[figure]\n", "[figure]\nsize = [90.0, 90.0]\ndpi = 1200\n"), "pixels per side"),
    (('x = { min = 0.01, max = 1.0 }', 'x = { min = 1e-300, max = 1e300 }'), "outside what can be drawn"),
    (("limit_cm2_g = 1.0", "limit_cm2_g = -1.0"), "must be positive"),
    (("points = 20", "points = 100000000"), "from 2 to"),
])
def test_figure_spec_limits_one_line(tmp_path, edit, message, run_cli):
    # issue 9: huge sizes and extreme axis ranges gave tracebacks, limit_cm2_g <= 0 a blank layer with exit 0
    text = """schema = 1
name = "t"
[figure]
[[panels]]
plane = "g-chi"
x = { min = 0.01, max = 1.0 }
y = { min = 1e-3, max = 1.0 }
[[panels.layers]]
type = "self-interaction"
options = { ratio = 0.333, limit_cm2_g = 1.0, points = 20 }
"""
    path = tmp_path / "t.toml"
    path.write_text(text.replace(*edit))
    code, _, err = run_cli("figure", str(path), "--out", str(tmp_path / "t.png"))  # in-process, as above
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_errors_while_computing_a_layer_name_the_layer(monkeypatch):
    from muonreach.errors import ConvergenceError

    spec = load_spec("000-fig1")
    panel = spec.panels[0]
    layer = panel.layers[0]

    def broken(layer, panel):
        raise ConvergenceError("did not converge")

    import dataclasses

    monkeypatch.setitem(layers.LAYER_TYPES, layer.type, dataclasses.replace(layers.LAYER_TYPES[layer.type], compute=broken))
    with pytest.raises(ConvergenceError) as info:
        layers.compute(layer, panel)
    assert str(info.value).startswith(layer.where) and "did not converge" in str(info.value)


def test_bound_and_gm2_layers_come_back_from_the_disk_cache(tmp_path, monkeypatch):
    # a bound layer and the (g-2) unit contributions are computed once; a second figure run (memory copies
    # dropped, as in a new process) reads them from the disk cache and draws the same shapes
    from muonreach import cache
    from muonreach.constraints.computed import ComputedBound
    from muonreach.plot import layers
    from muonreach.plot.spec import load_spec

    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path))
    calls = []
    real = ComputedBound.evaluate
    monkeypatch.setattr(ComputedBound, "evaluate", lambda self, *a, **k: calls.append(self.name) or real(self, *a, **k))
    panel = load_spec("000-fig5").panels[0]
    picked = [next(la for la in panel.layers if la.type == t) for t in ("bound", "gm2-band")]
    cache.clear_memory()
    first = [repr(layers.compute(la, panel)) for la in picked]
    n_first = len(calls)
    cache.clear_memory()
    again = [repr(layers.compute(la, panel)) for la in picked]
    cache.clear_memory()
    assert n_first >= 1 and len(calls) == n_first and again == first


_TICKS_SPEC = """
schema = 1
name = "ticks-test"
[figure]
columns = 3
legend = "best"
[defaults]
plane = "coupling"
model = "scalar-muon"
benchmark = { g_chi = 1.0, m_chi_ratio = 0.3333333333333333 }
[[panels]]
x = { min = 0.01, max = 100.0 }
y = { min = 1e-6, max = 1.0 }
[[panels.layers]]
type = "gm2-exclusion"
options = { dataset = "pdg2016", n_sigma = 5.0 }
style = { color = "0.6", fill = true, alpha = 0.6, label = "excluded" }
[[panels.layers]]
type = "gm2-band"
options = { dataset = "pdg2016-future", n_sigma = 2.0 }
style = { color = "tab:green", hatch = "////", linewidth = 0.6, label = "band" }
[[panels]]
x = { min = 0.3, max = 2.0 }
y = { min = 1e-4, max = 1e-2 }
[[panels.layers]]
type = "gm2-band"
options = { dataset = "pdg2016", n_sigma = 2.0 }
style = { color = "tab:green", fill = true, alpha = 0.45, label = "band" }
[[panels]]
x = { min = 0.5, max = 5.0, log = false }
y = { min = 1e-4, max = 0.1 }
[[panels.layers]]
type = "gm2-band"
options = { dataset = "pdg2016", n_sigma = 2.0 }
style = { color = "purple", linestyle = "dashed", label = "band" }
"""


def test_minor_ticks_drawn_as_marks_give_the_same_pixels(tmp_path, monkeypatch):
    # render draws unlabelled minor ticks as marker lines instead of matplotlib's Tick objects (a third of the
    # drawing time of 000-fig5): the image must be the one matplotlib's own ticks give, pixel for pixel. Panels:
    # log axes of 4 and 6 decades (replaced), log axes of < 1 and 2 decades whose minor ticks carry labels (kept),
    # a linear axis (no minor ticks); a hatched band and filled regions under the marks
    from matplotlib.image import imread

    from muonreach.plot import render

    spec = parse_spec(tomllib.loads(_TICKS_SPEC), "ticks-test.toml")
    data = layers.compute_all(spec, workers=1)
    real, marks = render._minor_ticks_as_marks, []

    def counted(ax):
        real(ax)
        marks.append(sum(type(a).__name__ == "Marks" for a in ax.get_children()))

    monkeypatch.setattr(render, "_minor_ticks_as_marks", counted)
    ours = imread(render.draw(spec, data, tmp_path / "marks.png"))
    assert marks == [4, 2, 2]  # replaced: both axes of panel 1, the y axes of 2 and 3 (x: labelled minor ticks, linear)
    monkeypatch.setattr(render, "_minor_ticks_as_marks", lambda ax: None)
    theirs = imread(render.draw(spec, data, tmp_path / "ticks.png"))
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs)


def test_minor_ticks_as_marks_replace_only_unlabelled_ticks():
    from matplotlib.figure import Figure

    from muonreach.plot import render

    fig = Figure(figsize=(12.0, 5.0))
    wide, narrow = fig.subplots(1, 2)
    for ax, (lo, hi) in ((wide, (1e-6, 1.0)), (narrow, (0.3, 2.0))):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.tick_params(which="both", direction="in", top=True, right=True)
        render._minor_ticks_as_marks(ax)
    assert len(wide.xaxis.get_minorticklocs()) == 0 and len(wide.yaxis.get_minorticklocs()) == 0
    assert len(narrow.xaxis.get_minorticklocs()) > 0  # labelled minor ticks stay matplotlib's
    assert sum(type(a).__name__ == "Marks" for a in wide.get_children()) == 4  # bottom, top, left, right
