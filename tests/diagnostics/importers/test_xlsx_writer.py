"""tests/factories/xlsx.py (the fast writer of the 50,000-row BMO test) gives the importer the
same workbook as openpyxl: same sheets, same cells, same frame and errors after reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineWorkbook

from diagnostics.importers import bmo
from diagnostics.importers.contract import ValidationContext
from tests.diagnostics.importers.bmo_samples import bmo_row, write_bmo
from tests.factories.xlsx import _column, write_xlsx

ROWS = [
    bmo_row("A0X40", "4418", "120", "80", "*"),
    bmo_row("A0X40", "5317", "*", "*", "*"),
    bmo_row("W1X80", "101", "15", "0", "3"),
    bmo_row("B2X01", "4418", "5", "9", "*"),  # xmet > met: an error on line 5
    bmo_row("C3X02", "7777", "1", "1", "1"),  # unknown bassin: an error on line 6
    bmo_row("D4X03", "2A01", "7", "2", "0", dept="2A"),  # text bassin code, Corsica
]
CONTEXT = ValidationContext(bassins_bmo=frozenset({"4418", "5317", "0101"}))


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def test_columns_are_lettered_like_excel() -> None:
    assert [_column(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_fast_bmo_workbook_reads_like_openpyxl(tmp_path: Path) -> None:
    for layout in ("2023", "2025"):
        slow = write_bmo(tmp_path / f"slow-{layout}.xlsx", ROWS, year=int(layout), layout=layout)
        fast = write_bmo(
            tmp_path / f"fast-{layout}.xlsx", ROWS, year=int(layout), layout=layout, fast=True
        )

        assert _cells(fast) == _cells(slow)
        assert list(_cells(fast)) == ["Description_des_variables", f"BMO_{layout}_open_data"]
        read_slow = bmo.read(slow, vintage=None, context=CONTEXT)
        read_fast = bmo.read(fast, vintage=None, context=CONTEXT)
        assert (read_fast.vintage, read_fast.rows_read) == (layout, 6)
        assert read_fast.errors == read_slow.errors
        assert [(e.line, e.column) for e in read_fast.errors][:2] == [
            (5, "xmet"),
            (6, f"BE{layout[2:]}"),
        ]
        pd.testing.assert_frame_equal(read_fast.frame, read_slow.frame)


def test_values_kinds_and_escaping(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kinds.xlsx",
        [
            ('Feuille "1" & <autre>', [["texte", 1, 2.5, None, True, "a < b & c", " espacé "]]),
            ("Vide", []),
        ],
    )

    cells = _cells(path)
    assert list(cells) == ['Feuille "1" & <autre>', "Vide"]
    assert cells['Feuille "1" & <autre>'] == [["texte", 1, 2.5, "", True, "a < b & c", " espacé "]]
