# rihub — every set-up step lives here so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip
STAMP  := $(VENV)/.installed
DEBIAN_PACKAGES := chromium libreoffice-writer-nogui poppler-utils fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0

.PHONY: install system-packages demo serve test lint bench clean

install: $(STAMP)

# Debian packages for browser tests (chromium), rendering .docx → PDF (LibreOffice), HTML → PDF
# (WeasyPrint needs pango) and PDF checks.
system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (run 'sudo make system-packages')"; fi; \
	fi

# torch is pinned in the same pip command as sentence-transformers: that keeps the CPU build.
$(STAMP): pyproject.toml | system-packages
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[embed,postgres,test,dev]"
	touch $(STAMP)

demo: install
	$(BIN)/rihub --db sqlite:///rihub.db ingest --demo
	$(BIN)/rihub --db sqlite:///rihub.db align
	$(BIN)/rihub --db sqlite:///rihub.db stats
	$(BIN)/rihub --db sqlite:///rihub.db serve

# The suite on SQLite, then the tests that use a registry again on a throwaway PostgreSQL server
# (tests/backend.py); a machine without PostgreSQL fails the second pass, loudly.
test: install
	$(BIN)/python -m pytest -q
	RIHUB_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info rihub.db test-output
