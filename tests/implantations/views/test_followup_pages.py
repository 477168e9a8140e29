"""Follow-up and evaluation pages (issue 18): the entry form (400 naming the fields, nothing
written), the CSV import (row-level errors), the evaluation page (rates withheld on too few
learners, variances, flags), the programme summary and the exports, each in its reader's scope."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from implantations.analytics import evaluation as ev
from implantations.models import ProjectFollowup
from implantations.services import followup as services
from tests.implantations.services.test_followup import csv_bytes, csv_row, good_values

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(year: int = 1, **overrides) -> dict:
    data = {"year": year, **{k: "" if v is None else v for k, v in good_values().items()}}
    data.update(overrides)
    return data


def test_followup_form_refused_is_a_400_naming_the_fields(followup_world):
    project = followup_world["project"]
    url = reverse("project-followup", args=[project.pk])
    response = client_of(followup_world["delegate"]).post(
        url, form_data(**{ev.CERTIFIED: 16, ev.ENROLLED: "-2"})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Inscrits : nombre négatif (-2), positif ou nul attendu." in html
    assert ProjectFollowup.objects.count() == 0


def test_followup_form_saved_then_the_evaluation_page(followup_world):
    project = followup_world["project"]
    delegate = client_of(followup_world["delegate"])
    response = delegate.post(
        reverse("project-followup", args=[project.pk]),
        form_data(**{ev.PREMISES: 9_000, ev.explanation_field(ev.PREMISES): "Rampe d'accès."}),
    )
    assert response.status_code == 302
    page = delegate.get(reverse("project-evaluation", args=[project.pk]) + "?annee=1")
    html = page.content.decode()
    assert page.status_code == 200
    # completion 15 / 18 = 83 %; premises +50,0 % explained
    assert "83 %" in html
    assert "+50,0 %" in html and "Rampe d&#x27;accès." in html
    assert "variances-data" in html  # the chart through the plotly include
    assert "Saisir le suivi" in html


def test_evaluation_page_withholds_rates_on_too_few_learners(followup_world):
    project = followup_world["project"]
    services.followup_year_save(
        project=project,
        year=1,
        values={ev.ENROLLED: 9, ev.COMPLETED: 8, ev.OUTCOME_JOB: 5},
        user=followup_world["delegate"],
    )
    html = (
        client_of(followup_world["mayor"])
        .get(reverse("project-evaluation", args=[project.pk]))
        .content.decode()
    )
    assert "effectif trop faible (n = 9 &lt; 10)" in html
    assert "effectif trop faible (n = 8 &lt; 10)" in html
    assert "63 %" not in html  # 5 / 8 is not shown
    assert "Saisir le suivi" not in html  # the mayor reads


def test_evaluation_is_a_404_for_another_region(followup_world):
    project = followup_world["project"]
    response = client_of(followup_world["other_delegate"]).get(
        reverse("project-evaluation", args=[project.pk])
    )
    assert response.status_code == 404
    response = client_of(followup_world["other_delegate"]).get(
        reverse("project-variances-export", args=[project.pk])
    )
    assert response.status_code == 404


def test_followup_import_page_lists_row_errors(followup_world):
    project = followup_world["project"]
    upload = SimpleUploadedFile(
        "suivi.csv", csv_bytes(csv_row(2025, **{ev.COMPLETED: 30})), content_type="text/csv"
    )
    response = client_of(followup_world["delegate"]).post(
        reverse("project-followup-import", args=[project.pk]), {"file": upload}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<code>parcours_acheves</code>" in html and "30 pour 18 inscrits" in html
    assert ProjectFollowup.objects.count() == 0


def test_exports_hold_the_figures(followup_world):
    project = followup_world["project"]
    services.followup_year_save(
        project=project,
        year=1,
        values=good_values(**{ev.PREMISES: 9_000, ev.explanation_field(ev.PREMISES): "Rampe."}),
        user=followup_world["delegate"],
    )
    mayor = client_of(followup_world["mayor"])
    variances = mayor.get(reverse("project-variances-export", args=[project.pk])).content.decode(
        "utf-8-sig"
    )
    # premises: 6 000 planned, 9 000 actual, +3 000, +50 %, explained
    assert "1;2025;Locaux;coût;6000.0;9000.0;3000.0;0.5;oui;Rampe." in variances
    followup = mayor.get(reverse("project-followup-export", args=[project.pk])).content.decode(
        "utf-8-sig"
    )
    # year 1: 20 planned, 18 enrolled, 15 completed, completion 15 / 18 = 0.8333
    assert "1;2025;20;18;15;12;8;3;2;2;0.8333;0.8;0.5333;0.7333;" in followup
    summary = mayor.get(reverse("evaluation-summary-export")).content.decode("utf-8-sig")
    assert "Cnam à Chaumont" in summary and "en retard" in summary


def test_programme_summary_page(followup_world):
    html = client_of(followup_world["delegate"]).get(reverse("evaluation-summary")).content.decode()
    assert "Cnam à Chaumont" in html
    assert "en retard" in html  # never opened: its planned opening (1 January 2025) passed
