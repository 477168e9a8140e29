"""Cached pages of the basin list (issue 14, `diagnostics.selectors.basin_list_cache`): a page
read back is the page written (same bytes, same ETag), one reader's page is never another's,
and any change of what the page shows gives a new page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from diagnostics.models import Basin, BasinShare, Role, TerritoryLoad
from diagnostics.selectors.access import basin_list_for
from diagnostics.selectors.basin_list_cache import reader_scope
from diagnostics.services.basins import basin_delete, basin_update
from tests.factories.basins import BasinFactory, make_region, make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]

URL = "/api/v1/basins/"


@pytest.fixture
def world():
    return diagnostic_world()


def cached_pages() -> list[str]:
    """Keys of the cached basin-list pages (the tests' cache is the local-memory one)."""
    return [key for key in cache._cache if ":api:basin-list:" in key]  # type: ignore[attr-defined]


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [basin["name"] for basin in response.json()["results"]]


def test_a_page_read_back_is_the_page_written_with_the_same_etag(world):
    world.make_basin("Bassin de Langres", ["52004"])
    api = token_client(world.delegate)

    written = api.get(URL, {"limit": 1, "ordering": "-name"})
    read_back = api.get(URL, {"limit": 1, "ordering": "-name"})
    not_modified = api.get(
        URL, {"limit": 1, "ordering": "-name"}, HTTP_IF_NONE_MATCH=read_back["ETag"]
    )

    assert len(cached_pages()) == 1
    assert read_back.content == written.content
    assert names(read_back) == ["Bassin de Langres"]
    assert (
        read_back.json()["next"]
        == "http://testserver/api/v1/basins/?limit=1&offset=1&ordering=-name"
    )
    assert read_back["ETag"] == written["ETag"]
    assert not_modified.status_code == 304


def test_two_readers_never_share_a_page(world):
    """The same URL for a Grand Est delegate, a Bretagne delegate, a national admin, an API
    client of the Grand Est and a mayor's office: each reads its own basins, each reader
    with a cached role gets its own page."""
    breton = BasinFactory(name="Bassin breton", region=world.other_region)
    shared = BasinFactory(name="Bassin partagé", region=world.region)
    readers = {
        "grand_est": world.delegate,
        "bretagne": make_user("delegue-53", regions=[world.other_region]),
        "national": make_user("national", role=Role.NATIONAL_ADMIN),
        "client": make_user("client-44", role=Role.API_CLIENT, regions=[world.region]),
        "mairie": make_user("mairie", role=Role.MAYOR_VIEWER),
    }
    BasinShare.objects.create(basin=shared, user=readers["mairie"])
    clients = {name: token_client(user, ["indicators:read"]) for name, user in readers.items()}

    first = {name: names(api.get(URL, {"ordering": "name"})) for name, api in clients.items()}
    again = {name: names(api.get(URL, {"ordering": "name"})) for name, api in clients.items()}

    grand_est = ["Bassin 4418", "Bassin partagé"]
    assert (
        first
        == again
        == {
            "grand_est": grand_est,
            "bretagne": [breton.name],
            "national": ["Bassin 4418", "Bassin breton", "Bassin partagé"],
            "client": grand_est,
            "mairie": ["Bassin partagé"],
        }
    )
    assert len(cached_pages()) == 4  # the mayor's office's pages are not cached


def test_a_change_of_what_a_page_shows_gives_a_new_page(world):
    api = token_client(world.delegate)
    page = lambda: names(api.get(URL, {"ordering": "name"}))  # noqa: E731
    assert page() == ["Bassin 4418"]

    basin_update(basin=world.basin, name="Bassin de Chaumont")
    assert page() == ["Bassin de Chaumont"]

    langres = world.make_basin("Bassin de Langres", ["52004"])
    assert page() == ["Bassin de Chaumont", "Bassin de Langres"]

    basin_delete(basin=langres)
    assert page() == ["Bassin de Chaumont"]

    world.delegate.regions.add(world.other_region)
    BasinFactory(name="Bassin breton", region=world.other_region)
    assert page() == ["Bassin breton", "Bassin de Chaumont"]

    world.delegate.regions.remove(world.other_region)
    assert page() == ["Bassin de Chaumont"]


def test_a_territory_load_gives_a_new_page(world):
    """A main town's name comes from the communes, which a territory load rewrites."""
    chaumont = world.communes["52001"]
    Basin.objects.filter(pk=world.basin.pk).update(main_town=chaumont)
    api = token_client(world.delegate)
    assert api.get(URL).json()["results"][0]["main_town"]["name"] == "Chaumont"

    type(chaumont).objects.filter(pk=chaumont.pk).update(name="Chaumont-en-Bassigny")
    TerritoryLoad.objects.create(
        dataset="communes", status=TerritoryLoad.Status.DONE, started_at=timezone.now()
    )

    assert api.get(URL).json()["results"][0]["main_town"]["name"] == "Chaumont-en-Bassigny"


def test_pages_with_geometry_or_a_commune_filter_are_not_cached(world):
    api = token_client(world.delegate)

    assert api.get(URL, {"geometry": "true"}).status_code == 200
    assert api.get(URL, {"commune": "52001"}).status_code == 200

    assert cached_pages() == []


def test_a_bad_parameter_is_a_400_and_caches_nothing(world):
    api = token_client(world.delegate)

    assert api.get(URL, {"limit": "abc"}).status_code == 400
    assert api.get(URL, {"limit": "abc"}).status_code == 400
    assert cached_pages() == []


def test_the_cached_scopes_are_basin_list_for(world):
    """The basins counted by the key's stamp are those `basin_list_for` lets each cached role
    read: if the scoping of a role changes, this fails until `reader_scope` follows."""
    BasinFactory(name="Bassin breton", region=world.other_region)
    BasinFactory(name="Bassin normand", region=make_region("28", "Normandie"))
    users = [
        world.delegate,
        make_user("delegue-2", regions=[world.region, world.other_region]),
        make_user("sans-region", regions=[]),
        make_user("national", role=Role.NATIONAL_ADMIN),
        make_user("client", role=Role.API_CLIENT, regions=[world.other_region]),
    ]
    for user in users:
        scope = reader_scope(user)
        assert scope is not None
        _, condition, params = scope
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT b.id FROM diagnostics_basin b WHERE {condition}", params)
            seen = sorted(row[0] for row in cursor.fetchall())
        assert seen == sorted(basin_list_for(user).values_list("pk", flat=True)), user.username
    assert reader_scope(make_user("mairie", role=Role.MAYOR_VIEWER)) is None
    assert reader_scope(make_user("catalogue", role=Role.CATALOGUE_ADMIN)) is None


def test_a_page_written_on_a_miss_counts_the_basins_once(world):
    """The key's stamp counts the reader's basins; the page written on a miss takes its count
    from there (one COUNT in all), and it is the basins' number, past the last page too."""
    from django.test.utils import CaptureQueriesContext

    for name in ("Bassin de Langres", "Bassin de Joinville"):
        world.make_basin(name, ["52004"])
    api = token_client(world.delegate)
    expected = basin_list_for(world.delegate).count()

    with CaptureQueriesContext(connection) as queries:
        first = api.get(URL, {"limit": 2, "ordering": "id"})
    # Read now: the next request empties the connection's log.
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    beyond = api.get(URL, {"limit": 2, "offset": 10, "ordering": "id"})

    assert len(counts) == 1 and "SUM(" in counts[0].upper()  # the stamp's
    assert first.json()["count"] == expected == 3
    assert len(first.json()["results"]) == 2
    assert beyond.json()["count"] == 3 and beyond.json()["results"] == []
