"""Implantation projects over the API v1 (issue 14): scoped list, follow-up of one project."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from implantations.models import ImplantationProject
from implantations.models.projects import ProjectYear
from tests.factories.basins import BasinFactory
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import make_token

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(user)}")
    return client


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
    api = client_of(world.delegate)

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
    api = client_of(world.delegate)

    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/projects/")

    assert response.json()["count"] == 11
