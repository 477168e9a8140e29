"""Codes of a read frame: normalised to their width (`1001` → `01001`), merged communes mapped
through `ValidationContext.code_changes`, checked against the known codes, a pattern, and for
duplicates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.importers.contract import LINE, RowError, ValidationContext
from diagnostics.importers.values import object_values, row_errors

# --- Codes -----------------------------------------------------------------------------------


def normalize_code(series: pd.Series, *, width: int) -> pd.Series:
    """Text codes with their leading zeros restored: `51` → `0051` (width 4), `1001.0` → `01001`.
    Codes with letters (`2A004`) are only stripped."""
    cache: dict[Any, Any] = {}

    def one(value: Any) -> Any:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return None
        text = str(value).strip()
        if _TRAILING_ZERO_DECIMALS.search(text):
            text = _TRAILING_ZERO_DECIMALS.sub("", text)
        if not text:
            return None
        if text.isdigit() and len(text) < width:
            return text.zfill(width)
        return text

    values = object_values(series)
    out = np.empty(len(values), dtype=object)
    out[:] = [cache[v] if v in cache else cache.setdefault(v, one(v)) for v in values]
    return pd.Series(out, index=series.index, dtype=object)


_TRAILING_ZERO_DECIMALS = re.compile(r"\.0+$")


def normalize_commune_codes(series: pd.Series) -> pd.Series:
    """INSEE commune codes as 5 characters: `1001` → `01001`; `2A004` unchanged."""
    return normalize_code(series, width=5)


def normalize_departement_codes(series: pd.Series) -> pd.Series:
    """`1` → `01`; `2A`, `971` unchanged."""
    return normalize_code(series, width=2)


def map_commune_codes(codes: pd.Series, context: ValidationContext) -> tuple[pd.Series, pd.Series]:
    """Map old (merged) commune codes to their current code through `context.code_changes`
    (following chains). Returns (mapped codes, bool `remapped`). Codes already current stay."""
    if not context.code_changes:
        return codes, pd.Series(False, index=codes.index)
    current = context.communes
    mapping: dict[str, str] = {}
    for old in set(codes.dropna().unique()) - set(current):
        new, steps = context.code_changes.get(old), 0
        while new is not None and new not in current and steps < 10:
            nxt = context.code_changes.get(new)
            if nxt is None or nxt == new:
                break
            new, steps = nxt, steps + 1
        if new is not None and new != old:
            mapping[old] = new
    if not mapping:
        return codes, pd.Series(False, index=codes.index)
    mapped = codes.map(lambda c: mapping.get(c, c) if isinstance(c, str) else c).astype(object)
    return mapped, codes.isin(list(mapping)).fillna(False).astype(bool)


def check_codes(
    frame: pd.DataFrame,
    column: str,
    known: frozenset[str] | set[str],
    errors: list[RowError],
    *,
    referential: str,
    allow_missing: bool = False,
    display_column: str | None = None,
    value_column: str | None = None,
) -> pd.Series:
    """Check codes against a referential; returns the bool mask of unknown codes (row errors are
    appended: "code inconnu du référentiel <referential>"). An empty referential is the caller's
    problem (refuse the file with a clear message: load the territories first)."""
    codes = frame[column]
    missing = codes.isna()
    label = display_column or column
    if not allow_missing:
        errors += row_errors(
            frame, missing, column, "code manquant", display_column=label, value_column=value_column
        )
    unknown = ~missing & ~codes.isin(list(known)).fillna(False).astype(bool)
    errors += row_errors(
        frame,
        unknown,
        column,
        f"code inconnu du référentiel {referential}",
        display_column=label,
        value_column=value_column,
    )
    return unknown


def check_pattern(
    frame: pd.DataFrame,
    column: str,
    pattern: str,
    errors: list[RowError],
    *,
    rule: str,
    allow_missing: bool = False,
    display_column: str | None = None,
) -> pd.Series:
    """Check a text column against a regex (full match); returns the bool mask of bad values."""
    codes = frame[column]
    missing = codes.isna()
    label = display_column or column
    if not allow_missing:
        errors += row_errors(frame, missing, column, "valeur manquante", display_column=label)
    regex = re.compile(pattern)
    cache: dict[Any, bool] = {}
    matches = [
        cache[v] if v in cache else cache.setdefault(v, bool(regex.fullmatch(str(v))))
        for v in object_values(codes)
    ]
    bad = ~missing & ~pd.Series(matches, index=codes.index, dtype=bool)
    errors += row_errors(frame, bad, column, rule, display_column=label)
    return bad


def check_duplicates(
    frame: pd.DataFrame,
    keys: Sequence[str],
    errors: list[RowError],
    *,
    display_column: str | None = None,
) -> pd.Series:
    """Every repeated natural key after its first occurrence is an error naming the first line.
    Returns the bool mask of duplicated rows."""
    dup = frame.duplicated(list(keys), keep="first")
    if not dup.any():
        return dup
    firsts = (
        frame.loc[~dup & frame.duplicated(list(keys), keep=False), [*keys, LINE]]
        .set_index(list(keys))[LINE]
        .to_dict()
    )
    label = display_column or " + ".join(keys)
    sub = frame.loc[dup]
    for _, row in sub.iterrows():
        key = tuple(row[k] for k in keys)
        first = firsts.get(key if len(keys) > 1 else key[0])
        value = " / ".join("" if v is pd.NA else str(v) for v in key)
        errors.append(
            RowError(
                line=int(row[LINE]),
                column=label,
                value=value,
                rule=f"clé en double (déjà présente ligne {first})",
            )
        )
    return dup


def error_lines(errors: Iterable[RowError]) -> int:
    """Number of distinct lines with at least one error (a file-level error counts as one)."""
    return len({e.line for e in errors})
