# The two set-up commands are `make run` and `make test`; everything else supports them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install install-dev system-deps lock build bench-coldstart

## Serve the app on http://127.0.0.1:8000 against the embedded local AWS.
run: install-dev
	$(PY) manage.py runlocal

.PHONY: reset-local
## Forget the local run's data (users, campaigns, transcripts); the next `make run` starts afresh.
reset-local:
	rm -f .local/aws-state.pickle .local/aws-state.pickle.partial .local/orm-cache.sqlite3

## Install everything (Chromium and PostgreSQL too, where apt-get is available), run the whole suite.
test: install-dev system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

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

## Cold start of the package against a bare Django app (prints medians and the ratio).
bench-coldstart: install-dev
	$(PY) scripts/bench_coldstart.py $(BENCH_ARGS)

.PHONY: bench-summaries
## The offline summarizer on generated 1- and 4-hour transcripts (prints median times per kind).
bench-summaries: install-dev
	$(PY) scripts/bench_summaries.py $(BENCH_ARGS)

.PHONY: bench-reader
# Parse + store + the first reader page, 1-, 4- and 8-hour transcripts (sessions/transcripts.py).
bench-reader: install-dev
	$(PY) scripts/bench_reader.py $(BENCH_ARGS)

.PHONY: bench-search
## Search: 500 sessions of four-hour transcripts; read units, pages and median time per search.
bench-search: install-dev
	$(PY) scripts/bench_search.py $(BENCH_ARGS)

.PHONY: bench-transcripts
## Transcript upload path (decode + parse + JSON dump), 1/4/8 hours in every format: medians and peak memory.
bench-transcripts: install-dev
	$(PY) scripts/bench_transcripts.py $(BENCH_ARGS)
