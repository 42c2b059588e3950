# The two set-up commands are `make run` and `make test`; everything else supports them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install install-dev system-deps lock build

## Serve the app on http://127.0.0.1:8000 against the embedded local AWS.
run: install-dev
	$(PY) manage.py runlocal

.PHONY: reset-local
## Forget the local run's data (users, campaigns, transcripts); the next `make run` starts afresh.
reset-local:
	rm -f .local/aws-state.pickle .local/aws-state.pickle.partial .local/orm-cache.sqlite3

## Install everything (Chromium and PostgreSQL too, where apt-get is available), check the
## style and the layers, run the whole suite.
test: install-dev system-deps lint
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: lint format
## Style (ruff, configured in pyproject.toml) and the layers (import-linter contracts in .importlinter).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Rewrite the code in the house style (ruff format, and the fixes ruff can make safely).
format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install:
	@scripts/install-python-deps requirements.txt

install-dev:
	@scripts/install-python-deps requirements-dev.txt

system-deps:
	@scripts/install-system-deps

## Re-resolve the lock files after editing requirements*.in.
lock: install-dev
	$(VENV)/bin/uv pip compile -q --python-version 3.13 --generate-hashes requirements.in -o requirements.txt
	$(VENV)/bin/uv pip compile -q --python-version 3.13 --generate-hashes requirements-dev.in -o requirements-dev.txt

## Build the Lambda package: build/campaign-sessions-$(STAGE).zip (runtime deps only; needs PyPI).
STAGE ?= production
build:
	scripts/build-lambda $(STAGE)

BENCHMARKS = capture coldstart cutover export import reader search summaries transcripts
.PHONY: $(addprefix bench-,$(BENCHMARKS))
## Benchmarks, each printing medians and the load average (scripts/bench_<name>.py; BENCH_ARGS passes
## options). Those that time transcripts (reader, transcripts, summaries, search, export) take yours:
## `make bench-reader BENCH_ARGS="--file my.vtt"`, or --folder my-transcripts/ (export: --file only).
##   bench-capture      v1.0's writes with and without the cutover's capture triggers: the triggers' cost
##   bench-coldstart    the Lambda package's cold start against a bare Django app, and their ratio
##   bench-cutover      the sync's throughput, and both stacks under a steady write load: throughput and lag
##   bench-export       an account of 500 sessions of four-hour transcripts exported as a zip: sessions/s,
##                      MB/s, peak memory, against the Lambda's timeout and memory (--file: your transcript)
##   bench-import       a generated v1.0 PostgreSQL database (100,000 rows) through import_v1 into the local AWS:
##                      rows/s, AWS requests per row, peak memory; verify_v1; the no-op re-run
##   bench-reader       transcript upload (parse + store) and first reader page, 1/4/8 hours, peak memory
##   bench-search       search over 500 sessions of four-hour transcripts: read units, pages, time
##   bench-summaries    the offline summarizer on 1- and 4-hour transcripts, per kind
##   bench-transcripts  decode + parse + JSON dump, 1/4/8 hours in every format, peak memory
$(addprefix bench-,$(BENCHMARKS)): bench-%: install-dev
	$(PY) scripts/bench_$*.py $(BENCH_ARGS)
