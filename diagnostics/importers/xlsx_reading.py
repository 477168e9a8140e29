"""Reading an XLSX sheet as published (calamine): the header row found below title lines, every
column as text, column `LINE` = the spreadsheet row number (`read_xlsx`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number
from diagnostics.importers.contract import LINE, MAX_COLUMNS, ImportFileError, too_wide_hint
from diagnostics.importers.values import normalize_label

# --- XLSX ------------------------------------------------------------------------------------


@dataclass
class XlsxMeta:
    sheet: str
    sheet_names: list[str]
    header_row: int  # spreadsheet row number of the header (1-based)
    header: list[str] = field(default_factory=list)
    rows: int = 0


def xlsx_sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise ImportFileError(f"Classeur Excel illisible ({Path(path).name}) : {exc}") from exc
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def _cell_text(value: Any) -> Any:
    """A spreadsheet cell as text: None when empty, integers without `.0`."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value if value else None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _column_text(values: Sequence[Any]) -> np.ndarray:
    """One column of cells as an object array of text (None when empty), fast for the common
    all-text columns."""
    types = set(map(type, values))
    out = [v.strip() or None for v in values] if types == {str} else [_cell_text(v) for v in values]
    array = np.empty(len(out), dtype=object)
    array[:] = out
    return array


def read_xlsx(
    path: Path,
    *,
    sheet: str | re.Pattern[str] | Callable[[list[str]], str | None],
    header_hint: Sequence[str] = (),
    max_header_search: int = 40,
    display_name: str | None = None,
    sheet_label: str | None = None,
) -> tuple[pd.DataFrame, XlsxMeta]:
    """Read one sheet of an XLSX with python-calamine. `sheet` is a name, a regex (full match) or a
    function choosing among the sheet names; a missing sheet raises `ImportFileError` naming the
    sheets found (`sheet_label` names the expected sheet in that message when `sheet` is a
    function). The header row is the first row (within `max_header_search`) containing every
    label of `header_hint` (accent/case-insensitive), so title lines above it are skipped.
    Every column is text (integers without `.0`, NA for empty); `LINE` = spreadsheet row."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    name = display_name or path.name
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise ImportFileError(f"Classeur Excel illisible « {name} » : {exc}") from exc
    try:
        names = list(workbook.sheet_names)
        chosen = _choose_sheet(names, sheet)
        if chosen is None:
            wanted = sheet_label or (
                sheet.pattern
                if isinstance(sheet, re.Pattern)
                else (sheet if isinstance(sheet, str) else "attendue")
            )
            raise ImportFileError(
                f"Feuille « {wanted} » introuvable dans « {name} ». Feuilles présentes : "
                + ", ".join(f"« {n} »" for n in names)
                + "."
            )
        rows = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    hint_keys = [normalize_label(h) for h in header_hint]
    header_index = None
    for index, row in enumerate(rows[:max_header_search]):
        keys = {normalize_label(c) for c in row if c not in (None, "")}
        if not keys:
            continue
        if not hint_keys or all(k in keys for k in hint_keys):
            header_index = index
            break
    if header_index is None:
        expected = ", ".join(f"« {h} »" for h in header_hint)
        raise ImportFileError(
            f"Ligne d'en-tête introuvable dans la feuille « {chosen} » de « {name} » : "
            f"aucune des {min(len(rows), max_header_search)} premières lignes ne contient "
            f"les colonnes {expected}."
        )
    header_row = rows[header_index]
    filled = [i for i, c in enumerate(header_row) if c not in (None, "")]
    if filled and filled[-1] + 1 > MAX_COLUMNS:
        raise ImportFileError(
            f"La feuille « {chosen} » de « {name} » a {format_number(filled[-1] + 1)} colonnes : "
            + too_wide_hint()
        )
    header = [_header_name(c, i) for i, c in enumerate(header_row)]
    body = rows[header_index + 1 :]
    width = len(header)
    if body and any(len(r) != width for r in body):
        padding: list[Any] = [None] * width
        body = [list(r[:width]) + padding[: width - len(r)] for r in body]
    transposed = list(zip(*body, strict=True)) if body else [() for _ in header]
    columns: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for i, col in enumerate(header):
        key = col
        if key in seen:  # duplicated header: keep both, suffixed
            seen[key] += 1
            key = f"{col}.{seen[col]}"
        else:
            seen[key] = 0
        columns[key] = pd.Series(_column_text(transposed[i]), dtype=object)
    frame = pd.DataFrame(columns)
    frame[LINE] = np.arange(len(body), dtype="int64") + header_index + 2
    data_cols = list(columns)
    if data_cols:
        keep = frame[data_cols].notna().any(axis=1)
        if not keep.all():
            frame = frame[keep].reset_index(drop=True)
    meta = XlsxMeta(
        sheet=chosen,
        sheet_names=names,
        header_row=header_index + 1,
        header=header,
        rows=len(frame),
    )
    return frame, meta


def _header_name(value: Any, index: int) -> str:
    text = _cell_text(value)
    return f"colonne {index + 1}" if text is pd.NA else str(text)


def _choose_sheet(
    names: list[str], sheet: str | re.Pattern[str] | Callable[[list[str]], str | None]
) -> str | None:
    if isinstance(sheet, str):
        if sheet in names:
            return sheet
        key = normalize_label(sheet)
        return next((n for n in names if normalize_label(n) == key), None)
    if isinstance(sheet, re.Pattern):
        return next((n for n in names if sheet.fullmatch(n)), None)
    return sheet(names)
