"""rows_upsert (diagnostics/services/sql_upsert.py): one INSERT … ON CONFLICT statement over many
rows, values stored as the ORM stores them, defaults on insert, only the named fields updated."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.models import Departement, Region, ZoneEmploi
from diagnostics.services.sql_upsert import rows_upsert

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[2.0, 48.0], [2.1, 48.0], [2.1, 48.1], [2.0, 48.0]]]}


def test_inserts_with_defaults_then_updates_only_the_named_fields() -> None:
    rows_upsert(
        ZoneEmploi,
        [
            {"code": "9901", "name": "Zone une", "geometry": SQUARE, "bbox_min_lon": 2.0},
            {"code": "9902", "name": "Zone deux", "geometry": None, "bbox_min_lon": None},
        ],
        key="code",
        update_fields=["name", "geometry"],
    )
    one = ZoneEmploi.objects.get(code="9901")
    # JSON stored as the ORM stores it, read back equal; absent columns take their defaults.
    assert (one.name, one.geometry, one.bbox_min_lon) == ("Zone une", SQUARE, 2.0)
    assert (one.geometry_repaired, one.bbox_max_lat) == (False, None)
    # None is SQL NULL, as with the ORM (not JSON null).
    assert list(
        ZoneEmploi.objects.filter(geometry__isnull=True).values_list("code", flat=True)
    ) == ["9902"]

    ZoneEmploi.objects.filter(code="9901").update(geometry_repaired=True)
    rows_upsert(
        ZoneEmploi,
        [{"code": "9901", "name": "Zone une bis", "geometry": None, "bbox_min_lon": 5.0}],
        key="code",
        update_fields=["name", "geometry"],
    )
    one.refresh_from_db()
    # Named fields updated; a given field not named (bbox) and an absent one (repaired) kept.
    assert (one.name, one.geometry, one.bbox_min_lon, one.geometry_repaired) == (
        "Zone une bis",
        None,
        2.0,
        True,
    )
    assert ZoneEmploi.objects.count() == 2


def test_foreign_keys_by_attname_and_one_statement_per_batch() -> None:
    Region.objects.create(code="R1", name="Une")
    Region.objects.create(code="R2", name="Deux")
    rows = [{"code": f"D{i}", "name": f"Dép {i}", "region_id": "R1"} for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        rows_upsert(Departement, rows, key="code", update_fields=["name", "region"], batch_size=2)
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 3  # 5 rows in batches of 2: three executemany calls
    assert "ON CONFLICT" in inserts[0]
    rows_upsert(
        Departement,
        [{"code": "D0", "name": "Dép zéro", "region_id": "R2"}],
        key="code",
        update_fields=["region"],
    )
    assert list(Departement.objects.order_by("code").values_list("code", "name", "region_id")) == [
        ("D0", "Dép 0", "R2"),
        ("D1", "Dép 1", "R1"),
        ("D2", "Dép 2", "R1"),
        ("D3", "Dép 3", "R1"),
        ("D4", "Dép 4", "R1"),
    ]


def test_no_rows_no_statement() -> None:
    with CaptureQueriesContext(connection) as queries:
        rows_upsert(Region, [], key="code", update_fields=["name"])
    assert queries.captured_queries == []
