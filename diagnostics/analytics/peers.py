"""Comparison with peers: the basin's population size band, and its rank and percentile among
the basins of the same band and of its region (`peer_comparison`)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .columns import (
    INDICATOR,
    MEDIAN,
    PEER_ID,
    PEERS,
    PERCENTILE,
    POPULATION,
    RANK,
    REGION_CODE,
    REGION_PEERS,
    REGION_RANK,
    REGION_VALUE,
    SIZE_BAND,
    VALUE,
)
from .common import format_number, require_columns, shared

# Population bands of basins compared together. The programme targets 30 000-100 000.
SIZE_BAND_EDGES: tuple[int, ...] = (0, 30_000, 100_000, 250_000, 500_000)


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
    cache: dict[Hashable, Any] | None = None,
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
    `cache` (optional, `common.shared`): what is read of `peers` (bands, regions, values) is
    made once for the basins of a batch comparing themselves with the same peers.
    """
    require_columns(
        peers, [PEER_ID, POPULATION, REGION_CODE, *indicators], what="les bassins comparés"
    )
    band = size_band(_as_float(basin.get(POPULATION)), edges=edges)
    arrays = shared(
        cache,
        ("peer_arrays", tuple(indicators), tuple(edges)),
        peers,
        lambda: _peer_arrays(peers, indicators=indicators, edges=edges),
    )
    # The other basins of the band and of the region as masks over `peers` (the same rows in
    # the same order as filtering the frame of the others once per indicator).
    others = arrays.ids != str(basin.get(PEER_ID))
    in_band = (
        others & np.asarray(arrays.bands == band, dtype=bool)
        if band is not None
        else np.zeros(len(others), dtype=bool)
    )
    in_region = others & (arrays.regions == str(basin.get(REGION_CODE)))
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
            numbers, known = arrays.indicators[indicator]
            band_values = numbers[in_band & known]
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
            region = np.append(numbers[in_region & known], value)
            row.update(
                {REGION_PEERS: len(region), REGION_RANK: _rank_and_percentile(region, value)[0]}
            )
        rows.append(row)
    if not rows:
        out = pd.DataFrame(rows)
        for column in (VALUE, PERCENTILE, MEDIAN, REGION_VALUE):
            out[column] = pd.array([], dtype="Float64")
        for column in (PEERS, RANK, REGION_PEERS, REGION_RANK):
            out[column] = pd.array([], dtype="Int64")
        return out
    # Column by column from the rows (one frame made once, not a frame then eight columns
    # replaced).
    floats = (VALUE, PERCENTILE, MEDIAN, REGION_VALUE)
    integers = (PEERS, RANK, REGION_PEERS, REGION_RANK)
    columns: dict[str, Any] = {}
    for column in rows[0]:
        cells: list[Any] = [row[column] for row in rows]
        if column in floats:
            columns[column] = pd.array(  # type: ignore[call-overload]
                [None if v is None or pd.isna(v) else float(v) for v in cells],
                dtype="Float64",
            )
        elif column in integers:
            columns[column] = pd.array(  # type: ignore[call-overload]
                [None if v is None or pd.isna(v) else int(v) for v in cells],
                dtype="Int64",
            )
        else:
            columns[column] = pd.Series(cells)
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class _PeerArrays:
    ids: np.ndarray
    bands: np.ndarray
    regions: np.ndarray
    # indicator → (values as floats, mask of the known ones)
    indicators: dict[str, tuple[np.ndarray, np.ndarray]]


def _peer_arrays(
    peers: pd.DataFrame, *, indicators: Sequence[str], edges: Sequence[int]
) -> _PeerArrays:
    return _PeerArrays(
        ids=peers[PEER_ID].astype(str).to_numpy(),
        bands=size_bands(peers[POPULATION], edges=edges),
        regions=peers[REGION_CODE].astype(str).to_numpy(),
        indicators={indicator: _numbers(peers[indicator]) for indicator in indicators},
    )


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The values as floats and the mask of the known ones (what `dropna` keeps)."""
    numeric = pd.to_numeric(values, errors="coerce").astype("Float64")
    return numeric.to_numpy(dtype=float, na_value=np.nan), numeric.notna().to_numpy()


def _as_float(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # pd.NA and non-numbers
    return None if math.isnan(number) else number
