# The two commands of the quick start are `make run` and `make test`; the rest are conveniences.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
TEST_DATABASE_URL ?= postgres://app:app@127.0.0.1:5432/kpi_portal
TEST_ENV := DJANGO_SETTINGS_MODULE=kpi_portal.settings.test DATABASE_URL=$(TEST_DATABASE_URL)
PYTEST_WORKERS ?= 2
STAFF ?= 300
SCALE ?= 5000
MONTHS ?= 3
# The locust benchmark: LOAD=0 skips it; users and seconds of the run.
LOAD ?= 1
LOAD_USERS ?= 300
LOAD_SECONDS ?= 150

.PHONY: help install messages run test lint fmt check-compose worker beat shell seed bench

help:
	@echo "make run    — cài đặt, tạo dữ liệu mẫu và chạy tại http://127.0.0.1:8000"
	@echo "make test   — kiểm tra mã nguồn và chạy toàn bộ bộ kiểm thử (PostgreSQL, Redis, Chromium)"
	@echo "make lint | fmt | worker | beat | shell | seed STAFF=N"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# Compiled catalogs are committed; recompile when gettext is there so edits to .po files show.
messages: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v0; fi

run: install messages
	unset DATABASE_URL REDIS_URL CELERY_BROKER_URL; \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py seed_demo --staff $(STAFF) && \
	echo "Mở http://127.0.0.1:8000 và đăng nhập bằng một tài khoản ở trên." && \
	$(PY) manage.py runserver 127.0.0.1:8000

seed: install
	$(PY) manage.py seed_demo --staff $(STAFF)

test: install
	bash scripts/ensure_services.sh
	$(MAKE) --no-print-directory messages
	$(MAKE) --no-print-directory lint
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(MAKE) --no-print-directory check-compose
	$(TEST_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not browser"
	$(TEST_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -p no:cacheprovider -m browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint --quiet

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# No Docker engine here: validate the file with .env.example standing in for the real .env.
check-compose:
	@tmp=$$(mktemp -d) && cp docker-compose.yml "$$tmp/" && cp .env.example "$$tmp/.env" && \
	  (cd "$$tmp" && docker-compose -f docker-compose.yml config -q); status=$$?; rm -rf "$$tmp"; exit $$status

worker: install
	$(VENV)/bin/celery -A kpi_portal worker -l info -Q default,rollups,exports,notifications

beat: install
	$(VENV)/bin/celery -A kpi_portal beat -l info

shell: install
	$(PY) manage.py shell

# Province-scale benchmarks in their own database kpi_bench_$(SCALE), created and seeded when
# missing; results in bench/results/. Not part of `make test`.
bench: install
	(pg_isready -h 127.0.0.1 -q && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1) || bash scripts/ensure_services.sh
	BENCH_LOAD=$(LOAD) BENCH_LOAD_USERS=$(LOAD_USERS) BENCH_LOAD_SECONDS=$(LOAD_SECONDS) \
		$(PY) -m bench --scale $(SCALE) --months $(MONTHS)
