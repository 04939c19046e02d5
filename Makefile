PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Run again with the functions on the local Lambda endpoint (`bankdesk lambda serve`).
LAMBDA_SUITES := tests/integration/api tests/integration/banking tests/integration/llm

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,train]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bankdesk serve --demo-data

# pytest exits 5 when it collects no tests; that is not a failure of the suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$status
	BANKDESK_EXECUTOR=lambda $(BIN)/pytest -q $(LAMBDA_SUITES)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/decisions.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
