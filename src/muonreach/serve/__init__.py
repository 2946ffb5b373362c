"""``muonreach serve``: an interactive explorer of the (mass, coupling) plane in the browser.

The page holds one panel of a figure spec (the same TOML structure ``muonreach figure`` reads) and edits it;
the server validates it with :func:`muonreach.plot.spec.parse_spec` (the same one-line errors as the CLI),
computes each layer with :func:`muonreach.plot.layers.compute` in a worker process (bounded in points and
time, cancellable), and answers hover queries at a point with muonreach's own functions. Modules:

* ``view``: the view (a one-panel figure spec), its limits and the shipped spec it opens on;
* ``tomlout``: the view written back as a figure spec TOML;
* ``traces``: computed layers as Plotly traces, and the layers' data as rows for CSV / JSON;
* ``probe``: the numbers at a point of the plane (Delta a and pulls, widths, c tau, events, Omega h^2);
* ``jobs``: the worker process that runs the bounded, cancellable computations;
* ``app``: the HTTP API and the static page (FastAPI), ``static/``: the page (no build step, no CDN).

The front end draws with Plotly.js, served from the ``plotly`` wheel (docs/serve.md says why).
"""

from __future__ import annotations
