# The two commands that matter: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001
# The browser test's Chromium: Debian's package, not a download by Playwright.
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test build serve lint format bench clean chromium

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Fejl: $(PYTHON) findes ikke (sæt PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --config-settings editable_mode=compat -e '.[test,bench]'
	touch $@

# The demo corpus is corpus/ plus the example files in examples/import/, imported as a user
# would import theirs; corpus/ itself stays as it is in git.
DEMO_CORPUS := build/demo-corpus

demo: $(VENV)/.installed
	rm -rf $(DEMO_CORPUS) && mkdir -p build && cp -R corpus $(DEMO_CORPUS)
	$(BIN)/retskilde import examples/import --corpus $(DEMO_CORPUS)
	$(BIN)/retskilde build --corpus $(DEMO_CORPUS)
	$(BIN)/retskilde serve --port $(PORT)

build: $(VENV)/.installed
	$(BIN)/retskilde build

# Installs Debian's chromium with apt-get when it is missing (CI runs as root); without apt the
# browser test is skipped with a message (CI sets RETSKILDE_REQUIRE_BROWSER=1: then it fails).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "Bemærk: $(CHROMIUM) mangler, og apt-get findes ikke på denne maskine: browsertesten"; \
	  echo "springes over. Installér Chromium og sæt CHROMIUM=/sti/til/chromium for at køre den."; \
	  exit 0; \
	fi; \
	SUDO=; if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	echo "Installerer Debians chromium til browsertesten: $$SUDO apt-get install chromium"; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium \
	  || { echo "Fejl: apt-get kunne ikke installere chromium (se ovenfor)"; exit 1; }

test: $(VENV)/.installed chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db/retskilde.db .pytest_cache build/demo-corpus
