"""The page of a PDF job (issue 15): progress while queued or running (static JS polling a JSON
status), the file once ready, the error and « Relancer » when it failed; its requester's only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from diagnostics.models import PdfJob
from diagnostics.services import pdf_render
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.sharing import share_run

pytestmark = pytest.mark.django_db
Status = PdfJob.Status


@pytest.fixture
def job():
    world = diagnostic_world()
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    job = PdfJob.objects.create(
        requested_by=world.delegate,
        kind=PdfJob.Kind.DIAGNOSTIC,
        run=run,
        title=f"Diagnostic n° {run.pk} — Bassin test",
        file_name="diagnostic-rapport.pdf",
        html="<html></html>",
        html_sha256="0" * 64,
        status=Status.PENDING,
        progress_step="En file d'attente",
    )
    job.world = world  # type: ignore[attr-defined]
    return job


def test_queued_job_page_shows_its_progress_and_polls_its_status(client, job):
    client.force_login(job.world.delegate)

    page = client.get(reverse("pdf-job-detail", args=[job.pk])).content.decode()
    status = client.get(reverse("pdf-job-status", args=[job.pk])).json()

    assert "En file d'attente" in page
    assert f'data-status-url="{reverse("pdf-job-status", args=[job.pk])}"' in page
    assert "cnam/pdf_job.js" in page and "<script>" not in page  # static JS, nothing inline
    assert status == {
        "id": job.pk,
        "status": "pending",
        "status_label": "En file d'attente",
        "percent": 0,
        "step": "En file d'attente",
        "error": "",
        "finished": False,
        "file_url": None,
    }
    assert client.get(reverse("pdf-job-file", args=[job.pk])).status_code == 404


def test_running_job_page_says_en_cours(client, job):
    PdfJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, progress_percent=40, progress_step="Mise en page"
    )
    client.force_login(job.world.delegate)

    page = client.get(reverse("pdf-job-detail", args=[job.pk])).content.decode()

    assert "En cours" in page and "Mise en page" in page and "cnam-w-40" in page


def test_ready_job_offers_the_file(client, job):
    PdfJob.objects.filter(pk=job.pk).update(
        status=Status.DONE, pdf=b"%PDF-1.4 x", pdf_size=10, progress_percent=100
    )
    client.force_login(job.world.delegate)

    page = client.get(reverse("pdf-job-detail", args=[job.pk])).content.decode()
    status = client.get(reverse("pdf-job-status", args=[job.pk])).json()
    response = client.get(reverse("pdf-job-file", args=[job.pk]))

    assert "Prêt : télécharger" in page and "cnam/pdf_job.js" not in page
    assert status["finished"] is True
    assert status["file_url"] == reverse("pdf-job-file", args=[job.pk])
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="diagnostic-rapport.pdf"'
    assert response.content == b"%PDF-1.4 x"


def test_failed_job_shows_the_error_and_relaunches(client, job, monkeypatch):
    PdfJob.objects.filter(pk=job.pk).update(
        status=Status.FAILED, error_message="Le PDF n'a pas pu être produit : panne"
    )
    client.force_login(job.world.delegate)
    page = client.get(reverse("pdf-job-detail", args=[job.pk])).content.decode()
    assert "Le PDF n&#x27;a pas pu être produit : panne" in page
    assert "Relancer la fabrication du PDF" in page

    monkeypatch.setattr(pdf_render, "render_pdf", lambda html, **kw: b"%PDF-1.4 again")
    response = client.post(reverse("pdf-job-retry", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, bytes(job.pdf)) == (Status.DONE, b"%PDF-1.4 again")


def test_a_job_is_its_requesters_only(client, job):
    """A mayor the run is shared with reads the diagnostic, not the delegate's PDF job."""
    from diagnostics.models import Role
    from tests.factories.basins import make_user

    mayor = make_user("mairie-pdf", role=Role.MAYOR_VIEWER)
    share_run(job.run, mayor, by=job.world.delegate)
    client.force_login(mayor)

    assert client.get(reverse("diagnostic-detail", args=[job.run_id])).status_code == 200
    for name in ("pdf-job-detail", "pdf-job-status", "pdf-job-file"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("pdf-job-retry", args=[job.pk])).status_code == 404


def test_a_job_is_gone_once_its_diagnostic_is_out_of_reach(client, job):
    """The requester's share withdrawn: its job of that diagnostic answers 404 too."""
    from diagnostics.models import Role, SharedVersion
    from tests.factories.basins import make_user

    mayor = make_user("mairie-retrait", role=Role.MAYOR_VIEWER)
    share_run(job.run, mayor, by=job.world.delegate)
    PdfJob.objects.filter(pk=job.pk).update(requested_by=mayor, status=Status.DONE, pdf=b"%PDF")
    client.force_login(mayor)
    assert client.get(reverse("pdf-job-file", args=[job.pk])).status_code == 200

    SharedVersion.objects.filter(run=job.run).delete()

    assert client.get(reverse("pdf-job-file", args=[job.pk])).status_code == 404
