# Portal de Atendimento. The two set-up commands are `make run` and `make test`;
# both create the virtualenv and install everything on first use.
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The newest Python 3.11+ on the PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; \
	then echo $$p; break; fi; done)

.PHONY: install run dev-env test lint format vendor

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "O portal precisa de Python 3.11 ou mais novo."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Development server with demo data on SQLite; e-mails are printed to the terminal.
run: install dev-env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Portal em http://127.0.0.1:$(PORT)/"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The development set-up in .env (read by config/settings.py), shared by the server and by
# every manage.py command run in this checkout: development mode, and e-mail links that
# point at the port served.
DEV_ENV ?= .env
dev-env:
	@test -x $(BIN)/python || $(MAKE) install
	$(BIN)/python scripts/dev_env.py $(DEV_ENV) DEBUG=true PORTAL_BASE_URL=http://127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the vendored front-end files from npm at the versions pinned in the script.
vendor:
	scripts/vendor-static.sh

# Benchmark (bench/README.md): 10k and 1M tickets on PostgreSQL, each page against the floor.
# BENCH_SCALES=10k for a quick run; the databases portal_bench_<scale> are recreated.
BENCH_SCALES ?= 10k 1m
BENCH_DB_URL ?= postgres://postgres@127.0.0.1:5432
BENCH_MEDIA ?= /tmp/portal-bench-media
.PHONY: bench
bench: install
	@command -v wrk >/dev/null || { echo "O benchmark usa o wrk: apt-get install -y wrk"; exit 1; }
	for scale in $(BENCH_SCALES); do \
		$(BIN)/python -m bench.generate --create --scale $$scale --database-url $(BENCH_DB_URL)/portal_bench_$$scale \
			--media-root $(BENCH_MEDIA) --json bench/results/generate-$$scale.json && \
		$(BIN)/python -m bench.run --label $$scale --database-url $(BENCH_DB_URL)/portal_bench_$$scale \
			--media-root $(BENCH_MEDIA) || exit 1; \
	done
	$(BIN)/python -m bench.report $(BENCH_SCALES)
