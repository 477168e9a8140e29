"""The business model's PDF is a PDF job like the reports' (issue 15): the link prints the page
the reader sees (same parameters, same scope) and redirects to the job's page; in the embedded
default (eager) the job is rendered inside the request. The job is its requester's only, and
only while they may read the basin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import BasinShare, PdfJob, Role
from diagnostics.services import pdf_render
from implantations.services import funding as funding_services
from implantations.services.projects import project_create
from tests.factories.basins import make_user
from tests.implantations.recommendation_world import FAB_ID_SPEC, build_basin, delegate

pytestmark = pytest.mark.django_db
Status = PdfJob.Status


@pytest.fixture
def printed(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Chromium replaced: the « PDF » is the page it was given, so its text can be read."""
    pages: list[str] = []

    def fake(html: str, **kwargs: object) -> bytes:
        pages.append(html)
        return html.encode("utf-8")

    monkeypatch.setattr(pdf_render, "render_pdf", fake)
    return pages


@pytest.fixture
def project():  # type: ignore[no-untyped-def]
    project = project_create(
        basin=build_basin(FAB_ID_SPEC),
        user=delegate(),
        name="Fab ID du bassin",
        concept="fab_id",
        start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )
    # The Region pays 30,000 € a year in years 1 to 3: 90,000 € in all.
    funding_services.project_funding_replace(
        project=project,
        user=None,
        lines=[funding_services.FundingInput("region", 30_000, 1, 3, conditions="PRIC")],
    )
    return project


def _request_pdf(client: Client, project, **query: str):  # type: ignore[no-untyped-def]
    return client.get(
        reverse("business-model-pdf", args=[project.basin_id]), {"projet": project.pk, **query}
    )


def test_business_model_pdf_is_a_job_rendered_with_the_projects_figures(
    client: Client, project, printed: list[str]
) -> None:
    client.force_login(project.created_by)

    response = _request_pdf(client, project)

    job = PdfJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pdf-job-detail", args=[job.pk])
    assert (job.kind, job.basin_id, job.run_id, job.requested_by_id) == (
        PdfJob.Kind.BUSINESS_MODEL,
        project.basin_id,
        None,
        project.created_by.pk,
    )
    assert job.status == Status.DONE and job.attempts == 1  # eager: rendered in the request
    assert (
        job.title
        == "Modèle économique Fab ID (tiers-lieu) — Bassin Fab ID — projet « Fab ID du bassin »"
    )
    assert job.file_name == "modele-economique-fab_id-fab-id-du-bassin.pdf"
    page = client.get(response["Location"]).content.decode()
    assert "Prêt : télécharger" in page
    assert f'href="/bassins/{project.basin_id}/modele-economique/?projet={project.pk}"' in page
    pdf = client.get(reverse("pdf-job-file", args=[job.pk]))
    assert pdf["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    text = pdf.content.decode("utf-8")
    assert len(printed) == 1 and "<script" not in text
    # The split by funder: the Region's 30,000 € in years 1-3, 90,000 € in all, with its terms.
    split = text.split("Financements par financeur (euros)")[1]
    region = re.search(r"<th scope=\"row\">Région</th>(.*?)</tr>", split, re.S)
    assert region is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", region.group(1))
    assert [c.replace("\u202f", " ").replace("\xa0", " ") for c in cells] == [
        "0", "30 000", "30 000", "30 000", "0", "0", "90 000"
    ]  # fmt: skip
    assert "PRIC" in text and "Abondement CPF" in text


def test_the_same_page_asked_again_gives_the_same_job_another_page_another(
    client: Client, project, printed: list[str]
) -> None:
    client.force_login(project.created_by)

    first = _request_pdf(client, project)["Location"]
    again = _request_pdf(client, project)["Location"]
    typed = _request_pdf(client, project, learners_target="90")["Location"]

    assert first == again != typed
    assert PdfJob.objects.count() == 2 and len(printed) == 2
    other = PdfJob.objects.exclude(pk=PdfJob.objects.order_by("pk").first().pk).get()  # type: ignore[union-attr]
    assert "learners_target=90" in other.page_query


def test_a_bad_parameter_is_a_400_and_no_job(client: Client, project, printed: list[str]) -> None:
    client.force_login(project.created_by)

    response = _request_pdf(client, project, **{"ab-rate_percent": "150"})

    assert response.status_code == 400
    assert "Paramètres invalides" in response.content.decode()
    assert not PdfJob.objects.exists() and printed == []


def test_a_business_model_job_is_its_requesters_only_while_they_read_the_basin(
    client: Client, project, printed: list[str]
) -> None:
    _request_pdf(_logged_in(project.created_by), project)
    job = PdfJob.objects.get()
    urls = [reverse(n, args=[job.pk]) for n in ("pdf-job-detail", "pdf-job-status", "pdf-job-file")]
    # Another delegate of the same region reads the basin, not this job.
    colleague = delegate("delegue-44-bis")
    client.force_login(colleague)
    assert client.get(reverse("business-model", args=[project.basin_id])).status_code == 200
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert client.post(reverse("pdf-job-retry", args=[job.pk])).status_code == 404
    # The requester, while the basin is theirs: the job; their region taken away: 404.
    owner = project.created_by
    client.force_login(owner)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    owner.regions.clear()
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    # A mayor's office the basin is shared with reads its shared versions, never its business
    # model: not even a job of its own.
    mayor = make_user("mairie-bm", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=project.basin, user=mayor)
    PdfJob.objects.filter(pk=job.pk).update(requested_by=mayor)
    client.force_login(mayor)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]


def _logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client
