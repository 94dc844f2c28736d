# flask-boiler for Cloud Functions — every set-up step lives here, so a fresh clone needs
# only `make dev` (the local stack with the example app) or `make test` (the suite).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
FUNCTIONS_VENV := functions/venv
STAMP := .make-stamps
PYTEST_ARGS ?=

.PHONY: setup test test-unit dev demo web bundle unbundle check deploy clean bench

setup: $(STAMP)/venv $(STAMP)/functions-venv $(STAMP)/npm $(STAMP)/chromium web

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

# The browser tests drive Debian's Chromium (playwright downloads no browser here).
$(STAMP)/chromium:
	@mkdir -p $(STAMP)
	scripts/ensure-chromium.sh
	@touch $@

# The web page: web/src bundled with the Firebase JS SDK from npm (no CDN) by esbuild.
web: web/dist/app.js
web/dist/app.js: $(STAMP)/npm $(wildcard web/src/*.js)
	node_modules/.bin/esbuild web/src/app.js --bundle --format=esm --target=es2022 --minify \
		--outfile=web/dist/app.js --log-level=warning

# `unbundle` first: vendored copies left in functions/ by an interrupted deploy would shadow
# the working tree in the Functions emulator.
test: setup unbundle
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-unit: $(STAMP)/venv
	$(VENV)/bin/pytest tests/unit $(PYTEST_ARGS)

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
# firestore.indexes.json are current, and firebase-tools' own parsers accept them.
check: $(STAMP)/venv $(STAMP)/npm
	$(VENV)/bin/python -m flask_boiler check
	node scripts/validate-manifest.js functions/functions.yaml >/dev/null
	node scripts/validate-indexes.js firestore.indexes.json >/dev/null

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
	node_modules/.bin/firebase deploy --only functions,firestore $(FIREBASE_PROJECT_FLAG) $(DEPLOY_ARGS); \
	status=$$?; $(MAKE) --no-print-directory unbundle; exit $$status

clean:
	rm -rf $(STAMP) $(VENV) $(FUNCTIONS_VENV) node_modules .emulators .pytest_cache
