"""Diagnostic runs (issue 4): request, execute, sweep.

- `diagnostic_request` records a run for a basin and the data in force (import batches), or
  returns the run that already exists for the same basin composition, data, parameters and
  engine version (`data_key`, unique among runs that are not failed): two requests, one run.
  The computation is enqueued after the transaction commits.
- `diagnostic_execute` claims the run by owner and heartbeat (`services.claims`: a pending run,
  or one whose worker died — the redelivered message of a killed pool child takes it over; a
  duplicate message finds it held by a live worker and does nothing), has its document and
  tables computed (`services.diagnostic_document`: engine, map tables, secrecy by difference)
  and stores them in one UPDATE conditioned on still owning the run (pending → running → done).
  Progress (percent + step) is written to the row as it goes, a heartbeat every
  TASK_HEARTBEAT_S. Any error marks the run failed with its message, written on a fresh
  connection (the soft time limit may fire inside a query: failed, not retried blindly); a lost
  database connection puts it back in the queue for the task's retry.
- `diagnostic_fail_stuck` takes back the runs whose heartbeat stopped (the whole worker was
  killed): queued again while attempts remain, else failed with « relancer » offered; runs past
  the task's time limit or queued for too long are failed: never left « en cours ».
- The pending run is the outbox of its task (`services.outbox`): a broker error leaves it
  « en file d'attente » and the periodic dispatcher sends it when the broker is back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from datetime import timedelta
from time import perf_counter
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from diagnostics.analytics.indicators import ENGINE_VERSION
from diagnostics.dispatch import PAGES_WARM, task_send
from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, DiagnosticRun, User
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors.access import basin_is_manageable
from diagnostics.services import claims, outbox
from diagnostics.services.diagnostic_document import diagnostic_compute
from diagnostics.services.diagnostic_params import (
    DiagnosticError,
    diagnostic_params_clean,
)

logger = logging.getLogger(__name__)

Status = DiagnosticRun.Status
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
WORKING = (Status.RUNNING,)


# --- Request ----------------------------------------------------------------------------------


def diagnostic_request(
    *,
    basin_id: int,
    user: User | None = None,
    params: Mapping[str, Any] | None = None,
    enqueue: bool = True,
) -> DiagnosticRun:
    """The run of `basin_id` for the data in force: an existing one (pending, running or
    done) with the same data key, or a new pending run enqueued after commit (unless
    `enqueue` is False: the caller computes it).

    `user` (None for the command line and the tasks) must be allowed to manage the basin.
    Runs of the basin stuck past the time limit are marked failed first, so that a worker
    killed mid-run does not block a new run."""
    try:
        basin = Basin.objects.get(pk=basin_id)
    except Basin.DoesNotExist as exc:
        raise DiagnosticError(f"Bassin n° {basin_id} introuvable.", code="not_found") from exc
    if user is not None and not basin_is_manageable(user, basin.pk):
        raise DiagnosticError(
            "Seuls les délégués de la région du bassin et les administrateurs peuvent lancer "
            "son diagnostic.",
            code="forbidden",
        )
    parameters = diagnostic_params_clean(params)
    diagnostic_fail_stuck(basin_id=basin.pk)

    codes = selectors.basin_commune_codes(basin)
    if not codes:
        raise DiagnosticError(f"Le bassin « {basin.name} » ne contient aucune commune.")
    batches = selectors.diagnostic_current_batches()
    data_key = selectors.diagnostic_data_key(
        basin_id=basin.pk,
        commune_codes=codes,
        population=basin.population,
        batch_ids=[b.pk for b in batches],
        parameters=parameters,
        engine_version=ENGINE_VERSION,
    )
    existing = _live_run(data_key)
    if existing is not None:
        if existing.status == Status.PENDING and enqueue:
            outbox.outbox_kick(DiagnosticRun, existing.pk)  # queued long ago: send it now
        return existing
    try:
        with transaction.atomic():
            run = DiagnosticRun.objects.create(
                basin=basin,
                requested_by=user,
                parameters=parameters,
                engine_version=ENGINE_VERSION,
                data_key=data_key,
                basin_snapshot={
                    "id": basin.pk,
                    "name": basin.name,
                    "population": basin.population,
                    "region_code": basin.region_id,
                    "communes_count": len(codes),
                    "communes": codes,
                },
                status=Status.PENDING,
                progress_step="En file d'attente",
            )
            run.batches.set(batches)
            run_id = run.pk
            if enqueue:
                transaction.on_commit(lambda: _enqueue(run_id))
    except IntegrityError:
        # A concurrent request created the same run first (unique data_key): use it.
        existing = _live_run(data_key)
        if existing is None:
            raise
        return existing
    logger.info("diagnostic run %s requested for basin %s", run.pk, basin.pk)
    return run


def _live_run(data_key: str) -> DiagnosticRun | None:
    return (
        DiagnosticRun.objects.filter(data_key=data_key)
        .exclude(status=Status.FAILED)
        .order_by("-created_at")
        .first()
    )


def _enqueue(run_id: int) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "DIAGNOSTIC_EAGER_IN_THREAD", False):
        # Embedded default (no broker): compute beside the request so that the page can show
        # the progress, as a worker would.
        threading.Thread(target=_execute_in_thread, args=(run_id,), daemon=True).start()
        return
    outbox.run_send(run_id)  # a broker error leaves the run queued for the dispatcher


# The thread's tries on a transient database error, and its first wait (doubled at each try):
# what the Celery task's autoretry does for a worker. On SQLite, a lock held by another
# connection at that instant ("database table is locked": a page polling the run's progress)
# used to end the thread before its claim, leaving the run queued with nothing to compute it.
THREAD_ATTEMPTS = 4
THREAD_BACKOFF_S = 0.1


def _execute_in_thread(run_id: int) -> None:
    from django.db import connection

    try:
        for attempt in range(1, THREAD_ATTEMPTS + 1):
            try:
                # The last try fails the run on a database error rather than queue it again.
                diagnostic_execute(run_id=run_id, retriable=attempt < THREAD_ATTEMPTS)
                return
            except TRANSIENT_ERRORS as exc:
                if attempt == THREAD_ATTEMPTS:
                    raise
                logger.warning(
                    "diagnostic run %s: database error in its thread (%s), try %s of %s",
                    run_id,
                    exc,
                    attempt + 1,
                    THREAD_ATTEMPTS,
                )
                connection.close()
                time.sleep(THREAD_BACKOFF_S * 2 ** (attempt - 1))
    except Exception:  # the run is already marked failed; nothing else to report to
        logger.exception("diagnostic run %s failed in its thread", run_id)
    finally:
        connection.close()


def diagnostic_execute(
    *, run_id: int, owner: str | None = None, retriable: bool = True
) -> DiagnosticRun:
    """Compute the run (see the module docstring). A run done, failed, or held by another live
    worker is returned untouched (the task was delivered twice, or the run was swept). A lost
    database connection puts the run back in the queue and raises when `retriable` (the task
    retries), else fails it."""
    owner = owner or claims.owner_id()
    claimed = claims.claim(
        DiagnosticRun,
        run_id,
        owner=owner,
        queued=Status.PENDING,
        running=WORKING,
        claim_status=Status.RUNNING,
        started_at=timezone.now(),
        progress_percent=5,
        progress_step="Lecture des données",
        error_message="",
    )
    run = DiagnosticRun.objects.select_related("basin").get(pk=run_id)
    if not claimed:
        logger.info("diagnostic run %s is %s: nothing to do", run_id, run.status)
        return run
    timings: dict[str, float] = {}
    started = perf_counter()
    mine = claims.owned(DiagnosticRun, run_id, owner, WORKING)
    with claims.Heartbeat(DiagnosticRun, run_id, owner, WORKING):
        try:
            document, tables = diagnostic_compute(run, timings=timings)
            timings["total"] = perf_counter() - started
            finished = mine.update(
                status=Status.DONE,
                results=document,
                tables=tables,
                finished_at=timezone.now(),
                progress_percent=100,
                progress_step="Terminé",
                step_durations={k: round(v, 3) for k, v in timings.items()},
            )
            if not finished:
                logger.warning("diagnostic run %s lost while computing: result dropped", run_id)
            elif settings.PAGES_WARM_AFTER_RUN:
                # Its report rendered for its readers now, by this worker, rather than by the
                # web server for the first reader (issue 15, `views.page_warm`).
                transaction.on_commit(lambda: task_send(PAGES_WARM, run_id))
        except Exception as exc:
            # Possibly raised inside a query (soft time limit, connection terminated): what
            # follows runs on a fresh connection.
            claims.connection_reset()
            if retriable and isinstance(exc, TRANSIENT_ERRORS):
                logger.warning("diagnostic run %s: database error, will be retried", run_id)
                with contextlib.suppress(*TRANSIENT_ERRORS):
                    mine.update(
                        status=Status.PENDING,
                        claimed_by="",
                        progress_percent=0,
                        progress_step="Nouvel essai après une coupure de la base de données",
                    )
                raise
            if isinstance(exc, SoftTimeLimitExceeded):
                logger.error("diagnostic run %s hit its time limit", run_id)
                message = (
                    "Calcul interrompu : délai dépassé "
                    f"({diagnostic_soft_time_limit()} s). Relancez le diagnostic ; si cela se "
                    "reproduit, prévenez l'administrateur."
                )
            else:
                logger.exception("diagnostic run %s failed", run_id)
                text = exc.message if isinstance(exc, ApplicationError) else str(exc)
                message = f"Le calcul du diagnostic a échoué : {text or type(exc).__name__}"
            mine.update(
                status=Status.FAILED,
                finished_at=timezone.now(),
                progress_step="Échec du calcul",
                error_message=message,
                step_durations={k: round(v, 3) for k, v in timings.items()},
            )
    run.refresh_from_db()
    return run


# --- Sweeper ----------------------------------------------------------------------------------


def diagnostic_time_limit() -> int:
    return int(getattr(settings, "DIAGNOSTIC_RUN_TIME_LIMIT", 600))


def diagnostic_soft_time_limit() -> int:
    return int(
        getattr(settings, "DIAGNOSTIC_RUN_SOFT_TIME_LIMIT", max(diagnostic_time_limit() - 30, 1))
    )


INTERRUPTED = "Calcul interrompu (délai dépassé ou processus arrêté) : relancez le diagnostic."


def diagnostic_fail_stuck(*, basin_id: int | None = None) -> int:
    """Take back the runs whose worker died: running with a heartbeat stopped for
    TASK_STALE_AFTER_S are queued again (at most TASK_MAX_ATTEMPTS tries) or failed; running
    past the task's hard time limit (plus a margin), or queued for longer than
    DIAGNOSTIC_PENDING_TIMEOUT (the broker down for hours), are failed. Returns how many."""
    now = timezone.now()
    running_cutoff = now - timedelta(seconds=diagnostic_time_limit() + 60)
    pending_cutoff = now - timedelta(
        seconds=int(getattr(settings, "DIAGNOSTIC_PENDING_TIMEOUT", 6 * 3600))
    )
    runs = DiagnosticRun.objects.all()
    if basin_id is not None:
        runs = runs.filter(basin_id=basin_id)
    stuck, requeued, dead = claims.claims_take_back(
        DiagnosticRun,
        runs,
        running=WORKING,
        started_before=running_cutoff,
        now=now,
        message=INTERRUPTED,
        doing="calculait",
        extra=None if basin_id is None else Q(basin_id=basin_id),
    )
    lost = runs.filter(status=Status.PENDING, created_at__lt=pending_cutoff).update(
        status=Status.FAILED,
        finished_at=now,
        progress_step="Jamais démarré",
        error_message="Le calcul n'a jamais démarré (file de tâches indisponible) : relancez le "
        "diagnostic.",
    )
    if stuck or lost or requeued or dead:
        logger.warning(
            "diagnostic_fail_stuck: %s past their limit and %s stopped failed, %s queued again, "
            "%s never started failed",
            stuck, dead, requeued, lost,
        )  # fmt: skip
    return stuck + requeued + dead + lost


def diagnostic_run_sync(
    *, basin_id: int, user: User | None = None, params: Mapping[str, Any] | None = None
) -> DiagnosticRun:
    """Request and compute in this process (command line `--sync`): an existing run for the
    same data is returned as is; a new one is computed here, not enqueued."""
    run = diagnostic_request(basin_id=basin_id, user=user, params=params, enqueue=False)
    if run.status == Status.PENDING:
        run = diagnostic_execute(run_id=run.pk, retriable=False)
    return run
