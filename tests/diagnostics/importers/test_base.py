"""Shared reading helpers of the importers: CSV sniffing, XLSX header detection, numbers, codes,
file safety. No database."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from diagnostics.importers.codes import (
    check_duplicates,
    map_commune_codes,
    normalize_code,
    normalize_commune_codes,
)
from diagnostics.importers.contract import (
    ERROR_VALUE_MAX,
    LINE,
    MAX_COLUMNS,
    ImportFileError,
    RowError,
    ValidationContext,
)
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.importers.file_checks import check_file_safety, file_head
from diagnostics.importers.values import (
    MAX_COUNT_RULE,
    check_count,
    check_rate,
    match_columns,
    parse_numbers,
)
from diagnostics.importers.xlsx_reading import read_xlsx


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


# --- CSV ---------------------------------------------------------------------------------------


def test_read_csv_sniffed_cp1252_semicolon_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(
        "code;libellé;valeur\n01001;Abergement-Clémenciat;3,5\n2A004;Ajaccio;12\n".encode("cp1252")
    )

    frame, meta = read_csv_sniffed(path)

    assert (meta.encoding, meta.delimiter, meta.decimal) == ("cp1252", ";", ",")
    assert frame["code"].tolist() == ["01001", "2A004"]  # leading zero kept
    assert frame["libellé"].tolist() == ["Abergement-Clémenciat", "Ajaccio"]
    assert parse_numbers(frame["valeur"]).numbers.tolist() == [3.5, 12.0]
    assert frame[LINE].tolist() == [2, 3]


def test_read_csv_sniffed_utf8_bom_comma_and_blank_lines_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes('\ufeffcode,valeur\n35360,"1,5"\n\n52121,2\n'.encode())

    frame, meta = read_csv_sniffed(path)

    assert (meta.encoding, meta.delimiter, meta.decimal) == ("utf-8-sig", ",", ".")
    assert list(frame.columns) == ["code", "valeur", LINE]  # BOM not glued to the header
    assert frame["code"].tolist() == ["35360", "52121"]
    assert frame[LINE].tolist() == [2, 4]  # the blank line 3 is skipped, numbers kept


def test_read_csv_sniffed_tab(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    frame, meta = read_csv_sniffed(path)
    assert meta.delimiter == "\t"
    assert frame["b"].tolist() == ["2"]


def test_read_csv_sniffed_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="vide"):
        read_csv_sniffed(path)


def test_file_head_reads_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("niveau;code;valeur\ncommune;01001;1\n", encoding="utf-8")
    head = file_head(path, fmt="csv")
    assert head.columns == ["niveau", "code", "valeur"]
    assert head.has_columns("Niveau", "CODE")


# --- XLSX --------------------------------------------------------------------------------------


def test_read_xlsx_finds_header_below_title_lines(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "t.xlsx",
        {
            "Documentation": [["rien"]],
            "donnees": [
                ["Titre du tableau"],
                ["Source : Insee"],
                [],
                ["ZE2020", "LIBZE2020", "2023-T3"],
                ["0051", "Alençon", 6.5],
                [51, "Alençon bis", 7.0],
            ],
        },
    )

    frame, meta = read_xlsx(path, sheet="donnees", header_hint=["ZE2020"])

    assert meta.header_row == 4
    assert frame["ZE2020"].tolist() == ["0051", "51"]  # text kept as is, integers without .0
    assert frame["2023-T3"].tolist() == ["6.5", "7"]
    assert frame[LINE].tolist() == [5, 6]  # spreadsheet row numbers


def test_read_xlsx_missing_sheet_names_the_sheets_found(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx", {"Feuil1": [["a"]], "Autre": [["b"]]})
    with pytest.raises(ImportFileError) as exc:
        read_xlsx(path, sheet=re.compile(r"BMO_\d{4}_open_data"))
    assert "BMO_" in exc.value.message
    assert "« Feuil1 », « Autre »" in exc.value.message


def test_read_xlsx_header_not_found(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx", {"s": [["x", "y"], [1, 2]]})
    with pytest.raises(ImportFileError, match="« met »"):
        read_xlsx(path, sheet="s", header_hint=["met"])


def test_match_columns_ignores_accents_and_case_and_names_missing(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Période": ["2023"], "VALEUR": ["1"], LINE: [2]})
    out = match_columns(frame, {"periode": ("période",), "valeur": ("valeur",)}, file_label="f")
    assert list(out.columns) == ["periode", "valeur", LINE]
    with pytest.raises(ImportFileError) as exc:
        match_columns(frame, {"code": ("code",)}, file_label="« f.csv »")
    assert exc.value.message == (
        "Colonne manquante dans « f.csv » : « code ». Colonnes trouvées : Période, VALEUR."
    )


# --- Numbers -----------------------------------------------------------------------------------


def test_parse_numbers_french_and_english_formats_and_secret() -> None:
    parsed = parse_numbers(
        pd.Series(["1 234,5", "1.234,5", "1,234.5", "12,5 %", "abc", None, "*", "-3", "inf"])
    )
    values = parsed.numbers.tolist()
    assert values[:4] == [1234.5, 1234.5, 1234.5, 12.5]
    assert values[7] == -3.0
    assert parsed.invalid.tolist() == [False] * 4 + [True, False, False, False, True]
    assert parsed.missing.tolist() == [False] * 5 + [True, False, False, False]
    assert parsed.secret.tolist() == [False] * 6 + [True, False, False]


def test_check_count_secret_is_na_and_flag_never_zero() -> None:
    frame = pd.DataFrame({"met": ["10", "*", "-2", "1,5", ""], LINE: [2, 3, 4, 5, 6]})
    errors: list[RowError] = []

    values, masked = check_count(frame, "met", errors)

    assert values.tolist()[:2] == [10, pd.NA]
    assert masked.tolist() == [False, True, False, False, False]
    assert [(e.line, e.rule) for e in errors] == [
        (6, "valeur manquante"),
        (5, "doit être un nombre entier"),
        (4, "doit être positif ou nul (≥ 0)"),
    ]


def test_check_count_too_large_is_a_row_error_not_a_crash() -> None:
    # 10**23 is an integer-valued float that does not fit an int64: the cast used to raise
    # « cannot safely cast non-equivalent float64 to int64 », shown to the user in English.
    frame = pd.DataFrame(
        {
            "n": ["99999999999999999999999", "1000000000000", "1000000000001", "7"],
            LINE: [2, 3, 4, 5],
        }
    )
    errors: list[RowError] = []

    values, _ = check_count(frame, "n", errors, display_column="Demandeurs_Emploi")

    assert values.tolist() == [pd.NA, 10**12, pd.NA, 7]
    assert [(e.line, e.column, e.value, e.rule) for e in errors] == [
        (2, "Demandeurs_Emploi", "99999999999999999999999", MAX_COUNT_RULE),
        (4, "Demandeurs_Emploi", "1000000000001", MAX_COUNT_RULE),
    ]


def test_row_error_quotes_a_long_value_cut() -> None:
    error = RowError(line=2, column="n", value="1" * 200_000, rule="n'est pas un nombre")
    value = error.as_dict()["value"]
    assert len(value) == ERROR_VALUE_MAX
    assert value == "1" * (ERROR_VALUE_MAX - 1) + "…"
    assert error.value == "1" * 200_000  # the error itself keeps the cell


def test_read_csv_sniffed_cell_over_the_csv_field_limit_is_read(tmp_path: Path) -> None:
    # A cell of 200,000 characters is over the `csv` module's field limit (131,072): the
    # delimiter detection used to raise « field larger than field limit » (English, uncaught).
    path = tmp_path / "long.csv"
    path.write_text("codgeo;YEAR;n\n35360;2024-01;" + "1" * 200_000 + "\n35361;2024-02;3\n")

    frame, meta = read_csv_sniffed(path)

    assert meta.delimiter == ";"
    assert frame["n"].str.len().tolist() == [200_000, 1]
    assert frame[LINE].tolist() == [2, 3]
    assert file_head(path, fmt="csv").columns == ["codgeo", "YEAR", "n"]


def test_read_csv_sniffed_refuses_a_file_too_wide_before_parsing_it(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    header = ["codgeo", *(f"c{i}" for i in range(MAX_COLUMNS))]
    path.write_text(";".join(header) + "\n" + ";".join(["1"] * len(header)) + "\n")

    with pytest.raises(ImportFileError) as exc:
        read_csv_sniffed(path)

    assert exc.value.message == (
        "« large.csv » a 1\u202f001 colonnes (séparateur « ; ») : aucun fichier attendu n'en a "
        "plus de 1\u202f000. Vérifiez qu'il s'agit du bon fichier."
    )
    # One column fewer is read.
    path.write_text(";".join(header[:-1]) + "\n" + ";".join(["1"] * MAX_COLUMNS) + "\n")
    frame, _ = read_csv_sniffed(path)
    assert frame.shape == (1, MAX_COLUMNS + 1)  # + LINE


def test_read_xlsx_refuses_a_sheet_too_wide(tmp_path: Path) -> None:
    header: list[object] = ["ZE2020", *(f"T{i}" for i in range(MAX_COLUMNS))]
    row: list[object] = ["0051", *([1] * MAX_COLUMNS)]
    path = _xlsx(tmp_path / "t.xlsx", {"s": [header, row]})

    with pytest.raises(ImportFileError) as exc:
        read_xlsx(path, sheet="s", header_hint=["ZE2020"])

    assert exc.value.message.startswith("La feuille « s » de « t.xlsx » a 1\u202f001 colonnes : ")


def test_check_rate_range() -> None:
    frame = pd.DataFrame({"taux": ["3,9", "100.5", "-1"], LINE: [2, 3, 4]})
    errors: list[RowError] = []
    values, _ = check_rate(frame, "taux", errors)
    assert values.tolist()[0] == 3.9
    assert [(e.line, e.value) for e in errors] == [(3, "100.5"), (4, "-1")]
    assert errors[0].rule == "doit être compris entre 0 et 100"


# --- Codes -------------------------------------------------------------------------------------


def test_normalize_codes_restore_leading_zeros() -> None:
    assert normalize_commune_codes(
        pd.Series(["1001", "01001", "2A004", "1001.0", None])
    ).tolist() == [
        "01001",
        "01001",
        "2A004",
        "01001",
        None,
    ]
    assert normalize_code(pd.Series(["51", "4404"]), width=4).tolist() == ["0051", "4404"]


def test_map_commune_codes_follows_merges() -> None:
    context = ValidationContext(
        communes=frozenset({"49126", "52121"}), code_changes={"49069": "49126", "49001": "49069"}
    )
    mapped, remapped = map_commune_codes(pd.Series(["49069", "49001", "52121", "99999"]), context)
    assert mapped.tolist() == ["49126", "49126", "52121", "99999"]
    assert remapped.tolist() == [True, True, False, False]


def test_check_duplicates_names_first_line() -> None:
    frame = pd.DataFrame({"a": ["x", "y", "x"], "b": ["1", "1", "1"], LINE: [2, 3, 9]})
    errors: list[RowError] = []
    dup = check_duplicates(frame, ["a", "b"], errors)
    assert dup.tolist() == [False, False, True]
    assert errors == [
        RowError(
            line=9, column="a + b", value="x / 1", rule="clé en double (déjà présente ligne 2)"
        )
    ]


# --- File safety -------------------------------------------------------------------------------


def test_check_file_safety_accepts_real_formats(tmp_path: Path) -> None:
    xlsx = _xlsx(tmp_path / "ok.xlsx", {"s": [["a"]]})
    csv_path = tmp_path / "ok.csv"
    csv_path.write_text("a;b\n1;2\n", encoding="utf-8")
    assert check_file_safety(xlsx) == "xlsx"
    assert check_file_safety(csv_path) == "csv"


def test_check_file_safety_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError, match="« vide.csv » est vide"):
        check_file_safety(path)


def test_check_file_safety_over_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "gros.csv"
    path.write_bytes(b"a;b\n" + b"1;2\n" * 300_000)  # 1.2 MB
    with pytest.raises(ImportFileError) as exc:
        check_file_safety(path, max_bytes=1024 * 1024)
    assert "au-delà de la limite de 1 Mo" in exc.value.message
    assert "IMPORT_MAX_FILE_MB" in exc.value.message


def test_check_file_safety_zip_bomb_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        # 600 MB of zeros compress to ~600 KB.
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"0" * (1024 * 1024)
            for _ in range(600):
                entry.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024

    with pytest.raises(ImportFileError) as exc:
        check_file_safety(path, max_uncompressed_bytes=500 * 1024 * 1024)
    assert "se décompresse en 600 Mo" in exc.value.message
    assert "refusé avant lecture" in exc.value.message


def test_check_file_safety_text_saved_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "faux.xlsx"
    path.write_text("code;valeur\n1;2\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as exc:
        check_file_safety(path)
    assert exc.value.message == (
        "« faux.xlsx » porte l'extension .xlsx mais n'est pas un classeur Excel "
        "(ce n'est pas une archive ZIP Office Open XML)."
    )


def test_check_file_safety_workbook_saved_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "faux.csv"
    _xlsx(tmp_path / "vrai.xlsx", {"s": [["a"]]}).rename(path)
    with pytest.raises(ImportFileError, match="porte l'extension .csv mais contient un classeur"):
        check_file_safety(path)


def test_check_file_safety_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "bonjour")
    with pytest.raises(ImportFileError, match="archive ZIP mais pas un classeur Excel"):
        check_file_safety(path)


def test_check_file_safety_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(ImportFileError, match="Extension « .pdf » non prise en charge"):
        check_file_safety(path)
