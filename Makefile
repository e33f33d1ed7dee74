# Thin wrappers. Every target creates .venv and installs the locked dependencies when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
export NLTK_DATA := $(CURDIR)/.nltk_data

.PHONY: install run serve test test-sqlite test-postgres lint bench load lighthouse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python -m flask --app decision_aid db upgrade
	$(BIN)/python -m flask --app decision_aid run --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/python -m flask --app decision_aid db upgrade
	$(BIN)/gunicorn --workers $(WORKERS) --worker-class sync --bind $(HOST):$(PORT) \
	  --max-requests 1000 --max-requests-jitter 100 \
	  --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss' \
	  decision_aid.wsgi:app

$(NLTK_DATA)/corpora/cmudict/cmudict: | install
	$(BIN)/python tests/support/make_nltk_cmudict.py $(NLTK_DATA)

lint: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r decision_aid -ll -c pyproject.toml

# The whole suite on SQLite, then the database-touching suites again on PostgreSQL when
# TEST_DATABASE_URL is set (.ci/run sets it after starting the local cluster).
test: install $(NLTK_DATA)/corpora/cmudict/cmudict lint test-sqlite test-postgres

test-sqlite: install
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider -m "not postgres"

test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser" tests/web tests/db; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL pass skipped (CI sets it)"; \
	  if [ "$$CI" = "true" ]; then exit 1; fi; fi

bench: install
	$(BIN)/python tests/bench/run_bench.py

load: install
	$(BIN)/python tests/load/run_load.py

lighthouse: install
	bash tests/support/lighthouse.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-output bench-output
