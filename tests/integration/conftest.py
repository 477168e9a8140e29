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


# --- Fault injection (issue 15) ---------------------------------------------------------------


class Faults:
    """What a fault-injection test breaks and restarts: a private broker (redis-server on a free
    port), a shared MEDIA_ROOT, real workers on a private queue, a PostgreSQL control
    connection. The test process sends its tasks to the private broker too."""

    def __init__(self, tmp_path: Path) -> None:
        from tests.integration.processes import PgControl, RedisServer

        self.tmp_path = tmp_path
        self.queue = f"faults-{uuid.uuid4().hex[:8]}"
        self.redis = RedisServer(tmp_path / "redis")
        self.media = tmp_path / "media"
        self.media.mkdir()
        self.workers: list = []
        self.pg = PgControl()

    def worker(self, *, beat: bool = True, env: dict[str, str] | None = None, concurrency: int = 1):  # type: ignore[no-untyped-def]
        from tests.integration.processes import FAULT_SETTINGS, WorkerProcess

        worker = WorkerProcess(
            broker_url=self.redis.url,
            queue=self.queue,
            log_path=Path(settings.VAR_DIR) / f"worker-{self.queue}-{len(self.workers)}.log",
            env={**FAULT_SETTINGS, "DJANGO_MEDIA_ROOT": str(self.media), **(env or {})},
            beat=beat,
            concurrency=concurrency,
        )
        self.workers.append(worker)
        worker.start().wait_ready()
        return worker

    def logs(self) -> str:
        return "\n".join(w.log()[-4000:] for w in self.workers)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.pg.close()
        self.redis.stop()


def _point_app_at(app, broker_url: str | None, queue: str, eager: bool) -> None:  # type: ignore[no-untyped-def]
    """Send this process's tasks to `broker_url` (None: back to the configured one), dropping
    the pools built for the old URL. `broker_write_url`, because the CELERY_BROKER_URL
    environment variable wins over `broker_url`."""
    app.conf.broker_write_url = broker_url
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = eager
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def faults(transactional_db: None, tmp_path: Path, settings) -> Iterator[Faults]:  # type: ignore[no-untyped-def]
    reason = _services_configured()
    if reason:
        pytest.skip(f"integration test: {reason}")
    import diagnostics.tasks  # noqa: F401 - registered below, as after any eager test
    from cnam_territoires.celery import app
    from tests.integration.processes import FAULT_SETTINGS

    # This process knows the tasks (their module imported, the app finalized), as it does in
    # the full suite once an eager test has run: a task sent by name then picks up this
    # process's time limits (570 s, 1,740 s) unless the dispatch clears them. The fault tests
    # give the worker its own short limits, which must be the ones it applies.
    app.finalize(auto=True)
    harness = Faults(tmp_path)
    harness.redis.start()
    for name, value in FAULT_SETTINGS.items():
        setattr(settings, name, float(value) if "." in value or name.endswith("_S") else int(value))
    settings.MEDIA_ROOT = harness.media
    # Read what to put back BEFORE the settings change: Celery's conf is a live view of the
    # Django settings (namespace CELERY), so read after it, the eager flag was already False,
    # and putting that back left every later test of this xdist worker sending its tasks to a
    # broker no worker reads (the tutorial's run stayed « pending »).
    previous = (None, app.conf.task_default_queue, app.conf.task_always_eager)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _point_app_at(app, harness.redis.url, harness.queue, eager=False)
    try:
        yield harness
    finally:
        _point_app_at(app, *previous)
        harness.close()
