"""The outbox of background work (issue 15): the committed rows are the messages.

A diagnostic run, an import batch or a PDF job `pending`, a basin whose geometry is `pending`: each is work
a task must do. The service that commits it sends the task after commit (`dispatch.task_send`)
and, when the broker took it, stamps the row (`dispatched_at`, `refresh_sent_at`). A broker
error leaves the row unstamped: the page says the work is queued (« en file d'attente »), and
`outbox_dispatch`, run by beat every OUTBOX_DISPATCH_INTERVAL_S, sends it again — within a
minute of the broker coming back. Rows stamped long ago (OUTBOX_RESEND_AFTER_S) and still
pending are sent again too: their message may have been lost with the broker's memory. A task
delivered twice is harmless: each claims its row (`diagnostics.services.claims`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from diagnostics.models import Basin, DiagnosticRun, GeometryStatus, ImportBatch, PdfJob

logger = logging.getLogger(__name__)

QUEUED_STEP = (
    "En file d'attente : le service de calcul est momentanément injoignable, le travail "
    "partira dès son retour (rien n'est perdu)."
)


def _send(name: str, pk: int) -> bool:
    from diagnostics.dispatch import task_send

    return task_send(name, pk)


def run_send(run_id: int) -> bool:
    """Send the task of a pending run and stamp it; on a broker error, say it is queued."""
    from diagnostics.dispatch import DIAGNOSTIC_EXECUTE

    return _send_and_stamp(DiagnosticRun, DIAGNOSTIC_EXECUTE, run_id)


def batch_send(batch_id: int) -> bool:
    """Send the task of a pending import batch and stamp it (as `run_send`)."""
    from diagnostics.dispatch import IMPORT_BATCH_PROCESS

    return _send_and_stamp(ImportBatch, IMPORT_BATCH_PROCESS, batch_id)


def pdf_job_send(job_id: int) -> bool:
    """Send the rendering of a pending PDF job and stamp it (as `run_send`)."""
    from diagnostics.dispatch import PDF_JOB_RENDER

    return _send_and_stamp(PdfJob, PDF_JOB_RENDER, job_id)


def basin_send(basin_id: int) -> bool:
    """Send the geometry refresh of a basin and stamp it."""
    from diagnostics.dispatch import BASIN_REFRESH

    sent_at = timezone.now()
    if not _send(BASIN_REFRESH, basin_id):
        return False
    Basin.objects.filter(pk=basin_id).update(refresh_sent_at=sent_at)
    return True


def _send_and_stamp(model: Any, name: str, pk: int) -> bool:
    sent_at = timezone.now()
    if _send(name, pk):
        # Stamped only while still pending: an eager run has already moved on.
        model.objects.filter(pk=pk, status="pending").update(dispatched_at=sent_at)
        return True
    model.objects.filter(pk=pk, status="pending").update(progress_step=QUEUED_STEP)
    return False


def _due(now: Any, sent_field: str, age_field: str) -> Q:
    fresh = now - timedelta(seconds=float(settings.OUTBOX_MIN_AGE_S))
    resend = now - timedelta(seconds=float(settings.OUTBOX_RESEND_AFTER_S))
    return Q(**{f"{sent_field}__isnull": True, f"{age_field}__lt": fresh}) | Q(
        **{f"{sent_field}__lt": resend}
    )


def outbox_dispatch() -> dict[str, int]:
    """Send the pending work that is due (see the module docstring). Stops at the first broker
    error (the rest waits for the next round). Returns how many of each were sent."""
    now = timezone.now()
    sent = {"runs": 0, "batches": 0, "basins": 0, "pdf_jobs": 0}
    plan: list[tuple[str, Any, Any]] = [
        (
            "runs",
            DiagnosticRun.objects.filter(status=DiagnosticRun.Status.PENDING).filter(
                _due(now, "dispatched_at", "created_at")
            ),
            run_send,
        ),
        (
            "batches",
            ImportBatch.objects.filter(status=ImportBatch.Status.PENDING).filter(
                _due(now, "dispatched_at", "created_at")
            ),
            batch_send,
        ),
        (
            "pdf_jobs",
            PdfJob.objects.filter(status=PdfJob.Status.PENDING).filter(
                _due(now, "dispatched_at", "created_at")
            ),
            pdf_job_send,
        ),
        (
            "basins",
            Basin.objects.filter(geometry_status=GeometryStatus.PENDING).filter(
                _due(now, "refresh_sent_at", "updated_at")
            ),
            basin_send,
        ),
    ]
    for key, queryset, send in plan:
        for pk in queryset.order_by("pk").values_list("pk", flat=True)[:500]:
            if not send(pk):
                logger.warning("outbox_dispatch: broker unreachable, %s sent so far", sent)
                return sent
            sent[key] += 1
    if any(sent.values()):
        logger.info("outbox_dispatch: sent again %s", sent)
    return sent


def outbox_kick(model: Any, pk: int) -> bool:
    """A new request found this pending row (same file, same data): send it now if it was
    never sent or was sent long ago, instead of letting it block the request."""
    row = model.objects.filter(pk=pk, status="pending").values("dispatched_at").first()
    if row is None:
        return False
    resend = timezone.now() - timedelta(seconds=float(settings.OUTBOX_RESEND_AFTER_S))
    if row["dispatched_at"] is not None and row["dispatched_at"] >= resend:
        return False
    send = {DiagnosticRun: run_send, ImportBatch: batch_send, PdfJob: pdf_job_send}[model]
    return send(pk)
