"""PDF reports as jobs (issue 15): request, render through the bounded pool, failure and retry,
outbox, duplicate delivery, sweep and retention."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics.models import PdfJob
from diagnostics.services import outbox, pdf_render
from diagnostics.services.pdf_jobs import (
    PdfJobError,
    pdf_job_render,
    pdf_job_request,
    pdf_job_retry,
    pdf_jobs_sweep,
)
from diagnostics.services.pdf_pool import pdf_slot

pytestmark = pytest.mark.django_db
Status = PdfJob.Status
PAGE = "<html><body>Rapport du bassin</body></html>"


@pytest.fixture
def renders(monkeypatch):
    """Chromium replaced: each call is recorded and returns a small PDF."""
    calls: list[str] = []

    def fake(html: str, **kwargs: object) -> bytes:
        calls.append(html)
        on_start = kwargs.get("on_start")
        if callable(on_start):
            on_start()
        return b"%PDF-1.4 " + str(len(calls)).encode()

    monkeypatch.setattr(pdf_render, "render_pdf", fake)
    return calls


@pytest.fixture
def with_broker():
    """Tasks go to a broker (not run in-process) for the test."""
    from celery import current_app

    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    try:
        yield
    finally:
        current_app.conf.task_always_eager = previous


def _request(world, run, html: str = PAGE) -> PdfJob:  # type: ignore[no-untyped-def]
    return pdf_job_request(
        user=world.delegate,
        kind=PdfJob.Kind.DIAGNOSTIC,
        run=run,
        html=html,
        title=f"Diagnostic n° {run.pk}",
        file_name="rapport.pdf",
    )


def test_pdf_job_request_renders_at_once_in_eager_mode(world, done_run, renders):
    job = _request(world, done_run)

    assert job.status == Status.DONE
    assert bytes(job.pdf) == b"%PDF-1.4 1" and job.pdf_size == 10
    assert (job.progress_percent, job.progress_step, job.attempts) == (100, "Prêt", 1)
    assert job.html_sha256 == hashlib.sha256(PAGE.encode()).hexdigest()
    assert renders == [PAGE]


def test_pdf_job_request_the_same_page_twice_gives_one_job(world, done_run, renders):
    first = _request(world, done_run)
    again = _request(world, done_run)
    changed = _request(world, done_run, html=PAGE.replace("Rapport", "Rapport mis à jour"))

    assert again.pk == first.pk
    assert changed.pk != first.pk
    assert len(renders) == 2  # the same content is not rendered twice


def test_pdf_job_failure_is_visible_then_retried(world, done_run, monkeypatch):
    def broken(html: str, **kwargs: object) -> bytes:
        raise RuntimeError("Chromium n'a pas produit de PDF (code 1)")

    monkeypatch.setattr(pdf_render, "render_pdf", broken)
    job = _request(world, done_run)
    assert job.status == Status.FAILED
    assert job.error_message == (
        "Le PDF n'a pas pu être produit : Chromium n'a pas produit de PDF (code 1)"
    )
    # A new request for the same page does not reuse the failed job.
    second = _request(world, done_run)
    assert second.pk != job.pk

    monkeypatch.setattr(pdf_render, "render_pdf", lambda html, **kw: b"%PDF-1.4 ok")
    retried = pdf_job_retry(job_id=job.pk, user=world.delegate)
    assert (retried.status, bytes(retried.pdf), retried.error_message) == (
        Status.DONE,
        b"%PDF-1.4 ok",
        "",
    )
    with pytest.raises(PdfJobError):
        pdf_job_retry(job_id=job.pk, user=world.delegate)  # done: nothing to retry


def test_pdf_job_waits_for_the_bounded_pool_then_says_so(world, done_run, monkeypatch, settings):
    settings.PDF_MAX_CONCURRENT = 1
    settings.PDF_QUEUE_WAIT_S = 0.3
    monkeypatch.setattr(pdf_render, "chromium_path", lambda: "/bin/true")

    with pdf_slot():  # the only Chromium of the machine is busy
        job = _request(world, done_run)

    assert job.status == Status.FAILED
    assert job.error_message.startswith(
        "Trop de rapports PDF sont en cours de fabrication (1 à la fois)"
    )


def test_pdf_job_delivered_twice_is_rendered_once(world, done_run, renders):
    job = _request(world, done_run)

    again = pdf_job_render(job_id=job.pk, owner="other-host:1:x")

    assert again.status == Status.DONE and again.attempts == 1
    assert len(renders) == 1


def test_pdf_job_left_queued_when_the_broker_is_down_then_dispatched(
    world, done_run, renders, monkeypatch, django_capture_on_commit_callbacks, with_broker
):
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(outbox, "_send", lambda name, pk: False)  # broker unreachable
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(world, done_run)
    job.refresh_from_db()
    assert job.status == Status.PENDING and job.progress_step == outbox.QUEUED_STEP
    assert job.dispatched_at is None

    monkeypatch.setattr(outbox, "_send", lambda name, pk: sent.append((name, pk)) or True)
    PdfJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert outbox.outbox_dispatch()["pdf_jobs"] == 1
    assert sent == [("diagnostics.tasks.pdf_job_render", job.pk)]
    job.refresh_from_db()
    assert job.dispatched_at is not None


def test_pdf_jobs_sweep_takes_back_stale_jobs_and_deletes_old_ones(
    world, done_run, renders, settings
):
    settings.TASK_STALE_AFTER_S = 60
    settings.PDF_JOB_RETENTION_H = 24
    ready = _request(world, done_run)
    stuck = _request(world, done_run, html=PAGE + "<p>2</p>")
    PdfJob.objects.filter(pk=stuck.pk).update(
        status=Status.RUNNING,
        claimed_by="other-host:1:x",
        heartbeat_at=timezone.now() - timedelta(minutes=5),
        attempts=1,
    )
    PdfJob.objects.filter(pk=ready.pk).update(created_at=timezone.now() - timedelta(hours=25))

    outcome = pdf_jobs_sweep()

    assert outcome == {"requeued": 1, "failed": 0, "deleted": 1}
    assert not PdfJob.objects.filter(pk=ready.pk).exists()
    stuck.refresh_from_db()
    assert (stuck.status, stuck.claimed_by) == (Status.PENDING, "")
