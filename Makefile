# factcheck — `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format serve clean fuzz load bench bench-smoke venv screenshots eval

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (sign in with a demo login above; admin at /admin/)"
	@echo "A task worker runs beside it (imports run there); Ctrl-C stops both."
	$(PY) manage.py db_worker --no-reload -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

serve: $(STAMP)
	DEBUG=$${DEBUG:-0} $(PY) manage.py collectstatic --no-input -v0
	DEBUG=$${DEBUG:-0} $(VENV)/bin/gunicorn factcheck.wsgi --bind $(HOST):$(PORT) --workers $${WORKERS:-2} --worker-class gthread --threads $${THREADS:-8} --timeout $${GUNICORN_TIMEOUT:-300}

clean:
	rm -rf $(VENV) db.sqlite3* .test-db.sqlite3* staticfiles

# API fuzzing with schemathesis, longer than the CI profile (FUZZ_EXAMPLES per operation and role).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} FUZZ_RANDOM=1 $(PY) -m pytest tests/test_fuzz_api.py -q -s -p no:logging

# 16 concurrent API writers for LOAD_SECONDS on SQLite-WAL and on PostgreSQL (PG_URL);
# every acknowledged write must be found afterwards. Then two app servers and a task worker on
# one PostgreSQL, one server and the worker killed with kill -9 mid-run.
load: $(STAMP)
	$(PY) scripts/load.py --db sqlite --seconds $${LOAD_SECONDS:-30}
	$(PY) scripts/load.py --db postgres --seconds $${LOAD_SECONDS:-30}
	$(PY) scripts/load.py --db postgres --two-servers --seconds $${LOAD_SECONDS:-30}

# The benchmark (docs/performance.md): SQLite, then PostgreSQL if it answers; about 6 minutes.
bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk) || echo "wrk unavailable: bench uses its slower Python load generator"
	$(PY) -m bench.run $(BENCH_ARGS)

# The features that guess, measured on our own evaluation sets (bench/evals/): precision,
# recall and timings, printed and written to bench-results/eval.md. EVAL_ARGS=--quick in CI.
eval: $(STAMP)
	$(PY) -m bench.eval $(EVAL_ARGS)

# A tiny run of every part of the benchmark, no timings judged.
bench-smoke: $(STAMP)
	$(PY) -m bench.run --db sqlite --scale 0.01 --duration 1 --warmup 0 --only load,exports,queries,plans,imports,search

# Screenshots of the pages in docs/ (scripts/screenshots.py: demo data in a temporary database,
# headless /usr/bin/chromium; add a page to its PAGES list).
screenshots: $(STAMP)
	$(PY) scripts/screenshots.py
