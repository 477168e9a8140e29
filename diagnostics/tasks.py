"""Celery entry points only: ids in, call a service (imported inside the body)."""

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

logger = logging.getLogger(__name__)

# Only transient failures are retried: the database or the broker being unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError)


def _retried(max_retries: int, backoff: int, backoff_max: int) -> dict[str, Any]:
    """Task options: retry TRANSIENT_ERRORS only, `max_retries` times, with an exponential
    backoff from `backoff` to `backoff_max` seconds and jitter."""
    return {
        "autoretry_for": TRANSIENT_ERRORS,
        "max_retries": max_retries,
        "retry_backoff": backoff,
        "retry_backoff_max": backoff_max,
        "retry_jitter": True,
    }


def _redelivered(
    time_limit: int | None = None, soft_time_limit: int | None = None
) -> dict[str, Any]:
    """Task options: a worker killed mid-work sends the message back to the queue, and the next
    delivery takes the work over (claim by owner and heartbeat, diagnostics.services.claims).
    The hard `time_limit` stays below the broker's visibility timeout (the sweeper fails what
    outlives it); the soft one defaults to 30 s before it."""
    options: dict[str, Any] = {"acks_late": True, "reject_on_worker_lost": True}
    if time_limit is not None:
        options["time_limit"] = time_limit
        options["soft_time_limit"] = (
            soft_time_limit if soft_time_limit is not None else max(time_limit - 30, 1)
        )
    return options


def _claimed_work(
    task: Task, service: Callable[..., object], gone: type[Exception], gone_log: str, **ids: int
) -> None:
    """Call `service(**ids)` as this delivery of `task` (the owner of its claim,
    diagnostics.services.claims); the last try fails the work (« relancer ») instead of queueing
    it again. Work deleted meanwhile (`gone`) is only logged."""
    from diagnostics.services.claims import owner_id

    try:
        service(
            **ids,
            owner=owner_id(task.request.id),
            retriable=task.request.retries < (task.max_retries or 0),
        )
    except gone:
        logger.info(gone_log, *ids.values())


# --- Basins (diagnostics.services.basin_refresh) ---------------------------------------------


@shared_task(**_retried(5, 5, 300))
def basin_refresh(basin_id: int) -> None:
    """Recompute a basin's geometry, population and eligibility; a deleted basin is skipped."""
    from diagnostics.models import Basin
    from diagnostics.services.basin_refresh import basin_refresh as basin_refresh_service

    try:
        basin_refresh_service(basin_id=basin_id)
    except Basin.DoesNotExist:
        logger.info("basin_refresh: basin %s no longer exists, nothing to do", basin_id)


@shared_task(**_retried(5, 5, 300))
def basins_refresh_all(geometry: bool = False) -> int:
    """Refresh every basin, e.g. after the programme settings or the Cnam sites changed (which
    move eligibility only: the geometry is kept unless asked)."""
    from diagnostics.services.basin_refresh import basins_refresh_all as basins_refresh_all_service

    return basins_refresh_all_service(geometry=geometry)


# --- Dataset imports (diagnostics.services.imports) -----------------------------------------


@shared_task(bind=True, **_redelivered(), **_retried(3, 10, 300))
def import_batch_process(self: Task, batch_id: int) -> None:
    """Validate then write an import batch. A batch another live worker holds, already done,
    or deleted is left alone: the service's claim makes this idempotent."""
    from diagnostics.models import ImportBatch
    from diagnostics.services.imports import import_batch_process as import_batch_process_service

    _claimed_work(
        self,
        import_batch_process_service,
        ImportBatch.DoesNotExist,
        "import_batch_process: batch %s no longer exists, nothing to do",
        batch_id=batch_id,
    )


@shared_task
def outbox_dispatch() -> dict[str, int]:
    """Send again the pending runs, batches and basin refreshes never handed to the broker or
    whose message may be lost (beat, every OUTBOX_DISPATCH_INTERVAL_S)."""
    from diagnostics.services.outbox import outbox_dispatch as outbox_dispatch_service

    return outbox_dispatch_service()


@shared_task
def import_batches_fail_stale() -> int:
    """Take back the import batches whose worker died (heartbeat stopped: queued again or
    failed) or stuck past the task time limit (beat, every WORK_SWEEP_INTERVAL_S)."""
    from diagnostics.services.imports import import_batches_fail_stale as fail_stale_service

    return fail_stale_service()


# --- Diagnostic runs (diagnostics.services.diagnostics) -------------------------------------
DIAGNOSTIC_TIME_LIMIT = getattr(settings, "DIAGNOSTIC_RUN_TIME_LIMIT", 600)
DIAGNOSTIC_SOFT_TIME_LIMIT = getattr(
    settings, "DIAGNOSTIC_RUN_SOFT_TIME_LIMIT", max(DIAGNOSTIC_TIME_LIMIT - 30, 1)
)


@shared_task(
    bind=True,
    **_redelivered(DIAGNOSTIC_TIME_LIMIT, DIAGNOSTIC_SOFT_TIME_LIMIT),
    **_retried(3, 5, 120),
)
def diagnostic_execute(self: Task, run_id: int) -> None:
    """Compute a diagnostic run. A run another live worker holds, already done, or deleted is
    left alone: the service's claim makes this idempotent."""
    from diagnostics.models import DiagnosticRun
    from diagnostics.services.diagnostics import diagnostic_execute as diagnostic_execute_service

    _claimed_work(
        self,
        diagnostic_execute_service,
        DiagnosticRun.DoesNotExist,
        "diagnostic_execute: run %s no longer exists, nothing to do",
        run_id=run_id,
    )


@shared_task
def diagnostic_fail_stuck() -> int:
    """Take back the runs whose worker died (heartbeat stopped: queued again or failed) and fail
    those past their time limit (beat, every WORK_SWEEP_INTERVAL_S)."""
    from diagnostics.services.diagnostics import diagnostic_fail_stuck as fail_stuck_service

    return fail_stuck_service()


@shared_task(**_retried(3, 5, 120))
def pages_warm(run_id: int | None = None) -> dict[str, int]:
    """Render the cached fragments of the pages showing the run `run_id` (None: every basin's
    latest run and every shared version) for their readers, so that none pays for a cold one
    (issue 15, `diagnostics.views.page_warm`). Sent after each computed run; idempotent (a
    fragment already cached costs its key only)."""
    from diagnostics.views.page_warm import pages_warm as warm

    return warm(run_id=run_id)


# --- National batches (diagnostics.services.national, national_chunk) -----------------------
BATCH_CHUNK_TIME_LIMIT = getattr(settings, "NATIONAL_BATCH_CHUNK_TIME_LIMIT", 900)


@shared_task(**_redelivered(BATCH_CHUNK_TIME_LIMIT), **_retried(3, 5, 120))
def diagnostic_batch_chunk(batch_id: int, run_ids: list[int]) -> dict[str, int]:
    """Compute the still-pending runs of a chunk of a national batch. Each run is written with
    a conditional update pending → done: a re-delivered chunk (worker killed) computes only
    what is left, never twice."""
    from diagnostics.services.national_chunk import diagnostic_batch_chunk as chunk_service

    return chunk_service(batch_id=batch_id, run_ids=run_ids)


# --- PDF reports (diagnostics.services.pdf_jobs) ----------------------------------------------
PDF_JOB_TIME_LIMIT = getattr(settings, "PDF_JOB_TIME_LIMIT", 600)


@shared_task(bind=True, **_redelivered(PDF_JOB_TIME_LIMIT), **_retried(3, 5, 120))
def pdf_job_render(self: Task, job_id: int) -> None:
    """Render a PDF job through the bounded pool of Chromium. A job another live worker holds,
    already done, or deleted is left alone (the service's claim)."""
    from diagnostics.models import PdfJob
    from diagnostics.services.pdf_jobs import pdf_job_render as pdf_job_render_service

    _claimed_work(
        self,
        pdf_job_render_service,
        PdfJob.DoesNotExist,
        "pdf_job_render: job %s no longer exists, nothing to do",
        job_id=job_id,
    )


@shared_task
def pdf_jobs_sweep() -> dict[str, int]:
    """Take back the PDF jobs whose worker died; delete those past PDF_JOB_RETENTION_H (beat,
    every WORK_SWEEP_INTERVAL_S)."""
    from diagnostics.services.pdf_jobs import pdf_jobs_sweep as pdf_jobs_sweep_service

    return pdf_jobs_sweep_service()


# --- Security audit log (diagnostics.services.audit) -----------------------------------------


@shared_task
def audit_purge() -> int:
    """Delete the audit entries older than AUDIT_RETENTION_DAYS (daily, by beat)."""
    from diagnostics.services.audit import audit_purge as audit_purge_service

    return audit_purge_service()
