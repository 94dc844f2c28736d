# flask-boiler for Cloud Functions — every set-up step lives here, so a fresh clone needs
# only `make dev` (the local stack with the example app) or `make test` (the suite).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
FUNCTIONS_VENV := functions/venv
UV := $(VENV)/bin/uv
# The one uv release that installs both venvs; pyproject's dev extra pins the same one.
UV_VERSION := 0.13.9
STAMP := .make-stamps
PYTEST_ARGS ?=

# Python writes its bytecode caches (__pycache__, git-ignored), as it does by default, even
# where the environment turns them off (PYTHONDONTWRITEBYTECODE, set on this machine): a test
# run starts dozens of Python processes (pytest workers, each Functions emulator worker, CLI
# subprocesses), and each would compile the same modules from source again. Measured here:
# importing functions/main.py takes 3.2 s of CPU without the caches, 1.3 s with them.
unexport PYTHONDONTWRITEBYTECODE

# Independent set-up steps (the two venvs, npm, Chromium, the gates) run side by side. Set
# once, at the top: sub-makes share the top-level jobserver.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += --jobs=4
endif

.PHONY: setup test test-unit gates lint format-check typecheck imports cycles dev demo web generate bundle unbundle \
	check deploy clean bench

setup: $(STAMP)/venv $(STAMP)/functions-venv $(STAMP)/npm $(STAMP)/chromium

# uv (from PyPI) installs the venvs: several times faster than pip, and quiet. It lives in
# .venv, bootstrapped with the interpreter's own pip.
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP)/venv: pyproject.toml | $(UV)
	@mkdir -p $(STAMP)
	$(UV) pip install --quiet --python $(VENV) -e '.[dev]'
	@touch $@

# The Functions emulator runs `functions/venv`; in a checkout it imports flask_boiler and
# shared_models from the working tree (a .pth file), and `make dev` reloads the functions when
# they change (flask_boiler.testing.reload), so edits are live. Deploys vendor them instead
# (`make bundle`).
$(STAMP)/functions-venv: functions/requirements.txt | $(UV)
	@mkdir -p $(STAMP)
	$(UV) venv --quiet --allow-existing --seed --python $(PYTHON) $(FUNCTIONS_VENV)
	$(UV) pip install --quiet --python $(FUNCTIONS_VENV) -r functions/requirements.txt
	$(FUNCTIONS_VENV)/bin/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'flask_boiler_checkout.pth').write_text(str(pathlib.Path.cwd()) + '\n')"
	@touch $@

# Install scripts run only where package.json's `allowScripts` says so (npm 11.16+): esbuild
# yes; re2 (an optional dependency of the Hosting emulator's static server, which falls back
# to JavaScript regexps) no, so npm does not compile it from source for minutes.
$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The browser tests drive Debian's Chromium (playwright downloads no browser here).
$(STAMP)/chromium:
	@mkdir -p $(STAMP)
	scripts/ensure-chromium.sh
	@touch $@

# The web page: web/src bundled with the Firebase JS SDK from npm (no CDN) by esbuild, served
# from web/ by Firebase Hosting. `make dev` and the browser test bundle it themselves when it
# is stale (and `make dev` again on every edit of web/src); `firebase deploy` runs this first.
web: $(STAMP)/venv $(STAMP)/npm
	$(VENV)/bin/python -c "import pathlib; from flask_boiler.testing.web import build_web; build_web(pathlib.Path.cwd())"

# --- gates: lint, format, types, layers, cycles ----------------------------------------------
# `make gates` runs every gate (all of them, even after one fails) and fails if any did;
# `make test` (and so `.ci/run`) runs them first.
GATES := lint format-check typecheck imports cycles

gates: $(STAMP)/venv
	@$(MAKE) --no-print-directory --keep-going --output-sync=target $(GATES)

lint: $(STAMP)/venv
	$(VENV)/bin/ruff check .

format-check: $(STAMP)/venv
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)/venv
	$(VENV)/bin/mypy

# The layers and the import rules: [tool.importlinter] in pyproject.toml.
imports: $(STAMP)/venv
	$(VENV)/bin/lint-imports --no-logo --no-cache

# No two flask_boiler modules import each other, directly or around a loop, imports inside
# functions included.
cycles: $(STAMP)/venv
	$(VENV)/bin/python scripts/check_import_cycles.py flask_boiler

# --- tests -----------------------------------------------------------------------------------
# `unbundle` first: vendored copies left in functions/ by an interrupted deploy would shadow
# the working tree in the Functions emulator.
# Two pytest-xdist workers, each with its own emulator stack, whole files each (module
# fixtures set up once; tests/conftest.py starts the longest files first): the suite waits on
# the emulators more than it computes, so two workers halve its time on two cores.
# --no-loadscope-reorder: xdist otherwise hands out files by their number of tests, most first,
# which put the one-test property files (two minutes each) last, one worker running them alone.
TEST_WORKERS ?= 2
test: gates setup unbundle
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

test-unit: $(STAMP)/venv
	$(VENV)/bin/pytest tests/unit $(PYTEST_ARGS)

# The local stack: Firestore, Functions, Auth and Hosting emulators, seeded; edits of the app's
# code reload the functions.
dev: setup unbundle
	$(VENV)/bin/python -m flask_boiler dev

# A scripted walk: domain writes, the view documents each changed, and what the triggers paid.
demo: setup unbundle
	$(VENV)/bin/python -m flask_boiler demo

# Benchmarks against hand-written baselines on a stack of its own (free ports):
# bench/results/latest.{md,json} and plots; a full run also refreshes the README's Performance
# section and docs/bench/. `make bench BENCH_ARGS=--quick` is a fast smoke run.
BENCH_ARGS ?=
bench: setup unbundle
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

# --- deploy ----------------------------------------------------------------------------------
# What would be deployed matches the declarations: functions.yaml, firestore.rules and
# firestore.indexes.json are current (every stale one is named, with the command that fixes
# them: `make generate`), and firebase-tools' own parsers accept them.
check: $(STAMP)/venv $(STAMP)/npm
	$(VENV)/bin/python -m flask_boiler check
	node scripts/validate-manifest.js functions/functions.yaml >/dev/null
	node scripts/validate-indexes.js firestore.indexes.json >/dev/null

# Write every generated deploy file (after changing main.py, a view model or flask-boiler.toml).
generate: $(STAMP)/venv
	$(VENV)/bin/python -m flask_boiler generate

# Vendor flask_boiler and shared_models into functions/ (git-ignored copies): Cloud Build
# only receives functions/. firebase.json's predeploy hook runs this too.
bundle: $(STAMP)/venv
	$(VENV)/bin/python -m flask_boiler bundle

unbundle: $(STAMP)/venv
	$(VENV)/bin/python -m flask_boiler bundle --remove

# Deploy to the project selected with `firebase use` (or PROJECT=...). The hooks in
# firebase.json run `check bundle` before and `unbundle` after; unbundle runs here too,
# so a failed deploy leaves no vendored copies behind.
FIREBASE_PROJECT_FLAG = $(if $(PROJECT),--project $(PROJECT),)
deploy: setup check
	node_modules/.bin/firebase deploy --only functions,firestore,hosting $(FIREBASE_PROJECT_FLAG) $(DEPLOY_ARGS); \
	status=$$?; $(MAKE) --no-print-directory unbundle; exit $$status

clean:
	rm -rf $(STAMP) $(VENV) $(FUNCTIONS_VENV) node_modules .emulators .pytest_cache .mypy_cache .ruff_cache
