"""Processes the fault-injection tests start, break and restart themselves (issue 15): a private
`redis-server` on a free port of 127.0.0.1 (never the shared one on 6379), real `celery worker`
processes (optionally with the beat embedded, on short heartbeat/sweep intervals), and a
PostgreSQL connection of the test's own that holds a table lock (to catch a worker inside a
query) or terminates another backend."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_S = float(os.environ.get("INTEGRATION_WORKER_READY_S", "180"))

# Short intervals for the fault tests: a dead worker is noticed in seconds, not minutes. The
# test process uses the same values (the `fault_settings` fixture) for the sweeps it runs.
FAULT_SETTINGS: dict[str, str] = {
    "TASK_HEARTBEAT_S": "0.5",
    "TASK_STALE_AFTER_S": "4",
    "TASK_MAX_ATTEMPTS": "3",
    "OUTBOX_MIN_AGE_S": "1",
    "OUTBOX_RESEND_AFTER_S": "60",
    "OUTBOX_DISPATCH_INTERVAL_S": "1",
    "WORK_SWEEP_INTERVAL_S": "1",
}


def wait_for(
    predicate: Callable[[], Any], *, timeout: float = 60.0, interval: float = 0.25
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url_of_tests() -> str:
    """The URL of this process's test database (test_<name>, or test_<name>_gw0 under xdist)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{connection.settings_dict['NAME']}"
    )


class RedisServer:
    """A private redis-server without persistence: stopping it loses its queue, like a broker
    that crashed."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_for(self.answers, timeout=10, interval=0.05):
            raise RuntimeError(f"redis-server on port {self.port} did not start")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """SIGKILL: the broker is gone at once, with what it held."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


class WorkerProcess:
    """A real `celery worker` on a private queue, bound to the test database, in its own process
    group (so that a test can kill it whole)."""

    def __init__(
        self,
        *,
        broker_url: str,
        queue: str,
        log_path: Path,
        env: dict[str, str] | None = None,
        beat: bool = False,
        concurrency: int = 1,
    ) -> None:
        self.broker_url, self.queue, self.log_path = broker_url, queue, log_path
        self.env = env or {}
        self.beat, self.concurrency = beat, concurrency
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of_tests(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "DJANGO_DEMO": "true",
            **self.env,
        }
        command = [
            str(Path(sys.executable).with_name("celery")), "-A", "cnam_territoires", "worker",
            "-Q", self.queue, f"--concurrency={self.concurrency}", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if self.beat:
            command += ["-B", f"--schedule={self.log_path.with_suffix('.beat')}"]
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = WORKER_READY_S) -> None:
        start = len(self.log()) if self.log_path.exists() else 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"celery worker exited early:\n{self.log()[-3000:]}")
            if "ready." in self.log()[start:] or "ready." in self.log():
                return
            time.sleep(0.2)
        raise AssertionError(f"celery worker not ready after {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill_main(self) -> None:
        """SIGKILL the worker's main process only (its pool children are orphaned)."""
        os.kill(self.pid, signal.SIGKILL)
        assert self.proc is not None
        self.proc.wait(timeout=10)

    def kill_group(self) -> None:
        """SIGKILL every process of the worker (main, pool, embedded beat)."""
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        if self.proc is not None:
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.kill_group()  # the test is over: no shutdown to wait for, orphans included
        self.proc = None


def pid_of_owner(claimed_by: str) -> int:
    """The process id in a claim (host:pid:task id)."""
    return int(claimed_by.split(":")[1])


class PgControl:
    """A PostgreSQL connection of the test's own (not Django's): holds table locks to catch a
    worker inside a query, finds the backends waiting on them, terminates backends."""

    def __init__(self) -> None:
        import psycopg

        self.conn = psycopg.connect(database_url_of_tests(), autocommit=True)
        self.database = connection.settings_dict["NAME"]

    @contextmanager
    def locked(self, table: str, mode: str = "ACCESS EXCLUSIVE") -> Iterator[None]:
        """Hold a lock on `table` until the block ends (or `release` is called)."""
        self.conn.execute("BEGIN")
        self.conn.execute(f'LOCK TABLE "{table}" IN {mode} MODE')
        try:
            yield
        finally:
            self.release()

    def release(self) -> None:
        if self.conn.info.transaction_status != 0:  # not idle: a transaction is open
            self.conn.execute("ROLLBACK")

    def waiting_backends(self) -> list[int]:
        """Backends of the test database waiting on a lock (the worker caught in its query)."""
        self.conn.execute("SELECT pg_stat_clear_snapshot()")  # fresh, even inside BEGIN
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid()",
            [self.database],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def activity(self) -> list[tuple[object, ...]]:
        """The other backends of the test database (pid, state, wait event, query, locks not
        granted): printed when a fault test fails, to see who waits on what."""
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        return self.conn.execute(
            "SELECT a.pid, a.state, a.wait_event_type, a.wait_event, a.backend_xid,"
            " left(a.query, 80),"
            " (SELECT string_agg(l.locktype || ':' || l.mode, ',') FROM pg_locks l"
            "  WHERE l.pid = a.pid AND NOT l.granted)"
            " FROM pg_stat_activity a WHERE a.datname = %s AND a.pid <> pg_backend_pid()",
            [self.database],
        ).fetchall()

    def terminate(self, pid: int) -> bool:
        row = self.conn.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        self.release()
        self.conn.close()
