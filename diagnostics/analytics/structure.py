"""Structure and comparison indicators: change between two periods, location quotients,
shift-share, and the basin's rank among basins of the same size band and of its region."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

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
    MEDIAN,
    NATIONAL_SHARE,
    PEER_ID,
    PEERS,
    PERCENT_CHANGE,
    PERCENTILE,
    POPULATION,
    RANK,
    REFERENCE_GROWTH,
    REFERENCE_SHARE,
    REFERENCE_VALUE,
    REGION_CODE,
    REGION_PEERS,
    REGION_RANK,
    REGION_VALUE,
    REGIONAL_SHIFT,
    SIZE_BAND,
    START_VALUE,
    VALUE,
    YEAR,
)
from .common import format_number, require_columns
from .periods import period_position

LQ_THRESHOLD = 1.2
# Population bands of basins compared together. The programme targets 30 000-100 000.
SIZE_BAND_EDGES: tuple[int, ...] = (0, 30_000, 100_000, 250_000, 500_000)

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
    require_columns(series, [period, value], what="la série")
    known = series[series[value].notna()]
    if known.empty:
        row: dict[str, object] = dict.fromkeys(CHANGE_COLUMNS, pd.NA)
        row[INDICATOR] = indicator
        return _change_frame([row])
    positions = known[period].map(period_position)
    ordered = known.assign(_pos=positions).sort_values("_pos", kind="mergesort")
    first_period, last_period = ordered[period].iloc[0], ordered[period].iloc[-1]
    first_value, last_value = float(ordered[value].iloc[0]), float(ordered[value].iloc[-1])
    years = float(ordered["_pos"].iloc[-1] - ordered["_pos"].iloc[0])
    percent = last_value / first_value - 1 if first_value != 0 else None
    annual = None
    if years > 0 and first_value > 0 and last_value > 0:
        annual = (last_value / first_value) ** (1 / years) - 1
    return _change_frame(
        [
            {
                INDICATOR: indicator,
                FIRST_PERIOD: str(first_period),
                FIRST_VALUE: first_value,
                LAST_PERIOD: str(last_period),
                LAST_VALUE: last_value,
                ABSOLUTE_CHANGE: last_value - first_value,
                PERCENT_CHANGE: percent,
                ANNUAL_RATE: annual,
            }
        ]
    )


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
    merged = (
        local[[key, value]]
        .rename(columns={value: LOCAL_VALUE})
        .merge(
            reference[[key, value]].rename(columns={value: REFERENCE_VALUE}), on=key, how="outer"
        )
        .sort_values(key, kind="mergesort")
        .reset_index(drop=True)
    )
    local_present = merged[key].isin(local[key])
    reference_present = merged[key].isin(reference[key])
    e = merged[LOCAL_VALUE].astype("Float64").mask(~local_present, 0.0)
    big_e = merged[REFERENCE_VALUE].astype("Float64").mask(~reference_present, 0.0)
    e_total, big_total = e.sum(), big_e.sum()
    local_share = e / e_total if e_total > 0 else e * pd.NA
    reference_share = big_e / big_total if big_total > 0 else big_e * pd.NA
    lq = (local_share / reference_share.where(reference_share > 0)).astype("Float64")
    out = merged.copy()
    out[LOCAL_VALUE] = e
    out[LOCAL_SHARE] = local_share.astype("Float64")
    out[REFERENCE_VALUE] = big_e
    out[REFERENCE_SHARE] = reference_share.astype("Float64")
    out[LOCATION_QUOTIENT] = lq
    out[CONCENTRATED] = (lq > threshold).astype("boolean")
    return out[
        [
            key,
            LOCAL_VALUE,
            LOCAL_SHARE,
            REFERENCE_VALUE,
            REFERENCE_SHARE,
            LOCATION_QUOTIENT,
            CONCENTRATED,
        ]
    ]


def shift_share(
    local: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    key: str,
    value: str,
    start: int,
    end: int,
    time: str = YEAR,
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
    """
    for frame, what in ((local, "les valeurs du bassin"), (reference, "les valeurs de référence")):
        require_columns(frame, [time, key, value], what=what)
        if frame.duplicated([time, key]).any():
            raise ValueError(f"Doublons ({time}, {key}) dans {what}")

    def wide(frame: pd.DataFrame) -> pd.DataFrame:
        # One column per year; a key absent in a year counts 0, a NA value stays unknown.
        columns = {}
        for year in (start, end):
            rows = frame[frame[time] == year]
            columns[year] = pd.Series(
                rows[value].astype("Float64").to_numpy(), index=rows[key].to_numpy()
            )
        out = pd.DataFrame(columns)
        for year in (start, end):
            present = out.index.isin(columns[year].index)
            out[year] = out[year].astype("Float64").mask(~present, 0.0)
        return out

    loc, ref = wide(local), wide(reference)
    keys = sorted(set(loc.index) | set(ref.index))
    loc = loc.reindex(keys).fillna(0.0)
    ref = ref.reindex(keys).fillna(0.0)
    e_start, e_end = loc[start].astype("Float64"), loc[end].astype("Float64")
    n_start, n_end = ref[start].astype("Float64"), ref[end].astype("Float64")
    total_start, total_end = n_start.sum(), n_end.sum()
    g_n = total_end / total_start - 1 if total_start > 0 else math.nan
    g_in = (n_end / n_start.where(n_start > 0) - 1).astype("Float64")
    g_ir = (e_end / e_start.where(e_start > 0) - 1).astype("Float64")
    change = e_end - e_start
    national = e_start * g_n if not math.isnan(g_n) else e_start * pd.NA
    mix = (e_start * (g_in - g_n)).astype("Float64")
    # A key without basin value at the start contributes nothing through the reference.
    mix = mix.mask(e_start == 0, 0.0)
    regional = change - national - mix
    out = pd.DataFrame(
        {
            key: keys,
            START_VALUE: e_start.to_numpy(),
            END_VALUE: e_end.to_numpy(),
            CHANGE: change.to_numpy(),
            LOCAL_GROWTH: g_ir.to_numpy(),
            REFERENCE_GROWTH: g_in.to_numpy(),
            NATIONAL_SHARE: national.astype("Float64").to_numpy(),
            INDUSTRY_MIX: mix.to_numpy(),
            REGIONAL_SHIFT: regional.astype("Float64").to_numpy(),
        }
    )
    for column in out.columns[1:]:
        out[column] = out[column].astype("Float64")
    return out


def size_band(population: float | None, *, edges: Sequence[int] = SIZE_BAND_EDGES) -> str | None:
    """The French label of a population's band: « 30 000 à 100 000 hab. », « 500 000 hab. et
    plus ». None for an unknown population."""
    if population is None or pd.isna(population):
        return None
    bounds = list(edges)
    for low, high in zip(bounds, bounds[1:], strict=False):
        if low <= population < high:
            return _band_label(low, high)
    return f"{format_number(bounds[-1])} hab. et plus"


def _band_label(low: float, high: float) -> str:
    if low == 0:
        return f"moins de {format_number(high)} hab."
    return f"{format_number(low)} à {format_number(high)} hab."


def size_bands(populations: pd.Series, *, edges: Sequence[int] = SIZE_BAND_EDGES) -> np.ndarray:
    """`size_band` of every population of the series at once (an object array: the label, or
    None for an unknown population): the first band holding the value, else the last one."""
    values = pd.to_numeric(populations, errors="coerce").astype("float64").to_numpy()
    bounds = list(edges)
    out = np.full(len(values), f"{format_number(bounds[-1])} hab. et plus", dtype=object)
    placed = np.isnan(values)
    out[placed] = None
    for low, high in zip(bounds, bounds[1:], strict=False):
        inside = ~placed & (low <= values) & (values < high)
        out[inside] = _band_label(low, high)
        placed |= inside
    return out


def _rank_and_percentile(values: np.ndarray, value: float) -> tuple[int, float]:
    """Rank (1 = highest) and percentile rank (100 × (below + ½ equal) / n) of `value`."""
    below = float(np.sum(values < value))
    equal = float(np.sum(values == value))
    above = int(np.sum(values > value))
    return above + 1, 100 * (below + 0.5 * equal) / len(values)


def peer_comparison(
    peers: pd.DataFrame,
    *,
    basin: Mapping[str, object],
    indicators: Sequence[str],
    region_values: Mapping[str, float | None] | None = None,
    edges: Sequence[int] = SIZE_BAND_EDGES,
) -> pd.DataFrame:
    """The basin's rank and percentile among basins of its population band and of its region.

    `peers`: one row per other basin with columns peer_id, population, region_code and the
    `indicators` (nullable numbers); a row whose peer_id is the basin's is ignored.
    `basin`: peer_id, population, region_code and the indicators' values.
    `region_values`: the region's own value of each indicator (aggregate), when known.
    Output, one row per indicator: indicator, value, size_band, peers (basins of the band with
    a known value, the basin included), rank (1 = highest value), percentile (100 × (values
    below + ½ values equal) / peers), median (of the band), region_value, region_peers,
    region_rank. Values NA when the basin's value is unknown. In `indicators` order.
    """
    require_columns(
        peers, [PEER_ID, POPULATION, REGION_CODE, *indicators], what="les bassins comparés"
    )
    band = size_band(_as_float(basin.get(POPULATION)), edges=edges)
    others = peers[peers[PEER_ID].astype(str) != str(basin.get(PEER_ID))]
    peer_bands = size_bands(others[POPULATION], edges=edges)
    same_band = others[peer_bands == band] if band is not None else others.iloc[0:0]
    same_region = others[others[REGION_CODE].astype(str) == str(basin.get(REGION_CODE))]
    rows = []
    for indicator in indicators:
        value = _as_float(basin.get(indicator))
        row: dict[str, object] = {
            INDICATOR: indicator,
            VALUE: value,
            SIZE_BAND: band,
            PEERS: None,
            RANK: None,
            PERCENTILE: None,
            MEDIAN: None,
            REGION_VALUE: (region_values or {}).get(indicator),
            REGION_PEERS: None,
            REGION_RANK: None,
        }
        if value is not None:
            band_values = _known(same_band[indicator])
            values = np.append(band_values, value)
            rank, percentile = _rank_and_percentile(values, value)
            row.update(
                {
                    PEERS: len(values),
                    RANK: rank,
                    PERCENTILE: percentile,
                    MEDIAN: float(np.median(values)),
                }
            )
            region = np.append(_known(same_region[indicator]), value)
            row.update(
                {REGION_PEERS: len(region), REGION_RANK: _rank_and_percentile(region, value)[0]}
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    for column in (VALUE, PERCENTILE, MEDIAN, REGION_VALUE):
        out[column] = pd.array(
            [None if v is None or pd.isna(v) else float(v) for v in out[column]], dtype="Float64"
        )
    for column in (PEERS, RANK, REGION_PEERS, REGION_RANK):
        out[column] = pd.array(
            [None if v is None or pd.isna(v) else int(v) for v in out[column]], dtype="Int64"
        )
    return out


def _known(values: pd.Series) -> np.ndarray:
    numeric = pd.to_numeric(values, errors="coerce").astype("Float64")
    return numeric.dropna().to_numpy(dtype=float)


def _as_float(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # pd.NA and non-numbers
    return None if math.isnan(number) else number
