"""Entry checks and French number formatting shared by the diagnostic engine."""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    """Raise a ValueError naming the columns of `columns` that `frame` lacks.

    `what` names the frame in French (« faits BMO », « table de passage des communes »...).
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes dans {what} : {', '.join(missing)}")


def plotly_text(value: object) -> str:
    """A string from data or user input (a basin's name, a commune's, a site's...) made safe
    for plotly's pseudo-HTML: hover text and templates, `text`, `customdata` shown in a hover,
    legend names, category labels. `<b onmouseover=...>` is shown as typed, never parsed as a
    tag; plotly turns the entities back into the characters. None → ""."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def list_examples(values: Sequence[object], *, limit: int = 10) -> str:
    """« a, b, c » or « a, b, c… (25 au total) » for an error message."""
    shown = ", ".join(str(v) for v in values[:limit])
    if len(values) > limit:
        return f"{shown}… ({len(values)} au total)"
    return shown


NBSP = "\u202f"  # narrow no-break space: French thousands separator and before « % »


def format_number(value: float, *, decimals: int = 0) -> str:
    """French formatting: 12 345 or 12 345,6 (narrow no-break spaces)."""
    text = f"{value:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return text


def format_percent(share: float, *, decimals: int = 1) -> str:
    """A share (0.973) as « 97,3 % »."""
    return f"{format_number(share * 100, decimals=decimals)}{NBSP}%"


def group_index(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of every row of `frame` by the columns `by`, and the groups' keys.

    Returns (inverse, keys): `inverse[i]` is row i's group, `keys` one row per group sorted by
    `by` (NA keys kept as their own group, last). Used with `np.bincount` this aggregates much
    faster than a pandas groupby on nullable columns, which matters on 240 000 BMO cells.
    """
    if not by:
        return np.zeros(len(frame), dtype=np.intp), pd.DataFrame(index=range(1))
    codes = []
    uniques = []
    for column in by:
        code, unique = pd.factorize(frame[column], sort=True, use_na_sentinel=False)
        codes.append(code)
        uniques.append(unique)
    sizes = tuple(max(len(u), 1) for u in uniques)
    combined = np.ravel_multi_index(codes, sizes) if len(by) > 1 else codes[0]
    present, inverse = np.unique(combined, return_inverse=True)
    parts = np.unravel_index(present, sizes) if len(by) > 1 else (present,)
    keys = pd.DataFrame(
        {column: unique.take(part) for column, unique, part in zip(by, uniques, parts, strict=True)}
    )
    for column in by:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            continue
        keys[column] = keys[column].astype(frame[column].dtype)
    return inverse.reshape(-1), keys


def group_sums(inverse: np.ndarray, groups: int, values: np.ndarray) -> np.ndarray:
    """Σ of `values` (float64) per group number."""
    return np.bincount(inverse, weights=values, minlength=groups)


def shared(
    cache: dict[Hashable, Any] | None, key: Hashable, source: object, build: Callable[[], T]
) -> T:
    """`build()` once per `key` and `source` object in `cache` (a batch's contexts share it);
    `source` (the frame the value is derived from) is kept with the value, so a value is never
    handed out for another frame that reused a freed frame's id. No cache: `build()`."""
    if cache is None:
        return build()
    found = cache.get(key)
    if found is None or found[0] is not source:
        found = (source, build())
        cache[key] = found
    value: T = found[1]
    return value
