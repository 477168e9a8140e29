"""The DARES – France Travail tension indicator, with and without its components."""

import math

import pandas as pd
import pytest

from diagnostics.analytics.columns import (
    BASSIN_BMO_CODE,
    BMO_DIFFICULTY_SHARE,
    COMMUNE_CODE,
    COMPONENTS_USED,
    DEPARTEMENT_CODE,
    EPCI_CODE,
    EXIT_RATE,
    JOB_SEEKERS_A,
    JOB_SEEKERS_ABC,
    OFFERS,
    OFFERS_PER_SEEKER,
    POPULATION,
    REGION_CODE,
    ROME_CODE,
    TENSION_INDEX,
    WORKING_CONDITIONS,
    YEAR,
    Z_OFFERS_PER_SEEKER,
    ZONE_EMPLOI_CODE,
)
from diagnostics.analytics.crosswalk import basin_crosswalk
from diagnostics.analytics.tension import basin_tension_frame, basin_tension_frames, tension_index

# Four bassin × ROME rows. offers / cat. A seekers = 1, 2, 3, 4; exit rate 0.1 … 0.4;
# BMO difficult share 0.5, 0.5, 0.7, 0.9.
#   z of 1, 2, 3, 4: mean 2.5, population std √((1.5² + 0.5² + 0.5² + 1.5²) / 4) = √1.25
#   z of 0.5, 0.5, 0.7, 0.9: mean 0.65, std √((0.15² · 2 + 0.05² + 0.25²) / 4) = √0.0275
FULL = pd.DataFrame(
    {
        YEAR: [2021] * 4,
        BASSIN_BMO_CODE: ["B1", "B1", "B2", "B2"],
        ROME_CODE: ["R1", "R2", "R1", "R2"],
        OFFERS: [10, 20, 30, 40],
        JOB_SEEKERS_A: [10, 10, 10, 10],
        JOB_SEEKERS_ABC: [20, 20, 20, 20],
        EXIT_RATE: [0.1, 0.2, 0.3, 0.4],
        BMO_DIFFICULTY_SHARE: [0.5, 0.5, 0.7, 0.9],
        WORKING_CONDITIONS: [1, 2, 3, 4],
    }
)
Z_1234 = [(v - 2.5) / math.sqrt(1.25) for v in (1, 2, 3, 4)]
Z_BMO = [(v - 0.65) / math.sqrt(0.0275) for v in (0.5, 0.5, 0.7, 0.9)]


def test_tension_index_with_a_shared_cache_equals_without():
    cache: dict = {}
    one = FULL[FULL[BASSIN_BMO_CODE] == "B1"]
    # The second basin lacks category A: the reference falls back on A+B+C for it (a second
    # choice of the reference's column, cached apart).
    two = FULL[FULL[BASSIN_BMO_CODE] == "B2"].drop(columns=[JOB_SEEKERS_A])

    for frame in (one, two, one):
        cached, cached_method = tension_index(frame, reference=FULL, cache=cache)
        alone, method = tension_index(frame, reference=FULL)
        pd.testing.assert_frame_equal(cached, alone, check_exact=True)
        assert cached_method == method
    # B1: offers per A seeker 1 and 2 against the reference's 1, 2, 3, 4.
    first, _ = tension_index(one, reference=FULL, cache=cache)
    assert first[Z_OFFERS_PER_SEEKER].tolist() == pytest.approx(Z_1234[:2])
    assert len(cache) == 1


def test_tension_index_with_all_three_components():
    scored, method = tension_index(FULL)

    # Row 4 (B2, R2): 0.30 × 1.342 + 0.20 × 1.342 + 0.50 × 1.508 = 1.4246
    expected = [0.3 * z + 0.2 * z + 0.5 * b for z, b in zip(Z_1234, Z_BMO, strict=True)]
    assert scored[OFFERS_PER_SEEKER].tolist() == pytest.approx([1, 2, 3, 4])
    assert scored[Z_OFFERS_PER_SEEKER].tolist() == pytest.approx(Z_1234)
    assert scored[TENSION_INDEX].tolist() == pytest.approx(expected)
    assert scored[TENSION_INDEX].iloc[3] == pytest.approx(1.4246, abs=1e-4)
    assert method.components_used == [OFFERS_PER_SEEKER, EXIT_RATE, BMO_DIFFICULTY_SHARE]
    assert method.components_missing == []
    assert method.weights == pytest.approx(
        {OFFERS_PER_SEEKER: 0.3, EXIT_RATE: 0.2, BMO_DIFFICULTY_SHARE: 0.5}
    )
    # Factors are carried along, not combined.
    assert scored[WORKING_CONDITIONS].tolist() == [1, 2, 3, 4]


def test_tension_index_names_missing_components_and_rescales_weights():
    partial = FULL.drop(columns=[BMO_DIFFICULTY_SHARE])

    scored, method = tension_index(partial)

    # Without the BMO share: weights 0.3 / 0.5 = 0.6 and 0.2 / 0.5 = 0.4; both z equal here.
    assert method.components_missing == [BMO_DIFFICULTY_SHARE]
    assert method.weights == pytest.approx({OFFERS_PER_SEEKER: 0.6, EXIT_RATE: 0.4})
    assert scored[TENSION_INDEX].tolist() == pytest.approx(Z_1234)
    assert "part des projets de recrutement BMO jugés difficiles" in method.description
    assert "remis à l'échelle" in method.description


def test_tension_index_falls_back_on_abc_job_seekers_and_says_so():
    # The stored DARES file: offers and A+B+C job seekers only.
    real_like = FULL[[YEAR, BASSIN_BMO_CODE, ROME_CODE, OFFERS, JOB_SEEKERS_ABC]]

    scored, method = tension_index(real_like)

    # offers / ABC = 0.5, 1, 1.5, 2: same z as 1, 2, 3, 4; weight 1 after rescaling.
    assert scored[OFFERS_PER_SEEKER].tolist() == pytest.approx([0.5, 1.0, 1.5, 2.0])
    assert scored[TENSION_INDEX].tolist() == pytest.approx(Z_1234)
    assert method.components_missing == [EXIT_RATE, BMO_DIFFICULTY_SHARE]
    assert any("catégories A, B, C" in s for s in method.substitutions)
    assert "1 composante(s) sur 3" in method.description


def test_tension_index_standardises_over_the_given_reference():
    reference = FULL
    one_row = FULL.iloc[[3]]

    scored, _ = tension_index(
        one_row[[YEAR, BASSIN_BMO_CODE, ROME_CODE, OFFERS, JOB_SEEKERS_A]], reference=reference
    )

    # z of 4 against the four reference rows, not against itself.
    assert scored[TENSION_INDEX].tolist() == pytest.approx([Z_1234[3]])


def test_tension_index_row_missing_a_component_uses_the_others():
    holed = FULL.assign(**{EXIT_RATE: [0.1, 0.2, 0.3, None]})

    scored, _ = tension_index(holed.drop(columns=[BMO_DIFFICULTY_SHARE]))

    # Row 4 has no exit rate: its index is its offers z alone (weights 0.6 / 0.6).
    assert scored[TENSION_INDEX].iloc[3] == pytest.approx(Z_1234[3])
    assert scored[COMPONENTS_USED].iloc[3] == OFFERS_PER_SEEKER
    assert scored[COMPONENTS_USED].iloc[0] == f"{OFFERS_PER_SEEKER}, {EXIT_RATE}"


def test_tension_index_without_any_component():
    scored, method = tension_index(FULL[[YEAR, BASSIN_BMO_CODE, ROME_CODE]])

    assert scored[TENSION_INDEX].isna().all()
    assert method.components_used == []
    assert "non calculable" in method.description


def test_basin_tension_frame_apportions_counts_and_recomputes_ratios():
    communes = pd.DataFrame(
        {
            COMMUNE_CODE: ["c1", "c2", "c3"],
            POPULATION: [1000, 3000, 1000],
            ZONE_EMPLOI_CODE: ["Z1"] * 3,
            BASSIN_BMO_CODE: ["B1", "B2", "B2"],
            EPCI_CODE: ["E"] * 3,
            DEPARTEMENT_CODE: ["52"] * 3,
            REGION_CODE: ["44"] * 3,
        }
    )
    # Basin {c1, c2}: all of B1 and 3000 / 4000 of B2.
    crosswalk = basin_crosswalk(communes, basin_communes=["c1", "c2"], zoning="bassin_bmo")
    tension = FULL[FULL[ROME_CODE] == "R1"]

    moved = basin_tension_frame(tension, crosswalk=crosswalk)

    # Offers 10 × 1 + 30 × 0.75 = 32.5; cat. A 10 + 10 × 0.75 = 17.5.
    # Exit rate weighted by the basin's population in each bassin: (1000 × 0.1 + 3000 × 0.3)
    # / 4000 = 0.25.
    row = moved.iloc[0]
    assert row[OFFERS] == pytest.approx(32.5)
    assert row[JOB_SEEKERS_A] == pytest.approx(17.5)
    assert row[EXIT_RATE] == pytest.approx(0.25)
    assert row[BASSIN_BMO_CODE] == "bassin"


def test_basin_tension_frames_of_many_basins_equal_each_basin_alone():
    communes = pd.DataFrame(
        {
            COMMUNE_CODE: ["c1", "c2", "c3", "c4"],
            POPULATION: [1000, 3000, 1000, 500],
            ZONE_EMPLOI_CODE: ["Z1"] * 4,
            BASSIN_BMO_CODE: ["B1", "B2", "B2", "B3"],
            EPCI_CODE: ["E"] * 4,
            DEPARTEMENT_CODE: ["52"] * 4,
            REGION_CODE: ["44"] * 4,
        }
    )
    walks = {
        7: basin_crosswalk(communes, basin_communes=["c1", "c2"], zoning="bassin_bmo"),
        3: basin_crosswalk(communes, basin_communes=["c3"], zoning="bassin_bmo"),
        9: basin_crosswalk(communes, basin_communes=["c4"], zoning="bassin_bmo"),  # B3: no row
    }

    moved = basin_tension_frames(FULL, crosswalks=walks)

    assert list(moved) == [7, 3, 9]
    for basin_id, walk in walks.items():
        pd.testing.assert_frame_equal(moved[basin_id], basin_tension_frame(FULL, crosswalk=walk))
    # Basin 3 is 1000 of B2's 4000 inhabitants: R2 offers 40 × 0.25 = 10, its own exit rate.
    r2 = moved[3][moved[3][ROME_CODE] == "R2"].iloc[0]
    assert r2[OFFERS] == pytest.approx(10.0) and r2[EXIT_RATE] == pytest.approx(0.4)
    # Basin 7 as in the test above: R1 offers 10 + 30 × 0.75.
    assert moved[7][OFFERS].iloc[0] == pytest.approx(32.5)
    assert moved[9].empty and list(moved[9].columns) == list(moved[7].columns)


def test_tension_index_names_missing_key_columns():
    with pytest.raises(ValueError, match="Colonnes manquantes .* : rome_code"):
        tension_index(FULL.drop(columns=[ROME_CODE]))
