"""INSEE unemployment rate per zone d'emploi: the published XLSX layout, stored tidy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from diagnostics.importers import chomage_ze
from diagnostics.importers.contract import ImportFileError, ValidationContext
from diagnostics.importers.file_checks import file_head

KNOWN = ValidationContext(zones_emploi=frozenset({"0051", "4404", "5319"}))


def write_chomage(path: Path, rows: list[list[object]], *, sheet: str = "txcho_ze") -> Path:
    workbook = Workbook()
    workbook.active.title = "Documentation"
    data = workbook.create_sheet(sheet)
    data.append(["Taux de chômage localisés par zone d'emploi, en moyenne trimestrielle"])
    data.append(["Source : Insee, Estimations de taux de chômage localisés."])
    data.append([])
    data.append(
        [
            "Code de la zone d'emploi 2020",
            "Libellé",
            "Code région",
            "Libellé région",
            "2e trimestre 2023",
            "3e trimestre 2023",
        ]
    )
    data.append(["ZE2020", "LIBZE2020", "REG", "LIBREG", "2023-T2", "2023-T3"])
    for row in rows:
        data.append(row)
    workbook.save(path)
    return path


def test_read_tidy_rates_with_line_numbers(tmp_path: Path) -> None:
    path = write_chomage(
        tmp_path / "c.xlsx",
        [
            ["0051", "Alençon", "00", "INTERRÉGIONAL", 6.4, 6.5],
            ["4404", "Chaumont", "44", "GRAND EST", 5.8, 5.9],
            [5319, "Vitré", "53", "BRETAGNE", None, 3.9],  # numeric code, empty quarter
        ],
    )

    result = chomage_ze.read(path, vintage=None, context=KNOWN)

    assert result.ok, result.errors
    assert (result.vintage, result.period) == ("2023-T3", "2023-T2 → 2023-T3")
    assert result.notes["cellules vides (non estimées)"] == 1
    frame = result.frame
    assert frame[["zone_emploi_code", "period", "rate"]].to_numpy().tolist() == [
        ["0051", "2023-T2", 6.4],
        ["0051", "2023-T3", 6.5],
        ["4404", "2023-T2", 5.8],
        ["4404", "2023-T3", 5.9],
        ["5319", "2023-T3", 3.9],
    ]
    assert frame["year"].tolist() == [2023] * 5
    assert frame["quarter"].tolist() == [2, 3, 2, 3, 3]
    assert chomage_ze.detect(path, file_head(path, fmt="xlsx"))


def test_rate_out_of_range_unknown_ze_and_duplicate(tmp_path: Path) -> None:
    path = write_chomage(
        tmp_path / "c.xlsx",
        [
            ["0051", "Alençon", "00", "X", 6.4, 106.5],
            ["9999", "Inconnue", "00", "X", 5.0, 5.0],
            ["0051", "Alençon", "00", "X", 6.4, "n.d."],
        ],
    )

    result = chomage_ze.read(path, vintage=None, context=KNOWN)

    assert [(e.line, e.column, e.value, e.rule) for e in result.errors] == [
        (6, "2023-T3", "106.5", "doit être compris entre 0 et 100"),
        (7, "ZE2020", "9999", "code inconnu du référentiel des zones d'emploi 2020"),
        (8, "2023-T3", "n.d.", "n'est pas un nombre"),
        (8, "ZE2020", "0051", "clé en double (déjà présente ligne 6)"),
    ]


def test_wrong_sheet_names_the_sheets(tmp_path: Path) -> None:
    path = write_chomage(tmp_path / "c.xlsx", [], sheet="Feuil2")
    with pytest.raises(ImportFileError) as exc:
        chomage_ze.read(path, vintage=None, context=KNOWN)
    assert exc.value.message == (
        "Feuille « txcho_ze » introuvable dans « c.xlsx ». Feuilles présentes : "
        "« Documentation », « Feuil2 »."
    )


def test_vintage_must_be_the_last_quarter(tmp_path: Path) -> None:
    path = write_chomage(tmp_path / "c.xlsx", [["0051", "Alençon", "00", "X", 6.4, 6.5]])
    with pytest.raises(ImportFileError, match="s'arrête à 2023-T3"):
        chomage_ze.read(path, vintage="2023-T2", context=KNOWN)


def test_no_zones_loaded(tmp_path: Path) -> None:
    path = write_chomage(tmp_path / "c.xlsx", [["0051", "Alençon", "00", "X", 6.4, 6.5]])
    with pytest.raises(ImportFileError, match="Aucune zone d'emploi"):
        chomage_ze.read(path, vintage=None, context=ValidationContext())


@pytest.mark.realdata
def test_real_file_spot_checks_and_totals(open_data_dir: Path) -> None:
    path = open_data_dir / "chomage_ze" / "chomage-zone-t1-2003-t3-2023.xlsx"
    raw = pd.read_excel(
        path, sheet_name="txcho_ze", skiprows=5, dtype={"ZE2020": str}, engine="calamine"
    )
    quarters = [c for c in raw.columns if str(c)[:2] in ("20",)]
    context = ValidationContext(zones_emploi=frozenset(raw["ZE2020"]))

    result = chomage_ze.read(path, vintage=None, context=context)

    assert result.ok
    frame = result.frame
    assert len(frame) == int(raw[quarters].notna().sum().sum())
    assert frame["rate"].sum() == pytest.approx(float(raw[quarters].sum().sum()))
    t3 = frame[frame["period"] == "2023-T3"].set_index("zone_emploi_code")["rate"]
    assert t3["5319"] == 3.9  # Vitré
    assert t3["4404"] == 5.9  # Chaumont
    assert t3["1109"] == 6.9  # Paris
    assert t3["0051"] == 6.5  # Alençon
    assert result.vintage == "2023-T3"
    assert frame["zone_emploi_code"].nunique() == 302
