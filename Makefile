# papersift: `make demo` and `make test` do all the set-up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := data/sample

.PHONY: demo test test-fast bench bench-daily lint clean install docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is pinned and installed first: a looser pin pulls a multi-GB CUDA build.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[embeddings,fast,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/papersift rank \
		--profile $(SAMPLE)/profile_publications.txt --profile $(SAMPLE)/profile_arxiv.txt \
		--feed $(SAMPLE)/feed_hf_nov20.txt --feed $(SAMPLE)/feed_hf_nov14.txt --feed $(SAMPLE)/feed_hf_oct17.txt \
		--top 15

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# The daily job alone (50 profiles x 2,000 candidates; QUICK=1 for 8 x 300).
bench-daily: $(STAMP)
	$(BIN)/python benchmarks/bench_daily.py $(if $(QUICK),--quick,)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache

docs: $(STAMP)
	$(BIN)/python -m papersift.cli.reference > docs/cli.md
