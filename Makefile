# The two commands of the README: `make demo` and `make test`. Each creates .venv when needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# nbgrader runs the `alembic` command of its own environment, so that environment comes first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test release check wheel env chromium postgresql clean

demo: env
	$(BIN)/nnmath demo

test: env chromium postgresql
	$(BIN)/python -m pytest

# The browser tests (tests/browser/) drive Debian's Chromium: install it when it is missing.
chromium:
	@sh scripts/ensure-chromium

# The gradebook-on-PostgreSQL test (tests/test_postgres.py) starts a server from Debian's postgresql.
postgresql:
	@sh scripts/ensure-postgresql

release: env
	$(BIN)/nnmath release

check: env
	$(BIN)/nnmath check

# The course package learners install (the grading engine's checks; never solutions/).
wheel: env
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .
	@ls dist/nnmath-*.whl

# Where PYTHONDONTWRITEBYTECODE is set, nothing caches the project's own bytecode: every grading
# process (command, worker, sandbox) would compile autograder/ anew. Compile it here (only what changed).
env: $(VENV)/.installed
	@$(BIN)/python -m compileall -q autograder solutions

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[instructor,test]"
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info release_*/ test-artifacts/
