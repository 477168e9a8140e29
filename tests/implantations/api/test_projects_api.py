"""Implantation projects over the API v1 (issue 14): scoped list, follow-up of one project."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from implantations.models import ImplantationProject
from implantations.models.projects import ProjectYear
from tests.factories.basins import BasinFactory
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import make_token, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    world = diagnostic_world(sources=())
    project = ImplantationProject.objects.create(
        basin=world.basin,
        name="Implantation de Chaumont",
        concept="fab_id",
        start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )
    ProjectYear.objects.create(project=project, year=1, planned_learners=40, actual_learners=30)
    ProjectYear.objects.create(project=project, year=2, planned_learners=85)
    foreign = BasinFactory(name="Bassin breton", region=world.other_region)
    ImplantationProject.objects.create(
        basin=foreign, name="Ailleurs", concept="turnkey", start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )  # fmt: skip
    return world, project


def test_project_list_is_scoped_and_the_followup_computed(project):
    world, mine = project
    api = token_client(world.delegate)

    listing = api.get("/api/v1/projects/").json()
    detail = api.get(f"/api/v1/projects/{mine.pk}/").json()
    foreign = ImplantationProject.objects.exclude(pk=mine.pk).get()

    assert [p["name"] for p in listing["results"]] == ["Implantation de Chaumont"]
    followup = {row["year"]: row for row in detail["followup"]}
    assert (followup[1]["planned"], followup[1]["actual"], followup[1]["gap"]) == (40, 30, -10)
    assert followup[1]["calendar_year"] == 2026
    assert followup[2]["actual"] is None and followup[2]["gap"] is None
    assert api.get(f"/api/v1/projects/{foreign.pk}/").status_code == 404


def test_project_list_query_count_is_flat(project, django_assert_max_num_queries):
    world, mine = project
    for i in range(10):
        ImplantationProject.objects.create(
            basin=world.basin, name=f"Projet {i}", concept="turnkey", start_year=2026,
            study_started_on=dt.date(2025, 1, 6),
        )  # fmt: skip
    api = token_client(world.delegate)

    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/projects/")

    assert response.json()["count"] == 11


def test_business_model_read_with_the_project_and_written_with_projects_write(project):
    world, mine = project
    api = token_client(world.delegate)
    url = f"/api/v1/projects/{mine.pk}"

    lines = {
        "lines": [
            {"funder": "region", "annual_amount": "40000", "first_year": 0, "last_year": 2,
             "conditions": "PRIC"},
            {"funder": "epci", "annual_amount": "20000", "first_year": 1, "last_year": 3},
        ]
    }  # fmt: skip
    written = api.put(f"{url}/funding/", lines, format="json")
    assert written.status_code == 200, written.content
    assert written.json()["public_aid_total"] == 180_000  # 3 × 40,000 + 3 × 20,000
    refused = api.put(
        f"{url}/funding/",
        {"lines": [{"funder": "etat", "annual_amount": "-5", "first_year": 0, "last_year": 7}]},
        format="json",
    )
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {
        "lines.0.annual_amount",
        "lines.0.last_year",
    }
    created = api.post(
        f"{url}/topups/",
        {"name": "Agglo", "rate_percent": "100", "ceiling": "800", "learners": 17,
         "path_price": "2000", "retained": True},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["retained"] is True
    bad = api.post(
        f"{url}/topups/",
        {"name": "Trop", "rate_percent": "150", "ceiling": "1", "learners": 1,
         "path_price": "1"},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and "rate_percent" in bad.json()["error"]["fields"]
    services = api.put(
        f"{url}/services/",
        {"services": {"aioa": {"reach": 300, "conversion": 0.1}}},
        format="json",
    )
    assert services.status_code == 200
    assert services.json()["services"][0]["learners"] == 30  # 300 × 10 %

    detail = api.get(f"{url}/").json()["business_model"]
    assert detail["public_aid_source"] == "répartition par financeur"
    assert [line["funder"] for line in detail["funding_lines"]] == ["region", "epci"]
    # Retained top-up: min(100 % × (2,000 − 1,200), 800) = 800 a learner.
    assert detail["cpf_topup"]["per_learner"] == 800
    years = api.get(f"{url}/business-model/").json()["years"]
    assert [y["cpf_topup"] for y in years] == [0, 13_600, 13_600, 13_600, 13_600, 13_600]

    # A token without projects:write reads but does not write.
    reader = APIClient()
    reader.credentials(
        HTTP_AUTHORIZATION=f"Token {make_token(world.delegate, ['indicators:read'])}"
    )
    assert reader.get(f"{url}/business-model/").status_code == 200
    assert reader.put(f"{url}/funding/", {"lines": []}, format="json").status_code == 403
