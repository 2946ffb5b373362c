"""The explorer in a real browser (issue 19): headless Chromium (Debian's chromium + chromium-driver, installed by
`make test`) driven by selenium against `muonreach serve` in a thread. The page loads, the layers appear, a hover
shows the numbers at the cursor, the exported spec renders with `muonreach figure` to the same curves the page
drew (data, not pixels), a bad input shows its one-line error, a computing layer can be cancelled. Chromium missing
is a failure, not a skip: `make test` installs it."""

import json
import math

import numpy as np
import pytest

from muonreach.errors import InvalidParameter, MuonReachError
from muonreach.plot.layers import compute_all
from muonreach.plot.spec import load_spec
from muonreach.serve import tomlout
from muonreach.serve.screenshot import chrome, wait_for
from muonreach.serve.server import Server
from muonreach.serve.traces import layer_rows, layer_traces
from muonreach.serve.view import parse_view
from test_serve import BENCH, same_layers

SLOW = 60.0  # s: the longest any wait here may take (a cold cache on a loaded 2-core machine)


def start_spec(tmp_path_factory):
    """The page opens on this spec: (g-2) band and exclusion, two reach layers, a relic line of 8 masses."""
    view = {"schema": 1, "name": "browser-test", "title": "browser test", "panels": [{
        "model": "scalar-muon", "benchmark": dict(BENCH), "x": {"min": 0.01, "max": 10.0}, "y": {"min": 1e-6, "max": 1.0},
        "layers": [
            {"type": "gm2-exclusion", "options": {"dataset": "pdg2016", "n_sigma": 5.0, "points": 40},
             "style": {"color": "0.6", "fill": True}},
            {"type": "gm2-band", "options": {"dataset": "pdg2016", "points": 40},
             "style": {"color": "tab:green", "fill": True, "alpha": 0.45, "label": "$a_\\mu$ 2$\\sigma$"}},
            {"type": "reach", "options": {"experiment": "na64mu-2018", "points": 20}, "style": {"color": "purple"}},
            {"type": "reach", "options": {"experiment": "m3-phase2", "points": 20, "set": {"approximation": "ww"}}},
            {"type": "relic", "options": {"points": 8}, "style": {"color": "red"}},
        ]}]}
    path = tmp_path_factory.mktemp("serve-browser") / "start.toml"
    path.write_text(tomlout.dumps(view))
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    spec = start_spec(tmp_path_factory)
    server = Server(port=0, spec=str(spec), max_seconds=SLOW).start()
    driver = chrome()
    try:
        yield server, driver, spec
    finally:
        driver.quit()
        server.stop()


def wait(driver, script, timeout=SLOW):
    """Poll a JavaScript expression until it is truthy; returns its value."""
    try:
        return wait_for(driver, script, timeout)
    except InvalidParameter as exc:
        raise AssertionError(f"waiting for {script}: {exc}") from None


def load(served):
    server, driver, _ = served
    driver.get(server.url)
    wait(driver, "window.muonreach.ready && window.muonreach.drawn === window.muonreach.total")
    return driver


def drawn_traces(driver):
    return driver.execute_script("return document.getElementById('plot').data"
                                 ".map(t => ({x: t.x, y: t.y, group: t.legendgroup, name: t.name}))")


def test_page_loads_and_draws_every_layer(served):
    driver = load(served)
    assert driver.execute_script("return window.muonreach.lastError") == ""
    traces = drawn_traces(driver)
    groups = {t["group"] for t in traces}
    assert groups == {f"layer-{i}" for i in range(5)}
    assert "5 layers in" in driver.find_element("id", "status").text
    # the layers' list and the legend carry the plain-text labels
    assert "a_μ 2σ" in driver.find_element("id", "layers").text
    assert driver.execute_script("return document.querySelector('#plot .legend').textContent").count("a_μ 2σ") == 1
    axis = driver.execute_script("return document.getElementById('plot')._fullLayout.xaxis.type")
    assert axis == "log"


def test_hover_shows_the_numbers_at_the_cursor(served):
    from selenium.webdriver.common.action_chains import ActionChains

    from muonreach.models.registry import get_model_spec

    driver = load(served)
    plot = driver.find_element("id", "plot")
    before = driver.execute_script("return window.muonreach.probeCount")
    ActionChains(driver).move_to_element_with_offset(plot, -60, 40).perform()
    wait(driver, f"window.muonreach.probeCount > {before}")
    # the answer to the last move, with Omega h^2 (asked for after the other numbers)
    wait(driver, "!window.muonreach.probeBusy && window.muonreach.lastProbe.relic !== undefined")
    r = driver.execute_script("return window.muonreach.lastProbe")
    # the point is where the cursor is: inside the axes, and the mass/coupling map of the page's log axes
    assert 0.01 < r["mass"] < 10.0 and 1e-6 < r["coupling"] < 1.0
    model = get_model_spec("scalar-muon").build(r["mass"], r["coupling"], BENCH)
    assert r["gm2"]["delta_a_mu"] == pytest.approx(model.delta_a("mu"), rel=1e-12, abs=0)
    text = driver.find_element("id", "probe").text
    shown = driver.execute_script("return arguments[0].toPrecision(3)", model.delta_a("mu"))
    assert f"Δa_μ {shown}" in text
    assert "pull pdg2016" in text and "na64mu-2018" in text and "m3-phase2" in text and "Ω h²" in text
    assert [e["experiment"] for e in r["experiments"]] == ["na64mu-2018", "m3-phase2"]
    assert math.isfinite(r["relic"]["omega_h2"])


def test_exported_spec_renders_with_muonreach_figure_to_the_drawn_curves(served, tmp_path, run_cli):
    driver = load(served)
    text = driver.execute_async_script("const done = arguments[0]; window.muonreach.exportText('spec', 'toml').then(done)")
    assert text.startswith("# Exported by the muonreach")
    path = tmp_path / "explorer.toml"
    path.write_text(text)
    spec = load_spec(path)
    (data,) = compute_all(spec)
    traces = drawn_traces(driver)
    panel = spec.panels[0]
    expected = [t for i, layer in enumerate(panel.layers) for t in layer_traces(layer, data[i], i, panel)]
    assert len(traces) == len(expected) >= 5
    for got, want in zip(traces, expected):
        assert got["group"] == want["legendgroup"]
        np.testing.assert_array_equal(np.array(got["x"], dtype=float), np.array(want["x"]))  # JSON keeps doubles exactly
        np.testing.assert_array_equal(np.array(got["y"], dtype=float), np.array(want["y"]))
    # the layers' data the page exports are the exported spec's computed shapes
    exported = driver.execute_async_script("const done = arguments[0]; window.muonreach.exportText('data', 'json').then(done)")
    rows = [row for layer in json.loads(exported)["layers"] for row in layer["rows"]]
    assert rows == [row for i, layer in enumerate(panel.layers) for row in layer_rows(layer, data[i], i)]
    # the start spec and the exported one give the same layers, and `muonreach figure` draws it
    (start,) = compute_all(load_spec(served[2]))
    assert same_layers(start, data)
    code, _, err = run_cli("figure", str(path), "--out", str(tmp_path / "explorer.png"))
    assert code == 0, err
    assert (tmp_path / "explorer.png").read_bytes().startswith(b"\x89PNG")


def test_a_bad_input_shows_its_one_line_error(served):
    driver = load(served)
    box = driver.find_element("id", "x-min")
    box.clear()
    box.send_keys("-1")
    driver.find_element("id", "apply").click()
    error = wait(driver, "document.getElementById('error').textContent")
    assert error == "explorer: panel 1.x.min: must be positive, got -1"
    assert "\n" not in driver.find_element("id", "error").text
    # a benchmark value that is not a number: the model registry's message, as parse_view gives it
    box.clear()
    box.send_keys("0.01")
    g_chi = driver.find_element("css selector", "input.bench[data-param=g_chi]")
    g_chi.clear()
    g_chi.send_keys("abc")
    driver.find_element("id", "apply").click()
    wait(driver, "document.getElementById('error').textContent.includes('g_chi')")
    view = driver.execute_script("return window.muonreach.view")
    with pytest.raises(MuonReachError) as info:
        parse_view(view)
    assert driver.find_element("id", "error").text == str(info.value)


def test_adding_a_layer_and_cancelling_a_long_one(served):
    driver = load(served)
    n = len(drawn_traces(driver))
    driver.find_element("id", "add-type").send_keys("experiment reach")
    driver.execute_script("document.getElementById('add-type').value = 'reach'; document.getElementById('add-type').onchange()")
    driver.execute_script("const e = document.getElementById('f-experiment'); e.value = 'na64mu-2022'; e.onchange()")
    driver.execute_script("document.getElementById('f-points').value = '12'")
    driver.find_element("id", "add").click()
    wait(driver, "!window.muonreach.busy && window.muonreach.total === 6 && window.muonreach.drawn === 6")
    assert len(drawn_traces(driver)) > n  # the new layer, the others from the page's cache
    assert driver.execute_script("return window.muonreach.view.panels[0].layers[5].options") == {"experiment": "na64mu-2022", "points": 12}
    # a relic line of 300 masses at a benchmark nobody cached: cancel it while it computes
    driver.execute_script("document.getElementById('add-type').value = 'relic'; document.getElementById('add-type').onchange()")
    driver.execute_script("document.getElementById('f-points').value = '300'")
    driver.execute_script("document.querySelector('input.bench[data-param=g_chi]').value = '0.7312'")
    driver.find_element("id", "add").click()
    wait(driver, "window.muonreach.job && window.muonreach.busy && document.getElementById('status').textContent.includes('layer 7 of 7')")
    driver.find_element("id", "cancel").click()
    status = wait(driver, "!window.muonreach.busy && document.getElementById('status').textContent.includes('cancelled') "
                          "&& document.getElementById('status').textContent", timeout=20)
    assert status == "cancelled after 6 of 7 layers"
    assert driver.execute_script("return window.muonreach.lastError") == ""


def test_legend_toggles_a_layer_and_axes_switch_to_linear(served):
    driver = load(served)
    driver.find_element("css selector", "#plot .legend .traces .legendtoggle").click()
    hidden = wait(driver, "document.getElementById('plot').data.filter(t => t.visible === 'legendonly').map(t => t.legendgroup)")
    assert set(hidden) == {"layer-0"}  # every shape of the first layer, nothing else
    driver.find_element("id", "y-log").click()
    driver.find_element("id", "apply").click()
    wait(driver, "window.muonreach.ready && document.getElementById('plot')._fullLayout.yaxis.type === 'linear'")
    assert driver.execute_script("return window.muonreach.view.panels[0].y.log") is False
    assert driver.execute_script("return window.muonreach.lastError") == ""


def test_screenshot_command_writes_the_drawn_page(served, tmp_path, run_cli):
    out = tmp_path / "explorer.png"
    code, stdout, err = run_cli("serve", "--port", "0", "--spec", str(served[2]), "--screenshot", str(out), "--json")
    assert code == 0, err
    assert json.loads(stdout)["file"] == str(out)
    png = out.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000  # the drawn page, not an empty one


def test_the_dataset_menu_switches_every_g2_layer(served):
    from muonreach.gm2.datasets import get_dataset

    driver = load(served)
    driver.execute_script("document.getElementById('dataset').value = 'wa2025-wp2025'")
    driver.find_element("id", "apply").click()
    wait(driver, "window.muonreach.ready && window.muonreach.view.panels[0].layers[0].options.dataset === 'wa2025-wp2025'")
    layers = driver.execute_script("return window.muonreach.view.panels[0].layers")
    assert [layer["options"].get("dataset") for layer in layers[:2]] == ["wa2025-wp2025", "wa2025-wp2025"]
    assert layers[1]["style"]["label"] == "(g-2) 2 sigma favoured (wa2025-wp2025)"
    assert driver.execute_script("return window.muonreach.lastError") == ""
    # the hover's pull is against the new dataset
    done = driver.execute_async_script(
        "const done = arguments[0]; fetch('/api/point', {method: 'POST', headers: {'Content-Type': 'application/json'}, "
        "body: JSON.stringify({view: window.muonreach.view, x: 0.1, y: 1e-3})}).then(r => r.json()).then(done)")
    assert [p["dataset"] for p in done["gm2"]["pulls"]] == ["wa2025-wp2025"]
    ds = get_dataset("wa2025-wp2025")
    assert done["gm2"]["pulls"][0]["pull"] == ds.pull(done["gm2"]["delta_a_mu"])


def test_a_layer_is_edited_in_place(served):
    driver = load(served)
    driver.find_elements("css selector", "#layers .edit-layer")[2].click()  # the NA64-mu reach
    box = driver.find_element("id", "layer-json")
    layer = json.loads(box.get_attribute("value"))
    assert layer["options"]["experiment"] == "na64mu-2018"
    layer["options"]["set"] = {"muons_on_target": 1e13, "approximation": "ww"}
    driver.execute_script("arguments[0].value = arguments[1]", box, json.dumps(layer))
    driver.find_element("id", "update-layer").click()
    wait(driver, "window.muonreach.ready && window.muonreach.view.panels[0].layers[2].options.set")
    assert driver.execute_script("return window.muonreach.lastError") == ""
    spec = parse_view(driver.execute_script("return window.muonreach.view"))
    (data,) = compute_all(spec)
    got = [t for t in drawn_traces(driver) if t["group"] == "layer-2"]
    want = layer_traces(spec.panels[0].layers[2], data[2], 2, spec.panels[0])
    assert [t["x"] for t in got] == [t["x"] for t in want] and [t["y"] for t in got] == [t["y"] for t in want]
    # malformed JSON: a one-line message, the view unchanged
    driver.find_elements("css selector", "#layers .edit-layer")[2].click()
    driver.execute_script("arguments[0].value = '{not json'", box)
    driver.find_element("id", "update-layer").click()
    assert driver.find_element("id", "error").text.startswith("layer 3: not JSON:")
