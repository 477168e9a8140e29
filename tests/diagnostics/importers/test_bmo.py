"""BMO reader: the published layouts, secret cells, and every rule (no database)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.importers import bmo
from diagnostics.importers.contract import LINE, ImportFileError, ValidationContext
from tests.diagnostics.importers.bmo_samples import bmo_row, write_bmo

KNOWN = ValidationContext(bassins_bmo=frozenset({"4418", "5317", "0101"}))


def _read(path: Path, context: ValidationContext = KNOWN, vintage: str | None = None):  # type: ignore[no-untyped-def]
    return bmo.read(path, vintage=vintage, context=context)


@pytest.mark.parametrize("layout", ["2023", "2025"])
def test_read_layouts_and_secret_cells(tmp_path: Path, layout: str) -> None:
    year = int(layout)
    path = write_bmo(
        tmp_path / "bmo.xlsx",
        [
            bmo_row("A0X40", "4418", "120", "80", "*"),
            bmo_row("A0X40", "5317", "*", "*", "*"),
            bmo_row("W1X80", "101", "15", "0", "3"),
        ],
        year=year,
        layout=layout,
    )

    result = _read(path)

    assert result.ok, result.errors
    assert (result.vintage, result.rows_read) == (layout, 3)
    frame = result.frame
    assert frame["bassin_code"].tolist() == ["4418", "5317", "0101"]  # 101 on four digits
    assert frame["departement_code"].tolist() == ["52", "35", "971"]
    assert frame["met"].tolist() == [120, pd.NA, 15]
    assert frame["xmet"].tolist() == [80, pd.NA, 0]  # a published 0 stays 0
    assert frame["smet"].tolist() == [pd.NA, pd.NA, 3]
    assert frame["met_masked"].tolist() == [False, True, False]
    assert frame["smet_masked"].tolist() == [True, True, False]
    assert frame[LINE].tolist() == [2, 3, 4]
    assert result.notes["colonne bassin"] == f"BE{year % 100}"
    assert result.notes["cellules secrètes"] == {"met": 1, "xmet": 1, "smet": 2}


def test_detect_by_sheet_name(tmp_path: Path) -> None:
    from diagnostics.importers.file_checks import file_head

    path = write_bmo(tmp_path / "x.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")], year=2024)
    assert bmo.detect(path, file_head(path, fmt="xlsx"))


def test_nomenclature_follows_the_codes(tmp_path: Path) -> None:
    old = write_bmo(tmp_path / "a.xlsx", [bmo_row("A0Z40", "4418", "1", "1", "1")], year=2023)
    new = write_bmo(tmp_path / "b.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")], year=2024)
    assert _read(old).nomenclature == "FAP 2009 (codes métiers BMO)"
    assert _read(new).nomenclature == "FAP 2021 (codes métiers BMO)"


def test_negative_count_xmet_above_met_and_smet_above_met(tmp_path: Path) -> None:
    path = write_bmo(
        tmp_path / "bmo.xlsx",
        [
            bmo_row("A0X40", "4418", "-5", "*", "*"),
            bmo_row("A0X41", "4418", "10", "12", "3"),
            bmo_row("A0X42", "4418", "10", "2", "11"),
            bmo_row("A0X43", "4418", "*", "50", "60"),  # met secret: nothing to compare with
        ],
    )

    result = _read(path)

    assert [(e.line, e.column, e.value, e.rule) for e in result.errors] == [
        (2, "met", "-5", "doit être positif ou nul (≥ 0)"),
        (3, "xmet", "12", "projets difficiles supérieurs aux projets de recrutement (xmet > met)"),
        (4, "smet", "11", "projets saisonniers supérieurs aux projets de recrutement (smet > met)"),
    ]


def test_unknown_bassin_code_is_an_error_naming_line_and_column(tmp_path: Path) -> None:
    path = write_bmo(
        tmp_path / "bmo.xlsx",
        [bmo_row("A0X40", "4418", "1", "1", "1"), bmo_row("A0X40", "9999", "1", "1", "1")],
    )

    result = _read(path)

    assert [(e.line, e.column, e.value, e.rule) for e in result.errors] == [
        (3, "BE25", "9999", "code de bassin BMO inconnu du référentiel territorial")
    ]
    assert "9999 BASSIN 9999" in result.notes["conseil"]


def test_unknown_bassin_registered_with_the_option(tmp_path: Path) -> None:
    path = write_bmo(tmp_path / "bmo.xlsx", [bmo_row("A0X40", "9999", "1", "1", "1")])
    context = ValidationContext(bassins_bmo=KNOWN.bassins_bmo, options={"register_bassins": True})

    result = _read(path, context)

    assert result.ok
    assert result.notes[bmo.NEW_BASSINS_NOTE] == [
        {"code": "9999", "name": "BASSIN 9999", "region": "44"}
    ]


def test_malformed_codes(tmp_path: Path) -> None:
    path = write_bmo(
        tmp_path / "bmo.xlsx",
        [bmo_row("A0X4", "4418", "1", "1", "1"), bmo_row("A0X40", "44A8", "1", "1", "1")],
    )
    rules = [(e.line, e.column, e.rule) for e in _read(path).errors]
    assert rules == [
        (2, "Code métier BMO", "code métier BMO invalide (format attendu : A0X40)"),
        (3, "BE25", "code de bassin BMO invalide (3 ou 4 chiffres attendus)"),
    ]


def test_duplicated_key(tmp_path: Path) -> None:
    path = write_bmo(
        tmp_path / "bmo.xlsx",
        [
            bmo_row("A0X40", "5317", "1", "1", "1", dept="35"),
            bmo_row("A0X40", "5317", "2", "1", "1", dept="53"),  # another département: fine
            bmo_row("A0X40", "5317", "3", "1", "1", dept="35"),
        ],
    )
    errors = _read(path).errors
    assert [(e.line, e.value, e.rule) for e in errors] == [
        (4, "5317 / 35 / A0X40", "clé en double (déjà présente ligne 2)")
    ]


def test_not_a_number(tmp_path: Path) -> None:
    path = write_bmo(tmp_path / "bmo.xlsx", [bmo_row("A0X40", "4418", "douze", "1", "1")])
    errors = _read(path).errors
    assert [(e.line, e.column, e.value, e.rule) for e in errors] == [
        (2, "met", "douze", "n'est pas un nombre")
    ]


def test_missing_column(tmp_path: Path) -> None:
    path = write_bmo(
        tmp_path / "bmo.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")], drop_column="Dept"
    )
    with pytest.raises(ImportFileError) as exc:
        _read(path)
    assert exc.value.message.startswith(
        "Colonne manquante dans la feuille « BMO_2025_open_data » : « Dept »."
    )


def test_wrong_sheet(tmp_path: Path) -> None:
    path = write_bmo(
        tmp_path / "bmo.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")], sheet="Feuil1"
    )
    with pytest.raises(ImportFileError) as exc:
        _read(path)
    assert "Feuilles présentes : « Description_des_variables », « Feuil1 »" in exc.value.message


def test_vintage_given_must_match_the_file(tmp_path: Path) -> None:
    path = write_bmo(tmp_path / "bmo.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")], year=2025)
    assert _read(path, vintage="2025").vintage == "2025"
    with pytest.raises(
        ImportFileError, match="Millésime indiqué 2024, mais le fichier est celui de 2025"
    ):
        _read(path, vintage="2024")


def test_no_territories_loaded_refuses_with_advice(tmp_path: Path) -> None:
    path = write_bmo(tmp_path / "bmo.xlsx", [bmo_row("A0X40", "4418", "1", "1", "1")])
    with pytest.raises(ImportFileError, match="chargez d'abord les territoires"):
        _read(path, ValidationContext())


def test_csv_is_the_wrong_kind_of_file(tmp_path: Path) -> None:
    path = tmp_path / "bmo.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="classeur Excel"):
        _read(path)


# --- Real files --------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_real_bmo_file_read_matches_raw_totals(open_data_dir: Path, year: int) -> None:
    path = open_data_dir / "bmo" / f"Base_open_data_BMO_{year}.xlsx"
    raw = pd.read_excel(path, sheet_name=f"BMO_{year}_open_data", dtype=str, engine="calamine")
    bassin_col = f"BE{year % 100}"
    context = ValidationContext(
        bassins_bmo=frozenset(raw[bassin_col].str.strip().str.zfill(4)), options={}
    )

    result = bmo.read(path, vintage=None, context=context)

    assert result.ok, result.errors[:5]
    frame = result.frame
    assert len(frame) == len(raw)
    for measure in ("met", "xmet", "smet"):
        published = pd.to_numeric(raw[measure], errors="coerce")
        assert frame[measure].sum() == int(published.sum())
        assert int(frame[f"{measure}_masked"].sum()) == int((raw[measure].str.strip() == "*").sum())
        assert frame[measure].isna().sum() == (raw[measure].str.strip() == "*").sum()
    chaumont = raw[raw[bassin_col] == "4418"]
    assert frame.loc[frame["bassin_code"] == "4418", "met"].sum() == int(
        pd.to_numeric(chaumont["met"], errors="coerce").sum()
    )
