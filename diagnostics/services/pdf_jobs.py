"""PDF reports as jobs with progress (issue 15).

- `pdf_job_request` records the job: the page to print (a diagnostic's report, a shared version,
  a basin's business model), rendered by the caller in the requester's scope (the same view code and rules as the page: a mayor's office never gets an
  unshared basin in its PDF), a title and a file name. The pending row is the outbox: its task
  is sent after commit (`services.outbox.pdf_job_send`); a broker error leaves it « en file
  d'attente » for the periodic dispatcher. In the embedded default (eager Celery) the task runs
  at once, inside the request: the job is ready when the page opens. The same page asked again
  while its job is queued or running, or ready for the very same content, gives that job back.
- `pdf_job_render` (the worker) claims the job by owner and heartbeat (`services.claims`),
  waits for one of the PDF_MAX_CONCURRENT Chromium of the machine (`services.pdf_pool`, up to
  PDF_JOB_SLOT_WAIT_S), renders, and stores the PDF on the row — or the failure in French, with
  « Relancer » offered (`pdf_job_retry`).
- `pdf_jobs_sweep` (beat) takes back the jobs whose worker died (queued again or failed) and
  deletes the jobs older than PDF_JOB_RETENTION_H hours.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import subprocess
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, DiagnosticRun, PdfJob, SharedVersion, User
from diagnostics.services import claims, outbox, pdf_render
from diagnostics.services.pdf_pool import PdfBusy

logger = logging.getLogger(__name__)

Status = PdfJob.Status
WORKING = (Status.RUNNING,)
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
QUEUED = "En file d'attente"


class PdfJobError(ApplicationError):
    """A job that cannot be retried (not failed)."""


def pdf_job_request(
    *,
    user: User,
    kind: str,
    html: str,
    title: str,
    file_name: str,
    run: DiagnosticRun | None = None,
    version: SharedVersion | None = None,
    basin: Basin | None = None,
    page_query: str = "",
) -> PdfJob:
    """The job printing `html` for `user` (see the module docstring): of a diagnostic `run`
    (its report, or its shared `version`), or of a `basin` (its business model, printed with
    the parameters `page_query` of the page, kept to link back to it)."""
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    mine = PdfJob.objects.filter(
        requested_by=user, kind=kind, run=run, version=version, basin=basin
    )
    live = mine.filter(status__in=[Status.PENDING, Status.RUNNING])
    if kind == PdfJob.Kind.BUSINESS_MODEL:
        # Its page depends on the parameters (concept, scenario, project, assumptions): another
        # page is another job.
        live = live.filter(html_sha256=digest)
    existing = (
        live.order_by("-created_at").first()
        or mine.filter(status=Status.DONE, html_sha256=digest).order_by("-created_at").first()
    )
    if existing is not None:
        if existing.status == Status.PENDING:
            outbox.outbox_kick(PdfJob, existing.pk)  # queued long ago: send it now
        return existing
    job = PdfJob.objects.create(
        requested_by=user,
        kind=kind,
        run=run,
        version=version,
        basin=basin,
        page_query=page_query,
        title=title[:300],
        file_name=file_name[:200],
        html=html,
        html_sha256=digest,
        status=Status.PENDING,
        progress_step=QUEUED,
    )
    logger.info("pdf job %s requested by %s", job.pk, user.pk)
    _enqueue(job.pk)
    job.refresh_from_db()
    return job


def _enqueue(job_id: int) -> None:
    """Eager (embedded default, no broker): render now, in this request, whatever transaction
    is open — the row needs no other process. With a broker: send after commit."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        outbox.pdf_job_send(job_id)
    else:
        transaction.on_commit(lambda: outbox.pdf_job_send(job_id))


def pdf_job_retry(*, job_id: int, user: User) -> PdfJob:
    """Queue a failed job of `user` again (its page is kept)."""
    with transaction.atomic():
        queued = PdfJob.objects.filter(pk=job_id, requested_by=user, status=Status.FAILED).update(
            status=Status.PENDING,
            claimed_by="",
            heartbeat_at=None,
            dispatched_at=None,
            attempts=0,
            progress_percent=0,
            progress_step=QUEUED,
            error_message="",
            started_at=None,
            finished_at=None,
        )
        if not queued:
            raise PdfJobError("Seul un rapport PDF en échec peut être relancé.")
    _enqueue(job_id)
    return PdfJob.objects.get(pk=job_id)


def _slots() -> int:
    return max(int(settings.PDF_MAX_CONCURRENT), 1)


def _slot_wait() -> float:
    """A worker waits long for a Chromium slot (the page shows the queue); in the embedded
    default the job runs inside the request, which waits as it did before jobs."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        return float(settings.PDF_QUEUE_WAIT_S)
    return float(settings.PDF_JOB_SLOT_WAIT_S)


def pdf_job_render(*, job_id: int, owner: str | None = None, retriable: bool = True) -> PdfJob:
    """Render the job (see the module docstring). A job done, failed, or held by another live
    worker is returned untouched (the task was delivered twice)."""
    owner = owner or claims.owner_id()
    claimed = claims.claim(
        PdfJob,
        job_id,
        owner=owner,
        queued=Status.PENDING,
        running=WORKING,
        claim_status=Status.RUNNING,
        started_at=timezone.now(),
        progress_percent=10,
        progress_step=f"En attente d'un moteur de rendu (au plus {_slots()} à la fois)",
        error_message="",
    )
    if not claimed:
        job = PdfJob.objects.get(pk=job_id)
        logger.info("pdf job %s is %s: nothing to do", job_id, job.status)
        return job
    mine = claims.owned(PdfJob, job_id, owner, WORKING)

    def started() -> None:
        mine.update(
            progress_percent=40, progress_step="Mise en page et impression par le navigateur"
        )

    with claims.Heartbeat(PdfJob, job_id, owner, WORKING):
        try:
            html = PdfJob.objects.values_list("html", flat=True).get(pk=job_id)
            pdf = pdf_render.render_pdf(html, wait_s=_slot_wait(), on_start=started)
            if not mine.update(
                status=Status.DONE,
                pdf=pdf,
                pdf_size=len(pdf),
                finished_at=timezone.now(),
                progress_percent=100,
                progress_step="Prêt",
            ):
                logger.warning("pdf job %s lost while rendering: result dropped", job_id)
        except Exception as exc:
            claims.connection_reset()
            if retriable and isinstance(exc, TRANSIENT_ERRORS):
                logger.warning("pdf job %s: database error, will be retried", job_id)
                with contextlib.suppress(*TRANSIENT_ERRORS):
                    mine.update(status=Status.PENDING, claimed_by="", progress_step=QUEUED)
                raise
            mine.update(
                status=Status.FAILED,
                finished_at=timezone.now(),
                progress_step="Échec",
                error_message=_failure_message(exc),
            )
    return PdfJob.objects.get(pk=job_id)


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, PdfBusy):
        logger.warning("pdf job: %s", exc)
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        logger.error("pdf job hit its time limit")
        return "Fabrication interrompue : délai dépassé. Relancez-la dans quelques minutes."
    if isinstance(exc, subprocess.TimeoutExpired):
        logger.error("pdf job: Chromium timed out")
        return (
            f"Le navigateur n'a pas fini la mise en page en {pdf_render.PDF_TIMEOUT_S} s. "
            "Relancez-la, ou imprimez la page depuis votre navigateur."
        )
    logger.exception("pdf job failed")
    return f"Le PDF n'a pas pu être produit : {exc}"


def pdf_jobs_sweep() -> dict[str, int]:
    """Jobs whose worker stopped beating: queued again (at most TASK_MAX_ATTEMPTS tries) or
    failed; jobs older than PDF_JOB_RETENTION_H hours: deleted."""
    requeued, failed = claims.claims_sweep(
        PdfJob,
        running=WORKING,
        queued=Status.PENDING,
        failed=Status.FAILED,
        requeue_fields={"progress_percent": 0, "progress_step": QUEUED},
        fail_fields={
            "progress_step": "Interrompu",
            "error_message": "Fabrication interrompue (processus arrêté) : relancez-la.",
        },
    )
    cutoff = timezone.now() - timedelta(hours=float(settings.PDF_JOB_RETENTION_H))
    deleted, _ = PdfJob.objects.filter(created_at__lt=cutoff).delete()
    return {"requeued": requeued, "failed": failed, "deleted": deleted}
