"""Celery entry points only: ids in, call a service (imported inside the body)."""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

logger = logging.getLogger(__name__)


# --- Basins (diagnostics.services.basins) ---------------------------------------------------
# Only transient failures are retried: the database or the broker being unreachable.
BASIN_TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError)


@shared_task(
    autoretry_for=BASIN_TRANSIENT_ERRORS,
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def basin_refresh(basin_id: int) -> None:
    """Recompute a basin's geometry, population and eligibility; a deleted basin is skipped."""
    from diagnostics.models import Basin
    from diagnostics.services.basins import basin_refresh as basin_refresh_service

    try:
        basin_refresh_service(basin_id=basin_id)
    except Basin.DoesNotExist:
        logger.info("basin_refresh: basin %s no longer exists, nothing to do", basin_id)


@shared_task(
    autoretry_for=BASIN_TRANSIENT_ERRORS,
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def basins_refresh_all(geometry: bool = False) -> int:
    """Refresh every basin, e.g. after the programme settings or the Cnam sites changed (which
    move eligibility only: the geometry is kept unless asked)."""
    from diagnostics.services.basins import basins_refresh_all as basins_refresh_all_service

    return basins_refresh_all_service(geometry=geometry)


# --- Dataset imports (diagnostics.services.imports) -----------------------------------------
IMPORT_TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError)


@shared_task(
    bind=True,
    # A worker killed mid-import: the message goes back to the queue and the next delivery
    # takes the batch over (claim by owner and heartbeat, diagnostics.services.claims).
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=IMPORT_TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
)
def import_batch_process(self: Task, batch_id: int) -> None:
    """Validate then write an import batch. A batch another live worker holds, already done,
    or deleted is left alone: the service's claim makes this idempotent."""
    from diagnostics.models import ImportBatch
    from diagnostics.services.claims import owner_id
    from diagnostics.services.imports import import_batch_process as import_batch_process_service

    try:
        import_batch_process_service(
            batch_id=batch_id,
            owner=owner_id(self.request.id),
            # The last try fails the batch (« relancer l'import ») instead of queueing it.
            retriable=self.request.retries < (self.max_retries or 0),
        )
    except ImportBatch.DoesNotExist:
        logger.info("import_batch_process: batch %s no longer exists, nothing to do", batch_id)


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
DIAGNOSTIC_TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError)
DIAGNOSTIC_TIME_LIMIT = getattr(settings, "DIAGNOSTIC_RUN_TIME_LIMIT", 600)
DIAGNOSTIC_SOFT_TIME_LIMIT = getattr(
    settings, "DIAGNOSTIC_RUN_SOFT_TIME_LIMIT", max(DIAGNOSTIC_TIME_LIMIT - 30, 1)
)


@shared_task(
    bind=True,
    # A worker killed mid-run: the message goes back to the queue and the next delivery takes
    # the run over (claim by owner and heartbeat, diagnostics.services.claims).
    acks_late=True,
    reject_on_worker_lost=True,
    # Hard limit below the broker's visibility timeout; the sweeper fails what outlives it.
    time_limit=DIAGNOSTIC_TIME_LIMIT,
    soft_time_limit=DIAGNOSTIC_SOFT_TIME_LIMIT,
    autoretry_for=DIAGNOSTIC_TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
)
def diagnostic_execute(self: Task, run_id: int) -> None:
    """Compute a diagnostic run. A run another live worker holds, already done, or deleted is
    left alone: the service's claim makes this idempotent."""
    from diagnostics.models import DiagnosticRun
    from diagnostics.services.claims import owner_id
    from diagnostics.services.diagnostics import diagnostic_execute as diagnostic_execute_service

    try:
        diagnostic_execute_service(
            run_id=run_id,
            owner=owner_id(self.request.id),
            # The last try fails the run (« relancer ») instead of queueing it again.
            retriable=self.request.retries < (self.max_retries or 0),
        )
    except DiagnosticRun.DoesNotExist:
        logger.info("diagnostic_execute: run %s no longer exists, nothing to do", run_id)


@shared_task
def diagnostic_fail_stuck() -> int:
    """Take back the runs whose worker died (heartbeat stopped: queued again or failed) and fail
    those past their time limit (beat, every WORK_SWEEP_INTERVAL_S)."""
    from diagnostics.services.diagnostics import diagnostic_fail_stuck as fail_stuck_service

    return fail_stuck_service()


# --- National batches (diagnostics.services.national) ---------------------------------------
BATCH_CHUNK_TIME_LIMIT = getattr(settings, "NATIONAL_BATCH_CHUNK_TIME_LIMIT", 900)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=BATCH_CHUNK_TIME_LIMIT,
    soft_time_limit=max(BATCH_CHUNK_TIME_LIMIT - 30, 1),
    autoretry_for=DIAGNOSTIC_TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
)
def diagnostic_batch_chunk(batch_id: int, run_ids: list[int]) -> dict[str, int]:
    """Compute the still-pending runs of a chunk of a national batch. Each run is written with
    a conditional update pending → done: a re-delivered chunk (worker killed) computes only
    what is left, never twice."""
    from diagnostics.services.national import diagnostic_batch_chunk as chunk_service

    return chunk_service(batch_id=batch_id, run_ids=run_ids)


# --- PDF reports (diagnostics.services.pdf_jobs) ----------------------------------------------
PDF_JOB_TIME_LIMIT = getattr(settings, "PDF_JOB_TIME_LIMIT", 600)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=PDF_JOB_TIME_LIMIT,
    soft_time_limit=max(PDF_JOB_TIME_LIMIT - 30, 1),
    autoretry_for=DIAGNOSTIC_TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
)
def pdf_job_render(self: Task, job_id: int) -> None:
    """Render a PDF job through the bounded pool of Chromium. A job another live worker holds,
    already done, or deleted is left alone (the service's claim)."""
    from diagnostics.models import PdfJob
    from diagnostics.services.claims import owner_id
    from diagnostics.services.pdf_jobs import pdf_job_render as pdf_job_render_service

    try:
        pdf_job_render_service(
            job_id=job_id,
            owner=owner_id(self.request.id),
            retriable=self.request.retries < (self.max_retries or 0),
        )
    except PdfJob.DoesNotExist:
        logger.info("pdf_job_render: job %s no longer exists, nothing to do", job_id)


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
