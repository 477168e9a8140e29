"""Integration tests: a real `celery worker` process against Redis and PostgreSQL.

They run in the second pass of .ci/run (DATABASE_URL on PostgreSQL, CELERY_BROKER_URL on Redis)
and are skipped, with the reason, on the embedded default (SQLite, eager Celery).
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_S = float(os.environ.get("INTEGRATION_WORKER_READY_S", "180"))


def _services_configured() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs DATABASE_URL on PostgreSQL"
    if not settings.CELERY_BROKER_URL:
        return "needs CELERY_BROKER_URL (Redis)"
    return None


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[str]:
    """Start a real worker on a private queue, bound to the test database; yield the queue."""
    reason = _services_configured()
    if reason:
        pytest.skip(f"integration test: {reason}")
    from cnam_territoires.celery import app

    queue = f"it-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    env = {
        **os.environ,
        # The test database of this process: test_<name>, or test_<name>_gw0… under xdist.
        "DATABASE_URL": (
            f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{connection.settings_dict['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_DEMO": "true",
    }
    celery_bin = Path(sys.executable).with_name("celery")
    log_path = Path(settings.VAR_DIR) / f"worker-{queue}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                str(celery_bin),
                "-A",
                "cnam_territoires",
                "worker",
                "-Q",
                queue,
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    previous_queue = app.conf.task_default_queue
    previous_eager = app.conf.task_always_eager
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    try:
        # Polled: no cost when the worker is quick; the margin is for a loaded CI machine
        # (two xdist workers, each possibly starting its own Celery worker).
        deadline = time.monotonic() + WORKER_READY_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited early:\n{log_path.read_text()}")
            if "ready." in log_path.read_text():
                break
            time.sleep(0.3)
        else:
            pytest.fail(
                f"celery worker not ready after {WORKER_READY_S:.0f} s:\n{log_path.read_text()}"
            )
        yield queue
    finally:
        app.conf.task_default_queue = previous_queue
        app.conf.task_always_eager = previous_eager
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        # Leave the log for a failed run; remove it otherwise.
        if proc.returncode in (0, -15):
            log_path.unlink(missing_ok=True)


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.25) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
