"""Published tensions on the real files (../shared/data): bassin BMO 4418 (Chaumont) and ZE 4404,
through the whole chain (territories, ROME referential and both tension vintages stored, run,
stored payload), compared with the CSV files read here with plain pandas.

Loads the territories once for the module (≈ 2 minutes on SQLite), removed afterwards."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from django.test import override_settings

from diagnostics.models import BasinSource, DiagnosticRun
from diagnostics.selectors import diagnostics as selectors
from diagnostics.services.basins import basin_create
from diagnostics.services.diagnostics import diagnostic_run_sync

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

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


def _clear() -> None:
    from diagnostics.models import RomeCode, TensionFact
    from tests.diagnostics.test_diagnostic_realdata import _clear as clear_territories

    for model in (TensionFact, RomeCode):
        model.objects.all()._raw_delete(model.objects.db)
    clear_territories()


@pytest.fixture(scope="module")
def real_data(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    from diagnostics.services.imports import import_dataset
    from diagnostics.services.territories import territories_load

    imports = [
        ("rome", ROME_FILE, {}),
        ("tensions", FILE_2021, {"keep_unknown_bassins": True}),
        ("tensions", FILE_2019, {"keep_unknown_bassins": True}),
    ]
    with django_db_blocker.unblock(), tempfile.TemporaryDirectory() as media:
        try:
            with override_settings(MEDIA_ROOT=media):
                loads = territories_load(source_dir=open_data_dir)
                assert all(load.status == "done" for load in loads)
                for kind, relative, options in imports:
                    path = open_data_dir / relative
                    batch = import_dataset(
                        kind=kind, path=path, file_name=path.name, sync=True, options=options
                    )
                    assert batch.status == "done", (relative, batch.error_message)
            selectors.frames_cache_clear()
            yield open_data_dir
        finally:
            selectors.frames_cache_clear()
            _clear()


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

    entries = {(e["year"], e["rome"]): e for e in run.results["tensions_published"]}
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
    entries = [e for e in run.results["tensions_published"] if e["year"] == 2021]
    assert len(entries) == int(raw_2021["cbassin"].isin(bassins).sum())
