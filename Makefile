# The README's commands. `make run` opens the app; `make test` runs lint and every test tier (pure, app, fuzz,
# browser: see tests/conftest.py); `make test-fast` the pure and app tiers and a short fuzz run, no browser.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test test-fast lint bench loadtest geodata chromium nginx postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.app: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.app
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.app
	$(BIN)/python deploy/serve.py run dashboard/app.py -- $(ARGS)

# Debian's Chromium drives the browser tests; Playwright cannot download its own here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx: a test puts the README's proxy configuration (deploy/) in front of the app.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  echo "installing Debian's nginx for the deployment test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; }

# Debian's PostgreSQL 15 with PostGIS, and GDAL's ogrinfo, for the store tests (tests/store/): installed when
# missing, the cluster 15/main started (initdb refuses root, so Debian's own cluster is used), and the role
# dashboard (password dashboard) with its template database made (tests/store/postgres.sql). The postgres
# user may not read a clone in a private folder, so the SQL comes on its standard input, from /.
postgres:
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	if [ ! -f /usr/share/postgresql/15/extension/postgis.control ] || ! command -v ogrinfo >/dev/null 2>&1; then \
	  echo "installing Debian's PostgreSQL 15, PostGIS and GDAL for the store tests"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    postgresql-15 postgresql-15-postgis-3 gdal-bin >/dev/null; fi; \
	cd / && { $$SUDO pg_ctlcluster 15 main status >/dev/null 2>&1 || $$SUDO pg_ctlcluster 15 main start; }; \
	cd / && $$SUDO runuser -u postgres -- psql -q -X -v ON_ERROR_STOP=1 -d postgres >/dev/null \
	  < "$(CURDIR)/tests/store/postgres.sql"

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.dev chromium nginx postgres lint
	HYPOTHESIS_PROFILE=full $(BIN)/python -m pytest

# Under a minute on two cores: every tier but the browser's, the fuzzers with Hypothesis's "fast" profile.
test-fast: $(VENV)/.dev postgres
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -m "not browser" -q

bench: $(VENV)/.dev chromium
	$(BIN)/python benchmarks/bench.py

loadtest: $(VENV)/.dev chromium
	$(BIN)/python benchmarks/load_test.py

geodata: $(VENV)/.app
	$(BIN)/python geodata/build_borders.py

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache dashboard/static/vendor
