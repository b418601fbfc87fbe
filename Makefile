# papersift: `make demo` and `make test` do all the set-up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := data/sample

.PHONY: demo test test-fast bench bench-daily lint clean install docs reliability serve screenshots fuzz reliability-files

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is pinned and installed first: a looser pin pulls a multi-GB CUDA build.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[embeddings,fast,web,dev,postgres]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/papersift rank \
		--profile $(SAMPLE)/profile_publications.txt --profile $(SAMPLE)/profile_arxiv.txt \
		--feed $(SAMPLE)/feed_hf_nov20.txt --feed $(SAMPLE)/feed_hf_nov14.txt --feed $(SAMPLE)/feed_hf_oct17.txt \
		--top 15

# The web app on the sample data, in a demo data directory of its own (.demo-web); press "Make a new digest".
serve: $(STAMP)
	PAPERSIFT_HOME=.demo-web $(BIN)/papersift profile import $(SAMPLE)/profile_publications.txt $(SAMPLE)/profile_arxiv.txt --name researcher --quiet
	PAPERSIFT_HOME=.demo-web $(BIN)/papersift feed import $(SAMPLE)/feed_hf_nov20.txt $(SAMPLE)/feed_hf_nov14.txt $(SAMPLE)/feed_hf_oct17.txt --quiet
	PAPERSIFT_HOME=.demo-web $(BIN)/papersift serve --open

# Screenshots of every page (sample data, headless Chromium) into docs/screenshots/.
screenshots: $(STAMP)
	$(BIN)/python tests/web/make_screenshots.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# A long random run of the property-based fuzz suite (make test runs a small fixed budget of it).
fuzz: $(STAMP)
	PAPERSIFT_FUZZ=long $(BIN)/python -m pytest -q tests/fuzz

# Every fixture x every mutation through the import commands, and issue 11's hostile files, timed.
reliability-files: $(STAMP)
	$(BIN)/python benchmarks/reliability_files.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Fault and abuse runs (hostile servers, files, concurrent writers, kill -9): the README's Reliability section.
reliability: $(STAMP)
	$(BIN)/python benchmarks/reliability.py

# The daily job alone (50 profiles x 2,000 candidates; QUICK=1 for 8 x 300).
bench-daily: $(STAMP)
	$(BIN)/python benchmarks/bench_daily.py $(if $(QUICK),--quick,)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .demo-web

docs: $(STAMP)
	$(BIN)/python -m papersift.cli.reference > docs/cli.md
