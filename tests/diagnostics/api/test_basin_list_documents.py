"""The basin list's documents (issue 14) are BasinOutputSerializer's, whoever writes them:
PostgreSQL (`diagnostics.selectors.basin_json`, on PostgreSQL only) or Python
(`diagnostics.api.basin_rows`, everywhere): same keys in the same order, same values, on rows
chosen to be awkward (quotes, control and line-separator characters, 17-digit floats, null
towns and boxes, summer and winter timestamps with and without microseconds)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from cnam_territoires.api_renderers import FiniteJSONRenderer
from diagnostics.api.basin_rows import LIST_FIELDS, RawRows, basin_list_values, basin_rows
from diagnostics.api.basin_serializers import BasinOutputSerializer
from diagnostics.models import Basin, Commune
from diagnostics.selectors.basin_json import basin_json_page
from tests.factories.basins import BasinFactory
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import make_token

pytestmark = pytest.mark.django_db


def ordered(value: Any) -> Any:
    """A JSON value whose dicts compare in key order and whose booleans are not numbers."""
    if isinstance(value, dict):
        return [(key, ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    if isinstance(value, bool):
        return ("bool", value)
    return value


@pytest.fixture
def awkward():
    """The world's basin and four more, each with values a JSON writer may get wrong."""
    world = diagnostic_world()
    town = Commune.objects.get(code="52003")
    specs: list[dict[str, Any]] = [
        {
            "name": 'Bassin « des "Trois" \\ Rivières »\u2028ligne\ttab',
            "main_town": town,
            "nearest_site_km": 0.1 + 0.2,
            "bbox": (4.123456789012345, 48.85837009999, 5.0, 1e-7 + 49),
            "eligible_population": True,
            "eligible_main_town": False,
            "spans_regions": True,
            "source_codes": ["52001", "52003"],
            "stamps": (dt.datetime(2026, 7, 14, 10, 30, 0, 0, tzinfo=dt.UTC),) * 2,
        },
        {
            "name": "Bassin sans ville ni contour",
            "main_town": None,
            "nearest_site_km": None,
            "bbox": None,
            "eligible_population": None,
            "eligible_main_town": None,
            "spans_regions": False,
            "source_codes": [],
            "stamps": (
                dt.datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=dt.UTC),
                dt.datetime(2026, 3, 29, 1, 0, 0, 500, tzinfo=dt.UTC),  # summer time starts
            ),
        },
        {
            "name": "Bassin 12,345678901234567 km",
            "main_town": town,
            "nearest_site_km": 12.345678901234567,
            "bbox": (-61.0000000001, 14.4, -60.8, 14.9),
            "eligible_population": False,
            "eligible_main_town": True,
            "spans_regions": False,
            "source_codes": ["52004"],
            "stamps": (dt.datetime(2026, 10, 25, 0, 59, 59, tzinfo=dt.UTC),) * 2,
        },
    ]
    for spec in specs:
        basin = BasinFactory(
            name=spec["name"],
            region=world.region,
            main_town=spec["main_town"],
            nearest_site_km=spec["nearest_site_km"],
            eligible_population=spec["eligible_population"],
            eligible_main_town=spec["eligible_main_town"],
            spans_regions=spec["spans_regions"],
            source_codes=spec["source_codes"],
            population=12_345,
        )
        basin.set_bbox(spec["bbox"])
        basin.save()
        created, updated = spec["stamps"]
        Basin.objects.filter(pk=basin.pk).update(created_at=created, updated_at=updated)
    return world


def serializer_documents(basins: Any) -> Any:
    request = Request(RequestFactory().get("/api/v1/basins/"))
    data = BasinOutputSerializer(
        basins, many=True, context={"request": request, "geometry": False}
    ).data
    return json.loads(FiniteJSONRenderer().render(data))


def test_api_list_documents_are_the_serializers(awkward):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_token(awkward.delegate)}")

    page = api.get("/api/v1/basins/", {"limit": 500, "ordering": "id"})
    basins = Basin.objects.filter(region=awkward.region).select_related("main_town").order_by("id")

    assert page.status_code == 200
    assert page.json()["count"] == 4
    assert ordered(page.json()["results"]) == ordered(serializer_documents(basins))
    assert b"\\u2028" in page.content and "\u2028".encode() not in page.content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="written by PostgreSQL only")
def test_postgresql_documents_are_the_serializers(awkward):
    basins = Basin.objects.filter(region=awkward.region).order_by("id")

    page = basin_json_page(
        basins, offset=1, limit=2, api_root="http://testserver/api/v1/basins/",
        page_root="http://testserver/bassins/",
    )  # fmt: skip

    assert page is not None and page.exact
    assert page.total == 4
    expected = serializer_documents(basins.select_related("main_town")[1:3])
    assert ordered([json.loads(row) for row in page.rows]) == ordered(expected)  # type: ignore[arg-type]


def test_python_documents_are_the_serializers(awkward):
    basins = Basin.objects.filter(region=awkward.region).order_by("id")
    request = Request(RequestFactory().get("/api/v1/basins/"))

    rows = RawRows(basins.values_list(*LIST_FIELDS))[0:4]

    assert ordered(json.loads(FiniteJSONRenderer().render(basin_rows(request, rows)))) == ordered(
        serializer_documents(basins.select_related("main_town"))
    )


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "UTC", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"]
)
def test_python_documents_from_the_api_columns_are_the_serializers(awkward, zone):
    """The columns as the API reads them (`basin_list_values`: on SQLite, timestamps as text,
    written per hour when the zone keeps a whole-hour offset over it, else converted one by
    one), in zones with half-hour offsets and half-hour changes too."""
    basins = Basin.objects.filter(region=awkward.region).order_by("id")
    request = Request(RequestFactory().get("/api/v1/basins/"))

    with timezone.override(zone):
        rows = RawRows(basin_list_values(basins))[0:4]
        documents = json.loads(FiniteJSONRenderer().render(basin_rows(request, rows)))
        expected = serializer_documents(basins.select_related("main_town"))

    assert ordered(documents) == ordered(expected)
    if zone == "Asia/Kolkata":
        assert documents[0]["created_at"].endswith("+05:30")


def test_basin_page_past_the_end_still_counts(awkward):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_token(awkward.delegate)}")

    page = api.get("/api/v1/basins/", {"limit": 2, "offset": 10}).json()

    assert (page["count"], page["results"], page["next"]) == (4, [], None)
    assert page["previous"].endswith("limit=2&offset=8")


def test_filtered_distinct_page_counts_each_basin_once(awkward):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_token(awkward.delegate)}")

    # The world's basin holds 52001 and 52002: the commune filter joins through the communes.
    page = api.get("/api/v1/basins/", {"commune": "52001", "limit": 1}).json()

    assert page["count"] == 1
    assert [b["id"] for b in page["results"]] == [awkward.basin.pk]


def test_infinite_distance_is_a_400_naming_it(awkward):
    Basin.objects.filter(pk=awkward.basin.pk).update(nearest_site_km=float("inf"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_token(awkward.delegate)}")

    response = api.get("/api/v1/basins/", {"ordering": "id"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "non_finite_number"
    assert error["fields"]["fields"] == ["results.0.nearest_site_km"]
