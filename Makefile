# The two commands a newcomer needs: `make run` and `make test`. Both create .venv and install first.
PYTHON ?= python3
# Test processes: one per core of the CI machine. Each test file runs whole in one process (--dist loadfile), so
# a file's module fixtures (a live server, npm ci of the Node clients) are set up once. Measured: 9 min 26 s serial,
# 6 min 15 s with two (SQLite, same machine and load).
TEST_WORKERS ?= 2
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/vneid-sandbox serve

test: $(STAMP)
	$(BIN)/ruff check app tests seed_data alembic bench
	$(BIN)/ruff format --check app tests seed_data alembic bench
	$(BIN)/mypy app
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.seed
	$(BIN)/python -m bench.lookup
	$(BIN)/python -m bench.login
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.worlds

clean:
	rm -rf $(VENV) var .pytest_cache
