# The MNIST Book. Two commands: `make book` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB := $(BIN)/jupyter-book
# The HTML builds read (execute) JOBS pages at a time (tools/build_book.py:
# `jupyter-book build` with Sphinx's -j); the results do not depend on it.
JOBS ?= 2
BUILD := $(BIN)/python tools/build_book.py --jobs $(JOBS)
HWLIB_HASH := _build/.hwlib-hash
# What the executed book depends on in hwlib: its code and its figure style.
# Build tooling (_ext/report.py) is not part of it.
HWLIB_SUM = cat hwlib/*.py $(wildcard hwlib/*.mplstyle) | sha256sum | cut -d' ' -f1
# The book build is quiet: no progress bars in executed outputs.
export HWLIB_QUIET := 1
# Jupyter kernels draw figures into the page only with the inline backend;
# any other MPLBACKEND in the caller's environment (Agg, say) would silently
# leave every figure out of the book.
export MPLBACKEND := module://matplotlib_inline.backend_inline
# Python keeps compiled bytecode: a caller's PYTHONDONTWRITEBYTECODE would
# have every kernel and worker compile torch, SciPy and Sphinx again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: book test lint format pdf homework release lab full-check fashion-deps pytest pytest-unit determinism-test strict-book notebook-test browser-deps browser-test lab-test page-test pdf-test notebooks faults determinism lock bench clean help

help:
	@echo "make book   - install into .venv (once), then build the executed book"
	@echo "make test   - install into .venv (once), lint, pytest, strict build from scratch, PDF, browser tests"
	@echo "make lab    - JupyterLab on the book (127.0.0.1 only, with a token): chapters/*.md open as notebooks"
	@echo "make pdf    - the whole book as one PDF (after make book): _build/html/mnist-book.pdf"
	@echo "make homework - student notebooks with self-checks in homework/_build"
	@echo "make release  - zip of site, PDF, notebooks, homework and hwlib's wheel (after make book pdf)"

# uv installs what pip would, from where pip is configured to look
# (tools/install.py), in about a third of pip's time.
$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml tools/install.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv -c constraints.txt
	$(BIN)/python tools/install.py --quiet -r requirements-dev.txt -c constraints.txt
	$(BIN)/python tools/install.py --quiet --no-deps -e .
	touch $(STAMP)

# `make book`: executes only what changed. A change in hwlib/ invalidates every
# chapter (jupyter-cache only looks at code cells), so the cache is cleared.
book: $(STAMP)
	@mkdir -p _build
	@new=$$($(HWLIB_SUM)); \
	if [ "$$new" != "$$(cat $(HWLIB_HASH) 2>/dev/null)" ]; then \
	  echo "hwlib changed: every chapter will be re-executed"; \
	  rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute; \
	fi; \
	$(BUILD) build . --keep-going && echo "$$new" > $(HWLIB_HASH)
	@$(BIN)/python _ext/report.py _build

# `make test`: lint (ruff, deptry); then two stages, each sharing the two
# cores between its jobs (-j; -O prints a job's output in one piece when it
# ends):
# 1. pytest (hwlib's doctests and oracles, the build's machinery, the
#    homework, a chapter and a homework notebook run offline from the
#    release's wheel) beside the strict book build from an empty cache
#    (every page executed once, two at a time); JupyterLab driven in
#    Chromium (a chapter's .md run as a notebook, a homework stub failed then
#    solved) takes pytest's place when it ends;
# 2. every page of the built book in Chromium, beside the PDF (from that
#    build's cache) and the determinism test (a fresh run of the fast
#    chapters against the build's run of them); then the PDF's check.
# The committed .ipynb are not re-executed: tests/test_notebooks.py proves
# each holds its .md's cells, which the strict build has just run (`make
# notebook-test` still runs them with nbmake).
test: lint
	$(MAKE) --no-print-directory -j2 -O pytest-unit strict-book lab-test
	$(MAKE) --no-print-directory -j3 -O page-test pdf determinism-test
	$(MAKE) --no-print-directory pdf-test

# ruff (settings in pyproject.toml) over the library, the tests, the tooling
# and the chapters' notebooks (made from the Markdown by `make notebooks`).
# deptry: every third-party import is declared, directly, where it belongs:
# hwlib's in pyproject.toml (the wheel), the book's (chapters, hwlib,
# homework, tooling) in requirements.txt, the tests' in requirements-dev.txt.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/deptry hwlib
	$(BIN)/deptry . --config tools/deptry-book.toml
	$(BIN)/deptry tests --config tools/deptry-tests.toml

# The whole book as one PDF: the single-page build (same executions, from the
# cache of the HTML build) printed by Chromium, with the website's chapter,
# equation and figure numbers and page numbers; it lands beside the HTML,
# which links it. Run after `make book` or `make strict-book`.
pdf: $(STAMP) browser-deps
	$(JB) build . --builder singlehtml --warningiserror --keep-going
	$(BIN)/python _ext/pdf.py _build/singlehtml _build/html/mnist-book.pdf

# Student notebooks for questions 1.1-3.2 (stubs with self-checks), in
# homework/_build; tests/test_homework.py proves every stub fails its check
# and every book solution passes it.
homework: $(STAMP)
	$(BIN)/python homework/build.py homework/_build

# One zip for a release, named with pyproject.toml's version: the HTML site,
# the PDF, the executed notebooks and the homework notebooks, with hwlib's
# wheel beside the notebooks (their install cell installs it from there,
# offline; tests/test_release.py runs that) and in wheel/. Run after
# `make book pdf` (or `make test`); tag the commit vVERSION, from which the
# install cell installs hwlib when no wheel is beside the notebook.
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
RELEASE = _build/release/mnist-book-$(VERSION)
release: $(STAMP) homework
	test -f _build/html/mnist-book.pdf || { echo "run make book pdf first"; exit 1; }
	rm -rf _build/release && mkdir -p $(RELEASE)/notebooks
	cp -r _build/html $(RELEASE)/html
	cp _build/html/mnist-book.pdf $(RELEASE)/
	cp _build/html/_sources/chapters/*.ipynb _build/html/_sources/book/errata.ipynb $(RELEASE)/notebooks/
	cp -r homework/_build $(RELEASE)/homework
	$(BIN)/python tools/build_wheel.py $(RELEASE)/wheel
	cp $(RELEASE)/wheel/hwlib-*.whl $(RELEASE)/notebooks/
	cp $(RELEASE)/wheel/hwlib-*.whl $(RELEASE)/homework/
	cd _build/release && $(CURDIR)/$(BIN)/python -m zipfile -c mnist-book-$(VERSION).zip mnist-book-$(VERSION)
	@echo "Release: _build/release/mnist-book-$(VERSION).zip"

# Format the library and the code cells of every chapter in place.
format: $(STAMP)
	$(BIN)/ruff format hwlib tests benchmarks _ext
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/jupytext --quiet --pipe "ruff format -" $(NOTEBOOK_SOURCES)

# pytest-xdist: two workers (this machine's cores), whole files to one worker
# so that a module's fixtures are built once.
PYTEST_WORKERS ?= 2
pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile
# make test's first stage: all of pytest but what needs the built book. Its
# two workers share the cores with the book's kernel: one thread each, not
# two (torch and OpenBLAS would otherwise start more threads than cores).
pytest-unit: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
	  $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile \
	  --ignore=tests/test_determinism.py --durations=12
# After a build: a fresh run of each fast chapter against the build's run.
determinism-test: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_determinism.py

notebook-test: $(STAMP)
	$(BIN)/python -m pytest -q --nbmake --nbmake-timeout=600 chapters/*.ipynb book/errata.ipynb

# Debian's Chromium for the browser tests (as root, e.g. in CI); no browser download.
browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

# The browser stage: every page of the built book (test_pages.py), the PDF
# (test_pdf.py, after make pdf) and JupyterLab driven in Chromium
# (test_lab.py, which needs no build).
browser-test: lab-test page-test pdf-test
lab-test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -m browser tests/browser/test_lab.py
# The pages are spread over the workers (--dist load); each worker records
# its part of the reports, which pytest merges (tests/conftest.py).
page-test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -m browser -n $(PYTEST_WORKERS) --dist load \
	  tests/browser/test_pages.py --durations=5
pdf-test: $(STAMP)
	$(BIN)/python -m pytest -q -m browser tests/browser/test_pdf.py

# JupyterLab on the book, as the README says: 127.0.0.1 only, a random
# token (never empty), the address printed; a chapter's .md opens as a
# notebook (jupytext). LAB_PORT picks the port (another when it is taken).
LAB_PORT ?= 8888
lab: $(STAMP)
	$(BIN)/python tools/lab.py --port $(LAB_PORT)

strict-book: $(STAMP)
	rm -rf _build
	$(BUILD) build . --all --warningiserror --keep-going
	@mkdir -p _build && $(HWLIB_SUM) > $(HWLIB_HASH)
	@$(BIN)/python _ext/report.py _build

# One .ipynb per chapter, next to its .md (outputs stripped): what Colab,
# Binder and plain Jupyter open. tests/test_notebooks.py checks they are current.
NOTEBOOK_SOURCES := $(wildcard chapters/*.md) book/errata.md
notebooks: $(STAMP)
	$(BIN)/jupytext --quiet --update --to ipynb $(NOTEBOOK_SOURCES)

# The full-size edition on a stand-in. Full MNIST cannot be downloaded here;
# Fashion-MNIST (Debian's dataset-fashion-mnist) has its IDX format and sizes
# (60,000 / 10,000). Every page is executed on it with execution errors and
# Sphinx warnings fatal, in its own build folder and cache (jupyter-cache keys
# on code, not data, so the sample's cache must not be reused). Claims about
# digits may be false on clothing: hwlib.claims lists them in
# _build/full/false-claims.txt instead of failing.
FASHION := /usr/share/datasets/fashion-mnist
FULL := $(CURDIR)/_build/full
# Seconds a cell may take on 60,000 / 10,000 images (the sample's limit is
# 600): chapter 4's KD-tree answers 10,000 queries in 784 dimensions.
FULL_CELL_TIMEOUT ?= 3600
fashion-deps:
	@test -d $(FASHION) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; \
	  else echo "make full-check needs Debian's dataset-fashion-mnist: sudo apt-get install dataset-fashion-mnist"; exit 1; fi; }

full-check: $(STAMP) fashion-deps
	rm -rf $(FULL) && mkdir -p $(FULL)/data/MNIST/raw
	ln -s $(FASHION)/*-ubyte.gz $(FULL)/data/MNIST/raw/
	sed -e 's|^  cache: .*|  cache: $(FULL)/_build/.jupyter_cache|' \
	  -e 's|^  timeout: .*|  timeout: $(FULL_CELL_TIMEOUT)|' \
	  -e 's|: _ext$$|: $(CURDIR)/_ext|' _config.yml > $(FULL)/_config.yml
	time PYTHONPATH=$(CURDIR) HWLIB_DATA=full HWLIB_DATA_DIR=$(FULL)/data HWLIB_CLAIMS=report \
	  HWLIB_CLAIMS_FILE=$(FULL)/false-claims.txt \
	  $(JB) build . --config $(FULL)/_config.yml --path-output $(FULL) \
	  --all --warningiserror --keep-going
	@$(BIN)/python _ext/report.py $(FULL)/_build
	@echo "Claims false on the stand-in (listed, not fatal):"
	@cat $(FULL)/false-claims.txt 2>/dev/null || echo "  none"

# Slower checks than CI runs: every fault in every chapter, determinism of every chapter.
faults: $(STAMP)
	HWLIB_FAULTS_ALL=1 $(BIN)/python -m pytest -q tests/test_book.py -k real_chapter
determinism: $(STAMP)
	HWLIB_DETERMINISM_ALL=1 $(BIN)/python -m pytest -q tests/test_determinism.py

# Benchmarks (not part of make test): alternatives side by side, tables in benchmarks/results/.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt -c constraints.txt
	@test -d /usr/share/datasets/fashion-mnist || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; \
	  else echo "The benchmarks need Debian's dataset-fashion-mnist: sudo apt-get install dataset-fashion-mnist"; exit 1; fi; }
	$(BIN)/python benchmarks/run.py --out benchmarks/results

lock: $(STAMP)
	( echo "# Exact versions make and CI install (pip install -c constraints.txt). Regenerate: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^hwlib' ) > constraints.txt

clean:
	rm -rf _build
