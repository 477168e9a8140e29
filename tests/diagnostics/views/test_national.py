"""National batch pages, atlas and their API (issue 16): who sees what, and the figures shown.
World: tests/factories/diagnostic_runs.py (region 44, zones d'emploi 4404 and 4405)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from diagnostics.models import Basin, DiagnosticBatch, Role
from diagnostics.selectors import diagnostic_frames
from diagnostics.services.national import national_batch_run_sync
from diagnostics.services.references import references_memory_clear
from tests.factories.basins import make_region, make_user
from tests.factories.diagnostic_runs import diagnostic_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    diagnostic_frames.frames_cache_clear()
    references_memory_clear()
    world = diagnostic_world()
    national_batch_run_sync(zoning="zone_emploi")
    return world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_delegate_of_another_region_sees_the_atlas_of_france(world):
    other = make_user(role=Role.REGIONAL_DELEGATE, regions=[make_region("53", "Bretagne")])

    response = client_for(other).get("/national/atlas/?indicateur=unemployment_rate")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Chaumont (ZE 4404)" in content and "Langres (ZE 4405)" in content
    assert "5,5" in content  # ZE 4404 at 2024-T1: its published rate
    assert response.context["figures"]["atlas"]["data"]
    # Sort keys as the sorting script reads them: « 12345 », never « 12 345 » (read as text).
    keys = re.findall(r'data-sort="([^"]*)"', content)
    assert any(re.fullmatch(r"\d{4,}", key) for key in keys), keys
    assert not [key for key in keys if re.fullmatch(r"\d{1,3}([\s\u202f\xa0]\d{3})+", key)]


def test_a_mayor_has_no_atlas(world):
    mayor = make_user(role=Role.MAYOR_VIEWER)

    assert client_for(mayor).get("/national/atlas/").status_code == 403
    assert client_for(mayor).get("/api/v1/atlas/").status_code == 403


def test_compare_two_basins_side_by_side_and_refuse_one(world):
    ids = sorted(Basin.objects.filter(is_reference=True).values_list("pk", flat=True))
    client = client_for(world.delegate)

    both = client.get("/national/atlas/comparer/", {"b": ids})
    one = client.get("/national/atlas/comparer/", {"b": ids[:1]})

    assert both.status_code == 200
    assert [b["name"] for b in both.context["basins"]] == [
        "Chaumont (ZE 4404)",
        "Langres (ZE 4405)",
    ]
    assert one.status_code == 400
    assert "Choisissez de 2 à 5 bassins" in one.content.decode()


def test_api_atlas_gives_every_basin_with_its_period(world):
    api = make_user(role=Role.API_CLIENT, regions=[world.region])

    body = (
        client_for(api)
        .get("/api/v1/atlas/", {"zoning": "ze", "indicator": "unemployment_rate"})
        .json()
    )

    rows = {row["name"]: row for row in body["basins"]}
    assert rows["Chaumont (ZE 4404)"]["value"] == 5.5
    assert rows["Chaumont (ZE 4404)"]["period"] == "2024-T1"
    bad = client_for(api).get("/api/v1/atlas/", {"indicator": "nope"})
    assert bad.status_code == 400 and "inconnu" in str(bad.json())


def test_api_batches_request_then_nothing_to_do(world):
    admin = make_user(role=Role.NATIONAL_ADMIN)
    client = client_for(admin)

    created = client.post(
        "/api/v1/batches/", {"zoning": "bassin_bmo"}, content_type="application/json"
    )
    again = client.post("/api/v1/batches/", {"zoning": "ze"}, content_type="application/json")
    wrong = client.post("/api/v1/batches/", {"zoning": "canton"}, content_type="application/json")

    assert created.status_code == 202
    batch = created.json()["batch"]
    assert batch["progress"]["total"] == 2
    status = client.get(f"/api/v1/batches/{batch['id']}/").json()
    assert status["progress"]["done"] + status["progress"]["remaining"] == 2
    assert again.status_code == 200 and again.json()["batch"] is None
    assert "Rien à faire" in again.json()["message"]
    assert wrong.status_code == 400


def test_batch_page_shows_progress_and_failures(world):
    admin = make_user(role=Role.NATIONAL_ADMIN)
    batch = DiagnosticBatch.objects.get()

    content = client_for(admin).get(f"/national/lots/{batch.pk}/").content.decode()

    assert "100 %" in content and "2 terminés" in content
    assert "Aucun bassin en échec" in content


def test_reference_basins_are_listed_only_when_asked(world):
    client = client_for(world.delegate)

    listed = client.get("/bassins/").content.decode()
    asked = client.get("/bassins/?references=1").content.decode()

    assert "Bassin 4418" in listed and "Chaumont (ZE 4404)" not in listed
    assert "Chaumont (ZE 4404)" in asked


def test_atlas_names_the_population_vintage_on_the_page_the_comparison_and_the_api(world):
    from diagnostics.models import Commune

    ids = sorted(Basin.objects.filter(is_reference=True).values_list("pk", flat=True))
    client = client_for(world.delegate)
    vintage = "Insee, populations légales en vigueur au 1ᵉʳ janvier 2026"
    # The territory files give no year here: the page says so rather than leave it out.
    unknown = client.get("/national/atlas/?indicateur=population").content.decode()
    assert "Source : Insee, populations légales (millésime non renseigné)." in unknown
    Commune.objects.update(population_vintage=2026)

    population = client.get("/national/atlas/?indicateur=population").content.decode()
    rate = client.get("/national/atlas/?indicateur=unemployment_rate").content.decode()
    compare = client.get("/national/atlas/comparer/", {"b": ids})
    api = make_user(role=Role.API_CLIENT, regions=[world.region])
    body = client_for(api).get("/api/v1/atlas/", {"indicator": "population"}).json()

    assert f"Source : {vintage}." in population
    assert "Colonne « Population »" not in population
    # Another indicator: its own source and period, and the table's population column's source.
    assert "Source : Insee, période 2024-T1." in rate
    assert f"Colonne « Population » : {vintage}." in rate
    line = next(x for x in compare.context["lines"] if x["label"] == "Population")
    assert line["source"] == vintage
    assert body["indicator"]["source"] == body["population_source"] == vintage
    assert {row["name"]: row["value"] for row in body["basins"]} == {
        "Chaumont (ZE 4404)": 20_000,  # 52001, 52002 and 52003
        "Langres (ZE 4405)": 5_000,
    }
