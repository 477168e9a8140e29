"""PDF jobs with a real `celery worker` (issue 15): the request only records the job; the worker
renders it through the bounded Chromium pool; a worker killed while Chromium runs is replaced
and the job still ends ready, once."""

from __future__ import annotations

import os
import signal

import pytest

from diagnostics.models import PdfJob
from diagnostics.services.pdf_render import chromium_path
from tests.factories.diagnostic_runs import diagnostic_world
from tests.integration.processes import pid_of_owner, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(chromium_path() is None, reason="Chromium absent : pas de PDF"),
]
Status = PdfJob.Status
PAGE = "<html><body><h1>Rapport du bassin</h1><p>Un rapport de test.</p></body></html>"


def _job(world, html: str = PAGE) -> PdfJob:  # type: ignore[no-untyped-def]
    from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
    from diagnostics.services.pdf_jobs import pdf_job_request

    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk, enqueue=False).pk)
    return pdf_job_request(
        user=world.delegate,
        kind=PdfJob.Kind.DIAGNOSTIC,
        run=run,
        html=html,
        title="Rapport de test",
        file_name="rapport.pdf",
    )


def _settled(job_id: int) -> bool:
    return not PdfJob.objects.get(pk=job_id).is_live


def test_pdf_job_is_rendered_by_the_worker(faults, client) -> None:  # type: ignore[no-untyped-def]
    world = diagnostic_world()
    job = _job(world)
    assert job.status == Status.PENDING  # the request does not render: the worker does

    faults.worker(beat=True)
    assert wait_for(lambda: _settled(job.pk), timeout=120), faults.logs()
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error_message
    assert bytes(job.pdf).startswith(b"%PDF-") and job.attempts == 1
    client.force_login(world.delegate)
    assert "Prêt : télécharger" in client.get(f"/rapports-pdf/{job.pk}/").content.decode()
    assert client.get(f"/rapports-pdf/{job.pk}/rapport.pdf").content.startswith(b"%PDF-")


def test_worker_killed_while_rendering_a_pdf_is_taken_over(faults) -> None:  # type: ignore[no-untyped-def]
    world = diagnostic_world()
    # A page that keeps Chromium busy for a while (its virtual time budget is 20 s).
    slow = PAGE.replace(
        "</body>", "<script src='data:text/javascript,'></script><p>lent</p></body>"
    )
    job = _job(world, html=slow)
    faults.worker(beat=True)
    assert wait_for(lambda: PdfJob.objects.get(pk=job.pk).status == Status.RUNNING, timeout=60), (
        faults.logs()
    )
    owner = PdfJob.objects.get(pk=job.pk).claimed_by
    os.kill(pid_of_owner(owner), signal.SIGKILL)

    assert wait_for(lambda: _settled(job.pk), timeout=120), faults.logs()
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error_message
    assert job.attempts == 2 and pid_of_owner(job.claimed_by) != pid_of_owner(owner)
    assert PdfJob.objects.count() == 1
