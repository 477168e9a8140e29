# Two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (the machine's cores, at most 2 by default); 0 runs serially.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 2 ] && n=2; [ $$n -lt 2 ] && n=0; echo $$n)

.PHONY: run test check fmt worker beat install migrate demo clean bench screenshots

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) est introuvable : installez Python 3.11."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	DJANGO_DEMO=true $(BIN)/python manage.py migrate --noinput

demo: migrate
	DJANGO_DEMO=true $(BIN)/python manage.py demo --url http://$(HOST):$(PORT)/

run: demo
	@echo "Serveur : http://$(HOST):$(PORT)/"
	DJANGO_DEMO=true DJANGO_DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	DJANGO_DEMO=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_DEMO=true $(BIN)/mypy .
	DJANGO_DEMO=true $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-value-for-the-check \
	  DJANGO_DEBUG=false DJANGO_DEMO=false DJANGO_SECURE_SSL_REDIRECT=true DJANGO_SECURE_COOKIES=true \
	  DJANGO_HSTS_SECONDS=31536000 DJANGO_ALLOWED_HOSTS=territoires.example.fr \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(STAMP)
	$(BIN)/celery -A cnam_territoires worker --loglevel=INFO --concurrency=2

beat: $(STAMP)
	$(BIN)/celery -A cnam_territoires beat --loglevel=INFO

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
