"""The synthetic demo territory: deterministic, well-formed, tiling, with two non-nesting zonings."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import shapely

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    COMMUNE_CODE_PATTERN,
    DEPARTEMENT_CODE_PATTERN,
    REGION_CODE_PATTERN,
)
from diagnostics.analytics.synthetic import SyntheticTerritory, synthetic_territory
from diagnostics.analytics.synthetic_basins import BasinSpec, demo_basin_specs

EXPECTED_COLUMNS = {
    "regions": c.REGION_COLUMNS,
    "departements": c.DEPARTEMENT_COLUMNS,
    "epci": c.EPCI_COLUMNS,
    "zones_emploi": c.ZONE_EMPLOI_COLUMNS,
    "bassins_bmo": c.BASSIN_BMO_COLUMNS,
    "communes": c.COMMUNE_COLUMNS,
    "code_changes": c.CODE_CHANGE_COLUMNS,
}


@pytest.fixture(scope="module")
def territory() -> SyntheticTerritory:
    return synthetic_territory()


@pytest.fixture(scope="module")
def communes(territory: SyntheticTerritory) -> pd.DataFrame:
    return territory.frames["communes"]


def test_synthetic_territory_same_seed_gives_identical_frames(
    territory: SyntheticTerritory,
) -> None:
    again = synthetic_territory()

    for key, frame in territory.frames.items():
        other = again.frames[key]
        if key == "zones_emploi":
            assert (
                frame[c.GEOMETRY].map(shapely.to_wkb).tolist()
                == other[c.GEOMETRY].map(shapely.to_wkb).tolist()
            )
            frame, other = frame.drop(columns=c.GEOMETRY), other.drop(columns=c.GEOMETRY)
        pd.testing.assert_frame_equal(frame, other)
    assert again.main_city_code == territory.main_city_code
    assert shapely.equals_exact(again.outline, territory.outline, tolerance=0)


def test_synthetic_territory_other_seed_differs(communes: pd.DataFrame) -> None:
    other = synthetic_territory(seed=7).frames["communes"]

    assert other[c.NAME].tolist() != communes[c.NAME].tolist()
    assert other[c.POPULATION].tolist() != communes[c.POPULATION].tolist()


def test_synthetic_territory_frames_have_exactly_the_normalised_columns(
    territory: SyntheticTerritory,
) -> None:
    assert set(territory.frames) == set(EXPECTED_COLUMNS)
    for key, expected in EXPECTED_COLUMNS.items():
        assert list(territory.frames[key].columns) == expected, key


def test_synthetic_territory_sizes(territory: SyntheticTerritory) -> None:
    frames = territory.frames

    assert len(frames["communes"]) == 320
    assert frames["regions"][c.CODE].tolist() == ["98", "99"]
    assert frames["departements"][c.CODE].tolist() == ["96", "98", "99"]
    assert 6 <= len(frames["zones_emploi"]) <= 10
    assert 6 <= len(frames["bassins_bmo"]) <= 10
    assert 10 <= len(frames["epci"]) <= 15
    # Every zone listed is used by at least one commune, and the other way round.
    for key, column in (
        ("zones_emploi", c.ZONE_EMPLOI_CODE),
        ("bassins_bmo", c.BASSIN_BMO_CODE),
        ("epci", c.EPCI_CODE),
        ("departements", c.DEPARTEMENT_CODE),
        ("regions", c.REGION_CODE),
    ):
        assert set(frames[key][c.CODE]) == set(frames["communes"][column]), key


def test_synthetic_territory_codes_fit_the_models_and_cannot_be_official(
    territory: SyntheticTerritory,
) -> None:
    frames = territory.frames
    communes = frames["communes"]

    assert communes[c.CODE].is_unique
    # Official patterns, but no official département 96, 98 or 99; 99100+ are country codes.
    assert communes[c.CODE].str.fullmatch(r"(96\d{3}|98\d{3}|990\d{2})").all()
    assert communes[c.CODE].max() < "99100"
    # The patterns the territory store and the importers check.
    assert communes[c.CODE].str.fullmatch(COMMUNE_CODE_PATTERN).all()
    assert frames["departements"][c.CODE].str.fullmatch(DEPARTEMENT_CODE_PATTERN).all()
    assert frames["regions"][c.CODE].str.fullmatch(REGION_CODE_PATTERN).all()
    assert (communes[c.CODE].str[:2] == communes[c.DEPARTEMENT_CODE]).all()
    assert frames["zones_emploi"][c.CODE].str.fullmatch(r"9[89]\d{2}").all()
    assert frames["bassins_bmo"][c.CODE].str.fullmatch(r"9[89][6-9]\d").all()
    assert frames["epci"][c.CODE].str.fullmatch(r"99900\d{4}").all()
    assert set(frames["epci"][c.NATURE]) <= {"CA", "CC"}
    assert frames["regions"][c.NAME].str.endswith("(démo)").all()


def test_synthetic_territory_populations_are_heavy_tailed(
    territory: SyntheticTerritory, communes: pd.DataFrame
) -> None:
    population = communes[c.POPULATION]

    assert population.dtype == "int64"
    assert (population > 0).all()
    medium = population[(population >= 10_000) & (population <= 100_000)]
    assert len(medium) >= 6  # one per zone d'emploi: the capital and the medium towns
    assert ((population >= 15_000) & (population <= 60_000)).sum() >= 5
    assert (population < 2_000).mean() > 0.8  # mostly villages
    assert population.median() < 1_000
    assert population.max() < 100_000
    # The regional capital of region 99 is the largest commune.
    capital = communes.set_index(c.CODE).loc[territory.main_city_code]
    assert capital[c.POPULATION] == population.max()
    assert capital[c.REGION_CODE] == "99"
    assert (communes[c.POPULATION_VINTAGE] == 2022).all()


def test_synthetic_territory_names_are_unique_and_french_looking(communes: pd.DataFrame) -> None:
    names = communes[c.NAME]

    assert names.is_unique
    assert names.str.fullmatch(r"[A-ZÉ][\w'éèêëàâîïôöûüç-]+(?:-[\w'éèêëàâîïôöûüç-]+)*").all()
    assert names.str.startswith("Saint-").sum() >= 10
    assert names.str.contains("-sur-").sum() >= 5
    assert not names.str.contains(r"-de-[AEIOUÉ]").any()  # « Saint-Martin-d'Orval »


def test_synthetic_territory_coordinates_are_in_metropolitan_france(
    communes: pd.DataFrame, territory: SyntheticTerritory
) -> None:
    assert communes[c.LATITUDE].between(45.5, 48.0).all()
    assert communes[c.LONGITUDE].between(0.5, 4.5).all()
    points = shapely.points(communes[[c.LONGITUDE, c.LATITUDE]].to_numpy())
    assert shapely.contains(territory.outline, points).all()


def test_synthetic_territory_zones_tile_the_territory(territory: SyntheticTerritory) -> None:
    zones = territory.frames["zones_emploi"][c.GEOMETRY].tolist()
    outline_area = territory.outline.area

    merged = shapely.union_all(zones)
    assert abs(merged.area - outline_area) / outline_area < 1e-6
    # No overlap: the areas add up to the union's.
    assert abs(sum(z.area for z in zones) - outline_area) / outline_area < 1e-6
    assert all(z.geom_type == "Polygon" and z.is_valid for z in zones)
    cells = list(territory.commune_cells.values())
    assert abs(sum(cell.area for cell in cells) - outline_area) / outline_area < 1e-6


def test_synthetic_territory_each_commune_lies_in_its_own_zone(
    territory: SyntheticTerritory, communes: pd.DataFrame
) -> None:
    frame = territory.frames["zones_emploi"]
    zones = dict(zip(frame[c.CODE], frame[c.GEOMETRY], strict=True))

    for code, ze in zip(communes[c.CODE], communes[c.ZONE_EMPLOI_CODE], strict=True):
        cell = territory.commune_cells[code]
        assert zones[ze].covers(cell.representative_point()), code
        inside = [other for other, zone in zones.items() if zone.contains(cell.centroid)]
        assert inside == [ze], code


def test_synthetic_territory_every_commune_has_exactly_one_zone_and_bassin(
    communes: pd.DataFrame,
) -> None:
    for column in (c.ZONE_EMPLOI_CODE, c.BASSIN_BMO_CODE, c.EPCI_CODE, c.DEPARTEMENT_CODE):
        assert communes[column].notna().all()
        assert (communes[column] != "").all()
    assert not communes.duplicated(subset=[c.CODE]).any()


def test_synthetic_territory_zones_and_bassins_do_not_nest(communes: pd.DataFrame) -> None:
    bassins_per_ze = communes.groupby(c.ZONE_EMPLOI_CODE)[c.BASSIN_BMO_CODE].nunique()
    ze_per_bassin = communes.groupby(c.BASSIN_BMO_CODE)[c.ZONE_EMPLOI_CODE].nunique()

    assert (bassins_per_ze > 1).sum() >= 3
    assert (ze_per_bassin > 1).sum() >= 3


def test_synthetic_territory_zonings_nest_in_the_administrative_levels(
    territory: SyntheticTerritory, communes: pd.DataFrame
) -> None:
    # Zones d'emploi and EPCI stay in a département, bassins BMO in a region (and say which).
    for zoning in (c.ZONE_EMPLOI_CODE, c.EPCI_CODE):
        pairs = communes.drop_duplicates([zoning, c.DEPARTEMENT_CODE])
        assert pairs[zoning].is_unique, zoning
    bassins = territory.frames["bassins_bmo"]
    declared = dict(zip(bassins[c.CODE], bassins[c.REGION_CODE], strict=True))
    found = communes[[c.BASSIN_BMO_CODE, c.REGION_CODE]].drop_duplicates()
    assert sorted(zip(found[c.BASSIN_BMO_CODE], found[c.REGION_CODE], strict=True)) == sorted(
        declared.items()
    )
    departements = territory.frames["departements"].set_index(c.CODE)[c.REGION_CODE]
    assert (communes[c.DEPARTEMENT_CODE].map(departements) == communes[c.REGION_CODE]).all()


def test_synthetic_territory_zones_fall_inside_and_outside_the_programme_bounds(
    communes: pd.DataFrame,
) -> None:
    for column in (c.ZONE_EMPLOI_CODE, c.BASSIN_BMO_CODE):
        totals = communes.groupby(column)[c.POPULATION].sum()
        inside = totals.between(30_000, 100_000)
        assert inside.sum() >= 2, column
        assert (~inside).sum() >= 1, column


def test_synthetic_territory_code_changes_point_to_existing_communes(
    territory: SyntheticTerritory, communes: pd.DataFrame
) -> None:
    changes = territory.frames["code_changes"]

    assert len(changes) == 2
    assert changes[c.NEW_CODE].isin(communes[c.CODE]).all()
    assert not changes[c.OLD_CODE].isin(communes[c.CODE]).any()
    assert changes[c.OLD_CODE].str.fullmatch(r"9[689]99\d").all()


def test_synthetic_territory_refuses_too_few_communes() -> None:
    with pytest.raises(ValueError, match="au moins 60 communes"):
        synthetic_territory(communes=10)


# --- demo_basin_specs ---------------------------------------------------------------------------
def _tiny_frames() -> dict[str, pd.DataFrame]:
    rows = [
        # code, name, dept, region, population, lat, lon, epci, ze, bassin
        ("96001", "Alpha", "96", "99", 50_000, 47.00, 2.00, "999000001", "9901", "9961"),
        ("96002", "Bravo", "96", "99", 20_000, 47.00, 2.10, "999000001", "9901", "9962"),
        ("96003", "Charlie", "96", "99", 120_000, 47.30, 2.00, "999000002", "9902", "9962"),
        ("96004", "Delta", "96", "99", 15_000, 47.50, 2.50, "999000003", "9903", "9963"),
        ("96005", "Echo", "96", "99", 25_000, 47.55, 2.55, "999000004", "9903", "9963"),
        ("96006", "Foxtrot", "96", "99", 3_000, 47.60, 2.60, "999000004", "9903", "9963"),
        ("98001", "Golf", "98", "98", 60_000, 46.50, 3.00, "999000005", "9801", "9861"),
    ]
    communes = pd.DataFrame(
        [
            {
                c.CODE: r[0],
                c.NAME: r[1],
                c.DEPARTEMENT_CODE: r[2],
                c.REGION_CODE: r[3],
                c.POPULATION: r[4],
                c.POPULATION_VINTAGE: 2022,
                c.LATITUDE: r[5],
                c.LONGITUDE: r[6],
                c.COG_VINTAGE: 2025,
                c.EPCI_CODE: r[7],
                c.ZONE_EMPLOI_CODE: r[8],
                c.BASSIN_BMO_CODE: r[9],
            }
            for r in rows
        ],
        columns=c.COMMUNE_COLUMNS,
    )
    zones = pd.DataFrame(
        {
            c.CODE: ["9901", "9902", "9903", "9801"],
            c.NAME: ["Alpha", "Charlie", "Echo", "Golf"],
            c.GEOMETRY: [None] * 4,
        }
    )
    bassins = pd.DataFrame(
        {
            c.CODE: ["9961", "9962", "9963", "9861"],
            c.NAME: ["ALPHA", "CHARLIE", "ECHO", "GOLF"],
            c.REGION_CODE: ["99", "99", "99", "98"],
        }
    )
    epci = pd.DataFrame(
        {
            c.CODE: ["999000001", "999000002", "999000003", "999000004", "999000005"],
            c.NAME: [
                "CA Alpha Agglomération",
                "CA Charlie Agglomération",
                "CC du Pays de Delta",
                "CA Echo Agglomération",
                "CA Golf Agglomération",
            ],
            c.NATURE: ["CA", "CA", "CC", "CA", "CA"],
        }
    )
    return {"communes": communes, "zones_emploi": zones, "bassins_bmo": bassins, "epci": epci}


def test_demo_basin_specs_on_a_hand_made_territory() -> None:
    specs = demo_basin_specs(_tiny_frames())

    assert specs == [
        # ZE of region 99 within 30,000-100,000: 9901 (70,000) and 9903 (43,000); the largest.
        BasinSpec("Bassin d'Alpha", "zone_emploi", ["9901"], "96001", "99", 70_000),
        # The largest town, Charlie, and its bassin BMO 9962 (Bravo + Charlie).
        BasinSpec("Agglomération de Charlie", "bassin_bmo", ["9962"], "96003", "99", 140_000),
        # EPCI whose main town is free: 999000003 (Delta) and 999000004 (Echo, Foxtrot).
        BasinSpec(
            "Pays de Delta et d'Echo", "epci", ["999000003", "999000004"], "96005", "99", 43_000
        ),
        # The only small town (2,000-9,999) and its nearest communes: the six of region 99.
        BasinSpec(
            "Communes autour de Foxtrot",
            "communes",
            ["96001", "96002", "96003", "96004", "96005", "96006"],
            "96006",
            "99",
            233_000,
        ),
        BasinSpec("Bassin de Golf", "zone_emploi", ["9801"], "98001", "98", 60_000),
    ]


def test_demo_basin_specs_on_the_synthetic_territory(territory: SyntheticTerritory) -> None:
    communes = territory.frames["communes"].set_index(c.CODE)

    specs = demo_basin_specs(territory.frames)

    assert [s.source_kind for s in specs] == [
        "zone_emploi",
        "bassin_bmo",
        "epci",
        "communes",
        "zone_emploi",
    ]
    assert [s.region_code for s in specs] == ["99", "99", "99", "99", "98"]
    assert len({s.name for s in specs}) == 5
    assert len({s.main_town_code for s in specs}) == 5
    columns = {
        "zone_emploi": c.ZONE_EMPLOI_CODE,
        "bassin_bmo": c.BASSIN_BMO_CODE,
        "epci": c.EPCI_CODE,
    }
    for spec in specs:
        if spec.source_kind == "communes":
            members = communes.loc[spec.source_codes]
        else:
            members = communes[communes[columns[spec.source_kind]].isin(spec.source_codes)]
        assert spec.population == members[c.POPULATION].sum()
        assert spec.main_town_code in members.index
    # Some basins eligible by population, some not: the ZE basin is, the capital's is too large.
    assert 30_000 <= specs[0].population <= 100_000
    assert specs[1].main_town_code == territory.main_city_code
    assert specs[1].population > 100_000
    assert specs[3].population < 30_000


def test_demo_basin_specs_missing_column_is_named() -> None:
    frames = _tiny_frames()
    frames["communes"] = frames["communes"].drop(columns=[c.POPULATION])

    with pytest.raises(ValueError, match=re.escape("colonnes manquantes ['population']")):
        demo_basin_specs(frames)
