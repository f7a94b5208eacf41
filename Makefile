# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv first.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint format clean figures figures-quick

$(STAMP): pyproject.toml
	@py=$$(sh scripts/find-python.sh) || exit 1; \
	  echo "Using $$py"; \
	  test -x $(BIN)/python || $$py -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask,postgres,ema,calibrate]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/arrival-city run scenarios/northern_midsize_asylum.toml --out results/demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy model
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_runner.py
	$(BIN)/python benchmarks/bench_dashboard.py

# The figure book (docs/FIGURES.md): every named figure at full settings, into docs/figures/.
# Rerun whenever the model changes; runs already in the results database are not run again.
figures: $(STAMP)
	nice $(BIN)/arrival-city figure --all --out docs/figures
	$(BIN)/python -m experiments.figures.gallery docs/figures docs/FIGURES.md

# The tests' quick references (tests/figures_quick/NAME.csv): every figure at --quick.
figures-quick: $(STAMP)
	nice $(BIN)/arrival-city figure --all --quick --out results/figures-quick
	cp results/figures-quick/*.csv tests/figures_quick/

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) results/demo .pytest_cache
