# Embeddings in LLMs: `make lab` to learn, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the site's extra packages (requirements-site.txt), in whichever environment BIN names
SITE_STAMP := $(BIN)/../.site-installed
SITE_DIR   ?= build/site
NB_TIMEOUT ?= 300
# JupyterLab refuses to start as root unless told; containers and CI often run as root
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: venv lab test lint unit notebooks determinism execute clean-notebooks bench doctor clean \
	test-offline test-memory test-latest mutation stress-checkers site site-test

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
	$(BIN)/python -m pytest -q -p tests.nbval_guard --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout=$(NB_TIMEOUT) --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

# reruns each notebook with another hash seed and one thread; checked cells must not change
determinism: venv
	$(BIN)/python -m tests.check_determinism

test: lint unit notebooks determinism site-test

# the whole suite inside a network namespace that has only loopback (Linux, root or userns)
test-offline: venv $(SITE_STAMP)
	unshare -n -r sh -c 'ip link set lo up 2>/dev/null; $(MAKE) --no-print-directory test'

# the notebooks under a 3.5 GB address-space limit. Address space is not resident memory:
# a kernel with torch, transformers and sklearn reserves ~2.9-3.0 GB of it (peaking at
# 1.3 GB resident) once glibc's per-thread malloc arenas are capped, and ~3.9 GB without
test-memory: venv
	sh -c 'ulimit -v 3500000 && MALLOC_ARENA_MAX=2 $(MAKE) --no-print-directory notebooks'

# the newest versions requirements.txt allows, in a separate environment
test-latest:
	test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade \
	  --upgrade-strategy eager -r requirements.txt
	.venv-latest/bin/python -m pip freeze > .venv-latest/versions.txt
	$(MAKE) --no-print-directory BIN=.venv-latest/bin STAMP=.venv-latest/versions.txt test

# re-run every notebook in place, top to bottom in a fresh kernel, and clean its metadata
execute: venv
	$(BIN)/python tools/execute_notebooks.py notebooks

clean-notebooks: venv
	$(BIN)/python tools/execute_notebooks.py --clean-only notebooks

# small mutants of the core of positions, geometry, evaluate and sgns: the share the unit
# tests kill goes to bench/results/mutation.md (slow; not part of `make test`)
mutation: venv
	$(BIN)/python tools/mutation.py

# the exercise checkers draw fresh inputs on every call, so a wrong answer could pass on an
# unlucky draw: this runs their tests REPEAT times each (slow; not part of `make test`).
# Any failure is a checker whose cases do not always contain the mistake its test names.
# (6.4's tests take 1-3 s a run and are left out; run them with -k paired_bootstrap_.)
REPEAT ?= 300
CHECKER_TESTS := tests/test_checkers_l01_l03.py tests/test_checkers_l04_l06.py \
	tests/test_checks.py $(wildcard tests/test_lesson0*.py)
stress-checkers: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider --repeat-each=$(REPEAT) $(CHECKER_TESTS) \
	  -k "not hand_built and not plain_loop and not sentence_vector and not importing \
	  and not solutions_agree and not solutions_hold and not paired_bootstrap_"

# every bench/bench_*.py writes its report to bench/results/
bench: venv
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache

# the course website from the committed, executed notebooks (nothing is re-run):
# warnings and broken cross-references fail the build, then every local link and asset
# is checked (build/site/index.html opens offline; README.md says how to publish it)
$(SITE_STAMP): requirements-site.txt $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-site.txt
	touch $(SITE_STAMP)

site: $(SITE_STAMP)
	$(BIN)/python -m sphinx -b html -n -W --keep-going -q -c site . $(SITE_DIR)
	$(BIN)/python site/check_links.py $(SITE_DIR)

# the built site in headless Chromium (skipped, saying why, where chromium is absent)
site-test: site
	COURSE_SITE_DIR=$(SITE_DIR) $(BIN)/python -m pytest -q -ra tests/test_site.py

# the course GPT (datasets/course_gpt/, lesson 07): seed 0, wiki sample, then the manifest's
# checksums are refreshed. About 15 minutes on 2 CPU cores; on a GPU: make model DEVICE=cuda
.PHONY: model
model: venv
	$(BIN)/python -m course_utils train-gpt $(if $(DEVICE),--device $(DEVICE),)
	$(BIN)/python tools/make_manifest.py
