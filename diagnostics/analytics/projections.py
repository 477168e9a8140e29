"""Projections of a basin's series with a prediction interval, back-tested on its own history.

Model (ADR 0015): additive damped-trend exponential smoothing (Holt's linear method with a
damped trend, Gardner & McKenzie 1985):
    level_t = α·y_t + (1 − α)·(level_{t−1} + φ·trend_{t−1})
    trend_t = β·(level_t − level_{t−1}) + (1 − β)·φ·trend_{t−1}
    ŷ_{t+h} = level_t + (φ + φ² + … + φ^h)·trend_t
The damping (φ < 1) flattens the trend as the horizon grows: it never extrapolates a straight
line far ahead, which is what makes it robust on short, noisy public series. α, β, φ are chosen
on a fixed grid by the smallest sum of squared one-step errors on the series itself.

Uncertainty: rolling-origin back-test. From `min_train` points on, the model is refitted on
the history up to each past origin and projects `horizon` periods ahead; the errors of these
past projections, per horizon, give (a) the back-test error shown beside the projection (mean
absolute error, mean absolute percentage error, and the same for the naive « no change »
forecast) and (b) the 80 % prediction interval: the projection plus the 10th and 90th
percentiles of the past errors at that horizon (empirical, no distribution assumed), never
narrower than at a shorter horizon, and always containing the projection. A horizon
with fewer than `min_backtests` past errors is not projected; a series shorter than
`min_points` is not projected at all, and the reason says so. A projection is never given
without its interval.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .columns import (
    BACKTESTS,
    FORECAST,
    HORIZON,
    LOWER,
    MAE,
    MAPE,
    NAIVE_MAE,
    OBSERVED,
    PERIOD,
    SERIES,
    UPPER,
)
from .common import format_number, require_columns

PROJECTION_HORIZON = 4
PROJECTION_MIN_POINTS = 12
PROJECTION_MIN_TRAIN = 8
PROJECTION_MIN_BACKTESTS = 5
INTERVAL = 0.8

ALPHAS = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
BETAS = np.array([0.01, 0.05, 0.1, 0.2, 0.3])
PHIS = np.array([0.8, 0.9, 0.95, 0.98])

PROJECTION_COLUMNS = [SERIES, PERIOD, HORIZON, OBSERVED, FORECAST, LOWER, UPPER]
BACKTEST_COLUMNS = [SERIES, HORIZON, BACKTESTS, MAE, MAPE, NAIVE_MAE]

_QUARTER = re.compile(r"^(\d{4})-T([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass
class Projection:
    """One series' projection: `table` (PROJECTION_COLUMNS: the observed points then the
    projected ones), `backtest` (BACKTEST_COLUMNS), and the document entry `info`."""

    table: pd.DataFrame
    backtest: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)


_GRID = tuple(g.ravel() for g in np.meshgrid(ALPHAS, BETAS, PHIS, indexing="ij"))
_PARAMS = np.column_stack(_GRID)


def _grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    alpha, beta, phi = _GRID
    return alpha, beta, phi


Fit = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def damped_fits(values: np.ndarray, lengths: Sequence[int]) -> dict[int, Fit]:
    """`damped_fit(values[:n])` for every n of `lengths` (each ≥ 2) in one pass over `values`:
    the fit of a prefix is the state of the recursion after its last point, so the backtest's
    refits from every origin cost one pass instead of one pass per origin (the same operations
    in the same order: the same floats)."""
    wanted = {int(n) for n in lengths}
    if not wanted:
        return {}
    if min(wanted) < 2 or max(wanted) > len(values):
        raise ValueError("Une série ajustée compte au moins deux points.")
    alpha, beta, phi = _grid()
    level = np.full(alpha.shape, float(values[0]))
    trend = np.full(alpha.shape, float(values[1] - values[0]))
    sse = np.zeros(alpha.shape)
    level = alpha * values[1] + (1 - alpha) * (level + phi * trend)
    trend = beta * (level - float(values[0])) + (1 - beta) * phi * trend
    out: dict[int, Fit] = {}
    if 2 in wanted:
        out[2] = (sse.copy(), level, trend, _PARAMS)
    for n in range(3, max(wanted) + 1):
        y = values[n - 1]
        predicted = level + phi * trend
        sse += (y - predicted) ** 2
        new_level = alpha * y + (1 - alpha) * predicted
        trend = beta * (new_level - level) + (1 - beta) * phi * trend
        level = new_level
        if n in wanted:
            out[n] = (sse.copy(), level, trend, _PARAMS)
    return out


def damped_fit(values: np.ndarray) -> Fit:
    """Fit every (α, β, φ) of the grid at once on `values` (≥ 2 points).

    Returns (sse, level, trend, params): one-step squared errors summed from the third point
    on, the final level and trend per grid point, and the grid (k × 3: α, β, φ)."""
    return damped_fits(values, [len(values)])[len(values)]


def _forecast(fit: Fit, horizon: int) -> tuple[np.ndarray, dict[str, float]]:
    sse, level, trend, params = fit
    best = int(np.argmin(sse))
    alpha, beta, phi = params[best]
    steps = np.cumsum(phi ** np.arange(1, horizon + 1))
    forecast = level[best] + steps * trend[best]
    return forecast, {"alpha": float(alpha), "beta": float(beta), "phi": float(phi)}


def damped_forecast(
    values: Sequence[float] | np.ndarray, horizon: int
) -> tuple[np.ndarray, dict[str, float]]:
    """Point forecasts 1..`horizon` of the best grid point on `values`, and its parameters."""
    y = np.asarray(values, dtype="float64")
    return _forecast(damped_fit(y), horizon)


def backtest_errors(
    values: Sequence[float] | np.ndarray, *, horizon: int, min_train: int
) -> tuple[np.ndarray, np.ndarray]:
    """Errors (actual − projected) of the past projections from every origin with at least
    `min_train` points, for the model and for the naive forecast: two arrays (origins ×
    horizon), NaN where the horizon runs past the end of the series."""
    y = np.asarray(values, dtype="float64")
    origins = range(min_train, len(y))
    model = np.full((len(origins), horizon), np.nan)
    naive = np.full((len(origins), horizon), np.nan)
    fits = damped_fits(y, list(origins))
    for row, origin in enumerate(origins):
        forecast, _ = _forecast(fits[origin], horizon)
        actual = y[origin : origin + horizon]
        model[row, : len(actual)] = actual - forecast[: len(actual)]
        naive[row, : len(actual)] = actual - y[origin - 1]
    return model, naive


def next_periods(last: str, count: int) -> list[str]:
    """The `count` periods after `last` in its own notation (« 2023-T4 », « 2025-01 », « 2026 »)."""
    if match := _QUARTER.match(last):
        year, quarter = int(match[1]), int(match[2])
        out = []
        for _ in range(count):
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
            out.append(f"{year}-T{quarter}")
        return out
    if match := _MONTH.match(last):
        year, month = int(match[1]), int(match[2])
        out = []
        for _ in range(count):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            out.append(f"{year}-{month:02d}")
        return out
    if _YEAR.match(last):
        return [str(int(last) + i) for i in range(1, count + 1)]
    raise ValueError(f"Période non reconnue : « {last} » (attendu AAAA, AAAA-MM ou AAAA-Tn).")


def quarterly_means(frame: pd.DataFrame, *, period: str, value: str) -> pd.DataFrame:
    """Monthly series (period « YYYY-MM ») → quarterly means (« YYYY-Tn ») of the quarters
    whose three months are known. Output: period, value; sorted."""
    require_columns(frame, [period, value], what="la série mensuelle")
    rows = frame[frame[value].notna()]
    # The quarter of each month as Python strings (the `.str` methods cost more than the rest).
    quarter = np.array(
        [f"{m[:4]}-T{(int(m[5:7]) - 1) // 3 + 1}" for m in rows[period].astype(str).tolist()],
        dtype=object,
    )
    grouped = pd.to_numeric(rows[value]).astype("float64").groupby(quarter)
    means = grouped.mean()
    out = pd.DataFrame({period: means.index, value: means.to_numpy()})
    out = out[grouped.count().to_numpy() == 3]
    return out.sort_values(period, kind="mergesort").reset_index(drop=True)


def _empty_tables(series: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.DataFrame(columns=PROJECTION_COLUMNS, dtype=object),
        pd.DataFrame(columns=BACKTEST_COLUMNS, dtype=object),
    )


def project_series(
    frame: pd.DataFrame,
    *,
    series: str,
    label: str,
    period: str,
    value: str,
    unit: str = "",
    horizon: int = PROJECTION_HORIZON,
    min_points: int = PROJECTION_MIN_POINTS,
    min_train: int = PROJECTION_MIN_TRAIN,
    min_backtests: int = PROJECTION_MIN_BACKTESTS,
    floor: float | None = 0.0,
) -> Projection:
    """Project one series (`frame`: period, value; sorted by period, NA values dropped).

    Output: a `Projection`. `info`: {"series", "label", "unit", "available", "reason",
    "points", "first_period", "last_period", "horizon", "model": {α, β, φ}, "interval": 0.8,
    "backtest": [{"horizon", "backtests", "mae", "mape", "naive_mae"}], "projection":
    [{"period", "forecast", "lower", "upper"}]}. `floor` clips the projection and its
    interval (a count or a rate is never below 0)."""
    require_columns(frame, [period, value], what=f"la série « {label} »")
    rows = frame[frame[value].notna()].sort_values(period, kind="mergesort")
    values = pd.to_numeric(rows[value]).astype("float64").to_numpy()
    periods = rows[period].astype(str).tolist()
    info: dict[str, Any] = {
        "series": series,
        "label": label,
        "unit": unit,
        "available": False,
        "reason": "",
        "points": len(values),
        "first_period": periods[0] if periods else None,
        "last_period": periods[-1] if periods else None,
        "horizon": 0,
        "model": None,
        "interval": INTERVAL,
        "backtest": [],
        "projection": [],
    }
    if len(values) < min_points:
        info["reason"] = (
            f"Série trop courte pour une projection : {format_number(len(values))} point(s) "
            f"publié(s), il en faut au moins {format_number(min_points)} (dont "
            f"{format_number(min_train)} pour estimer le modèle et les autres pour mesurer "
            "l'erreur des projections passées, sans laquelle aucun intervalle n'est possible)."
        )
        return Projection(*_empty_tables(series), info)

    model_errors, naive_errors = backtest_errors(values, horizon=horizon, min_train=min_train)
    counts = np.sum(~np.isnan(model_errors), axis=0)
    usable = int(np.sum(np.cumprod(counts >= min_backtests)))
    if usable == 0:
        info["reason"] = (
            f"Trop peu de projections passées pour mesurer l'erreur : il en faut au moins "
            f"{format_number(min_backtests)} à un pas."
        )
        return Projection(*_empty_tables(series), info)

    forecast, params = damped_forecast(values, usable)
    low_q, high_q = (1 - INTERVAL) / 2, 1 - (1 - INTERVAL) / 2
    lowers: list[float] = []
    uppers: list[float] = []
    back_rows: list[dict[str, Any]] = []
    offsets_low: list[float] = [0.0]
    offsets_high: list[float] = [0.0]
    for h in range(usable):
        errors = model_errors[:, h][~np.isnan(model_errors[:, h])]
        naive = naive_errors[:, h][~np.isnan(naive_errors[:, h])]
        actual = values[min_train + h : min_train + h + len(errors)]
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.abs(errors) / np.abs(actual)
        # Never narrower than at a shorter horizon: a few past errors can make the empirical
        # quantiles of a far horizon tighter than those of a near one, which no one believes.
        low_offset = min(float(np.quantile(errors, low_q)), *offsets_low)
        high_offset = max(float(np.quantile(errors, high_q)), *offsets_high)
        offsets_low.append(low_offset)
        offsets_high.append(high_offset)
        lowers.append(forecast[h] + low_offset)
        uppers.append(forecast[h] + high_offset)
        back_rows.append(
            {
                SERIES: series,
                HORIZON: h + 1,
                BACKTESTS: len(errors),
                MAE: float(np.mean(np.abs(errors))),
                MAPE: float(np.mean(relative[np.isfinite(relative)]))
                if np.isfinite(relative).any()
                else np.nan,
                NAIVE_MAE: float(np.mean(np.abs(naive))),
            }
        )
    point = np.asarray(forecast[:usable])
    lower = np.minimum(np.asarray(lowers), point)
    upper = np.maximum(np.asarray(uppers), point)
    if floor is not None:
        point, lower, upper = (np.maximum(x, floor) for x in (point, lower, upper))
    future = next_periods(periods[-1], usable)
    # The observed points then the projected ones, built at once (NaN → NA in Float64, as a
    # concatenation then `astype("Float64")` gives them).
    blank_observed, blank_future = np.full(len(values), np.nan), np.full(usable, np.nan)
    table = pd.DataFrame(
        {
            SERIES: [series] * (len(values) + usable),
            PERIOD: [*periods, *future],
            HORIZON: np.concatenate(
                [np.zeros(len(values), dtype="int64"), np.arange(1, usable + 1, dtype="int64")]
            ),
            OBSERVED: pd.array(np.concatenate([values, blank_future]), dtype="Float64"),
            FORECAST: pd.array(np.concatenate([blank_observed, point]), dtype="Float64"),
            LOWER: pd.array(np.concatenate([blank_observed, lower]), dtype="Float64"),
            UPPER: pd.array(np.concatenate([blank_observed, upper]), dtype="Float64"),
        }
    )
    backtest = pd.DataFrame(back_rows, columns=BACKTEST_COLUMNS)
    info.update(
        available=True,
        horizon=usable,
        model={k: round(v, 3) for k, v in params.items()},
        backtest=[
            {
                "horizon": int(r[HORIZON]),
                "backtests": int(r[BACKTESTS]),
                "mae": float(r[MAE]),
                "mape": None if pd.isna(r[MAPE]) else float(r[MAPE]),
                "naive_mae": float(r[NAIVE_MAE]),
                "beats_naive": bool(float(r[MAE]) < float(r[NAIVE_MAE])),
            }
            for r in back_rows
        ],
        projection=[
            {"period": p, "forecast": float(f), "lower": float(lo), "upper": float(up)}
            for p, f, lo, up in zip(future, point, lower, upper, strict=True)
        ],
    )
    if usable < horizon:
        info["reason"] = (
            f"Projection limitée à {usable} période(s) : au-delà, moins de "
            f"{format_number(min_backtests)} projections passées pour mesurer l'erreur."
        )
    return Projection(table, backtest, info)
