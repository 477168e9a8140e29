# Two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (the machine's cores, at most 2 by default); 0 runs serially.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 2 ] && n=2; [ $$n -lt 2 ] && n=0; echo $$n)

.PHONY: run test check fmt worker beat install migrate demo load-data clean bench screenshots backup restore

# Bytecode is cached (__pycache__, git-ignored) even where the environment says not to
# (PYTHONDONTWRITEBYTECODE=1 on this project's machines): otherwise every process a command
# starts (each pytest-xdist worker, each Celery worker of the integration tests, manage.py)
# compiles every module it imports from source and pytest rewrites the asserts of all 540 test
# modules again: 12 s of CPU per collection without the cache, 4.7 s with it.
unexport PYTHONDONTWRITEBYTECODE

# --no-compile: a module's bytecode is compiled when it is first imported (and cached, above);
# compiling every installed file up front (plotly's and pandas' thousands, most never imported)
# took half the install's CPU (43 s → 21 s measured side by side; ≈ 3.6 s of it is paid back
# by the first process that imports them; docs/adr/0012-test-speed.md).
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) est introuvable : installez Python 3.11."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	DJANGO_DEMO=true $(BIN)/python manage.py migrate --noinput

demo: migrate
	DJANGO_DEMO=true $(BIN)/python manage.py demo --url http://$(HOST):$(PORT)/

# Every official dataset of a folder laid out like ../shared/data: make load-data DATA=../shared/data
load-data: migrate
	@test -n "$(DATA)" || { echo "Indiquez le dossier des données : make load-data DATA=../shared/data"; exit 2; }
	DJANGO_DEMO=true $(BIN)/python manage.py load_open_data --source "$(DATA)"

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
	# Production defaults: only the secret key and the hosts are given (no DJANGO_SECURE_* …).
	env -u DJANGO_SECURE_SSL_REDIRECT -u DJANGO_SECURE_COOKIES -u DJANGO_HSTS_SECONDS \
	  DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-value-for-the-check \
	  DJANGO_DEBUG=false DJANGO_DEMO=false DJANGO_ALLOWED_HOSTS=territoires.example.fr \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The simple set-up: one worker with the beat embedded (-B), so that the periodic sweepers
# (CELERY_BEAT_SCHEDULE) run. Production runs its workers without it (`make worker WORKER_BEAT=`)
# and ONE `make beat`, as docker-compose.yml does: two beats would send every sweep twice.
WORKER_BEAT ?= -B --schedule=var/celerybeat-schedule

worker: $(STAMP)
	@mkdir -p var
	$(BIN)/celery -A cnam_territoires worker --loglevel=INFO --concurrency=2 $(WORKER_BEAT)

beat: $(STAMP)
	@mkdir -p var
	$(BIN)/celery -A cnam_territoires beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Database (pg_dump / SQLite backup) + uploaded files, one folder per backup under var/sauvegardes
# (diagnostics/services/backup.py). Restore: make restore BACKUP=var/sauvegardes/sauvegarde-…
backup: $(STAMP)
	$(BIN)/python manage.py backup

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "Indiquez la sauvegarde : make restore BACKUP=var/sauvegardes/…"; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)" --yes

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
