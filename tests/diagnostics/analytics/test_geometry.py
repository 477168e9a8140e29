import math

import pytest
import shapely
from shapely.geometry import GeometryCollection, MultiPolygon, Point, Polygon, box

from diagnostics.analytics.geometry import (
    EARTH_RADIUS_KM,
    bounds,
    geometry_from_geojson,
    geometry_to_geojson,
    haversine_km,
    nearest_point,
    repair,
    union,
    voronoi_cells,
)

# One degree of arc on the sphere used by haversine_km: 2πR / 360.
KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_KM / 360  # 111.195 km


def test_repair_valid_polygon_is_returned_untouched():
    square = box(0, 0, 1, 1)

    fixed, repaired = repair(square)

    assert repaired is False
    assert fixed is square


def test_repair_bowtie_becomes_two_triangles():
    # Self-intersecting at (0.5, 0.5): two triangles of area 0.25 each.
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    assert not bowtie.is_valid

    fixed, repaired = repair(bowtie)

    assert repaired is True
    assert fixed.is_valid
    assert fixed.geom_type == "MultiPolygon"
    assert len(fixed.geoms) == 2
    assert fixed.area == pytest.approx(0.5)


def test_repair_drops_stray_lines_of_a_collection():
    # A unit square with a zero-width spike to x = -1: make_valid gives the square plus a line.
    spiked = Polygon([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0.5), (-1, 0.5), (0, 0.5), (0, 0)])
    assert shapely.make_valid(spiked).geom_type == "GeometryCollection"

    fixed, repaired = repair(spiked)

    assert repaired is True
    assert fixed.geom_type == "Polygon"
    assert fixed.area == pytest.approx(1.0)
    assert bounds(fixed) == (0.0, 0.0, 1.0, 1.0)


def test_union_of_adjacent_squares_and_missing_parts():
    merged = union([box(0, 0, 1, 1), None, box(1, 0, 2, 1), Polygon()])

    assert merged is not None
    assert merged.geom_type == "Polygon"
    assert merged.area == pytest.approx(2.0)
    assert bounds(merged) == (0.0, 0.0, 2.0, 1.0)


def test_union_of_nothing_is_none():
    assert union([]) is None
    assert union([None, Polygon()]) is None


def test_bounds_of_none_and_empty():
    assert bounds(None) is None
    assert bounds(GeometryCollection()) is None
    assert bounds(box(1, 2, 3, 4)) == (1.0, 2.0, 3.0, 4.0)


def test_haversine_one_degree_of_latitude_and_a_quarter_of_the_equator():
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(KM_PER_DEGREE, rel=1e-9)
    assert haversine_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)
    assert haversine_km(48.1, 5.1, 48.1, 5.1) == 0.0


def test_nearest_point_picks_the_closest_candidate():
    candidates = [("far", 0.0, 3.0), ("near", 1.0, 0.0), ("middle", 0.0, 2.0)]

    key, distance = nearest_point(0.0, 0.0, candidates)  # type: ignore[misc]

    assert key == "near"
    assert distance == pytest.approx(KM_PER_DEGREE)
    assert nearest_point(0.0, 0.0, []) is None


def test_voronoi_cells_two_points_split_the_rectangle_in_halves():
    envelope = box(0, 0, 2, 1)

    left, right = voronoi_cells([(0.5, 0.5), (1.5, 0.5)], envelope)

    assert left is not None and right is not None
    assert left.equals(box(0, 0, 1, 1))
    assert right.equals(box(1, 0, 2, 1))


def test_voronoi_cells_duplicate_point_gets_none():
    envelope = box(0, 0, 2, 1)

    cells = voronoi_cells([(0.5, 0.5), (0.5, 0.5), (1.5, 0.5)], envelope)

    assert cells[0] is not None and cells[0].equals(box(0, 0, 1, 1))
    assert cells[1] is None
    assert cells[2] is not None and cells[2].equals(box(1, 0, 2, 1))


def test_voronoi_cells_point_outside_gets_the_part_of_its_cell_inside():
    # Bisector of (0.5, 0.5) and (2.5, 0.5) is x = 1.5: the outside point keeps [1.5, 2] × [0, 1].
    envelope = box(0, 0, 2, 1)

    inside, outside = voronoi_cells([(0.5, 0.5), (2.5, 0.5)], envelope)

    assert inside is not None and inside.equals(box(0, 0, 1.5, 1))
    assert outside is not None and outside.area == pytest.approx(0.5)


def test_voronoi_cells_point_whose_cell_misses_the_envelope_gets_none():
    # Bisector of (0.5, 0.5) and (5, 5) is x + y = 5.5, beyond the envelope's corner (x + y = 3).
    envelope = box(0, 0, 2, 1)

    inside, far = voronoi_cells([(0.5, 0.5), (5.0, 5.0)], envelope)

    assert inside is not None and inside.equals(envelope)
    assert far is None


def test_voronoi_cells_single_point():
    envelope = box(0, 0, 2, 1)

    assert voronoi_cells([(1.0, 0.5)], envelope)[0] is envelope
    assert voronoi_cells([(10.0, 10.0)], envelope) == [None]
    assert voronoi_cells([], envelope) == []


def test_voronoi_cells_tile_a_non_convex_envelope():
    # An L-shaped envelope of area 3 and a 4 × 4 grid of points (some outside the L).
    envelope = Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (0, 0)])
    points = [(0.25 + 0.5 * i, 0.25 + 0.5 * j) for i in range(4) for j in range(4)]

    cells = voronoi_cells(points, envelope)

    present = [cell for cell in cells if cell is not None]
    assert sum(cell.area for cell in present) == pytest.approx(3.0)
    assert shapely.union_all(present).symmetric_difference(envelope).area == pytest.approx(0.0)
    # The 4 points of the missing upper-right square: three cells only touch the L along its
    # edges (no area: None), the fourth lies beyond it.
    assert len(present) == 12


def test_geometry_to_geojson_rounds_coordinates():
    geom = box(0.123456789, 1.0, 2.987654321, 3.0)

    geojson = geometry_to_geojson(geom)

    assert geojson is not None
    assert geojson["type"] == "Polygon"
    xs = sorted({round(x, 10) for x, _ in geojson["coordinates"][0]})
    assert xs == [0.12346, 2.98765]


def test_geometry_to_geojson_of_nothing_is_none_and_round_trips():
    assert geometry_to_geojson(None) is None
    assert geometry_to_geojson(Polygon()) is None
    assert geometry_from_geojson(None) is None
    point = geometry_from_geojson({"type": "Point", "coordinates": [5.139, 48.111]})
    assert point is not None and point.equals(Point(5.139, 48.111))
    multi = MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    back = geometry_from_geojson(geometry_to_geojson(multi))
    assert back is not None and back.equals(multi)
