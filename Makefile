# Two entry points for a fresh machine with python3, make and git:
#   make demo   sets up .venv, checks the embedded example and renders it into out/
#   make test   sets up .venv and runs the whole test suite
#   make a11y   renders the html of the example and of a new workspace into a temporary
#               folder and runs axe-core (WCAG 2.1 A and AA rules, best practices) in headless Chromium over
#               every page; prints the violations by rule, fails if there is one. Needs node,
#               npm and Chromium (variable CHROMIUM, by default /usr/bin/chromium); the npm packages
#               go to tests/a11y/node_modules (not in git).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test a11y bench bench-network clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gasp --records . validate
	$(BIN)/gasp --records . render

test: $(STAMP)
	$(BIN)/python -m pytest

a11y: $(STAMP)
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "make a11y : node et npm sont nécessaires" >&2; exit 2; }
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || { echo "make a11y : Chromium introuvable (variable CHROMIUM, ou /usr/bin/chromium)" >&2; exit 2; }
	@test -d tests/a11y/node_modules || npm ci --prefix tests/a11y --no-audit --no-fund --silent
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/gasp --records . render --out "$$tmp/exemple" --format html >/dev/null && \
	$(BIN)/gasp init "$$tmp/nouveau" --name "Gasp d’essai" --commune "Onnaing" >/dev/null && \
	$(BIN)/gasp --records "$$tmp/nouveau" render --out "$$tmp/nouveau/out" --format html >/dev/null && \
	node tests/a11y/run.mjs "$$tmp/exemple" "$$tmp/nouveau/out"

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Minutes, not seconds: 300 git repositories generated, then read cold, warm, after one change.
bench-network: $(STAMP)
	$(BIN)/python benchmarks/network.py 300

clean:
	rm -rf $(VENV) out .pytest_cache
