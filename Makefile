# tokbench: `make bench` runs the default suite on the embedded data, `make test` the tests.
# Each target sets up .venv (once, or again when pyproject.toml or constraints.txt changes).
#
# Installs are reproducible: `make` installs the exact versions pinned in constraints.txt (CI too),
# while pyproject.toml keeps honest ranges for library users. `make lock` re-resolves the newest
# versions the ranges allow into constraints.txt; `make test-latest` runs the tests against them
# in a separate venv without touching the pinned one.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CONSTRAINTS := constraints.txt
PIP_VERSION := 26.3
EXTRAS ?= dev,model,dask,fast
OUT ?= reports/default
DATA ?= ../shared/assets
LEADERBOARD_WORK ?= reports/_work/leaderboard
LEADERBOARD_METRICS ?=

.PHONY: install test test-latest lock bench leaderboard lint bench-encode bench-metrics bench-mixture bench-morphology clean-cache

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip==$(PIP_VERSION)"
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check tokbench tests benchmarks tools

bench: $(STAMP)
	$(VENV)/bin/tokbench run --corpora udhr --out $(OUT)
	$(VENV)/bin/tokbench report $(OUT) --inspect --title "tokbench default suite: UDHR x vendored tokenizers"

# FLORES-200 (from the data directory DATA) x every available tokenizer x the metric suite, then the
# report and site into reports/leaderboard/ and reports/LEADERBOARD.md. Finished cells are kept in
# LEADERBOARD_WORK (git-ignored), so a warm re-run only redoes the report; only numbers are committed.
leaderboard: $(STAMP)
	$(VENV)/bin/tokbench run --quiet --corpora flores200 --data-dir $(DATA) --out $(LEADERBOARD_WORK) \
		$(if $(LEADERBOARD_METRICS),--metrics $(LEADERBOARD_METRICS))
	$(VENV)/bin/tokbench report $(LEADERBOARD_WORK) --quiet --data-dir $(DATA) --out reports/leaderboard --inspect \
		--mixture reports/mixture/real.json --markdown reports/LEADERBOARD.md \
		--title "tokbench leaderboard: FLORES-200 x every available tokenizer"

bench-encode: $(STAMP)
	$(PY) benchmarks/bench_encode.py

bench-metrics: $(STAMP)
	$(PY) benchmarks/bench_metrics.py --json reports/bench_metrics.json

bench-mixture: $(STAMP)
	$(PY) benchmarks/mixture_stages.py --lp-time-limit 240

bench-morphology: $(STAMP)
	$(PY) benchmarks/bench_morphology.py --in-process

# Re-resolve every dependency to the newest versions the pyproject ranges allow and pin them.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet "pip==$(PIP_VERSION)"
	.venv-lock/bin/python -m pip install --quiet -c constraints.in -e ".[$(EXTRAS)]"
	{ echo "# pinned by 'make lock' on $$(date -u +%Y-%m-%d) with Python $$(.venv-lock/bin/python -c 'import platform; print(platform.python_version())'); make installs exactly these"; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^tokbench'; } > $(CONSTRAINTS)
	rm -rf .venv-lock

# The test suite against the newest versions the ranges allow (what a fresh `pip install tokbench` gets).
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade -c constraints.in -e ".[$(EXTRAS)]"
	.venv-latest/bin/python -m pytest -q

clean-cache:
	rm -rf $${TOKBENCH_CACHE:-$$HOME/.cache/tokbench}
