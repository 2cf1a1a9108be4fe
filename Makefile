# keyless-lab: two commands do all set-up on a fresh machine.
#   make run   executes every notebook against the embedded emulator (executed copies in build/)
#   make test  runs the whole test suite (lint, unit, emulator, notebooks, nbval, real browser);
#              installs Debian's chromium and shellcheck first when they are missing
#   make lab   opens JupyterLab on notebooks/
#   make bench measures what authentication costs on chat completions (benchmarks/README.md)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lab venv clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e . 2>$(VENV)/install.log \
		|| { cat $(VENV)/install.log; exit 1; }
	@# A build-backend deprecation warning today is a failed install tomorrow: stop here instead.
	@if grep -E 'DeprecationWarning|BuildBackendWarning' $(VENV)/install.log; then \
		echo 'the build backend warned while installing keyless-lab (above): fix pyproject.toml'; exit 1; fi
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (keyless-lab)" >/dev/null
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/keyless-lab run

test: $(STAMP)
	scripts/ensure-tools.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadscope

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf build .pytest_cache .ruff_cache

.PHONY: bench
bench: $(STAMP)
	$(BIN)/python benchmarks/chat_auth.py
