"""Unemployment and job seekers series, and the period helpers."""

import pandas as pd
import pytest

from diagnostics.analytics.columns import (
    BASSIN_BMO_CODE,
    CATEGORY,
    COMMUNE_CODE,
    COMPLETE,
    COVERAGE,
    COVERED_COMMUNES,
    DEPARTEMENT_CODE,
    DIRECT_VALUE,
    EPCI_CODE,
    ESTIMATED,
    GEO_CODE,
    LEVEL,
    MASKED_CELLS,
    PERIOD,
    PERIODS,
    POPULATION,
    RATE,
    REGION_CODE,
    VALUE,
    YEAR,
    YEAR_ON_YEAR,
    ZONE_EMPLOI_CODE,
)
from diagnostics.analytics.crosswalk import basin_crosswalk
from diagnostics.analytics.labour import (
    annual_average,
    job_seekers_series,
    unemployment_series,
    year_on_year,
)
from diagnostics.analytics.periods import (
    missing_periods,
    period_index,
    period_position,
)


@pytest.fixture
def communes() -> pd.DataFrame:
    # Département 52: a (6 000, published), b (1 000), c (3 000), d (8 000, published, outside
    # the basin). Département 10: e (2 000). The basin is {a, b, c}: 10 000 inhabitants.
    return pd.DataFrame(
        {
            COMMUNE_CODE: ["a", "b", "c", "d", "e"],
            POPULATION: [6000, 1000, 3000, 8000, 2000],
            ZONE_EMPLOI_CODE: ["Z1", "Z1", "Z2", "Z2", "Z3"],
            BASSIN_BMO_CODE: ["B1"] * 5,
            EPCI_CODE: ["E1"] * 5,
            DEPARTEMENT_CODE: ["52", "52", "52", "52", "10"],
            REGION_CODE: ["44"] * 5,
        }
    )


def seekers(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[LEVEL, GEO_CODE, PERIOD, VALUE])
    frame[CATEGORY] = "ABC"
    frame[VALUE] = pd.array(frame[VALUE].tolist(), dtype="Int64")
    return frame


def test_job_seekers_completes_unpublished_communes_from_their_departement(communes):
    data = seekers(
        [
            ("commune", "a", "2024-01", 500),
            ("commune", "d", "2024-01", 700),
            ("departement", "52", "2024-01", 1500),
            ("departement", "10", "2024-01", 300),  # another département: ignored
            ("commune", "a", "2024-02", 510),
            ("commune", "d", "2024-02", None),  # masked: treated as unpublished
            ("departement", "52", "2024-02", 1520),
        ]
    )

    frame, method = job_seekers_series(data, communes=communes, basin_communes=["a", "b", "c"])

    # 2024-01: residual of 52 = 1500 − (500 + 700) = 300 over its unpublished communes b + c
    # (4 000 inhabitants), all in the basin → 300; basin = 500 + 300 = 800.
    # 2024-02: d is masked → residual 1520 − 510 = 1010 over b, c, d (12 000 inhabitants);
    # the basin's share is b + c = 4 000 → 1010 × 4000 / 12000 = 336.67; basin = 846.67.
    assert frame[PERIOD].tolist() == ["2024-01", "2024-02"]
    assert frame[VALUE].tolist() == pytest.approx([800.0, 510 + 1010 * 4000 / 12000])
    assert frame[DIRECT_VALUE].tolist() == [500, 510]
    assert frame[ESTIMATED].tolist() == [True, True]
    # a (6 000 of 10 000 inhabitants) is the only published commune of the basin.
    assert frame[COVERAGE].tolist() == pytest.approx([0.6, 0.6])
    assert frame[COVERED_COMMUNES].tolist() == [1, 1]
    # d is masked in 2024-02 but lies outside the basin: no masked cell of the basin.
    assert frame[MASKED_CELLS].tolist() == [0, 0]
    assert "complétée pour les autres communes par le reste de leur département" in method


def test_job_seekers_counts_the_basins_masked_communes(communes):
    data = seekers(
        [
            ("commune", "a", "2024-01", None),
            ("commune", "d", "2024-01", 700),
            ("departement", "52", "2024-01", 1500),
        ]
    )

    frame, _ = job_seekers_series(data, communes=communes, basin_communes=["a", "b", "c"])

    # a is masked: the residual 1500 − 700 = 800 covers a, b, c (10 000 inhabitants, all in
    # the basin) → 800, never a 0 for a; one masked commune reported, coverage 0.
    assert frame[VALUE].tolist() == pytest.approx([800.0])
    assert frame[MASKED_CELLS].tolist() == [1]
    assert frame[COVERAGE].tolist() == [0.0]
    assert frame[DIRECT_VALUE].isna().all()


def test_job_seekers_without_departement_figure_is_partial(communes):
    data = seekers([("commune", "a", "2024-01", 500)])

    frame, method = job_seekers_series(data, communes=communes, basin_communes=["a", "b", "c"])

    # No département figure: only a's 500, flagged (b and c are not counted), coverage 60 %.
    assert frame[VALUE].tolist() == [500]
    assert frame[ESTIMATED].tolist() == [True]
    assert "valeur partielle" in method


def test_job_seekers_fully_published_basin_is_exact(communes):
    data = seekers([("commune", "a", "2024-01", 500), ("commune", "d", "2024-01", 700)])

    frame, method = job_seekers_series(data, communes=communes, basin_communes=["a", "d"])

    assert frame[VALUE].tolist() == [1200]
    assert frame[VALUE].dtype == "Int64"
    assert frame[ESTIMATED].tolist() == [False]
    assert "somme des chiffres publiés pour chaque commune" in method


def test_job_seekers_filters_the_category(communes):
    data = pd.concat(
        [
            seekers([("commune", "a", "2024-01", 500)]),
            seekers([("commune", "a", "2024-01", 300)]).assign(**{CATEGORY: "A"}),
        ]
    )

    frame, _ = job_seekers_series(data, communes=communes, basin_communes=["a"], category="A")

    assert frame[VALUE].tolist() == [300]


def test_job_seekers_names_unknown_communes(communes):
    with pytest.raises(ValueError, match="absentes de la table de passage : zz"):
        job_seekers_series(seekers([]), communes=communes, basin_communes=["a", "zz"])


def test_unemployment_series_sorted_by_period(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=["a", "b"], zoning="zone_emploi")
    rates = pd.DataFrame(
        {
            ZONE_EMPLOI_CODE: ["Z1", "Z1", "Z1", "Z2"],
            PERIOD: ["2023-T3", "2022-T4", "2023-T1", "2023-T3"],
            RATE: [5.9, 6.4, 6.1, 9.0],
        }
    )

    frame, method = unemployment_series(rates, crosswalk=crosswalk)

    # The basin {a, b} is exactly Z1: its rates, in period order.
    assert frame[PERIOD].tolist() == ["2022-T4", "2023-T1", "2023-T3"]
    assert frame[RATE].tolist() == pytest.approx([6.4, 6.1, 5.9])
    assert frame[ESTIMATED].tolist() == [False, False, False]
    assert "repris tel quel" in method


def test_unemployment_series_refuses_another_zoning(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=["a"], zoning="bassin_bmo")
    rates = pd.DataFrame({ZONE_EMPLOI_CODE: ["Z1"], PERIOD: ["2023-T3"], RATE: [5.9]})
    with pytest.raises(ValueError, match="zones d'emploi"):
        unemployment_series(rates, crosswalk=crosswalk)


def test_annual_average_counts_periods_and_completeness():
    series = pd.DataFrame(
        {
            PERIOD: ["2022-T1", "2022-T2", "2022-T3", "2022-T4", "2023-T1", "2023-T2"],
            RATE: [7.0, 7.2, 7.4, 7.6, 6.0, 6.2],
            ESTIMATED: [False, False, False, False, True, False],
        }
    )

    yearly = annual_average(series, value=RATE)

    # 2022: (7.0 + 7.2 + 7.4 + 7.6) / 4 = 7.3, complete. 2023: (6.0 + 6.2) / 2 = 6.1, 2 quarters.
    assert yearly[YEAR].tolist() == [2022, 2023]
    assert yearly[RATE].tolist() == pytest.approx([7.3, 6.1])
    assert yearly[PERIODS].tolist() == [4, 2]
    assert yearly[COMPLETE].tolist() == [True, False]
    assert yearly[ESTIMATED].tolist() == [False, True]


def test_year_on_year_compares_with_the_same_month():
    series = pd.DataFrame(
        {
            PERIOD: ["2023-01", "2023-02", "2024-01", "2024-02", "2024-03"],
            VALUE: pd.array([100, None, 110, 90, 95], dtype="Int64"),
        }
    )

    result = year_on_year(series, value=VALUE)

    # 2024-01: 110 / 100 − 1 = +10 %; 2024-02: 2023-02 is masked; 2024-03: no 2023-03.
    assert result[YEAR_ON_YEAR].iloc[2] == pytest.approx(0.10)
    assert result[YEAR_ON_YEAR].iloc[[0, 1, 3, 4]].isna().all()


def test_periods_index_position_and_gaps():
    assert period_index("2024-01") - period_index("2023-12") == 1
    assert period_index("2024-T1") - period_index("2023-T4") == 1
    assert period_position("2023-T3") == pytest.approx(2023.5)
    assert period_position("2024-04") == pytest.approx(2024.25)
    assert missing_periods(["2023-T1", "2023-T2", "2023-T4", "2024-T2"]) == ["2023-T3", "2024-T1"]
    assert missing_periods([2023, 2025]) == ["2024"]
    assert missing_periods(["2020-11", "2021-02"]) == ["2020-12", "2021-01"]


def test_periods_refuse_an_unreadable_period():
    with pytest.raises(ValueError, match="Période illisible : « 2023-Q3 »"):
        period_index("2023-Q3")
