# tokbench: `make bench` runs the default suite on the embedded data, `make test` the tests.
# Each target sets up .venv (once, or again when pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= reports/default

.PHONY: install test bench lint bench-encode bench-metrics bench-mixture clean-cache

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check tokbench tests benchmarks tools

bench: $(STAMP)
	$(VENV)/bin/tokbench run --corpora udhr --out $(OUT)
	$(VENV)/bin/tokbench report $(OUT)

bench-encode: $(STAMP)
	$(PY) benchmarks/bench_encode.py

bench-metrics: $(STAMP)
	$(PY) benchmarks/bench_metrics.py --json reports/bench_metrics.json

bench-mixture: $(STAMP)
	$(PY) benchmarks/mixture_stages.py --lp-time-limit 240

clean-cache:
	rm -rf $${TOKBENCH_CACHE:-$$HOME/.cache/tokbench}
