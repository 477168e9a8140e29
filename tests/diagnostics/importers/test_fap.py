"""FAP 2021 nomenclature (kind `fap`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.importers import fap
from diagnostics.importers.contract import ImportFileError
from tests.diagnostics.importers.reference_data import tiny_context

FAP_FILES = [
    "fap_nomenclature/Intitules_FAP2021.csv",
    "fap_nomenclature/dares_nomenclature_fap2021.csv",
]


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "fap.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.realdata
@pytest.mark.parametrize("name", FAP_FILES)
def test_fap_real_files_four_levels(open_data_dir: Path, name: str) -> None:
    sep = ";" if name.startswith("fap_nomenclature/Intitules") else ","
    raw = pd.read_csv(open_data_dir / name, sep=sep, dtype=str, encoding="utf-8-sig")
    raw.columns = ["c341", "l341", "c228", "l228", "c86", "l86", "c22", "l22"]

    res = fap.read(open_data_dir / name, vintage=None, context=tiny_context())

    frame = res.frame
    assert res.ok, res.errors[:5]
    assert res.vintage == "2021"
    counts = frame["level"].value_counts().to_dict()
    assert counts == {
        341: raw["c341"].nunique(),
        228: raw["c228"].nunique(),
        86: raw["c86"].nunique(),
        22: raw["c22"].nunique(),
    }
    assert counts == {341: 341, 228: 228, 86: 86, 22: 22}
    by_key = frame.set_index(["level", "code"])
    assert by_key.loc[(341, "A0X41a"), "parent_code"] == "A0X41"
    assert by_key.loc[(228, "A0X41"), "label"] == "Eleveurs"
    assert by_key.loc[(86, "A0X"), "parent_code"] == "A"
    assert by_key.loc[(22, "A"), "label"] == "Agriculture, marine, pêche"


@pytest.mark.realdata
def test_fap_covers_the_bmo_2025_metier_codes(open_data_dir: Path) -> None:
    bmo = pd.read_excel(
        open_data_dir / "bmo/Base_open_data_BMO_2025.xlsx",
        sheet_name="BMO_2025_open_data",
        dtype=str,
        engine="calamine",
    )

    res = fap.read(open_data_dir / FAP_FILES[0], vintage=None, context=tiny_context())

    fap228 = set(res.frame.loc[res.frame["level"] == 228, "code"])
    assert set(bmo["Code métier BMO"]) <= fap228


HEADER = (
    "Code_FAP341;Intitulé_FAP341;Code_FAP228;Intitulé_FAP228;Code_FAP86;Intitulé_FAP86;"
    "Code_FAP22;Intitulé_FAP22\n"
)
TAIL = ";A0X;Agriculteurs, éleveurs;A;Agriculture, marine, pêche\n"
GOOD = "A0X40;Agriculteurs;A0X40;Agriculteurs" + TAIL


def test_fap_missing_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Code_FAP341;Intitulé_FAP341;Code_FAP228\nA0X40;Agriculteurs;A0X40\n")

    with pytest.raises(ImportFileError) as exc:
        fap.read(path, vintage=None, context=tiny_context())

    assert "Intitulé_FAP228" in exc.value.message


def test_fap_bad_rows_each_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + GOOD
        + "A0X4;Trop court;A0X40;Agriculteurs"
        + TAIL
        + "B0X41;Hors famille;A0X41;Eleveurs"
        + TAIL
        + "A0X42;Sylviculteurs;A0X42;Sylviculteurs;A0X;Autre libellé;A;Agriculture, marine, pêche\n"
        + GOOD,
    )

    res = fap.read(path, vintage=None, context=tiny_context())

    got = sorted((e.line, e.column, str(e.value)) for e in res.errors)
    assert got == [
        (3, "Code_FAP341", "A0X4"),
        (4, "Code_FAP341", "B0X41"),
        (5, "Intitulé_FAP86", "Autre libellé"),
        (6, "Code_FAP341", "A0X40"),
    ]
    rules = {e.line: e.rule for e in res.errors}
    assert rules[3] == "code FAP 341 mal formé (attendu comme « A0X41a »)"
    assert rules[4] == (
        "le code FAP 341 ne commence pas par son code FAP 228 (hiérarchie incohérente)"
    )
    assert rules[5].startswith("le code A0X a un autre intitulé ou parent ligne 2")
    assert rules[6] == "clé en double (déjà présente ligne 2)"


def test_fap_cp1252_comma_layout(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "code_fap_341,intitule_fap_341,code_fap_228,intitule_fap_228,code_fap_86,intitule_fap_86,"
        "code_fap_22,intitule_fap_22\n"
        "G0A40a,Ouvriers qualifiés de la mécanique,G0A40,Ouvriers de la mécanique,G0A,"
        '"Ouvriers qualifiés, maintenance",G,Maintenance\n',
        encoding="cp1252",
    )

    res = fap.read(path, vintage=None, context=tiny_context())

    assert res.ok, res.errors
    by_key = res.frame.set_index(["level", "code"])["label"]
    assert by_key[(341, "G0A40a")] == "Ouvriers qualifiés de la mécanique"
    assert by_key[(86, "G0A")] == "Ouvriers qualifiés, maintenance"
