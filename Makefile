# Two entry points for a fresh machine with python3, make and git:
#   make demo   sets up .venv with what gasp needs to run, checks the embedded example and
#               renders it into out/
#   make test   adds the test tools to .venv (extra « test ») and runs the test suite on every
#               core (pytest-xdist), without the tests marked slow
#   make test-slow  the slow end-to-end tests only; CI (.ci/run) runs make test, then make test-slow
#   make test-all   every test at once
#   make bench  speed and memory on generated workspaces of 10 and 40 years (benchmarks/run.py),
#               printed and written into docs/vitesse.md
# For one's own Gasp, outside this folder:
#   make install    gasp in its own virtual environment under the user's data folder
#                   ($XDG_DATA_HOME/gasp/venv, by default ~/.local/share/gasp/venv) and a
#                   `gasp` launcher (a symlink) in ~/.local/bin; says how to add that folder
#                   to PATH when it is not there. Only python3 (with its venv module), git, make.
#   make uninstall  removes both.
#   make docs   builds the documentation site (MkDocs) into site/
#   make a11y   renders the html of the example and of a new workspace into a temporary
#               folder and runs axe-core (WCAG 2.1 A and AA rules, best practices) in headless Chromium over
#               every page; prints the violations by rule, fails if there is one. Needs node,
#               npm and Chromium (variable CHROMIUM, by default /usr/bin/chromium); the npm packages
#               go to tests/a11y/node_modules (not in git).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: what `make demo` needs (the runtime dependencies) and, on top, the test tools.
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed
# Optional extras `make install` adds when pyproject.toml defines them (others are skipped).
INSTALL_EXTRAS ?= serve
DATA_HOME := $(or $(XDG_DATA_HOME),$(HOME)/.local/share)
INSTALL_VENV := $(DATA_HOME)/gasp/venv
INSTALL_BIN := $(HOME)/.local/bin

.PHONY: demo test test-slow test-all docs install uninstall a11y bench bench-network clean

# Debian and Ubuntu ship python3 without its venv module (package python3-venv): say so in French.
define make_venv
	$(PYTHON) -m venv $(1) || { echo "gasp : impossible de créer l'environnement virtuel ; sous Debian ou Ubuntu, installez le module venv de Python : sudo apt install python3-venv" >&2; exit 2; }
endef

$(RUNTIME): pyproject.toml
	$(call make_venv,$(VENV))
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(RUNTIME)
	$(BIN)/gasp --records . validate
	$(BIN)/gasp --records . render

# On every core (pytest-xdist), a module's tests on one worker: its shared fixtures are made once.
# The modules go to the workers in the order tests/conftest.py gives them (LONGEST_FIRST), not
# by their number of tests (what loadscope does unless told otherwise).
XDIST := -n auto --dist loadscope --no-loadscope-reorder
# make test's temporary folders (pytest's, and those of the processes it starts) in memory when the
# system has a tmpfs /dev/shm with a gigabyte free (Linux), unless TMPDIR says where: its tests
# copy, render and remove tens of thousands of small files, which a disk mounted with `discard`
# makes slow to remove. Not for the slow tests, whose large workspaces stay on disk.
TEST_TMPDIR = $(or $(TMPDIR),$(shell $(PYTHON) -c 'import os, shutil; print("/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) and shutil.disk_usage("/dev/shm").free > 2**30 else "")' 2>/dev/null))

test: $(STAMP)
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(BIN)/python -m pytest $(XDIST) -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -m slow

test-all: $(STAMP)
	$(BIN)/python -m pytest $(XDIST)

docs: $(STAMP)
	$(BIN)/python -m mkdocs build --strict --site-dir site

# A copy (not an editable install): the clone may be moved or removed afterwards.
# What pip installs: the project with those of INSTALL_EXTRAS that pyproject.toml defines.
INSTALL_TARGET = $(shell $(PYTHON) -c 'import sys, tomllib; defined = tomllib.load(open("pyproject.toml", "rb"))["project"].get("optional-dependencies", {}); extras = ",".join(e for e in sys.argv[1:] if e in defined); print(f".[{extras}]" if extras else ".")' $(INSTALL_EXTRAS))

install:
	@if [ -e "$(INSTALL_BIN)/gasp" ] && [ "$$(readlink "$(INSTALL_BIN)/gasp")" != "$(INSTALL_VENV)/bin/gasp" ]; then \
	  echo "gasp : $(INSTALL_BIN)/gasp existe déjà et n'est pas le lanceur de make install (pipx ?) ; retirez-le puis relancez make install" >&2; exit 1; fi
	$(call make_venv,--clear "$(INSTALL_VENV)")
	"$(INSTALL_VENV)/bin/python" -m pip install --quiet "$(INSTALL_TARGET)"
	@mkdir -p "$(INSTALL_BIN)"
	ln -sfn "$(INSTALL_VENV)/bin/gasp" "$(INSTALL_BIN)/gasp"
	@echo "gasp est installé : $(INSTALL_BIN)/gasp ($$("$(INSTALL_BIN)/gasp" --version))"
	@case ":$$PATH:" in *":$(INSTALL_BIN):"*) ;; *) \
	  echo ""; \
	  echo "Le dossier $(INSTALL_BIN) n'est pas dans votre PATH : la commande gasp n'y sera pas trouvée."; \
	  echo "Ajoutez-le une fois pour toutes, puis ouvrez un nouveau terminal :"; \
	  echo "  echo 'export PATH=\"\$$HOME/.local/bin:\$$PATH\"' >> ~/.bashrc"; \
	  echo "(Sous Debian et Ubuntu, ~/.profile l'ajoute aussi à la prochaine connexion.)";; esac

uninstall:
	@if [ -L "$(INSTALL_BIN)/gasp" ] && [ "$$(readlink "$(INSTALL_BIN)/gasp")" = "$(INSTALL_VENV)/bin/gasp" ]; then \
	  rm -f "$(INSTALL_BIN)/gasp"; echo "retiré : $(INSTALL_BIN)/gasp"; fi
	@if [ -d "$(INSTALL_VENV)" ]; then rm -rf "$(INSTALL_VENV)"; echo "retiré : $(INSTALL_VENV)"; fi
	@rmdir "$(DATA_HOME)/gasp" 2>/dev/null || true

a11y: $(RUNTIME)
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
	rm -rf $(VENV) out site .pytest_cache
