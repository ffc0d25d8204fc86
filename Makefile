# One command each: `make run` (set up + run the refresh job on data/raw), `make test`
# (set up + lint + tests), `make dev` (set up + Dagster UI on 127.0.0.1:3000), `make notebook`
# (set up + JupyterLab on notebooks/explore.ipynb).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_HOME

.PHONY: setup run test dev notebook bench bench-scale bench-jionlp profile dictionary clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

$(DAGSTER_HOME)/dagster.yaml: deploy/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp deploy/dagster.yaml $@

run: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/econ-indicators run --raw-dir data/raw --out-dir data/processed

test: setup
	$(BIN)/ruff check src pipelines tests benchmarks
	$(BIN)/python -m pytest

dev: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

$(VENV)/.notebook: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,notebook]"
	touch $@

notebook: $(VENV)/.notebook
	$(BIN)/jupyter lab --ip 127.0.0.1 notebooks/explore.ipynb

bench: setup
	$(BIN)/python benchmarks/bench_quantities.py

# End to end on generated corpora of 1,000, 1,200 (100x the samples) and 10,000 documents (under /tmp/econ-bench), then a
# one-document refresh of each: wall time, documents/s, peak RSS. Takes about half an hour.
bench-scale: setup
	$(BIN)/python benchmarks/scale_run.py --docs 1000 --docs 1200 --docs 10000

# JioNLP as the reference lives in its own environment, never in the project's dependencies.
JIONLP_VENV := benchmarks/.venv-jionlp

$(JIONLP_VENV)/.installed: pyproject.toml constraints.txt benchmarks/requirements-jionlp.txt
	$(PYTHON) -m venv $(JIONLP_VENV)
	$(JIONLP_VENV)/bin/python -m pip install --quiet --upgrade "pip>=24"
	$(JIONLP_VENV)/bin/python -m pip install --quiet -c constraints.txt -e . -r benchmarks/requirements-jionlp.txt
	touch $@

bench-jionlp: $(JIONLP_VENV)/.installed
	$(JIONLP_VENV)/bin/python benchmarks/bench_vs_jionlp.py

# Where the time of clean, find_quantities and full extraction goes (pyinstrument, same venv).
profile: $(JIONLP_VENV)/.installed
	$(JIONLP_VENV)/bin/pyinstrument benchmarks/bench_quantities.py --seconds 2

dictionary: setup
	$(BIN)/econ-indicators schema --markdown > docs/data_dictionary.md

clean:
	rm -rf $(VENV) $(JIONLP_VENV) .pytest_cache .ruff_cache
