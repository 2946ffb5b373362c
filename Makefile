# muonreach: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: run test lint bench install clean

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

## test: the linters, then the whole test suite
test: lint
	$(PY) -m pytest -q

## lint: ruff (style, imports, bugs)
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

## bench: benchmarks, each next to a naive baseline measured in the same run
bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) out build src/*.egg-info
