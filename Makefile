# Embeddings in LLMs: `make lab` to learn, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB_TIMEOUT ?= 300
# JupyterLab refuses to start as root unless told; containers and CI often run as root
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: venv lab test lint unit notebooks execute clean-notebooks bench doctor clean

venv: $(STAMP)

# (re)build the environment only when it is missing or requirements changed
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	  "Python >= 3.11 is required (found %d.%d): set PYTHON=python3.11 or newer" % sys.version_info[:2])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

lab: venv
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

doctor: venv
	$(BIN)/python -m course_utils doctor

lint: venv
	$(BIN)/ruff check course_utils tests tools bench notebooks

unit: venv
	$(BIN)/python -m pytest -q tests

notebooks: venv
	$(BIN)/python -m pytest -q --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout=$(NB_TIMEOUT) --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

test: lint unit notebooks

# re-run every notebook in place, top to bottom in a fresh kernel, and clean its metadata
execute: venv
	$(BIN)/python tools/execute_notebooks.py notebooks

clean-notebooks: venv
	$(BIN)/python tools/execute_notebooks.py --clean-only notebooks

# every bench/bench_*.py writes its report to bench/results/
bench: venv
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache
