"""The business model page with a project (services, funding split, CPF top-up before /
after), the project's funding, services and top-up pages (French errors, 400, nothing
written), and the business model's CSV export (its PDF: test_business_model_pdf.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from implantations.models import CpfTopUpScenario, ProjectFundingLine, ProjectService
from implantations.services import funding as funding_services
from implantations.services.projects import project_create
from tests.implantations.recommendation_world import FAB_ID_SPEC, build_basin, delegate

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():  # type: ignore[no-untyped-def]
    basin = build_basin(FAB_ID_SPEC)
    user = delegate()
    return project_create(
        basin=basin,
        user=user,
        name="Fab ID du bassin",
        concept="fab_id",
        start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )


def _funding_post(rows: list[dict[str, object]]) -> dict[str, object]:
    data: dict[str, object] = {
        "lignes-TOTAL_FORMS": str(len(rows)),
        "lignes-INITIAL_FORMS": "0",
        "lignes-MIN_NUM_FORMS": "0",
        "lignes-MAX_NUM_FORMS": "40",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lignes-{i}-{key}"] = value
    return data


def test_funding_form_saves_and_the_page_uses_the_split(client: Client, project) -> None:
    client.force_login(project.created_by)
    response = client.post(
        reverse("project-funding", args=[project.pk]),
        _funding_post(
            [
                {"funder": "region", "funder_name": "Région", "annual_amount": "40 000",
                 "first_year": "0", "last_year": "2", "conditions": "Convention PRIC"},
                {"funder": "epci", "annual_amount": "20000", "first_year": "1",
                 "last_year": "3"},
            ]
        ),
    )  # fmt: skip
    assert response.status_code == 302
    assert ProjectFundingLine.objects.count() == 2
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    model = page.context["model"]
    assert model.public_aid_total == 180_000
    assert "Convention PRIC" in body and 'id="chart-funding"' in body
    assert [row["label"] for row in page.context["funding"]] == ["Région", "EPCI"]
    # The exports recompute the project's plan: no assumption in their query unless typed.
    # (the top-up simulated on the page goes with them: 50 % within 500 € for 10 learners).
    assert page.context["export_query"] == (
        f"concept=fab_id&projet={project.pk}"
        "&ab-rate_percent=50&ab-ceiling=500&ab-learners=10&ab-path_price=2000"
    )
    typed = client.get(response["Location"].split("#")[0] + "&learners_target=90")
    assert "learners_target=90" in typed.context["export_query"]
    assert "Diagnostic Orientation Compétences (DOC)" in body
    assert "au lieu de l&#x27;aide nécessaire calculée" in body or "au lieu de l'aide" in body


def test_funding_form_refuses_with_field_errors_and_400(client: Client, project) -> None:
    client.force_login(project.created_by)
    response = client.post(
        reverse("project-funding", args=[project.pk]),
        _funding_post(
            [
                {"funder": "region", "annual_amount": "-5", "first_year": "2",
                 "last_year": "1"},
                {"funder": "mecene", "annual_amount": "100", "first_year": "0",
                 "last_year": "9"},
            ]
        ),
    )  # fmt: skip
    assert response.status_code == 400
    forms = response.context["formset"].forms
    assert "négatif" in forms[0].errors["annual_amount"][0]
    assert forms[0].errors["last_year"] == ["La dernière année (1) précède la première (2)."]
    assert "Financeur inconnu" in forms[1].errors["funder"][0]
    assert "années 0 à 5" in forms[1].errors["last_year"][0]
    assert not ProjectFundingLine.objects.exists()


def test_funding_over_costs_is_a_400_naming_the_year(client: Client, project) -> None:
    client.force_login(project.created_by)
    response = client.post(
        reverse("project-funding", args=[project.pk]),
        _funding_post(
            [{"funder": "etat", "annual_amount": "900000", "first_year": "1", "last_year": "1"}]
        ),
    )
    assert response.status_code == 400
    assert response.context["total_errors"][0].startswith("Année 1 : les financements")
    assert not ProjectFundingLine.objects.exists()


def test_topup_simulation_before_after_and_saved_scenario(client: Client, project) -> None:
    client.force_login(project.created_by)
    url = reverse("business-model", args=[project.basin_id])
    response = client.get(
        url,
        {
            "projet": project.pk,
            "ab-rate_percent": "100",
            "ab-ceiling": "800",
            "ab-learners": "17",
            "ab-path_price": "2000",
        },
    )
    assert response.status_code == 200
    effect = response.context["topup_effect"]
    # 17 learners × min(100 % × (2,000 − 1,200), 800) = 13,600 a year from year 1.
    assert effect.revenue_gain == [0, 13_600, 13_600, 13_600, 13_600, 13_600]
    assert "Équilibre : avant → après" in response.content.decode()
    bad = client.get(url, {"projet": project.pk, "ab-rate_percent": "150", "ab-ceiling": "1",
                           "ab-learners": "1", "ab-path_price": "1"})  # fmt: skip
    assert bad.status_code == 400
    assert "100 %" in bad.context["topup_form"].errors["rate_percent"][0]

    topup_url = reverse("project-topup", args=[project.pk])
    saved = client.post(
        topup_url,
        {"action": "save", "name": "Agglo", "rate_percent": "100", "ceiling": "800",
         "learners": "17", "path_price": "2000", "retained": "on"},
    )  # fmt: skip
    assert saved.status_code == 302
    assert CpfTopUpScenario.objects.get().retained
    refused = client.post(
        topup_url,
        {"action": "save", "name": "", "rate_percent": "-1", "ceiling": "x", "learners": "2",
         "path_price": "10"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"rate_percent", "ceiling"}
    page = client.get(url, {"projet": project.pk})
    assert page.context["retained"].name == "Agglo"
    assert page.context["model"].years["cpf_topup"].tolist()[1] == 13_600


def test_services_form_saves_and_refuses(client: Client, project) -> None:
    client.force_login(project.created_by)
    url = reverse("project-services", args=[project.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"aioa__staff_time": "803,5", "aioa__time_unit": "heures",
                 "aioa__conversion": "150"})  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "100 %" in refused.context["form"].errors["aioa__conversion"][0]
    assert not ProjectService.objects.exists()
    data["aioa__conversion"] = "10"
    assert client.post(url, data).status_code == 302
    aioa = ProjectService.objects.get(code="aioa")
    assert (float(aioa.staff_time), aioa.time_unit, float(aioa.conversion)) == (
        803.5,
        "heures",
        0.1,
    )


def test_business_model_csv_has_the_new_sections(client: Client, project) -> None:
    funding_services.project_funding_replace(
        project=project,
        user=None,
        lines=[funding_services.FundingInput("region", 30_000, 1, 3, conditions="PRIC")],
    )
    client.force_login(project.created_by)
    response = client.get(
        reverse("business-model-csv", args=[project.basin_id]), {"projet": project.pk}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    sections = {row[0] for row in rows[1:]}
    assert {"Modèle économique", "Financements par financeur", "Abondement CPF", "Services"} <= (
        sections
    )
    region = next(r for r in rows if r[0] == "Financements par financeur")
    assert region[2:9] == ["0.0", "30000.0", "30000.0", "30000.0", "0.0", "0.0", "90000.0"]
    assert "PRIC" in region[9]
    aid = next(r for r in rows if r[1] == "Aide publique retenue")
    assert aid[8] == "90000.0" and "répartition" in aid[9]
    bad = client.get(
        reverse("business-model-csv", args=[project.basin_id]),
        {"projet": project.pk, "ab-rate_percent": "abc"},
    )
    assert bad.status_code == 400


def test_another_region_project_is_a_404(client: Client, project) -> None:
    from tests.factories.basins import make_region, make_user

    other = make_user("delegue-autre", regions=[make_region("27", "Bourgogne-Franche-Comté")])
    client.force_login(other)
    assert client.get(reverse("project-funding", args=[project.pk])).status_code == 404
    assert client.get(reverse("project-topup", args=[project.pk])).status_code == 404
