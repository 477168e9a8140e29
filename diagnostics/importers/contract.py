"""What an importer's `read` returns and receives (`ReadResult`, `ValidationContext`), the errors it
reports (`ImportFileError` for the file, `RowError` per line) and the column and note names
every importer shares. The importer contract is in the package's docstring
(`diagnostics/importers/__init__.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number
from diagnostics.errors import ApplicationError

# Key of `ReadResult.notes` holding advice shown with a refusal (e.g. which option would help).
HINT_NOTE = "conseil"

# Column added to every frame read by the helpers: the line number a user sees in the file
# (CSV: 1-based physical line, header = 1; XLSX: the spreadsheet row number).
LINE = "_line"

SECRET_MARKERS: tuple[str, ...] = ("*",)


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read: wrong kind, wrong sheet, missing column, too large..."""

    code = "import_file_error"


# The widest official file read here has 87 columns (INSEE's unemployment workbook, one per
# quarter); a file with more than this is not one of them. Checked on the header row before the
# body is parsed: 20,000 columns took about 20 s to read before this check.
MAX_COLUMNS = 1000


def too_wide_hint() -> str:
    """The end of the message refusing a file wider than `MAX_COLUMNS`."""
    return (
        f"aucun fichier attendu n'en a plus de {format_number(MAX_COLUMNS)}. "
        "Vérifiez qu'il s'agit du bon fichier."
    )


# The value quoted in an error report is cut to this many characters: a 200,000-character cell
# is named, not copied into the report.
ERROR_VALUE_MAX = 200


@dataclass(frozen=True)
class RowError:
    """One problem on one line: `line` is the line number as a user sees it in the file
    (header line included, 1-based; for XLSX the spreadsheet row number)."""

    line: int | None
    column: str
    value: Any
    rule: str

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if value is not None and not isinstance(value, (int, float, str, bool)):
            value = str(value)
        if isinstance(value, float) and np.isnan(value):
            value = None
        if isinstance(value, str) and len(value) > ERROR_VALUE_MAX:
            value = value[: ERROR_VALUE_MAX - 1] + "…"
        return {"line": self.line, "column": self.column, "value": value, "rule": self.rule}


@dataclass
class ValidationContext:
    """Reference codes known to the database, given to readers so they stay DB-free."""

    communes: frozenset[str] = frozenset()
    code_changes: dict[str, str] = field(default_factory=dict)  # old commune code -> current
    zones_emploi: frozenset[str] = frozenset()
    bassins_bmo: frozenset[str] = frozenset()
    departements: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    epci: frozenset[str] = frozenset()
    fap: frozenset[str] = frozenset()
    rome: frozenset[str] = frozenset()
    # Options chosen by the user for this import (e.g. {"register_bassins": True} for BMO).
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReadResult:
    frame: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    vintage: str = ""
    period: str = ""
    nomenclature: str = ""
    rows_read: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors
