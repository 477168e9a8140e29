"""Current-fact frames of the job seekers, tensions and lycées imports."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from diagnostics.models import DefmFact, ImportBatch, Lycee, TensionFact
from diagnostics.selectors.facts import (
    defm_current_frame,
    lycees_current_frame,
    tension_current_frame,
)

Status = ImportBatch.Status
pytestmark = pytest.mark.django_db


def batch(kind: str, vintage: str, status: str = Status.DONE) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=kind,
        vintage=vintage,
        status=status,
        file_name=f"{kind}-{vintage}.csv",
        sha256=f"{kind}{vintage}{status}",
    )


def lycee(b: ImportBatch, uai: str, layout: str, **fields: object) -> Lycee:
    defaults: dict[str, object] = {
        "name": uai,
        "commune_code": "52121",
        "latitude": 48.1,
        "longitude": 5.1,
    }
    defaults.update(fields)
    return Lycee.objects.create(batch=b, uai=uai, layout=layout, **defaults)


def test_lycees_frame_prefers_the_official_row_and_skips_superseded() -> None:
    reduced = batch("lycees", "reduit-france")
    official = batch("lycees", "officiel-52")
    old = batch("lycees", "officiel-35", status=Status.SUPERSEDED)
    lycee(reduced, "0520008B", "reduit", vocational_guess_from_name=True, students=383)
    lycee(reduced, "0520685M", "reduit", vocational_guess_from_name=False)
    lycee(official, "0520008B", "officiel", voie_professionnelle=True, voie_generale=False)
    lycee(old, "0350709F", "officiel", voie_professionnelle=True)

    frame = lycees_current_frame(commune_codes=["52121", "35360"])

    assert frame["uai"].tolist() == ["0520008B", "0520685M"]
    decomble = frame.iloc[0]
    assert decomble["layout"] == "officiel"
    assert bool(decomble["voie_professionnelle"]) is True
    assert pd.isna(decomble["vocational_guess_from_name"])
    assert pd.isna(frame.iloc[1]["voie_professionnelle"])
    assert bool(frame.iloc[1]["vocational_guess_from_name"]) is False


def test_lycees_frame_empty_keeps_its_schema() -> None:
    frame = lycees_current_frame(commune_codes=["99999"])

    assert frame.empty
    assert "voie_professionnelle" in frame.columns and "layout" in frame.columns


def test_defm_frame_filters_level_codes_months_and_current_batches() -> None:
    current, old = batch("defm", "2024-12"), batch("defm", "2024-06", Status.SUPERSEDED)
    for b, value in ((current, 1760), (old, 9999)):
        DefmFact.objects.create(
            batch=b, level="commune", code="52121", month=dt.date(2024, 9, 1), job_seekers=value
        )
    DefmFact.objects.create(
        batch=current,
        level="commune",
        code="52121",
        month=dt.date(2024, 10, 1),
        job_seekers=None,
        ambiguous=True,
    )
    DefmFact.objects.create(
        batch=current, level="departement", code="52", month=dt.date(2024, 9, 1), job_seekers=13060
    )

    frame = defm_current_frame(level="commune", codes=["52121"], since=dt.date(2024, 9, 1))

    assert frame["month"].tolist() == [dt.date(2024, 9, 1), dt.date(2024, 10, 1)]
    assert frame["job_seekers"].tolist()[0] == 1760
    assert pd.isna(frame["job_seekers"].iloc[1]) and bool(frame["ambiguous"].iloc[1])


def test_tension_frame_unpublished_factors_stay_na() -> None:
    b = batch("tensions", "2019")
    TensionFact.objects.create(
        batch=b,
        year=2019,
        rome_code="A1101",
        bassin_code="4418",
        job_offers=233,
        job_seekers_abc=45,
        tension=5,
        missing_indicators="hiring_intensity",
    )

    frame = tension_current_frame(bassin_codes=["4418"])

    row = frame.iloc[0]
    assert (row["rome_code"], row["tension"], row["job_offers"]) == ("A1101", 5, 233)
    assert pd.isna(row["hiring_intensity"])
    assert str(frame["tension"].dtype) == "Int64"
