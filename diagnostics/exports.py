"""CSV and XLSX exports of a diagnostic's tables.

Each table is the stored payload of the run ({"title", "columns", "labels", "rows"}): the
exports hold exactly the values the report shows. Text cells that a spreadsheet would read as a
formula (starting with `=`, `+`, `-`, `@`, or a tab / carriage return) are prefixed with `'`
(CSV injection). Numbers stay numbers: a number cannot carry a formula.

CSV: UTF-8 with a byte order mark (Excel opens it right), `;` separator, decimal point, one
header row of French column labels. XLSX: one sheet per table, bold frozen header, shares
formatted as percentages (the stored value is kept).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHARE_COLUMNS = {
    "difficulty_rate", "seasonal_rate", "coverage", "zone_share", "basin_share", "local_share",
    "reference_share", "year_on_year", "bmo_difficulty_rate", "bmo_seasonal_rate",
    "bmo_coverage", "bmo_difficulty_share", "local_growth", "reference_growth", "annual_rate",
    "percent_change",
}  # fmt: skip


def escape_cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text starting like a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return escape_cell(value)


NO_DATA = "aucune donnée"


def no_data_text(payload: Mapping[str, Any]) -> str:
    """The line written in place of the rows of an empty table, never an empty file."""
    title = str(payload.get("title") or "").strip()
    return (
        f"{NO_DATA} : le tableau « {title} » est vide pour ce diagnostic (données non importées "
        "ou non publiées pour ce bassin)"
        if title
        else f"{NO_DATA} pour ce diagnostic"
    )


def _labels(payload: Mapping[str, Any]) -> list[Any]:
    return [escape_cell(label) for label in payload.get("labels") or []] or ["information"]


def table_csv(payload: Mapping[str, Any]) -> bytes:
    """One table as CSV bytes (see the module docstring); an empty table holds its header and
    one « aucune donnée » line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_labels(payload))
    rows = payload.get("rows") or []
    if not rows:
        writer.writerow([no_data_text(payload)])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


SHEET_MAX = 31  # Excel's limit


def _shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut between words with « … » when too long."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[len(cut)] != " " and " " in cut:  # never half a word
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—(") + "…"


def _sheet_title(title: str, used: set[str]) -> str:
    """A readable, unique sheet name of at most 31 characters (cut between words)."""
    clean = _SHEET_FORBIDDEN.sub(" ", title.replace(" : ", " – ")).strip().strip("'")
    base = _shorten(clean, SHEET_MAX) or "Tableau"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = _shorten(clean, SHEET_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def tables_xlsx(payloads: Iterable[tuple[str, Mapping[str, Any]]], *, title: str = "") -> bytes:
    """Tables as an XLSX workbook, one sheet each (name → payload, in order)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for name, payload in payloads:
        sheet = workbook.create_sheet(_sheet_title(str(payload.get("title") or name), used))
        sheet.append(_labels(payload))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        if not payload.get("rows"):
            sheet.append([no_data_text(payload)])
            sheet.column_dimensions["A"].width = 60
            continue
        for row in payload["rows"]:
            values = []
            for value in row:
                if isinstance(value, bool):
                    value = "oui" if value else "non"
                elif isinstance(value, list):
                    value = ", ".join(str(v) for v in value)
                values.append(escape_cell(value))
            sheet.append(values)
        for index, column in enumerate(payload["columns"], start=1):
            letter = get_column_letter(index)
            width = max(
                [len(str(payload["labels"][index - 1]))]
                + [
                    len(str(r[index - 1]))
                    for r in payload["rows"][:200]
                    if r[index - 1] is not None
                ]
            )
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
            if column in SHARE_COLUMNS:
                for (cell,) in sheet.iter_rows(
                    min_row=2, min_col=index, max_col=index, max_row=sheet.max_row
                ):
                    cell.number_format = "0.00%"
    if title:
        workbook.properties.title = title
    workbook.properties.creator = "Cnam Territoires"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
