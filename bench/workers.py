"""A Celery worker for the benchmarks (its own queue, two processes) and the CPU it uses.

Imported by the bench scripts run as `python bench/<script>.py` (bench/ is then on sys.path).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def celery_worker(
    prefix: str, env: dict[str, str], *, startup_s: float
) -> Iterator[subprocess.Popen[bytes]]:
    """A `celery worker --concurrency=2` on a new queue `<prefix>-<8 hex>`, which this process
    then sends its tasks to; `env` is the worker's environment (its database and broker). Waits
    `startup_s` for the worker's processes to import Django, pandas and plotly, exits with the
    worker's log if it stopped; the worker is stopped (and reaped) on leaving."""
    from cnam_territoires.celery import app

    queue = f"{prefix}-{uuid.uuid4().hex[:8]}"
    log = Path(tempfile.gettempdir()) / f"{queue}.log"
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")), "-A", "cnam_territoires", "worker",
            "-Q", queue, "--concurrency=2", "--loglevel=WARNING", "--without-gossip",
            "--without-mingle", "--without-heartbeat",
        ],
        cwd=ROOT, env={**env, "CELERY_TASK_DEFAULT_QUEUE": queue}, stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    try:
        time.sleep(startup_s)
        if worker.poll() is not None:
            raise SystemExit(f"Le worker s'est arrêté :\n{log.read_text()}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            # Reaped here, not by a later subprocess call: its CPU would be counted in a later
            # measure's RUSAGE_CHILDREN (seen: 513 s of CPU for 184 s on 2 cores).
            worker.wait()


def proc_children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for one in [pid, *proc_children(pid)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total
