"""The snapshot helper of the real-data modules (tests/realdata_db.py), on a few hand-made rows:
the rows come back exactly, ids continue after them, a recipe is built once, and the tables are
empty again after the module."""

import datetime as dt
from pathlib import Path

import pytest

from diagnostics.models import Departement, Region, TerritoryLoad
from tests import realdata_db

pytestmark = pytest.mark.django_db

STARTED = dt.datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)


def _fill() -> None:
    Region.objects.create(code="44", name="Grand Est")
    Departement.objects.create(code="52", name="Haute-Marne", region_id="44")
    TerritoryLoad.objects.create(
        dataset="communes",
        status="done",
        rows=34_746,
        details={"repaired": 0, "bmo_only_bassins": ["0101"], "é": 1.5},
        started_at=STARTED,
        duration_s=19.25,
    )


def _rows() -> list[tuple[object, ...]]:
    return [
        *Region.objects.values_list("code", "name"),
        *Departement.objects.values_list("code", "name", "region_id"),
        *TerritoryLoad.objects.values_list(
            "id", "dataset", "status", "rows", "details", "started_at", "duration_s"
        ),
    ]


TABLES = [m._meta.db_table for m in (Region, Departement, TerritoryLoad)]


def test_dump_empty_restore_gives_back_the_same_rows_and_ids_continue() -> None:
    _fill()
    before = _rows()
    load_id = TerritoryLoad.objects.get().pk
    snapshot = realdata_db._Snapshot(tuple(realdata_db._dump(t) for t in TABLES))

    realdata_db._empty(TABLES)
    assert _rows() == []
    realdata_db._restore(snapshot)

    assert _rows() == before
    load = TerritoryLoad.objects.get()
    assert load.details == {"repaired": 0, "bmo_only_bassins": ["0101"], "é": 1.5}
    assert load.started_at == STARTED
    assert load.rows == 34_746
    # The id sequence is past the restored rows (PostgreSQL: reset after COPY).
    again = TerritoryLoad.objects.create(dataset="epcis", status="done", started_at=STARTED)
    assert again.pk > load_id


def test_a_recipe_is_built_once_then_restored_and_emptied_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(realdata_db, "_SNAPSHOTS", {})
    monkeypatch.setattr(realdata_db, "BUILD_SECONDS", {})
    runs: list[realdata_db.Step] = []

    def run(step: realdata_db.Step, open_data_dir: Path) -> None:
        runs.append(step)
        if step == realdata_db.TERRITORIES:
            Region.objects.create(code="44", name="Grand Est")
        else:
            Departement.objects.create(code="52", name="Haute-Marne", region_id="44")

    monkeypatch.setattr(realdata_db, "_run", run)
    recipe = [realdata_db.TERRITORIES, realdata_db.imported("bmo", "bmo/x.xlsx", register=True)]

    with realdata_db.real_database(Path("/nowhere"), recipe):
        assert list(Departement.objects.values_list("code", "region_id")) == [("52", "44")]
    assert (Region.objects.count(), Departement.objects.count()) == (0, 0)
    assert len(runs) == 2

    with realdata_db.real_database(Path("/nowhere"), recipe):  # same recipe: restored
        assert list(Departement.objects.values_list("code", "region_id")) == [("52", "44")]
    assert len(runs) == 2
    with realdata_db.real_database(Path("/nowhere"), recipe[:1]):  # its prefix: kept too
        assert list(Region.objects.values_list("code", flat=True)) == ["44"]
        assert Departement.objects.count() == 0
    assert len(runs) == 2

    other = [realdata_db.TERRITORIES, realdata_db.imported("bmo", "bmo/y.xlsx")]
    with realdata_db.real_database(Path("/nowhere"), other):  # from the territories snapshot
        assert Departement.objects.count() == 1
    assert runs[2:] == [other[1]]
    assert (Region.objects.count(), Departement.objects.count()) == (0, 0)
