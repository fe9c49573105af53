# Two commands matter: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := .demo

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/python sample_monolith/replay_history.py $(DEMO)/shop
	$(BIN)/decomposer analyze $(DEMO)/shop --out $(DEMO)/report --cache-dir $(DEMO)/cache
	@echo "Demo report: $(DEMO)/report"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_stages.py $(or $(REPO),$(DEMO)/shop)

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
