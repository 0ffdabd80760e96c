# The two commands of the README:
#   make run   install, migrate, load the demo, serve on http://127.0.0.1:8000
#   make test  install, lint, run the whole test suite on PostgreSQL and Redis
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Tests always use the real PostgreSQL and Redis of this machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/thidua
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/1

.PHONY: run test install lint pytest bench system-deps services messages check-deploy clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

.stamp-requirements: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

install: .stamp-requirements
	$(PY) manage.py compile_translations

system-deps:
	bash scripts/system-deps.sh

services:
	bash scripts/ensure-services.sh

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	@if command -v docker-compose >/dev/null; then docker-compose -f docker-compose.yml config -q 2>/dev/null && echo "docker-compose.yml: valid"; fi

pytest: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)

test: system-deps services lint check-deploy
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest --create-db $(PYTEST_ARGS)

# make bench            every benchmark under benchmarks/
# make bench B=recompute one of them
bench: install services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) benchmarks/run.py $(B)

check-deploy: install
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=thidua.example.org $(PY) manage.py check --deploy --fail-level WARNING

messages:
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore='.venv/*' --ignore='tests/*' --ignore='staticfiles/*' --ignore='benchmarks/*' --no-location

clean:
	rm -rf $(VENV) .stamp-requirements staticfiles
