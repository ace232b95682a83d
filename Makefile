# The two commands that matter: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001

.PHONY: demo test build serve lint format bench clean

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

test: $(VENV)/.installed
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
