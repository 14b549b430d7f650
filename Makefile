# Two commands: `make run` (set up and open the app on the seed corpus) and
# `make test` (set up and run the whole test suite, browser tests included).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-fast bench loadtest browser-deps proxy-deps allocator-deps clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || (echo "Python 3.11+ is needed" >&2; exit 1)
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

run: $(RUNTIME_STAMP)
	$(BIN)/streamlit run app.py

# Debian's chromium for the Playwright browser tests (Playwright cannot
# download its own browser here). Needs root or sudo; CI runs as root.
browser-deps:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "chromium not installed and no root: browser tests will be skipped" >&2; fi; \
	fi

# Debian's nginx for the test of two app processes behind the documented sticky proxy.
proxy-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) \
	    || echo "could not install nginx: the proxy test will be skipped" >&2; \
	  elif command -v sudo >/dev/null; then (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) \
	    || echo "could not install nginx: the proxy test will be skipped" >&2; \
	  else echo "nginx not installed and no root: the proxy test will be skipped" >&2; fi; \
	fi

# Debian's jemalloc, the allocator of the documented server (docs/DEPLOY.md, "Memory"): it gives
# freed memory back to the system, where glibc's heap keeps it after a peak.
allocator-deps:
	@if ! ls /usr/lib/*/libjemalloc.so.2 >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjemalloc2) \
	    || echo "could not install jemalloc: servers use glibc's allocator" >&2; \
	  elif command -v sudo >/dev/null; then (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjemalloc2) \
	    || echo "could not install jemalloc: servers use glibc's allocator" >&2; \
	  else echo "jemalloc not installed and no root: servers use glibc's allocator" >&2; fi; \
	fi

test: $(DEV_STAMP) browser-deps proxy-deps allocator-deps
	$(BIN)/python -m pytest

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow and not server"

bench: $(DEV_STAMP)
	$(BIN)/python scripts/benchmark.py

# 20 visitors at once over Streamlit's WebSocket protocol, 5 of them with their own ~1 MB corpus;
# server-side time per page, errors, memory; by default two app processes behind nginx, the
# documented deployment on two cores. Options: make loadtest ARGS="--servers 1" (--help).
ARGS ?= --servers 2
loadtest: $(DEV_STAMP) proxy-deps allocator-deps
	$(BIN)/python scripts/loadtest.py $(ARGS)

clean:
	rm -rf $(VENV) artifacts .pytest_cache .hypothesis
