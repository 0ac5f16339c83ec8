# zaitun: `make run` starts the whole pipeline locally, `make test` runs the test suite.
# Both create/refresh .venv and install what they need (system packages with apt-get).

VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

# Prefect state stays in the project; no telemetry is attempted (there is no network).
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test venv chromium postgresql strace hugo lint bench clean

run: venv
	$(BIN)/zaitun up

test: venv chromium postgresql strace
	$(BIN)/ruff check zaitun tests bench
	$(BIN)/pytest -q

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $(STAMP)

# Browser tests drive Debian's Chromium (no browser downloads: the network is closed).
# fonts-noto-cjk lets the browser draw the Chinese pages it screenshots.
chromium:
	@{ command -v chromium >/dev/null 2>&1 && test -d /usr/share/fonts/opentype/noto; } || { \
	  echo "installing Debian's chromium and CJK fonts for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# The store is also tested on a throwaway PostgreSQL cluster (Debian's server binaries).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql for the PostgreSQL store tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# The durable-build tests trace a build's system calls (fsync before the switch) with Debian's strace.
strace:
	@command -v strace >/dev/null 2>&1 || { \
	  echo "installing Debian's strace for the durable-build tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null; }

# The build bench compares zaitun with Hugo (Debian's package) and Pelican (the bench extra).
hugo:
	@command -v hugo >/dev/null 2>&1 || { \
	  echo "installing Debian's hugo for the build bench"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null; }

lint: venv
	$(BIN)/ruff check zaitun tests bench

bench: venv hugo
	$(BIN)/python bench/glossary_bench.py
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/pass_bench.py
	$(BIN)/python bench/approval_bench.py
	$(BIN)/python bench/publish_latency_bench.py
	$(BIN)/python bench/fuzzy_bench.py

clean:
	rm -rf $(VENV) .zaitun .prefect .pytest_cache .hypothesis
	rm -rf publish .publish.versions
