"""Job seekers end to end: `import_dataset(..., sync=True)` on the real files, stored totals
checked against the raw files; refusals write nothing; a new file of the same vintage
supersedes the old one and keeps it."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd
import pytest
from django.db.models import Sum

from diagnostics.importers import defm, defm_secteur
from diagnostics.models import DefmFact, DefmSecteurFact, ImportBatch
from tests.diagnostics.importers.reference_data import (  # noqa: F401  (fixtures)
    import_file,
    territories,
)

DEFM_FILE = "demandeurs_emploi/odis_emploi_demandeur_export_2025-06-17.csv"
SECTEUR_FILE = "demandeurs_emploi/mobiville_secteurs_bassins_defm.csv"
Status = ImportBatch.Status

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
    pytest.mark.usefixtures("territories", "media_root"),
]


def test_defm_import_real_file_stores_every_key_and_totals(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / DEFM_FILE, dtype=str)
    raw["value"] = raw["Demandeurs_Emploi"].astype(int)
    keys = raw.assign(code=raw["codgeo"].replace({"49069": "49126"})).drop_duplicates(
        ["code", "YEAR"]
    )

    started = time.perf_counter()
    batch = import_file(open_data_dir / DEFM_FILE, "defm")  # as published, no option
    elapsed = time.perf_counter() - started

    assert batch.status == Status.DONE, (batch.error_message, batch.error_report[:3])
    stored = DefmFact.objects.current()
    assert batch.rows_written == stored.count() == len(keys)
    assert (batch.vintage, batch.period) == ("2024-12", "2020-01/2024-12")
    sept = dt.date(2024, 9, 1)
    assert stored.get(level="commune", code="52121", month=sept).job_seekers == 1760
    assert stored.get(level="departement", code="52", month=sept).job_seekers == 13060
    deps_sept = raw[(raw["codgeo"].str.len() <= 3) & (raw["YEAR"] == "septembre_2024")]
    assert (
        stored.filter(level="departement", month=sept).aggregate(s=Sum("job_seekers"))["s"]
        == deps_sept["value"].sum()
    )
    regions = raw[raw["codgeo"].str.startswith("reg")]
    assert (
        stored.filter(level="region").aggregate(s=Sum("job_seekers"))["s"] == regions["value"].sum()
    )
    ambiguous = stored.filter(ambiguous=True)
    assert ambiguous.count() == batch.notes[defm.NOTE_CONFLICTS] > 0
    assert not ambiguous.exclude(job_seekers=None).exists()
    print(f"\nimport defm ({len(raw)} lignes) : {elapsed:.1f} s, étapes {batch.step_durations}")


def test_defm_import_kind_detected_and_same_file_is_a_no_op(
    open_data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "defm.csv"
    path.write_text(
        "codgeo,YEAR,Demandeurs_Emploi\n52121,janvier_2020,2140\n52,janvier_2020,13500\n",
        encoding="utf-8",
    )

    first = import_file(path, None)
    again = import_file(path, None)

    assert first.status == Status.DONE and first.kind == "defm" and first.kind_detected
    assert again.pk == first.pk
    assert DefmFact.objects.count() == 2


def test_defm_one_bad_line_refuses_the_whole_file(open_data_dir: Path, tmp_path: Path) -> None:
    lines = ["codgeo,YEAR,Demandeurs_Emploi"]
    lines += [
        f"52121,{year}-{month:02d},{1000 + month}"
        for year in (2020, 2021, 2022)
        for month in range(1, 13)
    ]
    lines.insert(5, "35360,2021-03,-7")
    path = tmp_path / "defm_bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    batch = import_file(path, "defm")

    assert batch.status == Status.REJECTED
    assert batch.error_report == [
        {
            "line": 6,
            "column": "Demandeurs_Emploi",
            "value": "-7",
            "rule": "doit être positif ou nul (≥ 0)",
        }
    ]
    assert DefmFact.objects.count() == 0


def test_defm_secteur_import_real_file_without_option(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / SECTEUR_FILE, sep=";", dtype=str, keep_default_na=False)

    batch = import_file(open_data_dir / SECTEUR_FILE, "defm_secteur", vintage="2022")

    assert batch.options == {}
    assert batch.status == Status.DONE, batch.error_message
    stored = DefmSecteurFact.objects.current()
    assert stored.count() == len(raw)
    assert stored.aggregate(s=Sum("job_seekers"))["s"] == raw["demandeurs_emploi"].astype(int).sum()
    chaumont = raw.loc[raw["code_bassin"] == "4418", "demandeurs_emploi"].astype(int).sum()
    assert stored.filter(bassin_code="4418").aggregate(s=Sum("job_seekers"))["s"] == chaumont
    outside = stored.filter(bassin_known=False).count()
    assert outside == batch.notes[defm_secteur.NOTE_OUTSIDE_LINES] > 0


def test_defm_secteur_same_vintage_supersedes_and_keeps_the_old_batch(
    open_data_dir: Path, tmp_path: Path
) -> None:
    header = "code_bassin;demandeurs_emploi;secteur_libelle\n"
    old_file, new_file = tmp_path / "s1.csv", tmp_path / "s2.csv"
    old_file.write_text(header + "4418;100;Construction\n", encoding="utf-8")
    new_file.write_text(header + "4418;120;Construction\n5317;80;Enseignement\n", encoding="utf-8")

    old = import_file(old_file, "defm_secteur", vintage="2022")
    new = import_file(new_file, "defm_secteur", vintage="2022")
    old.refresh_from_db()

    assert old.status == Status.SUPERSEDED and new.status == Status.DONE
    assert new.supersedes_id == old.pk
    assert DefmSecteurFact.objects.filter(batch=old).count() == 1  # kept
    current = DefmSecteurFact.objects.current()
    assert sorted(current.values_list("bassin_code", "job_seekers")) == [
        ("4418", 120),
        ("5317", 80),
    ]
