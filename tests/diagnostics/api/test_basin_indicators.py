"""GET /api/v1/basins/{id}/indicators/?year=&source= — token auth, scoped like the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from diagnostics.models import DiagnosticRun, Role
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]


@pytest.fixture
def world():
    return diagnostic_world()


@pytest.fixture
def api_client(world):
    return token_client(make_user("observatoire-ge", role=Role.API_CLIENT, regions=[world.region]))


def url(pk: int) -> str:
    return f"/api/v1/basins/{pk}/indicators/"


def test_no_run_yet_is_a_404_that_says_what_to_do(api_client, world):
    response = api_client.get(url(world.basin.pk))

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "no_diagnostic",
            "message": "Aucun diagnostic terminé pour le bassin « Bassin 4418 » : lancez-en un "
            "depuis la page du bassin (ou la commande diagnostic_run).",
            "fields": {},
        }
    }


def test_indicators_of_the_latest_done_run(api_client, world):
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)

    data = api_client.get(url(world.basin.pk)).json()

    assert data["basin"] == {
        "id": world.basin.pk,
        "name": "Bassin 4418",
        "population": 16_000,
        "communes": 2,
        "region_code": "44",
    }
    assert data["run"]["id"] == run.pk and data["run"]["newer_data_available"] is False
    assert data["run"]["report_url"].endswith(f"/diagnostics/{run.pk}/")
    assert data["years"]["2025"]["bmo_projects"] == 150
    assert data["years"]["2025"]["bmo_masked_cells"] == 1
    assert data["years"]["2025"]["bmo_difficulty_rate"] == 0.6
    assert [p["period"] for p in data["unemployment"]] == [
        "2023-T1",
        "2023-T2",
        "2023-T4",
        "2024-T1",
    ]
    assert [p["value"] for p in data["job_seekers"]] == [640, 650]
    assert set(data["sources"]) == {"bmo", "chomage_ze", "defm"}


def test_a_run_id_that_comes_back_is_not_served_from_the_cache(api_client, world):
    """SQLite hands a deleted (or rolled-back) row's id out again: the cached output of the old
    run must not answer for the new one, which names its basin otherwise."""
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    assert api_client.get(url(world.basin.pk)).json()["basin"]["name"] == "Bassin 4418"

    # Same id and data key, another run: another basin name in its document, another end time.
    document = dict(run.results)
    document["basin"] = {**document["basin"], "name": "Bassin renommé"}
    DiagnosticRun.objects.filter(pk=run.pk).update(
        results=document, finished_at=run.finished_at + timedelta(seconds=1)
    )

    assert api_client.get(url(world.basin.pk)).json()["basin"]["name"] == "Bassin renommé"


def test_year_and_source_filters(api_client, world):
    diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)

    data = api_client.get(url(world.basin.pk), {"year": 2024, "source": "defm"}).json()

    assert list(data["years"]) == ["2024"]
    year = data["years"]["2024"]
    assert (year["population"], year["job_seekers"], year["job_seekers_months"]) == (
        16_000,
        645,  # (640 + 650) / 2
        2,
    )
    # Same shape whatever the filter: the other sources' fields are null.
    assert year["bmo_projects"] is None and year["unemployment_rate"] is None
    assert "unemployment" not in data and "tension_metiers" not in data
    assert set(data["sources"]) == {"defm"}


def test_bad_filters_are_a_400_naming_the_field(api_client, world):
    diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)

    response = api_client.get(url(world.basin.pk), {"source": "meteo", "year": "deux"})

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid" and set(body["fields"]) == {"source", "year"}


def test_another_regions_basin_is_a_404(world):
    diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    stranger = make_user("observatoire-bzh", role=Role.API_CLIENT, regions=[world.other_region])
    client = token_client(stranger)

    response = client.get(url(world.basin.pk))

    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"Bassin n° {world.basin.pk} introuvable."


def test_without_token_is_a_401(world):
    assert APIClient().get(url(world.basin.pk)).status_code == 401


def test_query_count_is_bounded(api_client, world, django_assert_max_num_queries):
    diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)

    # Token + user, basin (scoped), latest run, batches used and in force.
    with django_assert_max_num_queries(7):
        response = api_client.get(url(world.basin.pk))

    assert response.status_code == 200


def test_openapi_schema_stays_valid(openapi_schema_yaml: str) -> None:
    # Validated (no error, no warning) by the fixture: `spectacular --validate --fail-on-warn`.
    assert openapi_schema_yaml.startswith("openapi: 3")
