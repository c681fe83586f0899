# Two entry points for a fresh machine with python3, make and git:
#   make demo   sets up .venv, checks the embedded example and renders it into out/
#   make test   sets up .venv and runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-network clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gasp --records . validate
	$(BIN)/gasp --records . render

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Minutes, not seconds: 300 git repositories generated, then read cold, warm, after one change.
bench-network: $(STAMP)
	$(BIN)/python benchmarks/network.py 300

clean:
	rm -rf $(VENV) out .pytest_cache
