"""The BMO 2023-2025 and unemployment files of ../shared/data imported as an upload is (kind
detected, no option) over the real territories: every row kept, totals equal to the raw files'.
The imports are those of the run's shared real-data recipe (tests/realdata_db.py
`BMO_AND_UNEMPLOYMENT`: built once in the real-data xdist group by `import_dataset`, restored
here, emptied after the module); this module checks the batches and facts they left."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from django.db.models import Sum

from diagnostics.models import BmoFact, ChomageZeFact, ImportBatch
from tests.realdata_db import BMO_AND_UNEMPLOYMENT, REALDATA_GROUP, real_database

pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.django_db, REALDATA_GROUP]
Status = ImportBatch.Status


@pytest.fixture(scope="module")
def real_imports(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), real_database(open_data_dir, BMO_AND_UNEMPLOYMENT):
        yield


def test_real_files_import_and_totals_match_the_raw_files(
    open_data_dir: Path, real_imports: None
) -> None:
    for year in (2023, 2024, 2025):
        path = open_data_dir / "bmo" / f"Base_open_data_BMO_{year}.xlsx"
        # Imported with kind=None and no option (BMO_AND_UNEMPLOYMENT): load_territories
        # already added the bassins named by the BMO files.
        batch = ImportBatch.objects.get(file_name=path.name)
        assert batch.status == Status.DONE, (batch.error_message, batch.error_report[:3])
        assert batch.options == {} and "bassins ajoutés au référentiel" not in batch.notes
        raw = pd.read_excel(path, sheet_name=f"BMO_{year}_open_data", dtype=str, engine="calamine")
        facts = pd.DataFrame.from_records(
            BmoFact.objects.filter(batch=batch).values(
                "bassin_code", "met", "xmet", "smet", "met_masked", "smet_masked"
            )
        )
        assert batch.rows_written == len(raw) == len(facts)
        for measure in ("met", "xmet", "smet"):
            assert facts[measure].sum() == pd.to_numeric(raw[measure], errors="coerce").sum()
        assert int(facts["met_masked"].sum()) == int((raw["met"] == "*").sum())
        assert int(facts["smet_masked"].sum()) == int((raw["smet"] == "*").sum())
        chaumont = raw[raw[f"BE{year % 100}"] == "4418"]
        assert (
            facts.loc[facts["bassin_code"] == "4418", "met"].sum()
            == pd.to_numeric(chaumont["met"], errors="coerce").sum()
        )
    totals = dict(
        BmoFact.objects.current().values("year").annotate(t=Sum("met")).values_list("year", "t")
    )
    assert totals == {2023: 3_013_134, 2024: 2_751_069, 2025: 2_401_105}  # data README

    path = open_data_dir / "chomage_ze" / "chomage-zone-t1-2003-t3-2023.xlsx"
    batch = ImportBatch.objects.get(file_name=path.name)  # kind detected
    assert (batch.status, batch.kind, batch.vintage) == (Status.DONE, "chomage_ze", "2023-T3")
    raw = pd.read_excel(
        path, sheet_name="txcho_ze", skiprows=5, dtype={"ZE2020": str}, engine="calamine"
    )
    quarters = [c for c in raw.columns if str(c).startswith("20")]
    assert batch.rows_written == int(raw[quarters].notna().sum().sum())
    rates = dict(
        ChomageZeFact.objects.current()
        .filter(period="2023-T3", zone_emploi_code__in=["5319", "4404"])
        .values_list("zone_emploi_code", "rate")
    )
    assert rates == {"5319": 3.9, "4404": 5.9}
