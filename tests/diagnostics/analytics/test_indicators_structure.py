"""Change between two periods, location quotients, shift-share and peer comparison."""

import pandas as pd
import pytest

from diagnostics.analytics.columns import (
    ABSOLUTE_CHANGE,
    ANNUAL_RATE,
    CHANGE,
    CONCENTRATED,
    END_VALUE,
    FIRST_PERIOD,
    INDUSTRY_MIX,
    LAST_PERIOD,
    LOCAL_SHARE,
    LOCATION_QUOTIENT,
    MEDIAN,
    NATIONAL_SHARE,
    PEER_ID,
    PEERS,
    PERCENT_CHANGE,
    PERCENTILE,
    PERIOD,
    POPULATION,
    RANK,
    REFERENCE_SHARE,
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
from diagnostics.analytics.peers import peer_comparison, size_band, size_bands
from diagnostics.analytics.structure import (
    change_summary,
    location_quotients,
    shift_share,
    shift_share_reference,
)


def test_change_summary_absolute_percent_and_compound_annual_rate():
    series = pd.DataFrame({YEAR: [2023, 2024, 2025], VALUE: [100, None, 121]})

    row = change_summary(series, period=YEAR, value=VALUE, indicator="projets").iloc[0]

    # 100 → 121: +21, +21 %, over 2 years: √1.21 − 1 = 10 % a year.
    assert row[FIRST_PERIOD] == "2023"
    assert row[LAST_PERIOD] == "2025"
    assert row[ABSOLUTE_CHANGE] == pytest.approx(21)
    assert row[PERCENT_CHANGE] == pytest.approx(0.21)
    assert row[ANNUAL_RATE] == pytest.approx(0.10)


def test_change_summary_over_quarters_uses_years_between_them():
    series = pd.DataFrame({PERIOD: ["2021-T3", "2023-T3", "2022-T1"], VALUE: [8.0, 6.48, 7.0]})

    row = change_summary(series, period=PERIOD, value=VALUE, indicator="chômage").iloc[0]

    # 2021-T3 → 2023-T3 is 2 years: (6.48 / 8)^(1/2) − 1 = 0.9 − 1 = −10 % a year.
    assert (row[FIRST_PERIOD], row[LAST_PERIOD]) == ("2021-T3", "2023-T3")
    assert row[ABSOLUTE_CHANGE] == pytest.approx(-1.52)
    assert row[ANNUAL_RATE] == pytest.approx(-0.10)


def test_change_summary_without_values_is_unknown():
    series = pd.DataFrame({YEAR: [2023], VALUE: pd.array([None], dtype="Float64")})

    row = change_summary(series, period=YEAR, value=VALUE, indicator="x").iloc[0]

    assert pd.isna(row[ABSOLUTE_CHANGE])
    assert pd.isna(row[ANNUAL_RATE])


def test_location_quotients_against_a_reference():
    local = pd.DataFrame({"family": ["I", "V"], "projects": [60, 40]})
    reference = pd.DataFrame({"family": ["I", "S", "V"], "projects": [300, 200, 500]})

    table = location_quotients(local, reference, key="family", value="projects")

    # Basin: I 60 %, V 40 %, S 0 % (absent). Reference: I 30 %, S 20 %, V 50 %.
    # LQ(I) = 0.6 / 0.3 = 2.0 (concentrated), LQ(S) = 0, LQ(V) = 0.4 / 0.5 = 0.8.
    assert table["family"].tolist() == ["I", "S", "V"]
    assert table[LOCAL_SHARE].tolist() == pytest.approx([0.6, 0.0, 0.4])
    assert table[REFERENCE_SHARE].tolist() == pytest.approx([0.3, 0.2, 0.5])
    assert table[LOCATION_QUOTIENT].tolist() == pytest.approx([2.0, 0.0, 0.8])
    assert table[CONCENTRATED].tolist() == [True, False, False]


def test_location_quotients_unknown_value_stays_unknown():
    local = pd.DataFrame({"family": ["I", "V"], "projects": pd.array([60, None], dtype="Int64")})
    reference = pd.DataFrame({"family": ["I", "V"], "projects": [300, 700]})

    table = location_quotients(local, reference, key="family", value="projects")

    # V is secret in the basin: its quotient is NA; I takes the known total (60): 1.0 / 0.3.
    assert pd.isna(table[LOCATION_QUOTIENT].iloc[1])
    assert table[LOCATION_QUOTIENT].iloc[0] == pytest.approx(1 / 0.3)


def test_shift_share_parts_sum_to_the_change():
    local = pd.DataFrame(
        {
            YEAR: [2023, 2023, 2025, 2025, 2025],
            "family": ["A", "B", "A", "B", "C"],
            "projects": [100, 50, 120, 40, 10],
        }
    )
    national = pd.DataFrame(
        {
            YEAR: [2023, 2023, 2023, 2025, 2025, 2025],
            "family": ["A", "B", "C", "A", "B", "C"],
            "projects": [1000, 1000, 0, 1100, 900, 100],
        }
    )

    table = shift_share(local, national, key="family", value="projects", start=2023, end=2025)

    # g_N = (2100 − 2000) / 2000 = 5 %.
    # A: E = 100, g_A,N = 10 %, g_A,r = 20 %: national 100 × 0.05 = 5,
    #    mix 100 × (0.10 − 0.05) = 5, regional 100 × (0.20 − 0.10) = 10 → 20 = 120 − 100.
    # B: E = 50, g_B,N = −10 %, g_B,r = −20 %: 2.5, 50 × (−0.15) = −7.5, 50 × (−0.10) = −5.
    # C: appears in the basin (E = 0): everything is local, 10.
    assert table["family"].tolist() == ["A", "B", "C"]
    assert table[START_VALUE].tolist() == [100, 50, 0]
    assert table[END_VALUE].tolist() == [120, 40, 10]
    assert table[NATIONAL_SHARE].tolist() == pytest.approx([5.0, 2.5, 0.0])
    assert table[INDUSTRY_MIX].tolist() == pytest.approx([5.0, -7.5, 0.0])
    assert table[REGIONAL_SHIFT].tolist() == pytest.approx([10.0, -5.0, 10.0])
    parts = table[NATIONAL_SHARE] + table[INDUSTRY_MIX] + table[REGIONAL_SHIFT]
    assert parts.tolist() == pytest.approx(table[CHANGE].tolist())
    assert parts.sum() == pytest.approx((120 + 40 + 10) - (100 + 50))


def test_shift_share_with_the_reference_read_once():
    # A batch reads France's values of the two years once (`shift_share_reference`) and gives
    # them to every basin: the same table; the reference's duplicates are refused there.
    local = pd.DataFrame(
        {YEAR: [2023, 2025, 2025], "family": ["A", "A", "B"], "projects": [100, 120, 30]}
    )
    national = pd.DataFrame(
        {YEAR: [2023, 2023, 2025], "family": ["A", "B", "A"], "projects": [1000, 500, 1100]}
    )
    years = shift_share_reference(national, key="family", value="projects", years=(2023, 2025))
    assert years == {2023: {"A": 1000.0, "B": 500.0}, 2025: {"A": 1100.0}}
    given = shift_share(
        local,
        pd.DataFrame(),  # not read when its values are given
        key="family",
        value="projects",
        start=2023,
        end=2025,
        reference_years=years,
    )
    pd.testing.assert_frame_equal(
        given,
        shift_share(local, national, key="family", value="projects", start=2023, end=2025),
    )
    # B: no basin value at the start, so everything is local (30); France fell to 0 for B.
    assert given[REGIONAL_SHIFT].tolist()[1] == 30.0
    twice = pd.concat([national, national.head(1)])
    with pytest.raises(ValueError, match="Doublons"):
        shift_share_reference(twice, key="family", value="projects", years=(2023, 2025))


def test_shift_share_refuses_duplicated_keys():
    local = pd.DataFrame({YEAR: [2023, 2023], "family": ["A", "A"], "projects": [1, 2]})
    with pytest.raises(ValueError, match="Doublons"):
        shift_share(local, local, key="family", value="projects", start=2023, end=2025)


def test_size_band_labels():
    assert size_band(20_000) == "moins de 30\u202f000 hab."
    assert size_band(42_000) == "30\u202f000 à 100\u202f000 hab."
    assert size_band(100_000) == "100\u202f000 à 250\u202f000 hab."
    assert size_band(2_000_000) == "500\u202f000 hab. et plus"
    assert size_band(None) is None


def test_size_bands_equal_size_band_value_by_value():
    populations = pd.Series([20_000, 30_000, 99_999.5, 100_000, 2_000_000, -5, None, float("nan")])
    labels = size_bands(populations)
    assert list(labels[:2]) == ["moins de 30\u202f000 hab.", "30\u202f000 à 100\u202f000 hab."]
    # A negative population falls through every band, as in `size_band`: the last one.
    assert labels[5] == "500\u202f000 hab. et plus" and labels[6] is None and labels[7] is None
    assert list(labels) == [
        size_band(None if pd.isna(p) else p) for p in populations.astype(object).tolist()
    ]


def test_peer_comparison_rank_and_percentile_in_band_and_region():
    peers = pd.DataFrame(
        {
            PEER_ID: ["1", "2", "3", "4", "9"],
            POPULATION: [40_000, 60_000, 90_000, 200_000, 50_000],
            REGION_CODE: ["44", "44", "11", "44", "44"],
            "rate": [1.0, 3.0, 2.0, 10.0, 99.0],  # "9" is the basin itself: ignored
        }
    )
    basin = {PEER_ID: "9", POPULATION: 50_000, REGION_CODE: "44", "rate": 2.5}

    row = peer_comparison(
        peers, basin=basin, indicators=["rate"], region_values={"rate": 4.0}
    ).iloc[0]

    # Band 30 000 – 100 000: peers 1, 2, 3 (1.0, 3.0, 2.0) + the basin (2.5) = 4 values.
    # Rank 2 (only 3.0 above); percentile 100 × (2 below + ½ × 1 equal) / 4 = 62.5;
    # median of 1, 2, 2.5, 3 = 2.25. Region 44: 1.0, 3.0, 10.0 + 2.5 → rank 3 of 4.
    assert row[SIZE_BAND] == "30\u202f000 à 100\u202f000 hab."
    assert row[VALUE] == pytest.approx(2.5)
    assert row[PEERS] == 4
    assert row[RANK] == 2
    assert row[PERCENTILE] == pytest.approx(62.5)
    assert row[MEDIAN] == pytest.approx(2.25)
    assert row[REGION_PEERS] == 4
    assert row[REGION_RANK] == 3
    assert row[REGION_VALUE] == pytest.approx(4.0)


def test_peer_comparison_unknown_basin_value_has_no_rank():
    peers = pd.DataFrame({PEER_ID: ["1"], POPULATION: [40_000], REGION_CODE: ["44"], "rate": [1.0]})

    row = peer_comparison(
        peers,
        basin={PEER_ID: "b", POPULATION: 50_000, REGION_CODE: "44", "rate": pd.NA},
        indicators=["rate"],
    ).iloc[0]

    assert pd.isna(row[RANK])
    assert pd.isna(row[PERCENTILE])
