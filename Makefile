# flask-boiler for Cloud Functions — every set-up step lives here, so a fresh clone needs
# only `make dev` (the local stack with the example app) or `make test` (the suite).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
FUNCTIONS_VENV := functions/venv
STAMP := .make-stamps
PYTEST_ARGS ?=

.PHONY: setup test test-unit dev lint bundle clean

setup: $(STAMP)/venv $(STAMP)/functions-venv $(STAMP)/npm

$(STAMP)/venv: pyproject.toml
	@mkdir -p $(STAMP)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@touch $@

# The Functions emulator runs `functions/venv`; in a checkout it imports flask_boiler and
# shared_models from the working tree (a .pth file), so edits are live. Deploys vendor them
# instead (`make bundle`).
$(STAMP)/functions-venv: functions/requirements.txt
	@mkdir -p $(STAMP)
	$(PYTHON) -m venv $(FUNCTIONS_VENV)
	$(FUNCTIONS_VENV)/bin/pip install --quiet --upgrade pip
	$(FUNCTIONS_VENV)/bin/pip install --quiet -r functions/requirements.txt
	$(FUNCTIONS_VENV)/bin/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'flask_boiler_checkout.pth').write_text(str(pathlib.Path.cwd()) + '\n')"
	@touch $@

$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-unit: $(STAMP)/venv
	$(VENV)/bin/pytest tests/unit $(PYTEST_ARGS)

dev: setup
	$(VENV)/bin/python -m flask_boiler dev

clean:
	rm -rf $(STAMP) $(VENV) $(FUNCTIONS_VENV) node_modules .emulators .pytest_cache
