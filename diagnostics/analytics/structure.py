"""Structure indicators: change between two periods, location quotients and shift-share (the
basin's rank among its peers: `peers`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .columns import (
    ABSOLUTE_CHANGE,
    ANNUAL_RATE,
    CHANGE,
    CONCENTRATED,
    END_VALUE,
    FIRST_PERIOD,
    FIRST_VALUE,
    INDICATOR,
    INDUSTRY_MIX,
    LAST_PERIOD,
    LAST_VALUE,
    LOCAL_GROWTH,
    LOCAL_SHARE,
    LOCAL_VALUE,
    LOCATION_QUOTIENT,
    NATIONAL_SHARE,
    PERCENT_CHANGE,
    REFERENCE_GROWTH,
    REFERENCE_SHARE,
    REFERENCE_VALUE,
    REGIONAL_SHIFT,
    START_VALUE,
    YEAR,
)
from .common import require_columns
from .periods import period_position

LQ_THRESHOLD = 1.2

CHANGE_COLUMNS = [
    INDICATOR,
    FIRST_PERIOD,
    FIRST_VALUE,
    LAST_PERIOD,
    LAST_VALUE,
    ABSOLUTE_CHANGE,
    PERCENT_CHANGE,
    ANNUAL_RATE,
]


def change_summary(
    series: pd.DataFrame, *, period: str, value: str, indicator: str
) -> pd.DataFrame:
    """Change of `value` between the first and the last period where it is known.

    Input columns: `period` (years, "2023-T3" or "2024-01") and `value` (nullable).
    Output: one row: indicator, first_period, first_value, last_period, last_value,
    absolute_change (last − first), percent_change (last / first − 1, NA when first is 0),
    annual_rate (compound annual rate (last / first)^(1 / years) − 1, years measured between
    the two periods; NA when fewer than two periods or a value ≤ 0). With fewer than one known
    value every field but `indicator` is NA.
    """
    return _change_frame([change_row(series, period=period, value=value, indicator=indicator)])


def change_row(
    series: pd.DataFrame, *, period: str, value: str, indicator: str
) -> dict[str, object]:
    """The one row of `change_summary` as a dict (several are made into one frame with
    `change_frame`, cheaper than concatenating one-row frames)."""
    require_columns(series, [period, value], what="la série")
    known = [
        (p, v)
        for p, v in zip(series[period].tolist(), series[value].tolist(), strict=True)
        if not pd.isna(v)
    ]
    if not known:
        row: dict[str, object] = dict.fromkeys(CHANGE_COLUMNS, pd.NA)
        row[INDICATOR] = indicator
        return row
    # Stable sort on the position in years (as a merge sort of the column would order them).
    ordered = sorted(((period_position(p), p, v) for p, v in known), key=lambda t: t[0])
    first_position, first_period, first_raw = ordered[0]
    last_position, last_period, last_raw = ordered[-1]
    first_value, last_value = float(first_raw), float(last_raw)
    years = float(last_position - first_position)
    percent = last_value / first_value - 1 if first_value != 0 else None
    annual = None
    if years > 0 and first_value > 0 and last_value > 0:
        annual = (last_value / first_value) ** (1 / years) - 1
    return {
        INDICATOR: indicator,
        FIRST_PERIOD: str(first_period),
        FIRST_VALUE: first_value,
        LAST_PERIOD: str(last_period),
        LAST_VALUE: last_value,
        ABSOLUTE_CHANGE: last_value - first_value,
        PERCENT_CHANGE: percent,
        ANNUAL_RATE: annual,
    }


def change_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """`change_row`s as one frame (CHANGE_COLUMNS), in their order."""
    return _change_frame(rows)


def _change_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    for column in (FIRST_VALUE, LAST_VALUE, ABSOLUTE_CHANGE, PERCENT_CHANGE, ANNUAL_RATE):
        frame[column] = pd.array(
            [None if pd.isna(v) else float(v) for v in frame[column]], dtype="Float64"
        )
    for column in (INDICATOR, FIRST_PERIOD, LAST_PERIOD):
        frame[column] = frame[column].astype("string")
    return frame


def location_quotients(
    local: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    key: str,
    value: str,
    threshold: float = LQ_THRESHOLD,
) -> pd.DataFrame:
    """Location quotients LQ(i, r) = (e_ir / e_r) / (E_i / E) of `value` by `key`.

    `local` (the basin) and `reference` (its region, France) have one row per `key` with
    `value` (nullable). Keys absent from a frame count 0; NA values stay unknown and make the
    key's quotient NA (the totals e_r and E add the known values only).
    Output columns: `key`, local_value, local_share (e_ir / e_r), reference_value,
    reference_share (E_i / E), location_quotient, concentrated (LQ > threshold; NA when LQ is).
    Sorted by `key`.
    """
    require_columns(local, [key, value], what="les valeurs du bassin")
    require_columns(reference, [key, value], what="les valeurs de référence")
    for frame, what in ((local, "du bassin"), (reference, "de référence")):
        if frame[key].duplicated().any():
            raise ValueError(f"Clés en double dans les valeurs {what} : colonne {key}")
        if frame[key].isna().any():
            raise ValueError(f"Clés manquantes dans les valeurs {what} : colonne {key}")
    # Plain arrays over the sorted keys (the outer merge, masks and divisions of pandas cost
    # ten times more on these few rows); the same operations on the same values as the
    # nullable Float64 arithmetic, so the same figures to the bit.
    keys = sorted(set(local[key].tolist()) | set(reference[key].tolist()))
    e, e_missing = _aligned(local, key=key, value=value, keys=keys)
    big_e, big_missing = _aligned(reference, key=key, value=value, keys=keys)
    local_share, local_missing = _shares(e, e_missing)
    reference_share, reference_missing = _shares(big_e, big_missing)
    positive = ~reference_missing & (reference_share > 0)
    lq_missing = local_missing | ~positive
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = np.where(lq_missing, 1.0, local_share / np.where(positive, reference_share, 1.0))
    key_dtype = local[key].dtype if local[key].dtype == reference[key].dtype else None
    return pd.DataFrame(
        {
            key: pd.Series(keys, dtype=key_dtype) if key_dtype is not None else keys,
            LOCAL_VALUE: _float64(e, e_missing),
            LOCAL_SHARE: _float64(local_share, local_missing),
            REFERENCE_VALUE: _float64(big_e, big_missing),
            REFERENCE_SHARE: _float64(reference_share, reference_missing),
            LOCATION_QUOTIENT: _float64(lq, lq_missing),
            CONCENTRATED: pd.arrays.BooleanArray(lq > threshold, lq_missing.copy()),
        }
    )


def _aligned(
    frame: pd.DataFrame, *, key: str, value: str, keys: list[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """`frame`'s `value` at each of `keys` as (values, missing): an absent key counts 0, a NA
    value stays unknown."""
    values = frame[value].astype("Float64")
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    missing = values.isna().to_numpy()
    at = dict(zip(frame[key].tolist(), range(len(frame)), strict=True))
    out = np.zeros(len(keys))
    out_missing = np.zeros(len(keys), dtype=bool)
    for i, k in enumerate(keys):
        j = at.get(k)
        if j is not None:
            out[i], out_missing[i] = numbers[j], missing[j]
    return out, out_missing


def _shares(values: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each known value over the sum of the known values (as a nullable Float64 sum takes it);
    all unknown when that sum is not positive."""
    total = np.sum(values, where=~missing)
    if total > 0:
        return values / total, missing.copy()
    return values.copy(), np.ones(len(values), dtype=bool)


def _float64(values: np.ndarray, missing: np.ndarray) -> pd.arrays.FloatingArray:
    return pd.arrays.FloatingArray(np.where(missing, 0.0, values), missing)


def shift_share(
    local: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    key: str,
    value: str,
    start: int,
    end: int,
    time: str = YEAR,
    reference_years: Mapping[int, Mapping[Any, float]] | None = None,
) -> pd.DataFrame:
    """Shift-share decomposition of the change of `value` by `key` between `start` and `end`.

    ΔE_ir = national share E_ir·g_N + industry mix E_ir·(g_iN − g_N) + regional shift
    E_ir·(g_ir − g_iN), where E_ir is the basin's value of key i at `start`, g_ir its growth,
    g_iN the reference's growth for key i and g_N the reference's growth over all keys. The
    regional shift is computed as ΔE_ir − national share − industry mix, which equals the
    formula whenever the growth rates exist and keeps the identity when E_ir = 0 (a key
    appearing in the basin: everything is local).

    Input: `local` and `reference` with columns `time`, `key`, `value` (one row per time and
    key; absent = 0, NA = unknown and the key's components are NA).
    Output columns: `key`, start_value, end_value, change, local_growth (g_ir),
    reference_growth (g_iN), national_share, industry_mix, regional_shift. Sorted by `key`. The
    three parts sum to `change` on every row with known values.

    `reference_years` (optional): `shift_share_reference(reference, …)` already made (the
    same reference for every basin of a batch): the reference is then neither checked nor
    read again.
    """
    checked = [(local, "les valeurs du bassin")]
    if reference_years is None:
        checked.append((reference, "les valeurs de référence"))
    for frame, what in checked:
        require_columns(frame, [time, key, value], what=what)
        if frame.duplicated([time, key]).any():
            raise ValueError(f"Doublons ({time}, {key}) dans {what}")
    if reference_years is None:
        reference_years = shift_share_reference(
            reference, key=key, value=value, years=(start, end), time=time, checked=True
        )

    # Plain arrays over the sorted keys (the same operations on the same values as the
    # nullable Float64 arithmetic, so the same figures to the bit, at a tenth of the cost).
    # A key absent in a year counts 0; so does a NA value (it is filled with 0).
    years: dict[tuple[str, int], Mapping[Any, float]] = {
        ("local", year): _year_values(local, time=time, key=key, value=value, year=year)
        for year in (start, end)
    }
    years.update({("reference", year): reference_years[year] for year in (start, end)})
    keys = sorted({k for values in years.values() for k in values})

    def at(name: str, year: int) -> np.ndarray:
        values = years[(name, year)]
        return np.array([values.get(k, 0.0) for k in keys], dtype="float64")

    e_start, e_end = at("local", start), at("local", end)
    n_start, n_end = at("reference", start), at("reference", end)
    every = np.ones(len(keys), dtype=bool)
    total_start, total_end = np.sum(n_start, where=every), np.sum(n_end, where=every)
    g_n = total_end / total_start - 1 if total_start > 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        g_in = n_end / np.where(n_start > 0, n_start, 1.0) - 1
        g_ir = e_end / np.where(e_start > 0, e_start, 1.0) - 1
    change = e_end - e_start
    national = e_start * g_n
    # A key without basin value at the start contributes nothing through the reference.
    mix = np.where(e_start == 0, 0.0, e_start * (g_in - g_n))
    mix_missing = (n_start <= 0) & (e_start != 0)
    national_missing = np.full(len(keys), math.isnan(g_n))
    regional = change - national - mix
    none = np.zeros(len(keys), dtype=bool)
    return pd.DataFrame(
        {
            key: keys,
            START_VALUE: _float64(e_start, none),
            END_VALUE: _float64(e_end, none),
            CHANGE: _float64(change, none),
            LOCAL_GROWTH: _float64(g_ir, ~(e_start > 0)),
            REFERENCE_GROWTH: _float64(g_in, ~(n_start > 0)),
            NATIONAL_SHARE: _float64(national, national_missing),
            INDUSTRY_MIX: _float64(mix, mix_missing),
            REGIONAL_SHIFT: _float64(regional, national_missing | mix_missing),
        }
    )


def shift_share_reference(
    reference: pd.DataFrame,
    *,
    key: str,
    value: str,
    years: Sequence[int],
    time: str = YEAR,
    checked: bool = False,
) -> dict[int, dict[Any, float]]:
    """The reference's values by key in each of `years` (a NA value as 0), as `shift_share`
    reads them; checked for its columns and duplicates unless `checked`."""
    if not checked:
        require_columns(reference, [time, key, value], what="les valeurs de référence")
        if reference.duplicated([time, key]).any():
            raise ValueError(f"Doublons ({time}, {key}) dans les valeurs de référence")
    return {
        year: _year_values(reference, time=time, key=key, value=value, year=year) for year in years
    }


def _year_values(
    frame: pd.DataFrame, *, time: str, key: str, value: str, year: int
) -> dict[Any, float]:
    """Key → value of `frame` in `year` (a NA value as 0)."""
    rows = frame[frame[time] == year]
    values = rows[value].astype("Float64").to_numpy(dtype="float64", na_value=0.0)
    return dict(zip(rows[key].tolist(), values.tolist(), strict=True))
