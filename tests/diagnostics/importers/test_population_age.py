"""INSEE population estimates by département, sex and age band (importers.population_age):
a small workbook in the published layout, then the real file when present."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from diagnostics.importers import population_age
from diagnostics.importers.contract import ImportFileError, ValidationContext
from diagnostics.importers.registry import detect_kind

BANDS = [f"{a} à {a + 4} ans" for a in range(0, 95, 5)] + ["95 ans et plus", "Total"]
CONTEXT = ValidationContext(departements=frozenset({"01", "52", "971"}))


def dep_row(code: object, name: str, men: list[float], women: list[float]) -> list[object]:
    everyone = [m + w for m, w in zip(men, women, strict=True)]
    return [code, name, *everyone, sum(everyone), *men, sum(men), *women, sum(women)]


def workbook(path: Path, *, rows: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "À savoir"
    notes.append(["Quelques remarques"])
    for year, lines in rows.items():
        sheet = book.create_sheet(year)
        sheet.append(["Estimation de population au 1er janvier, par département, sexe et âge"])
        sheet.append([f"Année {year}"])
        sheet.append([])
        header: list[object] = ["Départements", ""]
        for sex in ("Ensemble", "Hommes", "Femmes"):
            header += [sex] + [""] * (len(BANDS) - 1)
        sheet.append(header)
        bands: list[object] = ["", "", *BANDS * 3]
        bands[3] = '"'  # the ditto mark of the 2021 original
        sheet.append(bands)
        for line in lines:
            sheet.append(line)
        sheet.append(["France métropolitaine", "", 1.0])
        sheet.append(["Source : Insee"])
    book.save(path)
    return path


MEN = [float(10 * (i + 1)) for i in range(20)]  # 10, 20, …, 200
WOMEN = [float(5 * (i + 1)) for i in range(20)]  # 5, 10, …, 100


def test_reads_every_sheet_tidy_with_the_ditto_mark(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "estim.xlsx",
        rows={"2021": [dep_row("52", "Haute-Marne", MEN, WOMEN), dep_row(971.0, "Guadeloupe", MEN, WOMEN)],
              "2020": [dep_row("52", "Haute-Marne", MEN, WOMEN)]},
    )  # fmt: skip
    kind, _ = detect_kind(path, fmt="xlsx")
    assert kind == "population_age"
    result = population_age.read(path, vintage=None, context=CONTEXT)
    assert result.errors == []
    assert result.vintage == "2021" and result.period == "2020 → 2021"
    frame = result.frame
    assert len(frame) == 3 * 3 * 20  # (2021: 52, 971; 2020: 52) × 3 sexes × 20 bands
    assert sorted(frame["departement_code"].unique()) == ["52", "971"]  # 971.0 → « 971 »
    row = frame[(frame["year"] == 2021) & (frame["departement_code"] == "52")]
    five = row[(row["sex"] == "ensemble") & (row["age_min"] == 5)]["population"].item()
    assert five == 20 + 10  # the « 5 à 9 ans » band named by its ditto mark
    assert row[(row["sex"] == "femmes") & (row["age_min"] == 95)]["population"].item() == 100


def test_contradicted_band_is_stored_as_unknown(tmp_path: Path) -> None:
    line = dep_row("52", "Haute-Marne", MEN, WOMEN)
    line[2 + 13] = 1.0  # « 65 à 69 ans », ensemble: 1 instead of 140 + 70 (as Corrèze 2021)
    path = workbook(tmp_path / "estim.xlsx", rows={"2021": [line]})
    result = population_age.read(path, vintage=None, context=CONTEXT)
    assert result.errors == []
    band = result.frame[result.frame["age_min"] == 65]
    assert band["population"].isna().all()  # the three cells of the band, never a candidate
    assert result.frame["population"].notna().sum() == 3 * 20 - 3
    assert result.notes["tranches contradictoires"] == "2021 52 65-69 ans"


def test_unknown_departement_and_negative_value_are_errors(tmp_path: Path) -> None:
    bad = dep_row("52", "Haute-Marne", MEN, WOMEN)
    bad[23] = -3.0  # code, name, 20 bands + total of « Ensemble »: 23 is hommes 0-4
    path = workbook(
        tmp_path / "estim.xlsx",
        rows={"2021": [dep_row("99", "Inconnu", MEN, WOMEN), bad]},
    )
    result = population_age.read(path, vintage=None, context=CONTEXT)
    rules = {(e.column, e.rule) for e in result.errors}
    assert ("2021 : Départements", "département inconnu du référentiel") in rules
    assert ("2021 : hommes, 0 à 4 ans", "population : nombre positif ou nul attendu") in rules


def test_wrong_vintage_and_missing_referential_are_refused(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "estim.xlsx", rows={"2021": [dep_row("52", "Haute-Marne", MEN, WOMEN)]}
    )
    with pytest.raises(ImportFileError, match="dernière année du fichier est 2021"):
        population_age.read(path, vintage="2019", context=CONTEXT)
    with pytest.raises(ImportFileError, match="Aucun département"):
        population_age.read(path, vintage=None, context=ValidationContext())


@pytest.mark.realdata
def test_real_file(open_data_dir: Path) -> None:
    path = open_data_dir / "population_age" / "estim-pop-dep-sexe-aq-1975-2021.xlsx"
    codes = {f"{i:02d}" for i in range(1, 96) if i != 20} | {
        "2A",
        "2B",
        "971",
        "972",
        "973",
        "974",
        "976",
    }
    result = population_age.read(
        path, vintage=None, context=ValidationContext(departements=frozenset(codes))
    )
    assert result.errors == []
    assert result.vintage == "2021" and result.notes["feuilles annuelles"] == 47
    assert result.notes["départements"] == 101
    # The published 2021 sheet gives Corrèze 1 person aged 65-69 (hommes 8,535 + femmes …).
    assert result.notes["tranches contradictoires"] == "2021 19 65-69 ans"
    frame = result.frame
    haute_marne = frame[
        (frame["year"] == 2021) & (frame["departement_code"] == "52") & (frame["sex"] == "ensemble")
    ]
    assert len(haute_marne) == 20 and haute_marne["population"].notna().all()
