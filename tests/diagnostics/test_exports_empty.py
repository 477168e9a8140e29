"""Exports of empty tables and sheet names (pure: no database)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from diagnostics.exports import table_csv, tables_xlsx

EMPTY = {"title": "Comparaison avec les bassins de même taille et de la région", "columns": [],
         "labels": [], "rows": []}  # fmt: skip
EMPTY_WITH_HEADER = {"title": "Indicateurs par année", "columns": ["year", "value"],
                     "labels": ["Année", "Valeur"], "rows": []}  # fmt: skip
FULL = {"title": "Communes du bassin : demandeurs d'emploi pour 1 000 habitants",
        "columns": ["name"], "labels": ["Commune"], "rows": [["Chaumont"]]}  # fmt: skip


def test_empty_table_csv_is_more_than_a_byte_order_mark() -> None:
    text = table_csv(EMPTY).decode("utf-8")

    assert text == (
        "\ufeffinformation\r\naucune donnée : le tableau « Comparaison avec les bassins de même "
        "taille et de la région » est vide pour ce diagnostic (données non importées ou non "
        "publiées pour ce bassin)\r\n"
    )
    assert (
        table_csv(EMPTY_WITH_HEADER)
        .decode("utf-8")
        .startswith("\ufeffAnnée;Valeur\r\naucune donnée : le tableau « Indicateurs par année »")
    )


def test_workbook_sheets_are_readable_unique_and_never_blank() -> None:
    content = tables_xlsx([("comparison", EMPTY), ("years", EMPTY_WITH_HEADER),
                           ("communes", FULL), ("again", FULL)])  # fmt: skip

    workbook = load_workbook(io.BytesIO(content))

    assert workbook.sheetnames == [
        "Comparaison avec les bassins…",
        "Indicateurs par année",
        "Communes du bassin…",  # never half a word (« demandeurs » would not fit)
        "Communes du bassin… (2)",
    ]
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    assert workbook["Indicateurs par année"]["A2"].value.startswith("aucune donnée : le tableau")
    assert workbook["Comparaison avec les bassins…"]["A1"].value == "information"
    assert workbook["Communes du bassin…"]["A2"].value == "Chaumont"
