"""Projections (diagnostics.analytics.projections): the damped-trend recursions and the
back-test on series whose forecasts are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.analytics import projections as pj


def test_constant_series_projects_itself_with_a_zero_width_interval():
    # 15 points, 8 to fit: 7, 6 and 5 past projections at 1, 2 and 3 steps (5 needed).
    frame = pd.DataFrame({"period": [f"{2000 + i}" for i in range(15)], "v": [7.0] * 15})
    out = pj.project_series(frame, series="s", label="S", period="period", value="v", horizon=4)
    assert out.info["available"] is True
    assert out.info["horizon"] == 3  # 4 steps ahead: only 4 past projections
    assert "limitée à 3" in out.info["reason"]
    future = out.table[out.table[c.HORIZON] > 0]
    assert future[c.PERIOD].tolist() == ["2015", "2016", "2017"]
    assert future[c.FORECAST].tolist() == pytest.approx([7.0, 7.0, 7.0])
    assert future[c.LOWER].tolist() == pytest.approx([7.0, 7.0, 7.0])
    assert out.backtest[c.MAE].tolist() == pytest.approx([0.0, 0.0, 0.0])


def test_damped_fit_matches_the_recursion_by_hand():
    # y = 0, 2, 3; α = 0.5, β = 0.1, φ = 0.9; level₀ = 0, trend₀ = 2.
    # t=1: level = 0.5·2 + 0.5·(0 + 0.9·2) = 1.9; trend = 0.1·1.9 + 0.9·0.9·2 = 1.81.
    # t=2: predicted = 1.9 + 0.9·1.81 = 3.529, squared error 0.529² = 0.279841;
    #      level = 0.5·3 + 0.5·3.529 = 3.2645; trend = 0.1·1.3645 + 0.81·1.81 = 1.60255.
    sse, level, trend, params = pj.damped_fit(np.array([0.0, 2.0, 3.0]))
    i = int(np.flatnonzero((params == [0.5, 0.1, 0.9]).all(axis=1))[0])
    assert sse[i] == pytest.approx(0.279841)
    assert level[i] == pytest.approx(3.2645)
    assert trend[i] == pytest.approx(1.60255)


def test_damped_fits_of_every_prefix_in_one_pass_are_the_fits_of_each_prefix():
    # The backtest refits the model from every origin: one pass gives each prefix's state,
    # bit for bit (same operations, same order). Prefix [0, 2, 3] is the hand-worked case.
    y = np.array([0.0, 2.0, 3.0, 7.5, 6.0, 9.25, 11.0, 10.5, 14.0])
    fits = pj.damped_fits(y, [2, 3, 6, 9])
    assert sorted(fits) == [2, 3, 6, 9]
    i = int(np.flatnonzero((fits[3][3] == [0.5, 0.1, 0.9]).all(axis=1))[0])
    assert fits[3][0][i] == pytest.approx(0.279841) and fits[3][1][i] == pytest.approx(3.2645)
    assert fits[2][0].max() == 0.0  # no one-step error before the third point
    for n, fit in fits.items():
        alone = pj.damped_fit(y[:n].copy())
        for got, expected in zip(fit, alone, strict=True):
            assert np.array_equal(got, expected), n


def test_damped_forecast_flattens_the_trend():
    # On a straight line (+2 a step) the damped trend projects less than the line, more than
    # the last value, and the steps shrink.
    y = np.arange(10.0, 38.0, 2.0)
    forecast, _ = pj.damped_forecast(y, 3)
    assert 36 < forecast[0] < 38
    steps = np.diff([36.0, *forecast])
    assert (steps > 0).all() and steps[0] > steps[1] > steps[2]


def test_backtest_errors_of_the_naive_forecast():
    y = [1.0, 2.0, 3.0, 4.0, 5.0]
    model, naive = pj.backtest_errors(y, horizon=2, min_train=3)
    # Origins 3 and 4: naive forecasts 3 then 4; errors (4-3, 5-3) and (5-4, NaN).
    assert naive[0].tolist() == [1.0, 2.0]
    assert naive[1][0] == 1.0 and np.isnan(naive[1][1])
    assert model.shape == (2, 2)


def test_short_series_is_refused_with_its_reason():
    frame = pd.DataFrame({"year": ["2023", "2024", "2025"], "v": [3.0, 2.0, 1.0]})
    out = pj.project_series(frame, series="bmo", label="Projets", period="year", value="v")
    assert out.info["available"] is False
    assert "3 point(s)" in out.info["reason"] and "au moins 12" in out.info["reason"]
    assert out.table.empty and out.backtest.empty


def test_interval_from_past_errors():
    # Alternating series around a flat level: the interval at one step must contain the
    # projection and have a positive width; the naive error of an alternation is its jump.
    y = [10.0, 12.0] * 10
    frame = pd.DataFrame({"period": [f"{2000 + i}-T1" for i in range(20)], "v": y})
    frame["period"] = [f"{2000 + i // 4}-T{i % 4 + 1}" for i in range(20)]
    out = pj.project_series(frame, series="s", label="S", period="period", value="v", horizon=2)
    first = out.table[out.table[c.HORIZON] == 1].iloc[0]
    assert first[c.PERIOD] == "2005-T1"
    assert first[c.LOWER] <= first[c.FORECAST] <= first[c.UPPER]
    assert first[c.UPPER] - first[c.LOWER] > 0
    assert out.backtest[c.NAIVE_MAE].iloc[0] == pytest.approx(2.0)
    assert out.backtest[c.BACKTESTS].tolist() == [12, 11]  # origins 8..19, then 8..18


def test_next_periods_and_quarterly_means():
    assert pj.next_periods("2023-T3", 3) == ["2023-T4", "2024-T1", "2024-T2"]
    assert pj.next_periods("2024-11", 2) == ["2024-12", "2025-01"]
    assert pj.next_periods("2025", 1) == ["2026"]
    with pytest.raises(ValueError, match="Période non reconnue"):
        pj.next_periods("T3-2023", 1)
    monthly = pd.DataFrame(
        {
            "period": ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"],
            "value": [3, 6, 9, 1, 1],
        }
    )
    out = pj.quarterly_means(monthly, period="period", value="value")
    assert out.to_dict("records") == [{"period": "2024-T1", "value": 6.0}]  # T2 incomplete


def test_interval_never_narrows_with_the_horizon():
    rng = np.random.default_rng(3)
    y = list(np.cumsum(rng.normal(0, 1, 30)) + 50)
    frame = pd.DataFrame({"period": [str(1990 + i) for i in range(30)], "v": y})
    out = pj.project_series(frame, series="s", label="S", period="period", value="v", horizon=5)
    future = out.table[out.table[c.HORIZON] > 0]
    below = (future[c.FORECAST] - future[c.LOWER]).astype(float).tolist()
    above = (future[c.UPPER] - future[c.FORECAST]).astype(float).tolist()
    assert below == sorted(below) and above == sorted(above)
    assert all(isinstance(b["beats_naive"], bool) for b in out.info["backtest"])
