# esi-reference: two commands do all the set-up on a fresh machine.
#   make site   build the reference site (book + in-browser trainer) and serve it at http://127.0.0.1:8000
#   make test   every test: lint, package, notebooks, the strict book build and the browser checks
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: venv site site-build serve test test-fast lint bench bench-lite bench-inline bench-audit clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

site-build: venv
	$(PY) tools/build_site.py

serve:
	@echo "Serving the site at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory book/_build/html

site: site-build serve

LINTED := esi_reference tests tools benchmarks exercises book --exclude book/_build

lint: venv
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

# everything that needs no built site and no browser (tests that do are marked `site` or `browser`)
test-fast: venv
	$(VENV)/bin/pytest -m "not browser and not site" -q -p no:randomly

test: venv lint site-build
	bash tools/run_tests.sh

bench: venv
	$(PY) benchmarks/bench_check.py

# time to first graded feedback in the in-browser trainer (needs `make site-build`)
bench-lite: venv
	$(PY) benchmarks/bench_lite.py

# time to first graded feedback on an exercise page (inline practice; needs `make site-build`)
bench-inline: venv
	$(PY) benchmarks/bench_inline.py

bench-audit: venv
	$(PY) benchmarks/bench_audit.py

clean:
	rm -rf book/_build book/generated book/practice $(VENV)
