"""Basins, runs and territories over the API v1 (issue 14): scoped, paginated, filtered,
ordered, conditional, and bounded in queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.models import Basin, DiagnosticRun, Role
from diagnostics.services.basin_refresh import basin_refresh
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import BasinFactory, make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]


@pytest.fixture
def world():
    return diagnostic_world()


def done_run(world) -> DiagnosticRun:
    return diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)


# --- Basins ---------------------------------------------------------------------------------


def test_basin_list_is_scoped_paginated_and_finds_the_basin_of_a_town(world):
    other = BasinFactory(name="Bassin breton", region=world.other_region)
    second = world.make_basin("Bassin de Langres", ["52004"])
    api = token_client(world.delegate)

    page = api.get("/api/v1/basins/", {"limit": 1, "ordering": "-name"}).json()
    by_town = api.get("/api/v1/basins/", {"commune": "52004"}).json()

    assert page["count"] == 2  # not the other region's basin
    assert [b["name"] for b in page["results"]] == ["Bassin de Langres"]
    assert page["next"].endswith("limit=1&offset=1&ordering=-name")
    assert [b["id"] for b in by_town["results"]] == [second.pk]
    assert other.pk not in [b["id"] for b in api.get("/api/v1/basins/").json()["results"]]
    assert "geometry" not in page["results"][0]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "1000"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"ordering": "password"}, "ordering"),
        ({"region": "44", "colour": "red"}, "colour"),
        ({"geometry": "peut-être"}, "geometry"),
        ({"eligible_population": "maybe"}, "eligible_population"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(world, query, field):
    response = token_client(world.delegate).get("/api/v1/basins/", query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert all(isinstance(m, str) and m for m in error["fields"][field])


def test_basin_detail_geometry_on_request_and_conditional_get(world):
    basin_refresh(basin_id=world.basin.pk)
    api = token_client(world.delegate)
    url = f"/api/v1/basins/{world.basin.pk}/"

    plain = api.get(url)
    with_geometry = api.get(url, {"geometry": "true"})
    again = api.get(url, HTTP_IF_NONE_MATCH=plain["ETag"])
    since = api.get(url, HTTP_IF_MODIFIED_SINCE=plain["Last-Modified"])

    assert plain.status_code == 200 and "geometry" not in plain.json()
    assert with_geometry.json()["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert with_geometry["ETag"] != plain["ETag"]
    assert (again.status_code, again.content) == (304, b"")
    assert since.status_code == 304
    assert plain.json()["main_town"] == {"code": "52001", "name": "Chaumont"}


def test_basin_create_edit_delete_with_basins_write(world, django_capture_on_commit_callbacks):
    api = token_client(world.delegate, ["indicators:read", "basins:write"])

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/basins/",
            {
                "name": "Bassin de Langres",
                "source_kind": "communes",
                "source_codes": ["52003", "52004"],
            },
            format="json",
        )
    basin = Basin.objects.get(name="Bassin de Langres")
    renamed = api.patch(f"/api/v1/basins/{basin.pk}/", {"name": "Pays de Langres"}, format="json")
    duplicate = api.patch(f"/api/v1/basins/{basin.pk}/", {"name": "Bassin 4418"}, format="json")
    deleted = api.delete(f"/api/v1/basins/{basin.pk}/")

    assert created.status_code == 201
    assert created["Location"].endswith(f"/api/v1/basins/{basin.pk}/")
    assert (created.json()["population"], created.json()["communes_count"]) == (9_000, 2)
    assert renamed.json()["name"] == "Pays de Langres"
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["fields"] == {"name": [duplicate.json()["error"]["message"]]}
    assert deleted.status_code == 204
    assert not Basin.objects.filter(pk=basin.pk).exists()


def test_basin_create_bad_codes_say_which(world):
    api = token_client(world.delegate)

    response = api.post(
        "/api/v1/basins/",
        {"name": "X", "source_kind": "zone_emploi", "source_codes": ["0000"]},
        format="json",
    )

    assert response.status_code == 400
    assert "0000" in response.json()["error"]["message"]
    assert Basin.objects.count() == 1


def test_another_regions_basin_is_a_404_for_every_method(world):
    foreign = BasinFactory(name="Bassin breton", region=world.other_region)
    api = token_client(world.delegate)
    url = f"/api/v1/basins/{foreign.pk}/"

    codes = [
        api.get(url).status_code,
        api.patch(url, {"name": "pris"}, format="json").status_code,
        api.delete(url).status_code,
        api.post(f"{url}runs/").status_code,
        api.get(f"{url}runs/").status_code,
    ]

    assert codes == [404, 404, 404, 404, 404]
    foreign.refresh_from_db()
    assert foreign.name == "Bassin breton"


def test_api_client_reads_but_cannot_write_basins(world):
    api_user = make_user("observatoire", role=Role.API_CLIENT, regions=[world.region])
    api = token_client(api_user)

    assert api.get(f"/api/v1/basins/{world.basin.pk}/").status_code == 200
    response = api.post(f"/api/v1/basins/{world.basin.pk}/runs/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_basin_list_query_count_is_flat(world, django_assert_max_num_queries):
    for i in range(30):
        world.make_basin(f"Bassin {i}", ["52003"])
    api = token_client(world.delegate)

    # token + user, regions subquery in the count, the page: no query per basin.
    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/basins/", {"limit": 50})

    assert response.json()["count"] == 31


# --- Runs -----------------------------------------------------------------------------------


def test_run_request_is_a_202_with_a_status_url(world, django_capture_on_commit_callbacks):
    api = token_client(world.delegate, ["indicators:read", "runs:write"])

    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(f"/api/v1/basins/{world.basin.pk}/runs/")
    status = api.get(response["Location"])

    assert response.status_code == 202
    run = DiagnosticRun.objects.get()
    assert response["Location"].endswith(f"/api/v1/runs/{run.pk}/")
    assert status.json()["status"] == "pending" and status.json()["done"] is False
    assert status.json()["progress_step"] == "En file d'attente"


def test_run_request_needs_runs_write(world):
    response = token_client(world.delegate, ["indicators:read"]).post(
        f"/api/v1/basins/{world.basin.pk}/runs/"
    )

    assert response.status_code == 403
    assert "runs:write" in response.json()["error"]["message"]
    assert not DiagnosticRun.objects.exists()


def test_series_per_indicator_and_per_metier(world):
    run = done_run(world)
    api = token_client(world.delegate)
    url = f"/api/v1/runs/{run.pk}/series/"

    projects = api.get(url, {"indicator": "bmo_projects"}).json()
    metier = api.get(url, {"indicator": "bmo_projects", "metier": "A1Z40"}).json()
    unemployment = api.get(url, {"indicator": "unemployment_rate"}).json()
    refused = api.get(url, {"indicator": "job_seekers", "metier": "A1Z40"})

    # 2025: 100 + 50 published (the secret cell is unknown, not 0); 2024: 80 + 40.
    assert [(p["period"], p["value"]) for p in projects["points"]] == [
        ("2024", 120.0),
        ("2025", 150.0),
    ]
    assert [(p["period"], p["value"]) for p in metier["points"]] == [
        ("2024", 80.0),
        ("2025", 100.0),
    ]
    assert metier["metier_label"] == "Agriculteurs salariés"
    assert unemployment["unit"] == "%" and unemployment["points"]
    assert all(set(p) == {"period", "value", "estimated"} for p in unemployment["points"])
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["metier"]


def test_run_tables_as_records(world):
    run = done_run(world)
    api = token_client(world.delegate)

    index = api.get(f"/api/v1/runs/{run.pk}/tables/").json()
    years = api.get(f"/api/v1/runs/{run.pk}/tables/years/").json()
    missing = api.get(f"/api/v1/runs/{run.pk}/tables/nope/")

    assert "years" in [t["name"] for t in index]
    assert years["records"] and set(years["records"][0]) == set(years["columns"])
    assert missing.status_code == 404 and "years" in missing.json()["error"]["message"]


def test_series_of_a_pending_run_is_a_404_saying_so(world):
    run = diagnostic_request(basin_id=world.basin.pk, enqueue=False)

    response = token_client(world.delegate).get(
        f"/api/v1/runs/{run.pk}/series/", {"indicator": "bmo_projects"}
    )

    assert response.status_code == 404
    assert "pas terminé" in response.json()["error"]["message"]


# --- Territories ----------------------------------------------------------------------------


def test_territory_search_members_and_geometry(world):
    api = token_client(world.delegate)

    by_name = api.get("/api/v1/territories/communes/", {"q": "lang"}).json()
    by_code = api.get("/api/v1/territories/zones-emploi/", {"q": "440"}).json()
    members = api.get(
        "/api/v1/territories/communes/", {"zone_emploi": "4404", "ordering": "-population"}
    ).json()
    zone = api.get("/api/v1/territories/zones-emploi/4404/", {"geometry": "true"}).json()
    bassin = api.get("/api/v1/territories/bassins-bmo/4418/").json()

    assert [c["code"] for c in by_name["results"]] == ["52004"]
    assert [z["code"] for z in by_code["results"]] == ["4404", "4405"]
    assert [c["code"] for c in members["results"]] == ["52001", "52002", "52003"]
    assert (zone["communes_count"], zone["population"]) == (3, 20_000)
    assert "geometry" in zone
    assert (bassin["communes_count"], bassin["population"]) == (2, 16_000)


def test_territory_list_query_count_is_flat(world, django_assert_max_num_queries):
    api = token_client(world.delegate)

    with django_assert_max_num_queries(4):
        api.get("/api/v1/territories/communes/", {"limit": 500})
    with django_assert_max_num_queries(4):
        api.get("/api/v1/territories/zones-emploi/")


def test_session_user_is_not_limited_by_scopes(client, world):
    client.force_login(world.delegate)

    with CaptureQueriesContext(connection):
        response = client.get("/api/v1/basins/")

    assert response.status_code == 200
