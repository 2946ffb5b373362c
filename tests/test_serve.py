"""The explorer's server side (issue 19): the view, its TOML export, the traces, the hover numbers, the bounded
worker and the HTTP API (a real uvicorn server in a thread). The page itself is tested in a browser in
test_serve_browser.py."""

import json
import math
import tomllib
import urllib.error
import urllib.request

import numpy as np
import pytest

from muonreach.errors import InvalidParameter, SpecError, UnknownName
from muonreach.plot.layers import compute, compute_all
from muonreach.plot.shapes import Band
from muonreach.plot.spec import load_spec
from muonreach.serve import tomlout
from muonreach.serve.jobs import Cancelled, Worker
from muonreach.serve.probe import probe, probe_relic
from muonreach.serve.server import Server
from muonreach.serve.traces import css_color, layer_traces, plain_label
from muonreach.serve.view import MAX_LAYER_POINTS, parse_view, shipped_view

BENCH = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}


def small_view(**panel):
    """A quick view: (g-2) band and exclusion, an NA64-mu reach of 20 masses."""
    base = {"model": "scalar-muon", "benchmark": dict(BENCH), "x": {"min": 0.01, "max": 10.0}, "y": {"min": 1e-6, "max": 1.0},
            "layers": [{"type": "gm2-band", "options": {"dataset": "pdg2016", "points": 40}, "style": {"color": "tab:green", "fill": True}},
                       {"type": "gm2-exclusion", "options": {"dataset": "pdg2016", "points": 40}},
                       {"type": "reach", "options": {"experiment": "na64mu-2018", "points": 20, "set": {"muons_on_target": 1e13}},
                        "style": {"color": "purple", "linestyle": "dashed", "label": "NA64-$\\mu$ $10^{13}$"}}]}
    base.update(panel)
    return {"schema": 1, "name": "explorer", "title": "test", "panels": [base]}


def same_layers(a, b) -> bool:
    """Computed layers equal: the same shapes (type and every array, exactly) and notes."""
    if len(a) != len(b):
        return False
    for la, lb in zip(a, b):
        if la.notes != lb.notes or len(la.shapes) != len(lb.shapes):
            return False
        for sa, sb in zip(la.shapes, lb.shapes):
            if type(sa) is not type(sb):
                return False
            for key, va in vars(sa).items():
                vb = getattr(sb, key)
                if (isinstance(va, np.ndarray) and not np.array_equal(va, vb)) or (not isinstance(va, np.ndarray) and va != vb):
                    return False
    return True


# --- view and TOML ------------------------------------------------------------------------------------------


def test_shipped_view_is_the_main_figure_panel_and_round_trips_through_toml():
    view = shipped_view()
    assert view["panels"][0]["model"] == "scalar-muon" and len(view["panels"]) == 1
    text = tomlout.dumps(view, comment="a comment")
    assert tomllib.loads(text) == view
    # the [defaults] of 000-fig5 are folded into the panel: the same layers as the shipped spec's panel 1
    mine, shipped = parse_view(view).panels[0], load_spec("000-fig5").panels[0]
    assert [(l.type, l.options, l.style) for l in mine.layers] == [(l.type, l.options, l.style) for l in shipped.layers]
    assert (mine.model, mine.benchmark, mine.x, mine.y) == (shipped.model, shipped.benchmark, shipped.x, shipped.y)


def test_toml_writer_escapes_strings_and_refuses_what_a_spec_cannot_hold():
    tricky = {"schema": 1, "name": 'a "q" \\ b\n\tc \u0001 é', "figure": {"legend": "best"}, "panels": [{"title": "x y", "layers": []}]}
    assert tomllib.loads(tomlout.dumps(tricky)) == tricky
    with pytest.raises(SpecError, match="finite"):
        tomlout.dumps({"a": math.inf})
    with pytest.raises(SpecError, match="cannot be written"):
        tomlout.dumps({"a": None})


def test_view_errors_are_the_spec_parser_s_one_line_errors():
    with pytest.raises(UnknownName, match=r"^explorer: panel 1: unknown model 'nope'"):
        parse_view(small_view(model="nope"))
    with pytest.raises(SpecError, match=r"explorer: panel 1.x.min: must be positive"):
        parse_view(small_view(x={"min": -1.0, "max": 1.0}))
    two = small_view()
    two["panels"] = two["panels"] * 2
    with pytest.raises(SpecError, match="one panel"):
        parse_view(two)
    many = small_view()
    many["panels"][0]["layers"][2]["options"]["points"] = MAX_LAYER_POINTS + 1
    with pytest.raises(InvalidParameter, match=f"above the explorer's limit of {MAX_LAYER_POINTS}"):
        parse_view(many)
    with pytest.raises(SpecError):
        parse_view(["not", "a", "table"])


# --- traces ---------------------------------------------------------------------------------------------------


def test_labels_and_colours_translate_matplotlib_styles():
    assert plain_label("$a_\\mu$ 5$\\sigma$ excluded") == "a_μ 5σ excluded"
    assert plain_label("thermal relic ($\\Omega h^2 = 0.12$)") == "thermal relic (Ω h^2 = 0.12)"
    assert plain_label("$Z \\to \\tau\\tau S$") == "Z → ττ S"
    assert css_color("0.6") == "rgba(153, 153, 153, 1)"
    assert css_color("purple", 0.5) == "rgba(128, 0, 128, 0.5)"


def test_band_traces_are_the_closed_outline_of_the_computed_band():
    spec = parse_view(small_view())
    panel = spec.panels[0]
    data = compute(panel.layers[0], panel)
    traces = layer_traces(panel.layers[0], data, 0)
    assert len(traces) == len(data.shapes) >= 1
    band = data.shapes[0]
    assert isinstance(band, Band)
    x, y = np.array(traces[0]["x"]), np.array(traces[0]["y"])
    n = band.x.size
    np.testing.assert_array_equal(x[:n], band.x)
    np.testing.assert_array_equal(y[:n], band.y_low)
    np.testing.assert_array_equal(y[n:2 * n], band.y_high[::-1])
    assert traces[0]["fill"] == "toself" and traces[0]["showlegend"] is True
    assert all(t["legendgroup"] == "layer-0" for t in traces)


# --- hover numbers --------------------------------------------------------------------------------------------


def test_probe_gives_the_library_s_numbers_at_the_point():
    from muonreach.cosmo.relic import omega_h2
    from muonreach.experiments.calculator import calculator
    from muonreach.experiments.spec import load_experiment
    from muonreach.gm2.datasets import get_dataset
    from muonreach.models.registry import get_model_spec

    spec = parse_view(small_view())
    m, g = 0.2, 3e-4
    out = probe(spec, m, g)
    mspec = get_model_spec("scalar-muon")
    model = mspec.build(m, g, BENCH)
    assert out["gm2"]["delta_a_mu"] == model.delta_a("mu")
    ds = get_dataset("pdg2016")
    assert out["gm2"]["pulls"] == [{"dataset": "pdg2016", "lepton": "mu", "delta": ds.delta, "sigma": ds.sigma,
                                    "pull": ds.pull(model.delta_a("mu"))}]
    assert out["decays"]["ctau_cm"] == model.ctau_cm and out["decays"]["widths"] == model.partial_widths()
    exp = load_experiment("na64mu-2018").with_overrides({"muons_on_target": 1e13})
    (row,) = out["experiments"]
    assert row["exposure"] == 1e13
    assert row["events"] == float(calculator(exp, mspec, m, BENCH).events(g))
    assert row["decay_length_cm"] == model.decay_length_cm(150.0)
    assert out["relic"]["omega_h2"] == omega_h2("scalar-muon", m, g, BENCH)
    assert probe_relic(spec, m, g)["relic"] == out["relic"]
    assert "relic" not in probe(spec, m, g, relic=False)


def test_probe_reports_what_does_not_apply_as_one_line():
    view = small_view(model="dark-photon", benchmark={})
    view["panels"][0]["layers"] = [{"type": "reach", "options": {"experiment": "na64mu-2018", "points": 10}}]
    out = probe(parse_view(view), 0.05, 1e-3)
    assert "error" in out["relic"] and "\n" not in out["relic"]["error"]  # a visible dark photon has no relic DM
    with pytest.raises(InvalidParameter, match="not positive"):
        probe(parse_view(small_view()), -1.0, 1e-3)


def test_probe_in_the_sigma_e_plane_maps_back_to_the_coupling_plane():
    from muonreach.plot import planes

    view = small_view(model="scalar-lepton", plane="sigma-e", x={"min": 1e-3, "max": 1.0}, y={"min": 1e-50, "max": 1e-30})
    view["panels"][0]["layers"] = []
    spec = parse_view(view)
    out = probe(spec, 0.05, 1e-40)
    _, y = planes.to_axes(spec.panels[0], np.array([out["mass"]]), np.array([out["coupling"]]))
    assert out["mass"] == pytest.approx(0.15, rel=1e-12, abs=0)  # m_chi = m_S / 3
    assert y[0] == pytest.approx(1e-40, rel=1e-10, abs=0)  # sigma_e is quadratic in g: the inverse map is exact


# --- the worker: bounded and cancellable ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def worker():
    w = Worker(max_seconds=60.0)
    yield w
    w.stop()


def slow_view():
    """A relic layer the worker cannot finish quickly (300 masses at a benchmark no other test caches)."""
    view = small_view(benchmark={"g_chi": 0.8731, "m_chi_ratio": 0.3})
    view["panels"][0]["layers"] = [{"type": "relic", "options": {"points": 300}}]
    return view


def test_worker_computes_a_layer_as_figure_does(worker):
    view = small_view()
    got = worker.run("layer", {"view": view, "index": 2})
    panel = parse_view(view).panels[0]
    assert got["traces"] == layer_traces(panel.layers[2], compute(panel.layers[2], panel), 2, panel)
    with pytest.raises(InvalidParameter, match="layer index must be an integer from 0 to 2"):
        worker.run("layer", {"view": view, "index": 7})


def test_worker_computes_an_exact_production_layer(worker):
    # Exact 2 -> 3 production is an explorer option like iww and ww. For 160 GeV muons on Pb with x > 0.5 exact and
    # WW differ by < 3 % in sigma up to 3 GeV (docs/exact-production.md), so the coupling edge (sqrt of the yield)
    # agrees within 2 % at 10-300 MeV; IWW would be 1.3-1.6x lower in coupling there, so the check can fail.
    edges = {}
    for approx in ("ww", "exact"):
        view = small_view(x={"min": 0.01, "max": 0.3})
        view["panels"][0]["layers"] = [{"type": "reach", "options": {
            "experiment": "na64mu-2018", "points": 3, "set": {"muons_on_target": 1e13, "approximation": approx}}}]
        got = worker.run("layer", {"view": view, "index": 0})
        panel = parse_view(view).panels[0]
        edges[approx] = compute(panel.layers[0], panel).shapes[0].y_low
        assert got["traces"]
    np.testing.assert_allclose(edges["exact"], edges["ww"], rtol=0.02)


def test_worker_stops_a_task_past_its_time_and_serves_the_next(worker):
    worker.run("layer", {"view": small_view(), "index": 0})  # started and warm
    worker.max_seconds = 0.5
    try:
        with pytest.raises(InvalidParameter, match=r"longer than the explorer's limit of 0\.5 s"):
            worker.run("layer", {"view": slow_view(), "index": 0}, what="slow")
    finally:
        worker.max_seconds = 60.0
    assert worker.run("layer", {"view": small_view(), "index": 0})["index"] == 0  # a new worker process


def test_worker_cancel_ends_the_running_task(worker):
    import threading

    worker.run("layer", {"view": small_view(), "index": 0})
    timer = threading.Timer(0.3, worker.cancel, args=("job-1",))
    timer.start()
    with pytest.raises(Cancelled):
        worker.run("layer", {"view": slow_view(), "index": 0}, job="job-1")
    timer.join()
    assert worker.run("layer", {"view": small_view(), "index": 1})["index"] == 1


# --- HTTP --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    s = Server(port=0, max_seconds=60.0).start()
    yield s
    s.stop()


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type"), err.read()


def test_server_binds_loopback_and_serves_the_page_and_plotly(server):
    assert server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(server.url, timeout=10) as r:
        assert b"plotly.min.js" in r.read()
    with urllib.request.urlopen(server.url + "vendor/plotly.min.js", timeout=10) as r:
        assert len(r.read()) > 1_000_000
    with urllib.request.urlopen(server.url + "api/catalog", timeout=30) as r:
        cat = json.loads(r.read())
    assert "na64mu-2018" in cat["experiments"] and "scalar-muon" in cat["models"] and "000-fig5" in cat["specs"]
    assert cat["experiments"]["na64mu-2018"]["approximations"] == ["iww", "ww", "exact"]


def test_http_errors_are_one_line_and_match_the_cli(server, run_cli, tmp_path):
    bad = small_view(y={"min": 1e-6, "max": 1e-7})
    status, kind, body = post(server.url + "api/layer", {"view": bad, "index": 0})
    assert status == 400 and kind == "application/json"
    message = json.loads(body)["error"]
    assert "\n" not in message and "Traceback" not in message
    path = tmp_path / "bad.toml"
    path.write_text(tomlout.dumps(bad))
    code, _, err = run_cli("figure", str(path), "--out", str(tmp_path / "bad.png"))
    assert code == 2
    assert err.strip() == f"muonreach: error: {message}".replace("explorer:", f"{path}:", 1)  # only the origin differs
    for body in (b"not json", json.dumps([1]).encode()):
        req = urllib.request.Request(server.url + "api/check", data=body, headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(req, timeout=10)
        assert info.value.code == 400 and "JSON" in json.loads(info.value.read())["error"]


def test_requests_cannot_reach_files_or_come_from_other_sites(server, tmp_path):
    # a path instead of a shipped name is refused before any file is opened
    secret = tmp_path / "secret.toml"
    secret.write_text("not = 'an experiment'")
    view = small_view()
    view["panels"][0]["layers"][2]["options"]["experiment"] = str(secret)
    status, _, body = post(server.url + "api/check", {"view": view})
    assert status == 400 and "the explorer takes the shipped names" in json.loads(body)["error"]
    view["panels"][0]["layers"] = [{"type": "limit", "options": {"name": "/etc/passwd"}}]
    status, _, body = post(server.url + "api/layer", {"view": view, "index": 0})
    assert status == 400 and "unknown limit curve '/etc/passwd'" in json.loads(body)["error"]
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server.url + "api/start?spec=/etc/passwd", timeout=10)
    assert info.value.code == 400 and "unknown figure spec" in json.loads(info.value.read())["error"]
    # a POST another site's page could send without a CORS preflight (text/plain) is refused
    req = urllib.request.Request(server.url + "api/check", data=json.dumps({"view": small_view()}).encode(),
                                 headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=10)
    assert info.value.code == 400 and "application/json" in json.loads(info.value.read())["error"]
    # DNS rebinding: a request naming another host is refused
    req = urllib.request.Request(server.url + "api/catalog", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=10)
    assert info.value.code == 400


def test_exports_render_the_view_as_muonreach_figure_does(server, tmp_path):
    view = small_view()
    status, _, text = post(server.url + "api/export/spec", {"view": view})
    assert status == 200
    path = tmp_path / "explorer.toml"
    path.write_bytes(text)
    (mine,), (theirs,) = compute_all(parse_view(view)), compute_all(load_spec(path))
    assert same_layers(mine, theirs) and len(mine) == 3
    status, kind, png = post(server.url + "api/export/figure", {"view": view, "format": "png"})
    assert status == 200 and kind == "image/png" and png.startswith(b"\x89PNG")
    status, _, svg = post(server.url + "api/export/figure", {"view": view, "format": "svg"})
    assert status == 200 and b"<svg" in svg[:2000]
    status, _, csv_text = post(server.url + "api/export/data", {"view": view, "format": "csv"})
    lines = csv_text.decode().splitlines()
    assert lines[0] == "layer,type,label,shape,kind,x,y,y_high" and len(lines) > 40
    status, _, js = post(server.url + "api/export/data", {"view": view, "format": "json"})
    layers = json.loads(js)["layers"]
    band = compute_all(parse_view(view))[0][0].shapes[0]
    rows = [r for r in layers[0]["rows"] if r["shape"] == 0]
    assert [r["x"] for r in rows] == band.x.tolist() and [r["y_high"] for r in rows] == band.y_high.tolist()
    status, _, body = post(server.url + "api/export/figure", {"view": view, "format": "gif"})
    assert status == 400 and "png, pdf, svg" in json.loads(body)["error"]


def test_serve_command_errors_are_one_line(run_cli):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        code, _, err = run_cli("serve", "--port", str(busy.getsockname()[1]))
    assert code == 2 and err.startswith("muonreach: error: cannot listen on 127.0.0.1:") and err.count("\n") == 1
    code, _, err = run_cli("serve", "--spec", "no-such-spec", "--port", "0")
    assert code == 2 and "no-such-spec" in err and err.count("\n") == 1
