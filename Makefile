# glasnost: `make demo` and `make test` set themselves up on a fresh machine (python3 >= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test soak check lint format typecheck imports bench validation-report clean

$(STAMP): pyproject.toml constraints.txt
	@echo "Setting up $(VENV): installing glasnost and its pinned dependencies (NumPy, SciPy,"
	@echo "Numba, matplotlib, FastAPI, SQLAlchemy, ...) from constraints.txt. This runs once and"
	@echo "takes a few minutes; pip prints nothing unless it fails."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "Assessing the built-in United States / Russia scenario (glasnost assess)."
	$(BIN)/glasnost assess

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# two nodes under mixed load with kills for 10 minutes (GLASNOST_SOAK_S=60 for one minute)
soak: $(STAMP)
	nice -n 10 $(BIN)/python -m pytest -m soak -s -q tests/soak $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/ruff check src tests benchmarks scripts

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck imports test

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_trajectories.py

validation-report: $(STAMP)
	$(BIN)/python scripts/validation_report.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
