"""Claims of background work by owner and heartbeat (issue 15), shared by diagnostic runs and
import batches.

A worker process claims a row by a compare-and-swap UPDATE that writes its identity
(`claimed_by` = host:pid:task id), the time (`heartbeat_at`) and one more attempt. It may take:
- a queued row (pending);
- a row another process claimed whose heartbeat stopped for more than TASK_STALE_AFTER_S;
- a row claimed by a process of this host that is dead (a pool child killed by SIGKILL or the
  OOM killer: its message, acked late and rejected on worker loss, is delivered again at once
  and takes the work up without waiting for the heartbeat to go stale).
A live owner's row is never taken (a duplicate message does nothing). While it works, the owner
writes `heartbeat_at` every TASK_HEARTBEAT_S from a thread (`Heartbeat`), and every write of a
result is conditioned on `claimed_by` still being its own: a process that lost its claim (swept,
taken over) cannot overwrite the new owner's work.

`claims_sweep` takes back the rows whose heartbeat stopped (the whole worker was killed, its
message waits for the broker's visibility timeout): queued again while attempts remain (the
outbox dispatcher sends them), else failed with a message offering to start again.

`connection_reset` is called before writing a failure: an exception raised inside a query (the
soft time limit's signal, a terminated connection) leaves the connection unusable (« another
command is already in progress »), so the failure is written on a fresh one. The query still
running on the server is cancelled first (`query_cancel`; inside a transaction,
`query_cancelled_on_error` does it before the transaction's own rollback closes the connection):
closing a connection does not stop a backend that waits on a lock, which would go on holding its
transaction's locks — the row the failure must be written on (an import's write holds its batch
row) — until that lock is released.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)


def owner_id(task_id: str | None = None) -> str:
    """This process's identity as the owner of a claim: host:pid:task id."""
    return f"{socket.gethostname()}:{os.getpid()}:{task_id or ''}"[:200]


def owner_dead(owner: str) -> bool:
    """Whether `owner` is a process of this host that no longer exists. Unknown (another host,
    unparsable, alive) is False: only the heartbeat can tell then."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed child not reaped yet is a zombie: dead for our purpose (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def stale_after() -> timedelta:
    return timedelta(seconds=float(settings.TASK_STALE_AFTER_S))


def claim(
    model: type[models.Model],
    pk: int,
    *,
    owner: str,
    queued: str,
    running: Iterable[str],
    claim_status: str,
    **fields: Any,
) -> bool:
    """Claim row `pk` of `model` for `owner` (see the module docstring): status becomes
    `claim_status`, with `fields`. Returns whether this process owns the row now. Raises
    `model.DoesNotExist` when the row is gone."""
    running = tuple(running)
    row = (
        model._default_manager.filter(pk=pk).values("status", "claimed_by", "heartbeat_at").first()
    )
    if row is None:
        raise model.DoesNotExist(f"{model.__name__} {pk} does not exist")  # type: ignore[attr-defined]
    now = timezone.now()
    rows = model._default_manager.filter(pk=pk, status=row["status"])
    if row["status"] == queued:
        pass
    elif row["status"] in running:
        beat = row["heartbeat_at"]
        stale = beat is None or beat < now - stale_after()
        if not (stale or owner_dead(row["claimed_by"])):
            return False
        logger.warning(
            "%s %s: taken over from %s (heartbeat %s)", model.__name__, pk, row["claimed_by"], beat
        )
        rows = rows.filter(claimed_by=row["claimed_by"], heartbeat_at=beat)
    else:
        return False
    return bool(
        rows.update(
            status=claim_status,
            claimed_by=owner,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            **fields,
        )
    )


def owned(model: type[models.Model], pk: int, owner: str, running: Iterable[str]) -> Any:
    """The queryset of row `pk` while `owner` still holds it (for conditional writes)."""
    return model._default_manager.filter(pk=pk, claimed_by=owner, status__in=tuple(running))


class Heartbeat:
    """While the block runs, write `heartbeat_at` on the owned row every TASK_HEARTBEAT_S from
    a thread with its own database connection. `lost` turns True when the row is no longer
    ours (swept or taken over). Not started when tasks run in-process (eager mode): nothing
    else can claim the row then, and the tests' transaction is not visible from a thread."""

    def __init__(
        self, model: type[models.Model], pk: int, owner: str, running: Iterable[str]
    ) -> None:
        self.model, self.pk, self.owner, self.running = model, pk, owner, tuple(running)
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        from celery import current_app

        if not current_app.conf.task_always_eager:
            self._thread = threading.Thread(
                target=self._run, name=f"heartbeat-{self.pk}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = float(settings.TASK_HEARTBEAT_S)
        try:
            while not self._stop.wait(interval):
                try:
                    beat = owned(self.model, self.pk, self.owner, self.running).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("heartbeat of %s %s failed", self.model.__name__, self.pk)
                    connection.close()
                    continue
                if not beat:
                    self.lost = True
                    return
        finally:
            connection.close()


def query_cancel() -> bool:
    """Cancel on the server the query this thread's connection is still running (an exception
    was raised while waiting for its answer). Returns whether a cancel was sent. PostgreSQL
    only; never raises (the caller is already handling an error)."""
    raw = connection.connection
    if raw is None or connection.vendor != "postgresql":
        return False
    try:
        from psycopg import pq

        if raw.pgconn.transaction_status != pq.TransactionStatus.ACTIVE:
            return False
        raw.cancel_safe(timeout=float(settings.QUERY_CANCEL_TIMEOUT_S))
    except Exception:  # noqa: BLE001 - best effort: the backend ends when its wait does
        logger.warning("could not cancel the running query of backend", exc_info=True)
        return False
    logger.warning("query still running on the server cancelled (backend %s)", raw.info.backend_pid)
    return True


@contextlib.contextmanager
def query_cancelled_on_error() -> Iterator[None]:
    """Inside `transaction.atomic()`: an exception raised while a query runs (the soft time
    limit) cancels it on the server before the atomic block's rollback, which fails on the busy
    connection and closes it (a closed connection would leave the backend waiting, its locks
    held)."""
    try:
        yield
    except BaseException:
        query_cancel()
        raise


def connection_reset() -> None:
    """Make the next query run on a usable connection: outside a transaction, cancel the query
    still running on the server, if any, and close this connection (Django opens a new one on the
    next query). Inside one (the tests' transaction, a caller's atomic block) it is left alone:
    the transaction's own rollback handles it."""
    if connection.in_atomic_block:
        return
    query_cancel()
    with contextlib.suppress(DatabaseError):
        connection.close()


def claims_sweep(
    model: type[models.Model],
    *,
    running: Iterable[str],
    queued: str,
    failed: str,
    requeue_fields: dict[str, Any],
    fail_fields: dict[str, Any],
    extra: Q | None = None,
) -> tuple[int, int]:
    """Rows in `running` whose heartbeat stopped for TASK_STALE_AFTER_S: queued again (status
    `queued`, claim cleared, `requeue_fields`) while attempts remain, else `failed` with
    `fail_fields`. Returns (queued again, failed). Conditional on the heartbeat read, so a
    worker beating meanwhile keeps its row."""
    now = timezone.now()
    cutoff = now - stale_after()
    stale = model._default_manager.filter(status__in=tuple(running)).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    if extra is not None:
        stale = stale.filter(extra)
    max_attempts = int(settings.TASK_MAX_ATTEMPTS)
    requeued = failed_n = 0
    for row in _stale_rows(stale):
        rows = model._default_manager.filter(
            pk=row["pk"], status=row["status"], heartbeat_at=row["heartbeat_at"]
        )
        if row["attempts"] < max_attempts:
            requeued += rows.update(
                status=queued, claimed_by="", heartbeat_at=None, dispatched_at=None,
                **requeue_fields,
            )  # fmt: skip
        else:
            failed_n += rows.update(status=failed, finished_at=now, **fail_fields)
    if requeued or failed_n:
        logger.warning(
            "%s: %s stale rows queued again, %s failed", model.__name__, requeued, failed_n
        )
    return requeued, failed_n


def claims_take_back(
    model: type[models.Model],
    rows: Any,
    *,
    running: Iterable[str],
    started_before: Any,
    now: Any,
    message: str,
    doing: str,
    extra: Q | None = None,
) -> tuple[int, int, int]:
    """The rows of `rows` (a queryset of `model`) whose worker died, taken back: running since
    before `started_before` (past the task's time limit) failed with `message`; then
    `claims_sweep` (heartbeat stopped: queued again « reprise après l'arrêt du processus qui le
    <doing> », or failed with `message`). Statuses pending / failed. Returns (timed out,
    queued again, failed)."""
    running = tuple(running)
    timed_out = rows.filter(status__in=running, started_at__lt=started_before).update(
        status="failed",
        finished_at=now,
        progress_step="Interrompu",
        error_message=message,
    )
    requeued, failed = claims_sweep(
        model,
        running=running,
        queued="pending",
        failed="failed",
        requeue_fields={
            "progress_percent": 0,
            "progress_step": f"En file d'attente : reprise après l'arrêt du processus qui le {doing}",
        },
        fail_fields={"progress_step": "Interrompu", "error_message": message},
        extra=extra,
    )
    return timed_out, requeued, failed


def _stale_rows(queryset: Any) -> Iterator[dict[str, Any]]:
    yield from queryset.values("pk", "status", "heartbeat_at", "attempts")
