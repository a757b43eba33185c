# The two commands a new user needs (see README.md): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# The development server and local commands run with DEBUG on; production leaves it off (the default).
DEBUG ?= True

.PHONY: run test install migrate demo check lint lint-check format messages benchmark benchmark-data clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=$(DEBUG) $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=$(DEBUG) $(BIN)/python manage.py seed_demo

## Install everything, migrate, load demo data and start the server on http://127.0.0.1:$(PORT)/ with
## one background-job worker beside it (stopped with the server)
run: demo
	@DEBUG=$(DEBUG) $(BIN)/python manage.py seed_demo --print-logins --port $(PORT)
	DEBUG=$(DEBUG) $(BIN)/python manage.py db_worker --interval 1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=$(DEBUG) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Run the whole test suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL), on every core
PYTEST_WORKERS ?= auto
test: install
	DJANGO_SETTINGS_MODULE=khuyencong.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=khuyencong.settings_test $(BIN)/python manage.py check
	FAST_PASSWORD_HASHER=true $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-check: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Rebuild the Vietnamese message catalogue after changing wrapped strings
messages: install
	cd programmes && DEBUG=True ../$(BIN)/python ../manage.py makemessages -l vi --no-obsolete --ignore 'imports/*'
	cd programmes && DEBUG=True ../$(BIN)/python ../manage.py compilemessages -l vi
	mkdir -p khuyencong/locale
	cd khuyencong && DEBUG=True ../$(BIN)/python ../manage.py makemessages -l vi --no-obsolete
	cd khuyencong && DEBUG=True ../$(BIN)/python ../manage.py compilemessages -l vi
	mkdir -p reports/locale
	cd reports && DEBUG=True ../$(BIN)/python ../manage.py makemessages -l vi --no-obsolete
	cd reports && DEBUG=True ../$(BIN)/python ../manage.py compilemessages -l vi
	cd programmes/imports && DEBUG=True ../../$(BIN)/python ../../manage.py makemessages -l vi --no-obsolete
	cd programmes/imports && DEBUG=True ../../$(BIN)/python ../../manage.py compilemessages -l vi

## Measure the lists and start pages on the national dataset beside a stock admin (see README)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/khuyencong_bench
benchmark: install
	DEBUG=False SECRET_KEY=benchmark-only-not-a-secret-key-0123456789abcdef DATABASE_URL=$(BENCH_DATABASE_URL) \
		$(BIN)/python manage.py benchmark --prepare $(BENCHMARK_ARGS)

## Fill the database with the national benchmark dataset (see README)
benchmark-data: migrate
	DEBUG=$(DEBUG) $(BIN)/python manage.py generate_data

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache
