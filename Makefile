# muonreach: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: run test lint bench install browser serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## run: the main job: the benchmark table, then the main figure (000 Fig. 5, both panels) in out/
run: $(STAMP)
	$(VENV)/bin/muonreach summary
	mkdir -p out
	$(VENV)/bin/muonreach figure 000-fig5 --out out/000-fig5.png

## test: the linters, then the whole test suite on 2 processes (pytest-xdist, in the test extra; docs/speed.md
## "suite2", "suite3": worksteal balances the two workers); the explorer's browser tests need Chromium: see `browser`
test: lint browser
	$(PY) -m pytest -q -p xdist -n 2 --dist worksteal

## browser: headless Chromium and its driver for the browser tests (Debian packages; nothing if present)
browser:
	@if ! command -v chromedriver >/dev/null 2>&1 || ! { command -v chromium || command -v chromium-browser; } >/dev/null 2>&1; then \
	  echo "installing chromium and chromium-driver (Debian packages) for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

## serve: the interactive explorer on http://127.0.0.1:8765/
serve: $(STAMP)
	$(VENV)/bin/muonreach serve

## lint: ruff (style, imports, bugs), then mypy on the package (config in pyproject.toml [tool.mypy])
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks admin
	$(VENV)/bin/mypy src/muonreach

## bench: benchmarks, each next to a naive baseline measured in the same run
bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) out build src/*.egg-info
