# Thin wrappers. Serving targets install the runtime lock only; test targets add the dev lock.
# A target reinstalls when its lock file changes. `make lock` regenerates both locks from
# pyproject.toml (existing pins are kept; new dependencies are resolved and pinned).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
UV_VERSION ?= 0.13.9
RUNTIME_LOCK := requirements/runtime.lock
DEV_LOCK     := requirements/dev.lock
PORT   ?= 5000
HOST   ?= 127.0.0.1
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# Threads: a worker waiting on the PDF renderer process still serves other patients.
THREADS ?= 8
# Longer than a browser's pause between pages, so a reused connection is not closed under it.
KEEP_ALIVE ?= 10
# yes: a mypy error fails `make test`; no: errors are printed and the run goes on.
TYPECHECK_REQUIRED ?= yes
export NLTK_DATA := $(CURDIR)/.nltk_data

.PHONY: install install-dev lock run serve test test-sqlite test-postgres lint typecheck \
	bench profile load lighthouse clean translations compile-translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.runtime-installed: $(RUNTIME_LOCK) | $(UV)
	$(UV) pip install -q --python $(BIN)/python -r $(RUNTIME_LOCK)
	@touch $@

$(VENV)/.dev-installed: $(DEV_LOCK) $(VENV)/.runtime-installed | $(UV)
	$(UV) pip install -q --python $(BIN)/python -r $(DEV_LOCK)
	@touch $@

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

# The dev lock is constrained by the runtime lock, so both pin the same serving packages.
lock: | $(UV)
	$(UV) pip compile -q pyproject.toml --python-version 3.11 \
	  --custom-compile-command "make lock" -o $(RUNTIME_LOCK)
	$(UV) pip compile -q pyproject.toml --extra dev --python-version 3.11 \
	  -c $(RUNTIME_LOCK) --custom-compile-command "make lock" -o $(DEV_LOCK)

# Gettext catalogs: the .po files are committed; the .mo files are built here, never by hand.
TRANSLATIONS := decision_aid/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

compile-translations: install
	@if [ -n "$(CATALOGS)" ]; then $(BIN)/pybabel -q compile -f -d $(TRANSLATIONS); fi

# After changing any _("...") in templates or Python: refresh messages.pot and the Spanish
# catalog, then translate the new (empty) msgstr entries in es/LC_MESSAGES/messages.po.
translations: install
	$(BIN)/pybabel -q extract -F $(TRANSLATIONS)/babel.cfg -k _l -k lazy_gettext \
	  --add-comments=Translators: --sort-by-file --project decision-aid \
	  -o $(TRANSLATIONS)/messages.pot templates decision_aid
	@if [ -f $(TRANSLATIONS)/es/LC_MESSAGES/messages.po ]; then \
	  $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete \
	    -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l es; \
	else $(BIN)/pybabel -q init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l es; fi

run: install compile-translations
	$(BIN)/python -m flask --app decision_aid db upgrade
	$(BIN)/python -m flask --app decision_aid run --host $(HOST) --port $(PORT)

serve: install compile-translations
	$(BIN)/python -m flask --app decision_aid db upgrade
	$(BIN)/gunicorn -c python:decision_aid.serving.gunicorn_conf --workers $(WORKERS) --worker-class gthread --threads $(THREADS) \
	  --keep-alive $(KEEP_ALIVE) --bind $(HOST):$(PORT) \
	  --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss' \
	  decision_aid.wsgi:app

$(NLTK_DATA)/corpora/cmudict/cmudict: | install-dev
	$(BIN)/python tests/support/make_nltk_cmudict.py $(NLTK_DATA)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r decision_aid -ll -c pyproject.toml

typecheck: install-dev
	$(BIN)/python -m mypy || [ "$(TYPECHECK_REQUIRED)" != yes ]

# The whole suite on SQLite, then the database-touching suites again on PostgreSQL when
# TEST_DATABASE_URL is set (.ci/run sets it after starting the local cluster).
test: install-dev $(NLTK_DATA)/corpora/cmudict/cmudict lint typecheck test-sqlite test-postgres

test-sqlite: install-dev compile-translations
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider -m "not postgres"

test-postgres: install-dev compile-translations
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser" tests/patient tests/clinician tests/serving tests/security tests/storage tests/fhir; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL pass skipped (CI sets it)"; \
	  if [ "$$CI" = "true" ]; then exit 1; fi; fi

# BENCH_ARGS="--large 10000 --sqlite-only" for a quick run; profile: cProfile of the four pages.
BENCH_ARGS ?=
bench: install-dev
	$(BIN)/python tests/bench/run_bench.py $(BENCH_ARGS)

profile: install-dev
	$(BIN)/python tests/bench/profile_pages.py

load: install-dev
	$(BIN)/python tests/load/run_load.py

lighthouse: install-dev
	bash tests/support/lighthouse.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis test-output bench-output
