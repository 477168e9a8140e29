"""Published tensions on the real files (../shared/data): bassin BMO 4418 (Chaumont) and ZE 4404,
through the whole chain (territories, ROME referential and both tension vintages stored, run,
stored payload), compared with the CSV files read here with plain pandas.

The territories come from the run's snapshot (tests/realdata_db.py), the ROME referential and
the two tension files are imported for the module, all removed afterwards."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.analytics.tension_records import published_tension_records_of
from diagnostics.models import BasinSource, DiagnosticRun
from diagnostics.services.basins import basin_create
from diagnostics.services.diagnostics import diagnostic_run_sync
from tests.realdata_db import REALDATA_GROUP, TERRITORIES, imported, real_database

pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.django_db, REALDATA_GROUP]

ROME_FILE = "rome_fap/unix_referentiel_code_rome_v460_utf8.csv"
FILE_2021 = "tensions_bassin_metier/mobiville_tensions_rome_bassin_2021.csv"
FILE_2019 = "tensions_bassin_metier/mobiville_tensions_fap_rome_bassin_2019_utf8.csv"
FACTOR_COLUMNS = {
    "hiring_intensity": "ind_int_emb_d",
    "labour_shortage": "ind_main_oeuvre_d",
    "non_durable_employment": "ind_dur_empl_d",
    "working_conditions": "ind_cond_travail_d",
    "geographic_mismatch": "ind_mismatch_geo_d",
    "training_job_link": "ind_specif_form_empl_d",
}


RECIPE = [
    TERRITORIES,
    imported("rome", ROME_FILE),
    imported("tensions", FILE_2021, keep_unknown_bassins=True),
    imported("tensions", FILE_2019, keep_unknown_bassins=True),
]


@pytest.fixture(scope="module")
def real_data(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    # From the territories snapshot of the run; this recipe is not copied out (one module).
    with django_db_blocker.unblock(), real_database(open_data_dir, RECIPE, keep=False):
        yield open_data_dir


def raw(open_data_dir: Path, relative: str) -> pd.DataFrame:
    return pd.read_csv(
        open_data_dir / relative, sep=";", decimal=",", dtype={"cbassin": str, "ROME": str}
    )


def run_for(name: str, kind: BasinSource, code: str) -> DiagnosticRun:
    basin = basin_create(name=name, source_kind=kind, source_codes=[code])
    run = diagnostic_run_sync(basin_id=basin.pk)
    assert run.status == DiagnosticRun.Status.DONE, run.error_message
    return run


def test_bassin_4418_entries_are_the_files_rows(real_data):
    raw_2021 = raw(real_data, FILE_2021)
    raw_2019 = raw(real_data, FILE_2019)
    run = run_for("Chaumont (bassin BMO)", BasinSource.BASSIN_BMO, "4418")

    entries = {
        (e["year"], e["rome"]): e
        for e in published_tension_records_of(run.results["tensions_published"])
    }
    rows_2021 = raw_2021[raw_2021["cbassin"] == "4418"]
    rows_2019 = raw_2019[raw_2019["cbassin"] == "4418"]
    assert len(entries) == len(rows_2021) + len(rows_2019) == 23 + 1
    for rome in ("A1203", "D1106", "D1507"):
        row = rows_2021[rows_2021["ROME"] == rome].iloc[0]
        entry = entries[(2021, rome)]
        assert entry["bassin_bmo"] == "4418"
        assert entry["tension"] == int(row["ind_tension_d"])
        assert entry["factors"] == {
            key: None if pd.isna(row[column]) else int(row[column])
            for key, column in FACTOR_COLUMNS.items()
        }
        assert entry["offers"] == round(float(row["oee"]), 2)
        assert entry["job_seekers_abc"] == round(float(row["defm_abc"]), 2)
    # 2019: K1302 (aides à domicile) tension 4, no factor published.
    old = entries[(2019, "K1302")]
    assert old["tension"] == int(rows_2019.iloc[0]["ind_tension_d"]) == 4
    assert set(old["factors"].values()) == {None}
    info = run.results["tensions_published_info"]
    assert info["whole_bassins"] is True and [b["code"] for b in info["bassins"]] == ["4418"]
    assert info["factors_published"]["2019"] == []


def test_ze_4404_lists_its_bassins_and_says_not_apportioned(real_data):
    raw_2021 = raw(real_data, FILE_2021)
    run = run_for("Chaumont (ZE)", BasinSource.ZONE_EMPLOI, "4404")

    info = run.results["tensions_published_info"]
    bassins = [b["code"] for b in info["bassins"]]
    # ZE 4404 holds bassins 4418 and 4419 whole and parts of three others.
    assert bassins == ["4418", "4419", "4420", "4434", "4437"]
    assert [b["whole"] for b in info["bassins"]] == [True, True, False, False, False]
    assert info["whole_bassins"] is False
    assert "ne sont pas réparties au bassin" in info["note"]
    entries = [
        e
        for e in published_tension_records_of(run.results["tensions_published"])
        if e["year"] == 2021
    ]
    assert len(entries) == int(raw_2021["cbassin"].isin(bassins).sum())
