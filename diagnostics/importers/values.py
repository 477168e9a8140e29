"""Vectorised validation of the values of a read frame: header aliases → canonical columns
(`match_columns`), French numbers with the secret marker (`parse_numbers`), counts and rates
checked into `RowError`s."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.importers.contract import LINE, SECRET_MARKERS, ImportFileError, RowError

# --- Labels and columns ------------------------------------------------------------------------


def normalize_label(label: object) -> str:
    """Header comparison key: no accents, lower case, spaces/underscores/dashes collapsed."""
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\s_\-'’.]+", " ", text.lower()).strip()
    return text


def with_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The frame with each of `columns` it lacks added, empty (an optional column the file leaves
    out: `match_columns(..., optional=...)`)."""
    missing = [c for c in columns if c not in frame.columns]
    return frame.assign(**{c: pd.Series(pd.NA, index=frame.index, dtype="string") for c in missing})


def match_columns(
    frame: pd.DataFrame,
    spec: Mapping[str, Sequence[str]],
    *,
    file_label: str,
    optional: Iterable[str] = (),
) -> pd.DataFrame:
    """Rename the frame's columns to canonical names: `spec` maps canonical → accepted headers
    (compared with `normalize_label`). A missing required column raises `ImportFileError`
    naming it and listing the columns found. Unlisted columns are kept as they are."""
    optional = set(optional)
    by_key = {normalize_label(c): c for c in frame.columns if c != LINE}
    renames: dict[str, str] = {}
    missing: list[str] = []
    for canonical, aliases in spec.items():
        found = next(
            (
                by_key[normalize_label(a)]
                for a in (canonical, *aliases)
                if normalize_label(a) in by_key
            ),
            None,
        )
        if found is None:
            if canonical not in optional:
                missing.append(f"« {aliases[0] if aliases else canonical} »")
            continue
        renames[found] = canonical
    if missing:
        found_cols = ", ".join(str(c) for c in frame.columns if c != LINE) or "(aucune)"
        noun = "Colonne manquante" if len(missing) == 1 else "Colonnes manquantes"
        raise ImportFileError(
            f"{noun} dans {file_label} : {', '.join(missing)}. Colonnes trouvées : {found_cols}."
        )
    return frame.rename(columns=renames)


# --- Values ----------------------------------------------------------------------------------


@dataclass
class ParsedNumbers:
    """Vectorised parse of a text column: `values` (float64, NaN where not a number),
    `secret` (secret marker such as `*`), `missing` (empty), `invalid` (text that is no number)."""

    values: pd.Series
    secret: pd.Series
    missing: pd.Series
    invalid: pd.Series

    @property
    def numbers(self) -> pd.Series:
        """Alias of `values` (reads better, and ruff's PD011 does not mistake it for pandas')."""
        return self.values


def parse_numbers(
    series: pd.Series, *, secret_markers: Sequence[str] = SECRET_MARKERS
) -> ParsedNumbers:
    """Parse numbers written the French or the English way: `1 234,5`, `1234.5`, `1.234,5`,
    `12,5 %`. Secret markers become NA with `secret` set (never 0)."""
    index = series.index
    raw = object_values(series)
    # Fast path: plain numbers (the vast majority) parse in C; only the rest is cleaned.
    values = pd.to_numeric(pd.Series(raw, index=index, dtype=object), errors="coerce")
    values = values.astype("float64")
    values[~np.isfinite(values.to_numpy())] = np.nan
    missing = np.zeros(len(raw), dtype=bool)
    secret = np.zeros(len(raw), dtype=bool)
    invalid = np.zeros(len(raw), dtype=bool)
    markers = set(secret_markers)
    todo = np.flatnonzero(values.isna().to_numpy())
    if len(todo):
        fixed: dict[int, float] = {}
        for pos in todo:
            value = raw[pos]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                invalid[pos] = True  # NaN or infinite number
                continue
            text = "" if value is None else str(value).strip()
            if not text:
                missing[pos] = True
            elif text in markers:
                secret[pos] = True
            else:
                number = _parse_french_number(text)
                if number is None:
                    invalid[pos] = True
                else:
                    fixed[int(pos)] = number
        if fixed:
            positions = np.fromiter(fixed.keys(), dtype=np.int64, count=len(fixed))
            numbers = np.fromiter(fixed.values(), dtype=np.float64, count=len(fixed))
            array = values.to_numpy(copy=True)
            array[positions] = numbers
            values = pd.Series(array, index=index, dtype="float64")
    return ParsedNumbers(
        values=values,
        secret=pd.Series(secret, index=index),
        missing=pd.Series(missing, index=index),
        invalid=pd.Series(invalid, index=index),
    )


_SPACES = re.compile(r"[\s\u00a0\u202f%]")


def _parse_french_number(text: str) -> float | None:
    cleaned = _SPACES.sub("", text)
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "")
        else:
            cleaned = cleaned.replace(",", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", cleaned):
        return None
    number = float(cleaned)
    return number if np.isfinite(number) else None


def row_errors(
    frame: pd.DataFrame,
    mask: pd.Series,
    column: str,
    rule: str | Callable[[Any], str],
    *,
    value_column: str | None = None,
    display_column: str | None = None,
) -> list[RowError]:
    """RowErrors for the rows where `mask` is true: line from `LINE`, value from the column."""
    mask = mask.fillna(False).astype(bool) if mask.dtype != bool else mask
    if not mask.any():
        return []
    sub = frame.loc[mask]
    lines = sub[LINE].tolist() if LINE in sub.columns else [None] * len(sub)
    source = value_column or column
    values = sub[source].tolist() if source in sub.columns else [None] * len(sub)
    label = display_column or column
    out = []
    for line, value in zip(lines, values, strict=True):
        if value is pd.NA:
            value = None
        text = rule(value) if callable(rule) else rule
        out.append(
            RowError(
                line=int(line) if line is not None else None, column=label, value=value, rule=text
            )
        )
    return out


def _parsed_with_errors(
    frame: pd.DataFrame,
    column: str,
    errors: list[RowError],
    allow_secret: bool,
    allow_missing: bool,
    display_column: str | None,
) -> tuple[ParsedNumbers, str]:
    """The column parsed, with a RowError appended for each value that is not a number, secret
    where not allowed or missing where not allowed; and the column's label in those errors."""
    parsed = parse_numbers(frame[column])
    label = display_column or column
    errors += row_errors(frame, parsed.invalid, column, "n'est pas un nombre", display_column=label)
    if not allow_secret:
        errors += row_errors(
            frame, parsed.secret, column, "valeur secrète non admise ici", display_column=label
        )
    if not allow_missing:
        errors += row_errors(
            frame, parsed.missing, column, "valeur manquante", display_column=label
        )
    return parsed, label


# No count of these statistics comes near it (France has 68 million inhabitants); beyond it a
# value is a typing slip, and beyond 2⁶³ it would not even fit the integer column.
MAX_COUNT = 10**12
MAX_COUNT_RULE = "nombre invraisemblable : au plus 1 000 000 000 000"


def check_count(
    frame: pd.DataFrame,
    column: str,
    errors: list[RowError],
    *,
    allow_secret: bool = True,
    allow_missing: bool = False,
    display_column: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Validate a count column (integer ≥ 0, or secret marker). Returns (Int64 values with NA for
    secret/missing/invalid, bool `masked` flag for secret cells); appends RowErrors."""
    parsed, label = _parsed_with_errors(
        frame, column, errors, allow_secret, allow_missing, display_column
    )
    values = parsed.numbers
    not_int = values.notna() & (values != np.floor(values))
    errors += row_errors(frame, not_int, column, "doit être un nombre entier", display_column=label)
    negative = values.notna() & (values < 0)
    errors += row_errors(
        frame, negative, column, "doit être positif ou nul (≥ 0)", display_column=label
    )
    too_big = values.notna() & (values > MAX_COUNT)
    errors += row_errors(frame, too_big, column, MAX_COUNT_RULE, display_column=label)
    good = values.where(~(not_int | negative | too_big))
    out = good.round().astype("Int64")
    return out, parsed.secret


def check_rate(
    frame: pd.DataFrame,
    column: str,
    errors: list[RowError],
    *,
    low: float = 0.0,
    high: float = 100.0,
    allow_secret: bool = True,
    allow_missing: bool = False,
    display_column: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Validate a rate/percentage column within [low, high]. Returns (float64 values, NaN when
    secret/missing/invalid; bool `masked` flag); appends RowErrors."""
    parsed, label = _parsed_with_errors(
        frame, column, errors, allow_secret, allow_missing, display_column
    )
    values = parsed.numbers
    out_of_range = values.notna() & ((values < low) | (values > high))
    errors += row_errors(
        frame,
        out_of_range,
        column,
        f"doit être compris entre {low:g} et {high:g}",
        display_column=label,
    )
    return values.where(~out_of_range), parsed.secret


def object_values(series: pd.Series) -> np.ndarray:
    """The values as an object array with None for every missing value."""
    return np.asarray(series.astype(object).where(series.notna(), None), dtype=object)
