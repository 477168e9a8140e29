"""Low-level reading of the territory files: CSV columns and INSEE sheets found by their header,
code / number / uniqueness checks that name the file and the column, the vintages read, and the
error that refuses a file (`TerritoryFileError`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from diagnostics.analytics.communes import invalid_codes
from diagnostics.errors import ApplicationError

COG_VINTAGE = 2025
POPULATION_VINTAGE = 2026
CODE_CHANGES_YEAR = 2025
HEADER_SEARCH_ROWS = 30
ERROR_EXAMPLES = 5


class TerritoryFileError(ApplicationError):
    """A territory file cannot be used as a whole: absent, unreadable, wrong sheet, missing
    column or invalid values. The message names the file, the sheet or column, and what was
    expected."""

    code = "territory_file_error"


@dataclass(frozen=True)
class Zoning:
    """A zoning read from one file: its zones and the commune → zone composition."""

    zones: pd.DataFrame
    composition: pd.DataFrame  # CODE (commune), <zone column>


# --- low-level reading ------------------------------------------------------------------------


def require_file(path: Path) -> None:
    if not path.is_file():
        raise TerritoryFileError(f"Fichier introuvable : {path}.", extra={"file": str(path)})


def read_csv_columns(
    path: Path, *, required: list[str], sep: str = ",", label: str
) -> pd.DataFrame:
    """A CSV read as strings (empty cells as <NA>), checked for the `required` columns."""
    require_file(path)
    try:
        frame = pd.read_csv(
            path, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible en CSV (séparateur « {sep} », UTF-8) : "
            f"{exc}.",
            extra={"file": str(path)},
        ) from exc
    frame.columns = [str(col).strip() for col in frame.columns]
    missing = [col for col in required if col not in frame.columns]
    if missing:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) : colonne(s) {quoted(missing)} absente(s). "
            f"Colonnes attendues : {quoted(required)} ; colonnes trouvées : "
            f"{quoted(frame.columns.tolist())}.",
            extra={"file": str(path), "missing_columns": missing},
        )
    return frame


def read_insee_sheet(path: Path, *, sheet: str, required: list[str], label: str) -> pd.DataFrame:
    """One sheet of an INSEE XLSX as published: a few title lines, a line of French labels, then
    the line of variable names (`required` must all be on it), then the data."""
    require_file(path)
    try:
        workbook = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for a non-XLSX file
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible comme classeur Excel : {exc}.",
            extra={"file": str(path)},
        ) from exc
    with workbook:
        sheets = [str(name) for name in workbook.sheet_names]
        if sheet not in sheets:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}) : feuille « {sheet} » absente. "
                f"Feuilles trouvées : {quoted(sheets)}.",
                extra={"file": str(path), "sheet": sheet},
            )
        raw = pd.read_excel(workbook, sheet_name=sheet, header=None, dtype=str)
    header_row = None
    for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
        values = {str(v).strip() for v in raw.iloc[i].tolist() if pd.notna(v)}
        if set(required) <= values:
            header_row = i
            break
    if header_row is None:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), feuille « {sheet} » : aucune ligne d'en-tête avec "
            f"les colonnes {quoted(required)} dans les {HEADER_SEARCH_ROWS} premières lignes.",
            extra={"file": str(path), "sheet": sheet, "missing_columns": required},
        )
    frame = raw.iloc[header_row + 1 :].copy()
    frame.columns = [
        str(v).strip() if pd.notna(v) else f"_col{i}" for i, v in enumerate(raw.iloc[header_row])
    ]
    frame = frame.dropna(how="all")
    # Keep the spreadsheet row number (1-based) for error messages.
    frame.index = frame.index + 1
    return frame.astype("string")


def quoted(values: list[str]) -> str:
    return ", ".join(f"« {v} »" for v in values)


def check_territory_codes(
    frame: pd.DataFrame,
    column: str,
    pattern: str,
    *,
    path: Path,
    source_column: str,
    label: str,
    line_offset: int = 2,
) -> None:
    """Refuse the file when codes are missing or malformed, naming a few lines."""
    bad = invalid_codes(frame[column], pattern)
    if len(bad):
        examples = "; ".join(
            f"ligne {int(str(idx)) + line_offset} : « {'' if pd.isna(v) else v} »"
            for idx, v in bad.head(ERROR_EXAMPLES).items()
        )
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), colonne « {source_column} » : {len(bad)} code(s) "
            f"absent(s) ou invalide(s) ({examples}).",
            extra={"file": str(path), "column": source_column, "count": int(len(bad))},
        )


def check_territory_numbers(
    frame: pd.DataFrame,
    column: str,
    *,
    path: Path,
    source_column: str,
    label: str,
    minimum: float | None = None,
    maximum: float | None = None,
    line_offset: int = 2,
) -> pd.Series:
    raw = frame[column]
    numbers = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
    bad = raw.notna() & numbers.isna()
    if minimum is not None:
        bad |= numbers < minimum
    if maximum is not None:
        bad |= numbers > maximum
    if bad.any():
        examples = "; ".join(
            f"ligne {int(str(idx)) + line_offset} : « {v} »"
            for idx, v in raw[bad].head(ERROR_EXAMPLES).items()
        )
        expected = "un nombre"
        if minimum is not None and maximum is not None:
            expected = f"un nombre entre {minimum} et {maximum}"
        elif minimum is not None:
            expected = f"un nombre ≥ {minimum}"
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), colonne « {source_column} » : {int(bad.sum())} "
            f"valeur(s) invalide(s), attendu {expected} ({examples}).",
            extra={"file": str(path), "column": source_column, "count": int(bad.sum())},
        )
    return numbers


def check_unique(
    frame: pd.DataFrame, column: str, *, path: Path, source_column: str, label: str
) -> None:
    dup = frame[column][frame[column].duplicated()]
    if len(dup):
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), colonne « {source_column} » : {len(dup)} code(s) en "
            f"double ({quoted(sorted(set(dup))[:ERROR_EXAMPLES])}).",
            extra={"file": str(path), "column": source_column},
        )


def mode_name(frame: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    """One name per code: the most frequent spelling (ties: alphabetical)."""
    counts = frame.groupby([key, name]).size().reset_index(name="_n")
    counts = counts.sort_values([key, "_n", name], ascending=[True, False, True])
    return counts.drop_duplicates(key)[[key, name]]
