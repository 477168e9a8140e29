import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    COMMUNE_CODE_PATTERN,
    commune_cells,
    communes_frame,
    geometries_to_geojson,
    invalid_codes,
    normalise_commune_codes,
    normalise_departement_codes,
    normalise_region_codes,
    remap_to_current,
)


def _strings(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="string")


def test_normalise_commune_codes_restores_leading_zeros():
    raw = _strings(["1001", "01001", " 2a004 ", "1001.0", "", None, "97105"])

    result = normalise_commune_codes(raw)

    assert result.tolist() == ["01001", "01001", "2A004", "01001", pd.NA, pd.NA, "97105"]


def test_normalise_departement_and_region_codes():
    assert normalise_departement_codes(_strings(["1", "2A", "971", "84"])).tolist() == [
        "01",
        "2A",
        "971",
        "84",
    ]
    assert normalise_region_codes(_strings(["1", "84", "6"])).tolist() == ["01", "84", "06"]


def test_invalid_codes_keeps_index_of_bad_values():
    codes = _strings(["01001", "2B033", "1001", None, "2C001"])

    bad = invalid_codes(codes, COMMUNE_CODE_PATTERN)

    assert bad.index.tolist() == [2, 3, 4]


def _changes(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=[c.OLD_CODE, c.NEW_CODE], dtype="string")


def test_remap_to_current_moves_old_codes_and_reports():
    frame = pd.DataFrame(
        {
            c.CODE: ["01001", "01002", "01003", "01004", "15141", "99999", "01005"],
            c.ZONE_EMPLOI_CODE: ["A", "B", "C", "D", "X", "Z", "A"],
        },
        dtype="string",
    )
    changes = _changes(
        [
            ("01002", "01001"),  # merged into 01001, which has its own row: the direct row wins
            ("01003", "01010"),  # 01003 and 01004 merged into 01010 (no row of its own):
            ("01004", "01010"),  # the smallest old code wins, and the disagreement is listed
            ("15141", "15031"),  # 15141 split again: 15031 was restored, 15141 still exists
        ]
    )
    current = {"01001", "01010", "15031", "15141"}

    result, report = remap_to_current(
        frame, current_codes=current, code_changes=changes, ignored_codes={"01005"}
    )

    expected = pd.DataFrame(
        {
            c.CODE: ["01001", "01010", "15031", "15141"],
            c.ZONE_EMPLOI_CODE: ["A", "C", "X", "X"],
        },
        dtype="string",
    )
    pd.testing.assert_frame_equal(result, expected)
    assert report.rows_read == 7
    assert report.direct == 2
    assert report.remapped == 2
    assert report.ignored == 1
    assert report.unknown == ["99999"]
    assert report.conflicts == ["01010"]
    assert report.as_dict()["unknown_codes"] == ["99999"]


def test_remap_to_current_without_table_only_keeps_current_codes():
    frame = pd.DataFrame({c.CODE: ["01001", "01002"], "v": ["a", "b"]}, dtype="string")

    result, report = remap_to_current(frame, current_codes={"01001"}, code_changes=None)

    assert result[c.CODE].tolist() == ["01001"]
    assert report.unknown == ["01002"]
    assert report.remapped == 0


def test_communes_frame_joins_side_frames():
    cog = pd.DataFrame(
        {
            c.CODE: ["52121", "01001"],
            c.NAME: ["Chaumont", "L'Abergement-Clémenciat"],
            c.DEPARTEMENT_CODE: ["52", "01"],
            c.REGION_CODE: ["44", "84"],
        },
        dtype="string",
    )
    populations = pd.DataFrame(
        {c.CODE: pd.Series(["52121"], dtype="string"), c.POPULATION: pd.array([20827], "Int64")}
    )
    centroids = pd.DataFrame(
        {
            c.CODE: pd.Series(["52121", "01001"], dtype="string"),
            c.LATITUDE: [48.1, 46.15],
            c.LONGITUDE: [5.14, 4.92],
        }
    )
    memberships = {
        c.ZONE_EMPLOI_CODE: pd.DataFrame({c.CODE: ["52121"], c.ZONE_EMPLOI_CODE: ["4404"]}),
        c.BASSIN_BMO_CODE: pd.DataFrame({c.CODE: ["52121"], c.BASSIN_BMO_CODE: ["4418"]}),
    }

    frame = communes_frame(
        cog,
        populations=populations,
        centroids=centroids,
        memberships=memberships,
        cog_vintage=2025,
        population_vintage=2026,
    )

    assert frame.columns.tolist() == c.COMMUNE_COLUMNS
    assert frame[c.CODE].tolist() == ["01001", "52121"]
    chaumont = frame.iloc[1]
    assert chaumont[c.POPULATION] == 20827
    assert chaumont[c.POPULATION_VINTAGE] == 2026
    assert chaumont[c.ZONE_EMPLOI_CODE] == "4404"
    assert chaumont[c.BASSIN_BMO_CODE] == "4418"
    assert chaumont[c.LATITUDE] == 48.1
    other = frame.iloc[0]
    assert pd.isna(other[c.POPULATION]) and pd.isna(other[c.POPULATION_VINTAGE])
    assert pd.isna(other[c.EPCI_CODE]) and pd.isna(other[c.ZONE_EMPLOI_CODE])
    assert other[c.COG_VINTAGE] == 2025


def _cells_input(rows: list[tuple[str, float | None, float | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[c.CODE, c.LONGITUDE, c.LATITUDE, c.ZONE_EMPLOI_CODE])


def test_commune_cells_at_the_equator_split_the_zone_in_halves():
    communes = _cells_input([("00002", 0.75, 0.5, "Z"), ("00001", 0.25, 0.5, "Z")])

    cells = commune_cells(communes, {"Z": box(0, 0, 1, 1)}, simplify_tolerance=0)

    assert cells[c.CODE].tolist() == ["00001", "00002"]
    assert cells[c.GEOMETRY][0].equals(box(0, 0, 0.5, 1))
    assert cells[c.GEOMETRY][1].equals(box(0.5, 0, 1, 1))


def test_commune_cells_scale_longitudes_by_cos_latitude():
    # Zone centred on 60°N (cos = 0.5): on the local plane the two centres are (0.25, 59.75)
    # and (0.75, 60.25) and their bisector is the diagonal x + y = 60.5 of the scaled square,
    # so the first cell is the triangle (0, 59.5), (2, 59.5), (0, 60.5) in degrees. Without the
    # scaling the bisector would be x + 0.5 y = 31 and the cell a trapezium.
    zone = box(0, 59.5, 2, 60.5)
    communes = _cells_input([("00001", 0.5, 59.75, "Z"), ("00002", 1.5, 60.25, "Z")])

    cells = commune_cells(communes, {"Z": zone}, simplify_tolerance=0)

    triangle = Polygon([(0, 59.5), (2, 59.5), (0, 60.5)])
    first = cells[c.GEOMETRY][0]
    assert first.symmetric_difference(triangle).area == pytest.approx(0, abs=1e-9)
    assert first.area + cells[c.GEOMETRY][1].area == pytest.approx(zone.area)


def test_commune_cells_none_without_centre_or_zone_polygon():
    communes = _cells_input(
        [
            ("00001", 0.25, 0.5, "Z"),
            ("00002", None, None, "Z"),  # no centre
            ("00003", 0.5, 0.5, "DOM"),  # zone without polygon
            ("00004", 0.5, 0.5, None),  # no zone
        ]
    )

    cells = commune_cells(communes, {"Z": box(0, 0, 1, 1)})

    assert cells[c.CODE].tolist() == ["00001", "00002", "00003", "00004"]
    assert cells[c.GEOMETRY][0].equals(box(0, 0, 1, 1))
    assert cells[c.GEOMETRY][1:].isna().all()


def test_geometries_to_geojson_rounds_and_boxes():
    geoms = [None, Polygon(), box(0.123456789, 1.0, 2.987654321, 3.0)]

    out = geometries_to_geojson(geoms)

    assert out[0] == (None, None)
    assert out[1] == (None, None)
    geojson, bbox = out[2]
    assert geojson is not None and geojson["type"] == "Polygon"
    assert sorted({x for x, _ in geojson["coordinates"][0]}) == [0.12346, 2.98765]
    assert bbox == (0.12346, 1.0, 2.98765, 3.0)
