# Trygg havn – every command a developer or a user needs. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
PYTEST  := $(VENV)/bin/pytest
INSTALLED := $(VENV)/.installed
AUDIT_VENV := .venv-audit
MODEL   := models/trygg-havn.tar.gz
TRAINING_INPUTS := config.yml trygg/text.py $(shell find domain data bot/nlu bot/policies content -name '*.yml' -o -name '*.py' 2>/dev/null | sort)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install run train topics chat validate test test-fast bench-nlu bench purge audit clean

help:
	@echo "make run        install, train if needed, start Rasa + actions + web (+ Telegram if TELEGRAM_BOT_TOKEN)"
	@echo "make test       install, train if needed, run every test"
	@echo "make test-fast  ruff + the fast tests (logic, every custom action, NLU data; no model or services, <90 s)"
	@echo "make train      train the model (only when data/config changed)"
	@echo "make topics     write the intents, rules and reflection lists that follow from content/topics.yml"
	@echo "make chat       talk to the bot in the terminal (rasa shell; starts the action server)"
	@echo "make validate   rasa data validate --fail-on-warnings"
	@echo "make bench-nlu  measure the NLU pipeline on the public xSID data (XSID_DIR=path)"
	@echo "make bench      latency, throughput, memory, train and start-up time of the production stack"
	@echo "make purge      delete stored data older than RETENTION_DAYS (default 90)"
	@echo "make audit      known vulnerabilities in requirements.lock (pip-audit; needs its service, see docs/operations.md)"

# ---- install: a venv on Python 3.10 with the exact versions of the runtime lock and the dev lock ----
# (the production image gets requirements.lock only: no test tools)
$(INSTALLED): requirements.lock requirements-dev.lock
	@PY310=$$(scripts/check_python.sh) && \
	  { [ -x $(PY) ] || $$PY310 -m venv $(VENV); }
	$(PY) -m pip install --quiet pip==24.0
	$(PY) -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	@touch $@

install: $(INSTALLED)

# ---- model: retrained only when training data, domain, config or the custom NLU changed ----
$(MODEL): $(INSTALLED) $(TRAINING_INPUTS)
	@mkdir -p var models
	$(PY) scripts/topics.py
	$(RASA) train --domain domain --data data --config config.yml --out models --fixed-model-name trygg-havn
	@touch $@

train: $(MODEL)

# ---- what follows from the catalogue (docs/adding-a-topic.md); also run before every training ----
topics: $(INSTALLED)
	$(PY) scripts/topics.py

validate: $(INSTALLED)
	$(PY) scripts/topics.py
	$(RASA) data validate --domain domain --data data --config config.yml --fail-on-warnings

run: $(MODEL)
	@mkdir -p var
	$(VENV)/bin/honcho start -f Procfile

chat: $(MODEL)
	@mkdir -p var
	@SANIC_HOST=127.0.0.1 $(RASA) run actions --actions actions --port 5055 --quiet & \
	  trap "kill $$! 2>/dev/null" EXIT; sleep 3; \
	  $(RASA) shell --model models --endpoints endpoints.yml

# ---- tests: everything, non-zero exit on any failure ----
test: $(MODEL)
	$(PY) scripts/run_tests.py

# ---- fast tier: lint + tests without a trained model, services or a browser (tests/conftest.py: `slow`) ----
test-fast: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(PYTEST) -q -m "not slow" -p no:cacheprovider tests

bench-nlu: $(INSTALLED)
	$(PY) scripts/bench_nlu.py $(if $(XSID_DIR),--xsid $(XSID_DIR),)

bench: $(MODEL)
	$(PY) scripts/bench.py $(BENCH_ARGS)

purge: $(INSTALLED)
	$(PY) -m trygg.store.purge

# ---- audit: pip-audit (own venv: its dependencies clash with Rasa's pins) on the runtime lock ----
# --strict: a package that could not be checked fails the audit (no silent "nothing found").
# Known, accepted findings: deploy/audit-known-findings.txt (justified in docs/operations.md).
$(AUDIT_VENV)/.installed: requirements-audit.lock
	@PY310=$$(scripts/check_python.sh) && { [ -x $(AUDIT_VENV)/bin/python ] || $$PY310 -m venv $(AUDIT_VENV); }
	$(AUDIT_VENV)/bin/python -m pip install --quiet -r requirements-audit.lock
	@touch $@

audit: $(AUDIT_VENV)/.installed
	$(AUDIT_VENV)/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r requirements.lock \
	  $$(grep -oE '^[A-Z]+-[0-9A-Za-z-]+' deploy/audit-known-findings.txt | sed 's/^/--ignore-vuln /')

clean:
	rm -rf models results .rasa var/tracker.db
