"""The import service on the real files of ../shared/data, over the territories of the run
(tests/realdata_db.py: loaded once per run in the real-data xdist group, restored here, emptied
after the module). Each test's own imports are rolled back with its transaction."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.models import BassinBmo, BmoFact, ImportBatch, TerritoryLoad
from diagnostics.services.import_requests import import_dataset
from tests.realdata_db import REALDATA_GROUP, TERRITORIES, real_database

pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.django_db, REALDATA_GROUP]
Status = ImportBatch.Status


@pytest.fixture(scope="module")
def real_territories(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), real_database(open_data_dir, [TERRITORIES]):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# The bassins that only the BMO files name (load_territories reads them from bmo/).
BMO_ONLY_BASSINS = {"0104", "0113", "0116", "0304", "7549", "9399"}


def test_real_bmo_unknown_bassins_refused_without_the_bmo_derived_bassins(
    open_data_dir: Path, real_territories: None
) -> None:
    # A referential built from the commune → bassin table alone (as before load_territories
    # read the BMO files): the 2025 file names 4 bassins it lacks, and is refused by default.
    BassinBmo.objects.filter(code__in=BMO_ONLY_BASSINS).delete()
    path = open_data_dir / "bmo" / "Base_open_data_BMO_2025.xlsx"
    raw = pd.read_excel(path, sheet_name="BMO_2025_open_data", dtype=str, engine="calamine")
    known = set(BassinBmo.objects.values_list("code", flat=True))
    # The file writes overseas bassins on three digits (113); the referential on four (0113).
    unknown_rows = raw[~raw["BE25"].str.zfill(4).isin(known)]

    batch = import_dataset(kind="bmo", path=path, file_name=path.name, sync=True)

    assert batch.status == Status.REJECTED
    assert batch.errors_total == len(unknown_rows) > 0
    # The error report names each bassin as the referential writes it (four digits).
    assert {e["value"] for e in batch.error_report} == set(unknown_rows["BE25"].str.zfill(4))
    assert set(unknown_rows["BE25"]) == {"113", "116", "7549", "9399"}
    assert BmoFact.objects.count() == 0


def test_real_territories_know_the_bassins_of_every_bmo_file(
    open_data_dir: Path, real_territories: None
) -> None:
    load = TerritoryLoad.objects.filter(dataset="bassins_bmo").latest("pk")
    known = set(BassinBmo.objects.values_list("code", flat=True))

    assert load.details["bmo_only_bassins"]["count"] == len(BMO_ONLY_BASSINS)
    assert known >= BMO_ONLY_BASSINS
    assert BassinBmo.objects.get(code="9399").name == "MONACO"
    assert BassinBmo.objects.get(code="9399").region_id == "93"
    for year in (2023, 2024, 2025):
        path = open_data_dir / "bmo" / f"Base_open_data_BMO_{year}.xlsx"
        raw = pd.read_excel(path, sheet_name=f"BMO_{year}_open_data", dtype=str, engine="calamine")
        assert set(raw[f"BE{year % 100}"].str.zfill(4)) <= known, year


def test_real_tensions_2021_import_without_option_once_bmo_bassins_are_known(
    open_data_dir: Path, real_territories: None
) -> None:
    from diagnostics.models import TensionFact

    rome = open_data_dir / "rome_fap" / "unix_referentiel_code_rome_v460_utf8.csv"
    path = open_data_dir / "tensions_bassin_metier" / "mobiville_tensions_rome_bassin_2021.csv"
    raw = pd.read_csv(path, sep=";", dtype=str)
    assert import_dataset(kind="rome", path=rome, file_name=rome.name, sync=True).status == "done"

    batch = import_dataset(kind="tensions", path=path, file_name=path.name, sync=True)

    assert batch.status == Status.DONE, (batch.error_message, batch.error_report[:3])
    assert batch.options == {}
    facts = TensionFact.objects.filter(batch=batch)
    assert batch.rows_written == facts.count() == len(raw)
    assert not facts.filter(bassin_known=False).exists()
    assert facts.filter(bassin_code="7549").count() == (raw["cbassin"] == "7549").sum() == 24
