"""The basin list read from the stored row documents (issue 14, `BasinListDocument`): a page
read from them is the page the rows give (the Python path that wrote every page before them),
for every role, filter, ordering and page; only the basins changed since are written again;
a main town renamed, another time zone or another host never reads a stale document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import DatabaseError
from django.utils import timezone

from diagnostics.api import basins as basins_api
from diagnostics.models import Basin, BasinListDocument, BasinShare, Commune, Role
from diagnostics.services import basin_documents as store_service
from diagnostics.services.basins import basin_delete, basin_update
from tests.diagnostics.api.test_basin_list_documents import ordered
from tests.factories.basins import BasinFactory, make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]

URL = "/api/v1/basins/"


@pytest.fixture
def world():
    world = diagnostic_world()
    town = Commune.objects.get(code="52003")
    for i, (name, population, km) in enumerate(
        [("Bassin d'Avize", 8_000, 12.5), ("Bassin « Zénith »\u2028ligne", 30_000, None),
         ("Bassin de Bar", 15_000, 0.1 + 0.2), ("Bassin de Langres", 15_000, 40.0)]
    ):  # fmt: skip
        basin = BasinFactory(
            name=name, region=world.region, population=population, nearest_site_km=km,
            main_town=town if i % 2 else None, eligible_population=bool(i % 2),
        )  # fmt: skip
        basin.set_bbox((4.1 + i, 48.0, 5.2 + i, 48.9) if i != 1 else None)
        basin.save()
    BasinFactory(name="Bassin breton", region=world.other_region)
    return world


@pytest.fixture
def readers(world):
    mayor = make_user("mairie", role=Role.MAYOR_VIEWER)
    for basin in Basin.objects.filter(name__in=["Bassin d'Avize", "Bassin breton"]):
        BasinShare.objects.create(basin=basin, user=mayor)
    return {
        "delegate": world.delegate,
        "national": make_user("national", role=Role.NATIONAL_ADMIN),
        "client": make_user("client-44", role=Role.API_CLIENT, regions=[world.region]),
        "mayor": mayor,
    }


class Listing:
    """GETs of the list, each one past the cached pages (a new format version of them), the
    documents it writes stored as after a commit; `rewritten` records the ids written again."""

    def __init__(self, settings: Any, capture: Any, monkeypatch: Any) -> None:
        self.settings, self.capture, self.version = settings, capture, 0
        self.rewritten: list[list[int]] = []
        stale = basins_api.BasinListApi.stale_documents

        def recorded(ids: list[int]) -> Any:
            self.rewritten.append(sorted(ids))
            return stale(ids)

        monkeypatch.setattr(basins_api.BasinListApi, "stale_documents", staticmethod(recorded))

    def get(self, api: Any, params: dict[str, Any], **extra: Any) -> Any:
        self.version += 1
        self.settings.API_LIST_CACHE_VERSION = ("stored-tests", self.version)
        with self.capture(execute=True):
            return api.get(URL, params, **extra)


@pytest.fixture
def listing(settings, django_capture_on_commit_callbacks, monkeypatch):
    return Listing(settings, django_capture_on_commit_callbacks, monkeypatch)


def rows_page(api: Any, params: dict[str, Any], monkeypatch: Any) -> Any:
    """The same page written from the rows (`list_page_shaped`), as before the documents."""
    with monkeypatch.context() as patch:
        patch.setattr(
            basins_api.BasinListApi, "list_page", basins_api.BasinListApi.list_page_shaped
        )
        patch.setattr(basins_api, "basin_list_page_cached", lambda key: None)
        return api.get(URL, params)


QUERIES = [
    {"ordering": "name"},
    {"ordering": "-population", "limit": 2, "offset": 1},
    {"ordering": "-updated_at,name", "limit": 3},
    {"q": "bassin d", "ordering": "-name"},
    {"region": "44", "ordering": "population"},
    {"source_kind": "communes", "eligible_population": "true"},
    {"eligible_population": "false", "ordering": "created_at"},
    {"commune": "52001"},
    {"limit": 2, "offset": 10},
]


@pytest.mark.parametrize("reader", ["delegate", "national", "client", "mayor"])
def test_stored_pages_are_the_pages_of_the_rows(readers, listing, monkeypatch, reader):
    api = token_client(readers[reader], ["indicators:read"])

    for params in QUERIES:
        written = listing.get(api, params)
        stored = listing.get(api, params)
        expected = rows_page(api, params, monkeypatch)

        assert written.status_code == stored.status_code == expected.status_code == 200
        assert stored.content == written.content, params
        assert "\u2028".encode() not in stored.content  # escaped, as DRF writes it
        assert ordered(stored.json()) == ordered(expected.json()), params
    assert b"\\u2028" in listing.get(api, {"q": "zénith"}).content or reader == "mayor"
    assert BasinListDocument.objects.exists()
    # Each basin written once, by the first page that showed it.
    ids = [pk for written in listing.rewritten for pk in written]
    assert len(ids) == len(set(ids)) > 0


def test_only_the_basins_changed_are_written_again(world, listing):
    api = token_client(world.delegate)
    listing.get(api, {"limit": 500})
    langres = Basin.objects.get(name="Bassin de Langres")
    listing.rewritten.clear()

    untouched = listing.get(api, {"limit": 500})
    basin_update(basin=langres, name="Bassin du Pays de Langres")
    changed = listing.get(api, {"limit": 500, "ordering": "name"})
    again = listing.get(api, {"limit": 500, "ordering": "name"})

    assert untouched.status_code == 200
    assert listing.rewritten == [[langres.pk]]
    assert "Bassin du Pays de Langres" in [b["name"] for b in changed.json()["results"]]
    assert again.content == changed.content


def test_a_main_town_renamed_is_written_again(world, listing):
    """A commune's name changes without its basins' rows (a territory load rewrites it)."""
    api = token_client(world.delegate)
    town = Commune.objects.get(code="52003")
    listing.get(api, {"limit": 500, "ordering": "name"})
    listing.rewritten.clear()

    Commune.objects.filter(pk=town.pk).update(name="Nogent-en-Bassigny")
    after = listing.get(api, {"limit": 500, "ordering": "name"}).json()["results"]

    shown = {b["main_town"]["name"] for b in after if b["main_town"]}
    assert town.name not in shown and "Nogent-en-Bassigny" in shown
    in_town = sorted(Basin.objects.filter(main_town=town).values_list("pk", flat=True))
    assert listing.rewritten == [in_town] and len(in_town) == 2


def test_another_time_zone_is_written_again(world, listing, monkeypatch):
    api = token_client(world.delegate)
    Basin.objects.filter(region=world.region).update(
        updated_at=dt.datetime(2026, 7, 14, 10, 30, tzinfo=dt.UTC)
    )
    paris = listing.get(api, {"ordering": "id"}).json()["results"]
    listing.rewritten.clear()

    with timezone.override("Asia/Kolkata"):
        kolkata = listing.get(api, {"ordering": "id"})
        expected = rows_page(api, {"ordering": "id"}, monkeypatch)

    assert paris[0]["updated_at"] == "2026-07-14T12:30:00+02:00"
    assert kolkata.json()["results"][0]["updated_at"] == "2026-07-14T16:00:00+05:30"
    assert ordered(kolkata.json()) == ordered(expected.json())
    assert len(listing.rewritten) == 1


def test_urls_name_the_host_of_each_request(world, listing, settings):
    settings.ALLOWED_HOSTS = ["testserver", "api.example.org"]
    api = token_client(world.delegate)
    listing.get(api, {"ordering": "id"})
    listing.rewritten.clear()

    other = listing.get(api, {"ordering": "id"}, HTTP_HOST="api.example.org", secure=True)

    first = other.json()["results"][0]
    pk = first["id"]
    assert listing.rewritten == []
    assert first["urls"] == {
        "self": f"https://api.example.org/api/v1/basins/{pk}/",
        "runs": f"https://api.example.org/api/v1/basins/{pk}/runs/",
        "indicators": f"https://api.example.org/api/v1/basins/{pk}/indicators/",
        "page": f"https://api.example.org/bassins/{pk}/",
    }


def test_a_stored_basin_made_non_finite_is_a_400(world, listing):
    api = token_client(world.delegate)
    listing.get(api, {"ordering": "id"})

    Basin.objects.filter(pk=world.basin.pk).update(
        nearest_site_km=float("inf"), updated_at=timezone.now()
    )
    response = listing.get(api, {"ordering": "id"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["fields"] == ["results.0.nearest_site_km"]


def test_a_page_of_stored_documents_reads_in_three_queries(
    world, listing, django_assert_max_num_queries
):
    api = token_client(world.delegate)
    listing.get(api, {"limit": 500})
    listing.get(api, {"limit": 500})  # the token's last use is written once a minute

    # The token (cached), the page cache's stamp, the page: no query per basin.
    with django_assert_max_num_queries(3):
        response = listing.get(api, {"limit": 500})

    assert response.json()["count"] == 5


def test_a_store_that_fails_is_forgotten(world, listing, monkeypatch, caplog):
    def failing(key: str, rows: Any) -> None:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(store_service, "_upsert", failing)
    api = token_client(world.delegate)

    response = listing.get(api, {"ordering": "id"})

    assert response.status_code == 200 and response.json()["count"] == 5
    assert not BasinListDocument.objects.exists()
    assert "basin list documents not stored" in caplog.text


def test_a_deleted_basin_takes_its_document(world, listing):
    api = token_client(world.delegate)
    listing.get(api, {"ordering": "id"})
    langres = Basin.objects.get(name="Bassin de Langres")

    basin_delete(basin=langres)

    assert not BasinListDocument.objects.filter(basin_id=langres.pk).exists()
    assert BasinListDocument.objects.count() == 4
    assert json.loads(listing.get(api, {"ordering": "id"}).content)["count"] == 4


@pytest.mark.parametrize("reader", ["delegate", "national"])
def test_ties_come_in_id_order_and_every_basin_once_across_pages(readers, listing, reader):
    """Bar and Langres have 15 000 inhabitants each: ordered by population they tie, and the
    list breaks the tie by id (the ordering filter adds it last), so that pages of one basin
    show every basin once — the stored documents' statement and the rows' agree."""
    api = token_client(readers[reader], ["indicators:read"])
    total = api.get(URL, {"limit": 500}).json()["count"]

    pages = [
        listing.get(api, {"ordering": "-population", "limit": 1, "offset": offset}).json()
        for offset in range(total)
    ]

    ids = [page["results"][0]["id"] for page in pages]
    assert sorted(ids) == sorted(b["id"] for b in api.get(URL, {"limit": 500}).json()["results"])
    tied = [b["id"] for p in pages for b in p["results"] if b["population"] == 15_000]
    assert len(tied) == 2 and tied == sorted(tied)
