# zhucun: two commands.
#   make run   set up (venv, install, migrate, demo province, demo accounts) and serve
#              http://127.0.0.1:8000 with a Celery worker and beat; Ctrl-C stops all.
#   make test  lint, migration check and the whole test suite (SQLite by default;
#              PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set).
#
# Knobs: make run VILLAGES=200 (smaller demo province), ADDRPORT=0.0.0.0:8000,
#        CONCURRENCY=4 (worker processes), DEBUG=1 (Django's debug pages, for
#        developers), DEMO=0 (no demo accounts); make test PYTEST_ARGS="-x tests/teams".
#
# `make run` serves with DEBUG off, over plain http on this machine: the secret key
# is generated once into var/secret_key (mode 600) and read from there, the HTTPS
# redirect and HTTPS-only cookies are off. A real deployment is docker-compose.yml.

SHELL := /bin/bash

# The first Python 3.11+ on PATH, unless given: make run PYTHON=/usr/bin/python3.12
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	command -v $$p >/dev/null 2>&1 && \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && \
	{ echo $$p; break; }; done)

VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Written after a successful install; a newer pyproject.toml installs again.
INSTALLED := $(VENV)/.installed

VILLAGES ?=
SEED_ARGS := $(if $(VILLAGES),--villages $(VILLAGES))
ADDRPORT ?= 127.0.0.1:8000
CONCURRENCY ?= 2
# The demo province stands on 2022-12-31 (zhucun.demo.AS_OF): `make run` shows it
# as of that day. Real data: make run TODAY= (empty = the real date).
TODAY ?= 2022-12-31
PYTEST_ARGS ?=
# make run: DEBUG off unless DEBUG=1; demo accounts (public passwords) unless DEMO=0.
DEBUG ?= 0
DEMO ?= 1
RUN_VAR_DIR := $(or $(ZHUCUN_VAR_DIR),var)
SECRET_KEY_FILE := $(RUN_VAR_DIR)/secret_key

.PHONY: run setup seed test lint ruff-check ruff-format-check migrations-check \
	pytest install clean-venv help

help:
	@echo "make run    建立环境、迁移数据库、加载示范数据，启动网页服务 + Celery worker + beat"
	@echo "make test   代码检查、迁移检查和全部测试"

# The environment of `make run` and its set-up (not of `make test`). The key is
# passed as a file name, so that it never shows in make's echo of a command.
run setup seed: export DEBUG := $(DEBUG)
run setup seed: export SECRET_KEY_FILE := $(abspath $(SECRET_KEY_FILE))
run setup seed: export SECURE_SSL_REDIRECT := 0
run setup seed: export SESSION_COOKIE_SECURE := 0
run setup seed: export CSRF_COOKIE_SECURE := 0

run: setup
	ZHUCUN_TODAY=$(TODAY) $(MANAGE) run_all --addrport $(ADDRPORT) --concurrency $(CONCURRENCY)

setup: $(INSTALLED) $(SECRET_KEY_FILE)
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	@$(MAKE) --no-print-directory seed
ifeq ($(DEMO),1)
	@case "$(ADDRPORT)" in 127.0.0.1:*|localhost:*) ;; *) \
		echo "演示账号的密码是公开的：只在本机地址（127.0.0.1）上创建。对外提供服务请用 make run DEMO=0。"; \
		exit 1;; esac
	$(MANAGE) demo_accounts --allow-production --verbosity 0
endif

# A random secret key, made once and kept: sessions survive a restart.
$(SECRET_KEY_FILE):
	@mkdir -p $(dir $@)
	@umask 077; $(or $(wildcard $(BIN)/python),$(PYTHON)) -c \
		"import secrets; print(secrets.token_urlsafe(50))" > $@.tmp && mv $@.tmp $@
	@echo "已生成密钥文件 $@（请勿提交或外传）。"

# Loads the demo province only when there is no village yet: a second
# `make run` keeps whatever the first one (or a user) put in the database.
seed: $(INSTALLED) $(SECRET_KEY_FILE)
	@rc=0; $(MANAGE) shell --verbosity 0 --no-imports --command \
		"from villages.models import Village; raise SystemExit(0 if Village.objects.exists() else 3)" \
		|| rc=$$?; \
	if [ $$rc -eq 0 ]; then \
		echo "数据库中已有村庄数据，不再加载示范数据（seed_demo）。"; \
	elif [ $$rc -eq 3 ]; then \
		echo "+ $(MANAGE) seed_demo $(SEED_ARGS)"; \
		$(MANAGE) seed_demo $(SEED_ARGS); \
	else \
		exit $$rc; \
	fi

# Every check runs even when an earlier one fails (make -k), so one run shows
# them all; `make test` fails if any failed.
test: $(INSTALLED)
	@$(MAKE) --no-print-directory -k ruff-check ruff-format-check migrations-check pytest

lint: ruff-check ruff-format-check

ruff-check: $(INSTALLED)
	$(BIN)/ruff check .

ruff-format-check: $(INSTALLED)
	$(BIN)/ruff format --check .

migrations-check: $(INSTALLED)
	$(MANAGE) makemigrations --check --dry-run

pytest: $(INSTALLED)
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "需要 Python 3.11 或更高版本（python3.11 / python3）。可用 make PYTHON=/path/to/python3 指定。"; \
		exit 1; \
	fi
	@if [ ! -x $(BIN)/python ]; then \
		echo "+ $(PYTHON) -m venv $(VENV)"; \
		$(PYTHON) -m venv $(VENV) || { \
			echo "无法创建虚拟环境；Debian/Ubuntu 上请先安装 python3-venv。"; exit 1; }; \
	fi
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $@

clean-venv:
	rm -rf $(VENV)

# The benchmark at province scale (issue 10; README "性能"): builds or reuses the
# demo province in its own databases (var/bench/; PostgreSQL too when DATABASE_URL
# is set), prints the table and writes var/bench/latest.json.
#   make bench             the whole province (11,501 villages), ~10 minutes per database
#   make bench BENCH=quick a few hundred villages, under two minutes
# wrk drives the HTTP load when installed (installed here when missing and root);
# otherwise a small Python client does.
BENCH ?=
.PHONY: bench
bench: $(INSTALLED)
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null 2>&1 \
		&& DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq wrk \
			</dev/null >/dev/null 2>&1; } \
		|| echo "未安装 wrk：并发测试改用内置的 Python 客户端。"
	$(BIN)/python -m bench $(if $(filter quick,$(BENCH)),--quick)
