"""Zoning crosswalk: hand-worked examples.

The little world used throughout (populations in brackets):

    commune   pop    zone d'emploi   bassin BMO
    c1       1000    Z1              B1
    c2       3000    Z1              B2
    c3       2000    Z2              B2
    c4       4000    Z2              B3

The basin {c1, c2, c3} (6 000 inhabitants) is the union of the whole bassins B1 and B2, but
covers Z1 whole and only a third of Z2 (2 000 of its 6 000 inhabitants).
"""

import pandas as pd
import pytest

from diagnostics.analytics.columns import (
    BASIN_SHARE,
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    COVERAGE,
    DEPARTEMENT_CODE,
    EPCI_CODE,
    ESTIMATED,
    OVERLAP_COMMUNES,
    OVERLAP_POPULATION,
    PERIOD,
    POPULATION,
    RATE,
    REGION_CODE,
    VALUE,
    WEIGHT,
    WHOLE_ZONE,
    YEAR,
    ZONE_CODE,
    ZONE_COMMUNES,
    ZONE_EMPLOI_CODE,
    ZONE_POPULATION,
    ZONE_SHARE,
    ZONES_USED,
)
from diagnostics.analytics.crosswalk import basin_crosswalk
from diagnostics.analytics.crosswalk_moves import apportion_counts, move_counts, move_rates

BASIN = ["c1", "c2", "c3"]


@pytest.fixture
def communes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            COMMUNE_CODE: ["c1", "c2", "c3", "c4"],
            POPULATION: pd.array([1000, 3000, 2000, 4000], dtype="Int64"),
            ZONE_EMPLOI_CODE: ["Z1", "Z1", "Z2", "Z2"],
            BASSIN_BMO_CODE: ["B1", "B2", "B2", "B3"],
            EPCI_CODE: ["E1", "E1", "E1", "E2"],
            DEPARTEMENT_CODE: ["52", "52", "52", "52"],
            REGION_CODE: ["44", "44", "44", "44"],
        }
    )


def test_basin_crosswalk_zone_emploi_weights_by_population(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="zone_emploi")

    expected = pd.DataFrame(
        {
            ZONE_CODE: ["Z1", "Z2"],
            ZONE_POPULATION: pd.array([4000, 6000], dtype="Int64"),
            ZONE_COMMUNES: pd.array([2, 2], dtype="Int64"),
            OVERLAP_POPULATION: pd.array([4000, 2000], dtype="Int64"),
            OVERLAP_COMMUNES: pd.array([2, 1], dtype="Int64"),
            # Z1 is whole (4000/4000); Z2: 2000 / 6000 = 1/3 of it lies in the basin.
            ZONE_SHARE: pd.array([1.0, 2000 / 6000], dtype="Float64"),
            # The basin's 6000 inhabitants: 4000 in Z1 (2/3), 2000 in Z2 (1/3).
            BASIN_SHARE: pd.array([4000 / 6000, 2000 / 6000], dtype="Float64"),
            WHOLE_ZONE: [True, False],
        }
    )
    pd.testing.assert_frame_equal(crosswalk.zones, expected)
    assert crosswalk.basin_population == 6000
    assert crosswalk.exact is False
    assert crosswalk.single_zone is None


def test_basin_crosswalk_union_of_whole_bassins_is_exact(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="bassin_bmo")

    assert crosswalk.zone_codes == ["B1", "B2"]
    assert crosswalk.zones[WHOLE_ZONE].tolist() == [True, True]
    assert crosswalk.exact is True
    assert crosswalk.single_zone is None


def test_basin_crosswalk_single_whole_zone(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=["c2", "c3"], zoning="bassin_bmo")

    assert crosswalk.single_zone == "B2"
    assert crosswalk.basin_population == 5000


def test_move_counts_exact_union_adds_whole_bassins(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="bassin_bmo")
    facts = pd.DataFrame(
        {
            BASSIN_BMO_CODE: ["B1", "B2", "B3"],
            VALUE: pd.array([10, 25, 100], dtype="Int64"),
        }
    )

    frame, method = move_counts(facts, crosswalk=crosswalk, value_columns=[VALUE])

    # B1 + B2 = 10 + 25 = 35, exactly; B3 is outside the basin.
    assert frame[VALUE].dtype == "Int64"
    assert frame[VALUE].iloc[0] == 35
    assert bool(frame[ESTIMATED].iloc[0]) is False
    assert frame[COVERAGE].iloc[0] == pytest.approx(1.0)
    assert frame[ZONES_USED].iloc[0] == 2
    assert "réunion exacte de 2 bassins BMO entiers (B1, B2)" in method
    assert "sans estimation" in method


def test_move_counts_apportions_partial_zones_by_population(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="zone_emploi")
    facts = pd.DataFrame(
        {
            ZONE_EMPLOI_CODE: ["Z1", "Z2", "Z1"],
            YEAR: [2023, 2023, 2024],
            VALUE: pd.array([40, 90, 44], dtype="Int64"),
        }
    )

    frame, method = move_counts(facts, crosswalk=crosswalk, value_columns=[VALUE], by=[YEAR])

    # 2023: Z1 whole (40 × 1) + Z2 apportioned (90 × 2000/6000 = 30) = 70, estimated.
    # 2024: only Z1 has a figure: 44, covering 4000 / 6000 of the basin's population.
    assert frame[YEAR].tolist() == [2023, 2024]
    assert frame[VALUE].tolist() == pytest.approx([70.0, 44.0])
    assert frame[ESTIMATED].tolist() == [True, True]
    assert frame[COVERAGE].tolist() == pytest.approx([1.0, 4000 / 6000])
    assert frame[ZONES_USED].tolist() == [2, 1]
    assert "répartis au prorata de la population" in method
    assert "estimés" in method
    assert "66,7\u202f%" in method


def test_move_counts_keeps_masked_values_unknown(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="zone_emploi")
    facts = pd.DataFrame(
        {
            ZONE_EMPLOI_CODE: ["Z1", "Z2", "Z1", "Z2"],
            YEAR: [2023, 2023, 2024, 2024],
            VALUE: pd.array([None, 90, None, None], dtype="Int64"),
        }
    )

    frame, _ = move_counts(facts, crosswalk=crosswalk, value_columns=[VALUE], by=[YEAR])

    # 2023: Z1 masked (never 0), Z2 90 × 1/3 = 30, one masked cell. 2024: nothing published.
    assert frame[VALUE].iloc[0] == pytest.approx(30.0)
    assert frame[f"{VALUE}_masked_cells"].tolist() == [1, 2]
    assert pd.isna(frame[VALUE].iloc[1])


def test_apportion_counts_scales_rows_by_zone_share(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="zone_emploi")
    facts = pd.DataFrame(
        {ZONE_EMPLOI_CODE: ["Z2", "Z1", "Z3"], VALUE: pd.array([12, 7, 5], dtype="Int64")}
    )

    rows = apportion_counts(facts, crosswalk=crosswalk, value_columns=[VALUE])

    # Z2: 12 × 1/3 = 4; Z1: 7 × 1 = 7; Z3 is not in the basin.
    assert rows[ZONE_EMPLOI_CODE].tolist() == ["Z2", "Z1"]
    assert rows[VALUE].tolist() == pytest.approx([4.0, 7.0])
    assert rows[WEIGHT].tolist() == pytest.approx([1 / 3, 1.0])


def test_move_rates_weights_by_basin_population_in_each_zone(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="zone_emploi")
    rates = pd.DataFrame(
        {
            ZONE_EMPLOI_CODE: ["Z1", "Z2", "Z1", "Z2"],
            PERIOD: ["2023-T2", "2023-T2", "2023-T1", "2023-T1"],
            RATE: pd.array([5.0, 8.0, 6.0, None], dtype="Float64"),
        }
    )

    frame, method = move_rates(rates, crosswalk=crosswalk, value_column=RATE, by=[PERIOD])

    # 2023-T2: (4000 × 5.0 + 2000 × 8.0) / 6000 = 36000 / 6000 = 6.0
    # 2023-T1: Z2 unknown → 6.0 from Z1 alone, covering 4000 / 6000 of the population.
    assert frame[PERIOD].tolist() == ["2023-T1", "2023-T2"]
    assert frame[RATE].tolist() == pytest.approx([6.0, 6.0])
    assert frame[COVERAGE].tolist() == pytest.approx([4000 / 6000, 1.0])
    assert frame[ESTIMATED].tolist() == [True, True]
    assert "sans coïncider" in method
    assert "pondérée par la population" in method


def test_move_rates_single_zone_is_the_published_rate(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=["c1", "c2"], zoning="zone_emploi")
    rates = pd.DataFrame(
        {ZONE_EMPLOI_CODE: ["Z1", "Z2"], PERIOD: ["2023-T3"] * 2, RATE: [5.9, 8.0]}
    )

    frame, method = move_rates(rates, crosswalk=crosswalk, value_column=RATE, by=[PERIOD])

    assert frame[RATE].tolist() == [5.9]
    assert frame[ESTIMATED].tolist() == [False]
    assert "correspond exactement à la zone d'emploi Z1" in method
    assert "repris tel quel" in method


def test_move_rates_exact_union_of_several_zones_is_still_an_estimate(communes):
    crosswalk = basin_crosswalk(
        communes, basin_communes=["c1", "c2", "c3", "c4"], zoning="zone_emploi"
    )
    rates = pd.DataFrame(
        {ZONE_EMPLOI_CODE: ["Z1", "Z2"], PERIOD: ["2023-T3"] * 2, RATE: [5.0, 8.0]}
    )

    frame, method = move_rates(rates, crosswalk=crosswalk, value_column=RATE, by=[PERIOD])

    # (4000 × 5.0 + 6000 × 8.0) / 10000 = 68000 / 10000 = 6.8
    assert frame[RATE].tolist() == pytest.approx([6.8])
    assert crosswalk.exact is True
    assert frame[ESTIMATED].tolist() == [True]
    assert "réunion exacte de 2 zones d'emploi entières" in method
    assert "C'est une estimation" in method


def test_basin_crosswalk_unknown_population_weighs_zero(communes):
    with_unknown = communes.assign(
        **{POPULATION: pd.array([1000, 3000, 2000, None], dtype="Int64")}
    )

    crosswalk = basin_crosswalk(with_unknown, basin_communes=BASIN, zoning="zone_emploi")

    # Z2 now counts c3 (2000) and c4 (unknown → 0): the basin holds all of it.
    z2 = crosswalk.zones.set_index(ZONE_CODE).loc["Z2"]
    assert z2[ZONE_POPULATION] == 2000
    assert z2[ZONE_SHARE] == pytest.approx(1.0)
    assert crosswalk.unknown_population_communes == ("c4",)


def test_basin_crosswalk_refuses_an_empty_basin(communes):
    with pytest.raises(ValueError, match="aucune commune"):
        basin_crosswalk(communes, basin_communes=[], zoning="zone_emploi")


def test_basin_crosswalk_names_unknown_communes(communes):
    with pytest.raises(ValueError, match="absentes de la table de passage : c8, c9"):
        basin_crosswalk(communes, basin_communes=["c1", "c9", "c8"], zoning="zone_emploi")


def test_basin_crosswalk_refuses_duplicated_communes(communes):
    doubled = pd.concat([communes, communes.iloc[[1]]], ignore_index=True)
    with pytest.raises(ValueError, match="Communes en double dans la table de passage : c2"):
        basin_crosswalk(doubled, basin_communes=BASIN, zoning="zone_emploi")


def test_basin_crosswalk_names_missing_columns(communes):
    with pytest.raises(ValueError, match="Colonnes manquantes .* : population"):
        basin_crosswalk(
            communes.drop(columns=[POPULATION]), basin_communes=BASIN, zoning="zone_emploi"
        )


def test_basin_crosswalk_refuses_an_unknown_zoning(communes):
    with pytest.raises(ValueError, match="Zonage inconnu"):
        basin_crosswalk(communes, basin_communes=BASIN, zoning="canton")  # type: ignore[arg-type]


def test_move_rates_refuses_two_rates_for_one_zone_and_period(communes):
    crosswalk = basin_crosswalk(communes, basin_communes=BASIN, zoning="zone_emploi")
    rates = pd.DataFrame(
        {ZONE_EMPLOI_CODE: ["Z1", "Z1"], PERIOD: ["2023-T3"] * 2, RATE: [5.0, 5.1]}
    )
    with pytest.raises(ValueError, match="Plusieurs valeurs pour une même zone et période"):
        move_rates(rates, crosswalk=crosswalk, value_column=RATE, by=[PERIOD])
