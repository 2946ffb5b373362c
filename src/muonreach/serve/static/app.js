// muonreach explorer: the page holds a one-panel figure spec (the view) and asks the server for each layer,
// the numbers under the cursor and the exports. No build step, no third-party code but Plotly.js.
"use strict";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const state = {
  catalog: null, view: null, labels: null, drawn: 0, total: 0, busy: false, job: null, cancelled: false,
  lastProbe: null, probeCount: 0, lastError: "", cache: new Map(), generation: 0, ready: false, probeBusy: false, editing: null,
};
window.muonreach = state;  // read by the browser tests and handy in the console

const $ = (id) => document.getElementById(id);

function showError(message) {
  const line = String(message || "").split(/\s+/).join(" ").trim();
  state.lastError = line;
  $("error").textContent = line;
}

function setStatus(text) { $("status").textContent = text; }

async function api(path, body, raw) {
  const init = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  if (!response.ok) {
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = { error: `HTTP ${response.status}` }; }
    const err = new Error(payload.error || `HTTP ${response.status}`);
    err.cancelled = Boolean(payload.cancelled);
    throw err;
  }
  return raw ? response : response.json();
}

const panel = () => state.view.panels[0];

// ---------------------------------------------------------------- controls <-> view

function fillSelect(select, names, selected) {
  select.innerHTML = "";
  for (const name of names) {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    if (name === selected) option.selected = true;
    select.appendChild(option);
  }
}

function parseValue(text) {
  const t = text.trim();
  if (t === "true" || t === "false") return t === "true";
  const x = Number(t);
  return t !== "" && Number.isFinite(x) ? x : t;
}

function showBenchmark() {
  const box = $("benchmark");
  box.innerHTML = "";
  const model = state.catalog.models[panel().model];
  if (!model) return;
  for (const [name, p] of Object.entries(model.parameters)) {
    const label = document.createElement("label");
    label.title = p.help;
    const value = (panel().benchmark || {})[name];
    label.innerHTML = `${name} <input class="num bench" data-param="${name}">`;
    const input = label.querySelector("input");
    input.placeholder = p.default === null ? "" : String(p.default);
    if (value !== undefined) input.value = String(value);
    box.appendChild(label);
  }
}

function showView() {
  const p = panel();
  fillSelect($("model"), Object.keys(state.catalog.models), p.model);
  $("plane").value = p.plane || "coupling";
  showBenchmark();
  for (const axis of ["x", "y"]) {
    $(`${axis}-min`).value = p[axis].min;
    $(`${axis}-max`).value = p[axis].max;
    $(`${axis}-log`).checked = p[axis].log !== false;
  }
  showLayers();
  showAddFields();
}

function readControls() {
  const p = panel();
  p.model = $("model").value;
  p.plane = $("plane").value;
  const benchmark = {};
  for (const input of document.querySelectorAll("input.bench")) {
    if (input.value.trim() !== "") benchmark[input.dataset.param] = parseValue(input.value);
  }
  p.benchmark = benchmark;
  const dataset = $("dataset").value;
  for (const layer of dataset ? p.layers || [] : []) {
    if (!layer.type.startsWith("gm2-")) continue;
    const future = String(layer.options.dataset || "").endsWith("-future");
    const name = future ? `${dataset}-future` : dataset;
    if (layer.options.dataset === name) continue;
    layer.options.dataset = name;
    const n = layer.options.n_sigma ?? (layer.type === "gm2-band" ? 2 : 5);
    layer.style = { ...(layer.style || {}), label: `(g-2) ${n} sigma ${layer.type === "gm2-band" ? "favoured" : "excluded"} (${name})` };
  }
  for (const axis of ["x", "y"]) {
    const a = { ...p[axis], min: parseValue($(`${axis}-min`).value), max: parseValue($(`${axis}-max`).value) };
    if ($(`${axis}-log`).checked) delete a.log; else a.log = false;
    p[axis] = a;
  }
}

function showLayers() {
  const list = $("layers");
  list.innerHTML = "";
  (panel().layers || []).forEach((layer, i) => {
    const item = document.createElement("li");
    const name = state.labels && state.labels.layers[i] ? state.labels.layers[i].name : layer.type;
    item.textContent = `${name} [${layer.type}]`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "remove";
    remove.className = "remove-layer";
    remove.onclick = () => { panel().layers.splice(i, 1); redraw(); };
    const edit = document.createElement("button");
    edit.type = "button";
    edit.textContent = "edit";
    edit.className = "edit-layer";
    edit.onclick = () => {
      state.editing = i;
      $("layer-json").value = JSON.stringify(panel().layers[i], null, 1);
      $("editor").hidden = false;
    };
    item.appendChild(edit);
    item.appendChild(remove);
    list.appendChild(item);
  });
}

function field(html) {
  const div = document.createElement("div");
  div.innerHTML = html;
  $("add-fields").appendChild(div);
  return div;
}

function showAddFields() {
  const box = $("add-fields");
  box.innerHTML = "";
  const type = $("add-type").value;
  const c = state.catalog;
  const model = panel().model;
  if (type === "gm2-band" || type === "gm2-exclusion") {
    field(`<label>dataset <select id="f-dataset"></select></label> <label>n sigma <input id="f-nsigma" class="short" value="${type === "gm2-band" ? 2 : 5}"></label>`);
    const names = Object.keys(c.datasets).filter((n) => c.datasets[n].lepton === "mu");
    const def = names.find((n) => c.datasets[n].default);
    fillSelect($("f-dataset"), names.flatMap((n) => [n, `${n}-future`]), def);
  } else if (type === "reach") {
    field(`<label>experiment <select id="f-experiment"></select></label>`);
    field(`<label>exposure <input id="f-exposure" class="num"></label> <label>production <select id="f-approximation"></select></label>
           <label>points <input id="f-points" class="short" value="60"></label>`);
    fillSelect($("f-experiment"), Object.keys(c.experiments), "na64mu-2018");
    const sync = () => {
      const e = c.experiments[$("f-experiment").value];
      $("f-exposure").value = e.exposure;
      $("f-exposure").title = e.exposure_key;
      fillSelect($("f-approximation"), e.approximations, e.approximation);
    };
    $("f-experiment").onchange = sync;
    sync();
  } else if (type === "limit") {
    field(`<label>curve <select id="f-limit"></select></label>`);
    const plane = panel().plane;
    fillSelect($("f-limit"), Object.keys(c.limits).filter((n) => c.limits[n].models.includes(model)
      && (c.limits[n].plane === plane || (c.limits[n].plane === "sigma-e" && plane === "coupling"))));
  } else if (type === "bound") {
    field(`<label>bound <select id="f-bound"></select></label> <label>points <input id="f-points" class="short" value="30"></label>`);
    fillSelect($("f-bound"), Object.keys(c.bounds).filter((n) => c.bounds[n].models.includes(model)));
  } else if (type === "relic") {
    field(`<label>points <input id="f-points" class="short" value="30"></label>`);
  }
}

function newLayer() {
  const type = $("add-type").value;
  const color = PALETTE[(panel().layers || []).length % PALETTE.length];
  const layer = { type, options: {}, style: { color } };
  const points = $("f-points") ? parseValue($("f-points").value) : undefined;
  if (points !== undefined) layer.options.points = points;
  if (type === "gm2-band" || type === "gm2-exclusion") {
    layer.options.dataset = $("f-dataset").value;
    layer.options.n_sigma = parseValue($("f-nsigma").value);
    layer.style = { color: type === "gm2-band" ? "tab:green" : "0.6", fill: true, alpha: type === "gm2-band" ? 0.45 : 0.6 };
  } else if (type === "reach") {
    const name = $("f-experiment").value;
    const e = state.catalog.experiments[name];
    layer.options.experiment = name;
    const set = {};
    const exposure = parseValue($("f-exposure").value);
    if (exposure !== e.exposure) set[e.exposure_key] = exposure;
    if ($("f-approximation").value !== e.approximation) set.approximation = $("f-approximation").value;
    if (Object.keys(set).length) layer.options.set = set;
  } else if (type === "limit") {
    layer.options.name = $("f-limit").value;
    layer.style = { color, fill: true, alpha: 0.25 };
  } else if (type === "bound") {
    layer.options.name = $("f-bound").value;
  }
  return layer;
}

// ---------------------------------------------------------------- drawing

function layout() {
  const p = panel();
  const axis = (a, title) => {
    const log = a.log !== false;
    const r = log ? [Math.log10(a.min), Math.log10(a.max)] : [a.min, a.max];
    return { type: log ? "log" : "linear", range: r, title: { text: title }, exponentformat: "power", showline: true, mirror: true, ticks: "inside" };
  };
  return {
    title: { text: p.title || state.view.title || "" }, margin: { t: 40, r: 10 }, hovermode: false, dragmode: "zoom",
    xaxis: axis(p.x, state.labels.x_label), yaxis: axis(p.y, state.labels.y_label),
    legend: { font: { size: 10 }, bgcolor: "rgba(255,255,255,0.8)" },
  };
}

function layerKey(i) {
  const p = panel();
  return JSON.stringify({ model: p.model, plane: p.plane, benchmark: p.benchmark, x: p.x, y: p.y, layer: p.layers[i] });
}

function setBusy(busy, text) {
  state.busy = busy;
  $("progress").hidden = !busy;
  $("cancel").hidden = !busy;
  if (text) setStatus(text);
}

async function redraw() {
  const generation = ++state.generation;
  state.ready = false;
  showError("");
  let described;
  try {
    described = await api("/api/check", { view: state.view });
  } catch (err) {
    showError(err.message);
    setStatus("the view has an error: nothing drawn");
    state.ready = true;
    return;
  }
  if (generation !== state.generation) return;
  state.labels = described;
  showLayers();
  const gd = $("plot");
  await Plotly.react(gd, [], layout(), { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] });
  state.drawn = 0;
  state.total = panel().layers.length;
  state.cancelled = false;
  const notes = [];
  const started = performance.now();
  setBusy(true);
  $("progress").max = Math.max(state.total, 1);
  for (let i = 0; i < state.total; i++) {
    if (generation !== state.generation || state.cancelled) break;
    $("progress").value = i;
    setStatus(`computing layer ${i + 1} of ${state.total}: ${described.layers[i].name} ...`);
    const key = layerKey(i);
    let result = state.cache.get(key);
    if (!result) {
      state.job = `job-${generation}-${i}-${Math.random().toString(36).slice(2)}`;
      try {
        result = await api("/api/layer", { view: state.view, index: i, job: state.job });
      } catch (err) {
        if (err.cancelled) { state.cancelled = true; break; }
        showError(err.message);
        continue;
      } finally {
        state.job = null;
      }
      state.cache.set(key, result);
    }
    if (generation !== state.generation) return;
    if (result.traces.length) await Plotly.addTraces(gd, result.traces);
    notes.push(...result.notes);
    state.drawn = i + 1;
  }
  if (generation !== state.generation) return;
  setBusy(false, state.cancelled ? `cancelled after ${state.drawn} of ${state.total} layers`
    : `${state.total} layers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  $("notes").innerHTML = "";
  for (const note of [...new Set(notes)]) {
    const p = document.createElement("div");
    p.textContent = note;
    $("notes").appendChild(p);
  }
  state.ready = true;  // every layer drawn, failed or cancelled
}

async function cancel() {
  state.cancelled = true;
  if (state.job) {
    try { await api("/api/cancel", { job: state.job }); } catch (err) { showError(err.message); }
  }
}

// ---------------------------------------------------------------- hover

function cursorPoint(event) {
  const gd = $("plot");
  const full = gd._fullLayout;
  if (!full || !full.xaxis) return null;
  const box = gd.getBoundingClientRect();
  const px = event.clientX - box.left - full.xaxis._offset;
  const py = event.clientY - box.top - full.yaxis._offset;
  if (px < 0 || py < 0 || px > full.xaxis._length || py > full.yaxis._length) return null;
  const value = (ax, f) => {
    const u = ax.range[0] + f * (ax.range[1] - ax.range[0]);
    return ax.type === "log" ? 10 ** u : u;
  };
  return { x: value(full.xaxis, px / full.xaxis._length), y: value(full.yaxis, 1 - py / full.yaxis._length) };
}

let probeInFlight = false;
let probeNext = null;

async function probeAt(point) {
  if (probeInFlight) { probeNext = point; return; }
  probeInFlight = state.probeBusy = true;
  try {
    const result = await api("/api/point", { view: state.view, x: point.x, y: point.y });
    state.lastProbe = result;
    showProbe(result);
    if (!probeNext && result.mass !== undefined) {  // Omega h^2 next, unless the cursor has moved on
      const relic = await api("/api/relic", { view: state.view, x: point.x, y: point.y });
      if (state.lastProbe === result) {
        result.relic = relic.relic;
        showProbe(result);
      }
    }
    state.probeCount += 1;
  } catch (err) {
    showError(err.message);
  } finally {
    probeInFlight = state.probeBusy = false;
    if (probeNext) { const p = probeNext; probeNext = null; probeAt(p); }
  }
}

const fmt = (v, digits = 3) => (v === null || v === undefined ? "n/a" : typeof v === "number" ? v.toPrecision(digits) : String(v));

function rows(pairs) {
  return "<table>" + pairs.map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join("") + "</table>";
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function showProbe(r) {
  const out = [];
  if (r.mass === undefined) {
    out.push(rows([["x", fmt(r.x, 4)], ["y", fmt(r.y, 4)]]));
    $("probe").innerHTML = out.join("");
    return;
  }
  out.push(`<h3 id="probe-point">${escapeHtml(r.model)}: m = ${fmt(r.mass, 4)} GeV, ${escapeHtml(r.coupling_name)} = ${fmt(r.coupling, 4)}</h3>`);
  const g = r.gm2;
  const gm2 = [["Δa_μ", fmt(g.delta_a_mu)], ["Δa_e", fmt(g.delta_a_e)]];
  for (const p of g.pulls) gm2.push([`pull ${escapeHtml(p.dataset)}`, `${p.pull >= 0 ? "+" : ""}${p.pull.toFixed(2)} σ`]);
  out.push("<h3>(g-2)</h3>" + rows(gm2));
  const d = r.decays;
  if (d.error) out.push(`<h3>decays</h3><p>${escapeHtml(d.error)}</p>`);
  else {
    const dec = [["total width", `${fmt(d.total_width)} GeV`], ["c τ", d.stable ? "stable" : `${fmt(d.ctau_cm)} cm`]];
    for (const [ch, w] of Object.entries(d.widths)) {
      if (w > 0) dec.push([`Γ(${escapeHtml(ch)})`, `${fmt(w)} GeV, BR ${d.branching_ratios ? fmt(d.branching_ratios[ch]) : "n/a"}`]);
    }
    out.push("<h3>decays</h3>" + rows(dec));
  }
  if (r.experiments.length) {
    const ex = [];
    for (const e of r.experiments) {
      const value = e.error ? escapeHtml(e.error) : `${fmt(e.events)} events (reach at ${fmt(e.events_cl)})`;
      ex.push([escapeHtml(e.experiment), value]);
      if (e.decay_length_cm !== undefined) {
        const L = e.decay_length_cm;
        ex.push(["", typeof L === "number" ? `decay length ${fmt(L)} cm at E = ${fmt(e.beam_energy)} GeV` : escapeHtml(L.error)]);
      }
    }
    out.push("<h3>events</h3>" + rows(ex));
  }
  if (r.relic === undefined) out.push("<h3>relic</h3><p>Ω h² ...</p>");
  else out.push("<h3>relic</h3>" + (r.relic.error ? `<p>${escapeHtml(r.relic.error)}</p>` : rows([["Ω h²", fmt(r.relic.omega_h2)]])));
  $("probe").innerHTML = out.join("");
}

// ---------------------------------------------------------------- exports

async function exportBlob(kind, format) {
  const response = await api(`/api/export/${kind}`, { view: state.view, format }, true);
  return response.blob();
}

async function exportFile(kind, format) {
  showError("");
  setBusy(true, `exporting ${format} ...`);
  try {
    const blob = await exportBlob(kind, format);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `explorer.${format}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setStatus(`exported explorer.${format}`);
  } catch (err) {
    showError(err.message);
  } finally {
    setBusy(false);
  }
}
state.exportText = async (kind, format) => (await exportBlob(kind, format)).text();

// ---------------------------------------------------------------- start

async function open(spec, panelNumber) {
  const query = spec ? `?spec=${encodeURIComponent(spec)}&panel=${panelNumber}` : "";
  try {
    state.view = (await api(`/api/start${query}`)).view;
  } catch (err) {
    showError(err.message);
    return;
  }
  state.labels = null;
  showView();
  await redraw();
}

async function main() {
  try {
    state.catalog = await api("/api/catalog");
  } catch (err) {
    showError(err.message);
    return;
  }
  fillSelect($("start-spec"), state.catalog.specs, "000-fig5");
  for (const name of Object.keys(state.catalog.datasets).filter((n) => state.catalog.datasets[n].lepton === "mu")) {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    $("dataset").appendChild(option);
  }
  $("open").onclick = () => open($("start-spec").value, Number($("start-panel").value));
  $("model").onchange = () => { panel().model = $("model").value; panel().benchmark = {}; showBenchmark(); showAddFields(); };
  $("plane").onchange = () => showAddFields();
  $("apply").onclick = () => { readControls(); redraw(); };
  $("add-type").onchange = showAddFields;
  $("add").onclick = () => { readControls(); panel().layers = panel().layers || []; panel().layers.push(newLayer()); redraw(); };
  $("cancel").onclick = cancel;
  $("close-editor").onclick = () => { $("editor").hidden = true; };
  $("update-layer").onclick = () => {
    let layer;
    try {
      layer = JSON.parse($("layer-json").value);
    } catch (err) {
      showError(`layer ${state.editing + 1}: not JSON: ${err.message}`);
      return;
    }
    readControls();
    panel().layers[state.editing] = layer;
    $("editor").hidden = true;
    redraw();
  };
  for (const button of document.querySelectorAll("[data-export]")) {
    button.onclick = () => exportFile(button.dataset.export, button.dataset.format);
  }
  $("plot").addEventListener("mousemove", (event) => { const p = cursorPoint(event); if (p && state.view) probeAt(p); });
  await open(null, 1);
}

main();
