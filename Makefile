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
# `make bench` writes into the git-ignored out/bench, so a user's `git status` stays clean: the pages name the code
# commit that wrote them, which would rewrite every tracked page after each code commit. reports/default/ is the
# committed copy, refreshed on purpose with `make bench OUT=reports/default`.
OUT ?= out/bench
DATA ?= ../shared/assets
LEADERBOARD_WORK ?= reports/_work/leaderboard

.PHONY: install test test-latest lock bench leaderboard lint bench-encode bench-metrics bench-mixture bench-morphology clean-cache

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip==$(PIP_VERSION)"
	$(PY) -m pip install --quiet --no-compile -c $(CONSTRAINTS) -e ".[$(EXTRAS)]"
	@# byte-compile on every core: pip does it on one (78 of its 115 s here, torch mostly). Like pip, a file this
	@# Python cannot compile (torch ships one in 3.12 syntax) is skipped; it would only be compiled at import.
	$(PY) -m compileall -qq -j 0 $(VENV)/lib || true
	touch $(STAMP)

install: $(STAMP)

# The suite in TEST_WORKERS processes (pytest-xdist; 0: in this one). Most tests are single-threaded Python, so two
# workers on two cores took it from 949 to 590 s here; each worker peaked at 1.2-1.3 GB, below the 1.86 GB of one
# process running all of it (a worker accumulates half the suite's loaded tokenizers), but the sum over both workers
# and the tests' own child processes reached ~4 GB of RSS (TEST_WORKERS=0 where memory is short).
TEST_WORKERS ?= 2
test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS)

lint: $(STAMP)
	$(VENV)/bin/ruff check tokbench tests benchmarks tools

bench: $(STAMP)
	$(VENV)/bin/tokbench run --corpora udhr --out $(OUT)
	$(VENV)/bin/tokbench report $(OUT) --inspect --title "tokbench default suite: UDHR x vendored tokenizers"

# FLORES-200 (from the data directory DATA) x every available tokenizer x the leaderboard's metric families, then
# the report and site into reports/leaderboard/ and reports/LEADERBOARD.md. Finished cells are kept in
# LEADERBOARD_WORK (git-ignored), so a warm re-run only redoes the report; only numbers are committed.
# The metrics: the default suite (tokbench.metrics.DEFAULT_METRICS), round-trip fidelity, the morphology families
# (%TR, %Pure, %L, %L-pure), the corpus-free digit probes, MorphScore (22 languages, corpus-free) and the n-gram
# bits per byte (ngram_bpb.1-3); a family name runs every `family.*` metric.
# Only the project's tokenizers (data_manifests/) and files in DATA count: the run ignores TOKBENCH_DATA,
# TOKBENCH_MANIFESTS and your own `tokbench register` registrations (TOKBENCH_HOME points at an empty folder),
# so the committed leaderboard depends on the code and DATA alone. The encode cache (TOKBENCH_CACHE) is used.
DEFAULT_METRICS = $$($(PY) -c 'from tokbench.metrics import DEFAULT_METRICS as d; print(",".join(d))')
LEADERBOARD_METRICS = $(DEFAULT_METRICS),roundtrip,tr,pure,lex,lex_pure,digits,morphscore,ngram_bpb
LEADERBOARD_ENV = env -u TOKBENCH_DATA -u TOKBENCH_MANIFESTS TOKBENCH_HOME=$(abspath $(LEADERBOARD_WORK))/no-user-home
leaderboard: $(STAMP)
	$(LEADERBOARD_ENV) $(VENV)/bin/tokbench run --corpora flores200 --data-dir $(DATA) --out $(LEADERBOARD_WORK) \
		--metrics $(LEADERBOARD_METRICS)
	$(LEADERBOARD_ENV) $(VENV)/bin/tokbench report $(LEADERBOARD_WORK) --data-dir $(DATA) --out reports/leaderboard \
		--inspect --mixture reports/mixture/real.json --markdown reports/LEADERBOARD.md \
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
	.venv-latest/bin/python -m pytest -q -n $(TEST_WORKERS)

clean-cache:
	rm -rf $${TOKBENCH_CACHE:-$$HOME/.cache/tokbench}
