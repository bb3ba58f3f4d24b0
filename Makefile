# Two commands: `make run` serves the app, `make test` runs the tests. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test migrate lint bench bench-compress bench-crop bench-load bench-faults bench-catalog bench-overload bench-jobs bench-page bench-library clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

migrate: $(STAMP)
	$(FLASK) db upgrade

run: migrate
	$(FLASK) sweep
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# axe-core for the accessibility tests (tests/e2e/test_accessibility.py), where npm is installed.
AXE := tests/e2e/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/e2e/axe --no-audit --no-fund --silent; fi

# Test files spread over PYTEST_WORKERS processes (pytest-xdist; the tests share no state but
# the PostgreSQL and Redis servers, where each uses its own schema, queue and key prefix).
PYTEST_WORKERS ?= 2
test: $(DEV_STAMP) $(AXE)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check app tests bench

bench: $(DEV_STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/social.py
	$(BIN)/python bench/create_variations.py

# Compress/convert through HTTP against Pillow and libvips in-process (pyvips-binary, bench-only).
bench-compress: $(DEV_STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/compress.py $(BENCH_ARGS)

# Crop quality on the labelled photographs: this project, a centre crop and libvips attention.
bench-crop: $(DEV_STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/crop_quality.py $(BENCH_ARGS)

bench-load: $(STAMP)
	$(BIN)/python bench/load.py

bench-faults: $(DEV_STAMP)
	$(BIN)/python bench/faults.py

# 40 MP edits, 4096² Creates and 200-asset ZIPs, 100/100/20 at once, under gunicorn.conf.py (~3 min).
bench-overload: $(STAMP)
	$(BIN)/python bench/overload.py $(BENCH_ARGS)

# Catalogue read throughput under gunicorn, median of 3 rounds (needs wrk: apt-get install -y wrk).
bench-catalog: $(STAMP)
	$(BIN)/python bench/catalog_reads.py $(BENCH_ARGS)

# Async jobs on RQ: 200 Creates x 4 against a 2 s fake, 4 workers, then one killed every 10 s
# (needs PostgreSQL and Redis on 127.0.0.1; ~8 min). Quick: BENCH_ARGS='--jobs 10'.
bench-jobs: $(DEV_STAMP)
	$(BIN)/python bench/jobs.py $(BENCH_ARGS)

# A Library page of 12 tiles of 16 MP results: each tile as the file, and as its 640 px copy.
bench-library: $(DEV_STAMP)
	$(BIN)/python bench/library.py $(BENCH_ARGS)

# The Social page in headless Chromium: a 12 MP and a 27 MP photo to seven formats on screen
# (needs /usr/bin/chromium: apt-get install -y chromium).
bench-page: $(DEV_STAMP)
	$(BIN)/python bench/social_page.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

# Optional SIMD resize (performance reference §7): pillow-simd in a SEPARATE venv, .venv-simd.
# `make run` / `make test` always use stock Pillow in .venv; nothing here touches it.
# pillow-simd is source-only and replaces the `pillow` distribution (same `PIL` package), so it
# is built here (~2.5 min on 2 cores). Needs a C compiler and headers; on Debian 12 / Ubuntu:
#   apt-get install -y build-essential python3-dev libjpeg62-turbo-dev zlib1g-dev libpng-dev \
#       libwebp-dev libtiff-dev libfreetype-dev liblcms2-dev
# (Ubuntu: libjpeg-turbo8-dev; liblcms2-dev is required: app.imaging.codec imports ImageCms.)
# The build links the system libjpeg-turbo/zlib, not the wheel's libjpeg-turbo 3 / zlib-ng.
# SIMD_CC=cc builds the SSE4-only variant for CPUs without AVX2 (grep avx2 /proc/cpuinfo).
# Re-running `pip install` in .venv-simd can pull stock Pillow back over it: rerun `make simd`.
SIMD_VENV := .venv-simd
SIMD_BIN := $(SIMD_VENV)/bin
SIMD_STAMP := $(SIMD_VENV)/.installed-simd
PILLOW_SIMD ?= 12.1.1.post0
SIMD_CC ?= cc -mavx2

.PHONY: simd bench-simd

$(SIMD_STAMP): setup.cfg pyproject.toml
	test -x $(SIMD_BIN)/python || $(PYTHON) -m venv $(SIMD_VENV)
	$(SIMD_BIN)/pip install --quiet --upgrade pip
	$(SIMD_BIN)/pip install --quiet -e '.[dev]'
	$(SIMD_BIN)/pip uninstall --quiet -y pillow pillow-simd
	CC="$(SIMD_CC)" $(SIMD_BIN)/pip install --quiet --no-binary :all: pillow-simd==$(PILLOW_SIMD) \
	  || { echo "pillow-simd build failed: see the apt-get line above this target"; exit 1; }
	$(SIMD_BIN)/python -c "import PIL, importlib.metadata as m; m.version('pillow-simd'); \
	  print('pillow-simd', PIL.__version__)"
	touch $@

simd: $(SIMD_STAMP)

# Times naive and service under pillow-simd, plus naive under stock Pillow (.venv) in the same run.
bench-simd: $(SIMD_STAMP) $(STAMP)
	$(SIMD_BIN)/python bench/social.py --stock-baseline $(BIN)/python
