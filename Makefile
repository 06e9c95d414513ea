# cydradd — two commands on a fresh machine: `make report YEAR=2024` and `make test`.
# The virtual environment is created (or refreshed when pyproject.toml or constraints.txt change)
# by whichever target needs it; there is no separate set-up step.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
INPUTS ?= inputs
OUTPUTS ?= outputs
# With no YEAR, report on the latest snapshot year whose extracts exist in $(INPUTS)/.
YEAR   ?= $(shell ls -1 $(INPUTS) 2>/dev/null | grep -E '^[0-9]{4}$$' | sort | tail -n 1)

.DEFAULT_GOAL := help
.PHONY: browser-deps help report figures validate test sample docs bench fuzz clean system-deps venv

help: ## list the commands
	@echo "cydradd — bilingual statutory equality report"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-14s %s\n", $$1, $$2}'
	@echo
	@echo "  YEAR=$(YEAR) (default: latest year folder in $(INPUTS)/)"

system-deps: ## install the Debian packages WeasyPrint and the review pack need, when missing (needs root)
	@if ! command -v pdftoppm >/dev/null && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "installing poppler-utils for page thumbnails (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	fi
	@# WeasyPrint subsets the PDF's fonts with HarfBuzz-Subset; without it, it falls back to fontTools and
	@# warns on every PDF (a warning the review pack then shows the communications team)
	@if ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "installing HarfBuzz-Subset for WeasyPrint's fonts (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null; \
	fi
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so'; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "installing Pango for WeasyPrint (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
	  else \
	    echo "WeasyPrint needs Pango: run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0'"; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml constraints.txt
	@$(MAKE) --no-print-directory system-deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP) ## create or refresh the virtual environment

report: $(STAMP) ## validate, compute and publish the bilingual report: make report YEAR=2024
	$(PY) -m pipeline report --year $(YEAR) --inputs $(INPUTS) --outputs $(OUTPUTS)

figures: $(STAMP) ## compute and publish outputs/YEAR-figures/data/ only (no rendering; the report stays)
	$(PY) -m pipeline figures --year $(YEAR) --inputs $(INPUTS) --outputs $(OUTPUTS)

validate: $(STAMP) ## check the extracts against the data contract and list every problem
	$(PY) -m pipeline validate --year $(YEAR) --inputs $(INPUTS)

browser-deps: ## install what the accessibility test needs: Debian chromium (root) and axe-core (npm)
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "installing Chromium for the axe-core accessibility test (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is not installed; the axe-core test will be skipped (apt-get install chromium)"; fi; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules/axe-core/axe.min.js; \
	  else echo "note: npm is not installed; the axe-core test will be skipped"; fi; \
	fi

test: $(STAMP) browser-deps ## check the code for bugs a linter finds (ruff), then run the test suite
	$(PY) -m ruff check --quiet pipeline tests bench
	$(PY) -m pytest -q

sample: $(STAMP) ## regenerate the synthetic sample inputs (seeded, deterministic)
	$(PY) -m pipeline.sample --out $(INPUTS) --years 2023 2024 --seed 20240331

docs: $(STAMP) ## regenerate docs/data-contract.md from the contract declaration
	$(PY) -m pipeline contract-docs --out docs/data-contract.md

bench: $(STAMP) ## benchmark figures at 2.5k, 100k and 1M employees and the full report; saves outputs/bench/
	$(PY) bench/run.py

fuzz: $(STAMP) ## fuzz the readers and validation with thousands of random corruptions (long)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q --timeout=3600 tests/unit/test_fuzz_extracts.py

clean: ## remove the virtual environment and generated outputs
	rm -rf $(VENV) node_modules $(OUTPUTS)/[0-9]* $(OUTPUTS)/.releases $(OUTPUTS)/.staging
