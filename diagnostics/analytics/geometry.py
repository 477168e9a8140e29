"""Pure geometry helpers (shapely 2 / geopandas): repair, union, bounding boxes, distances and
approximate commune cells. No Django here: geometries go in and out as GeoJSON dicts (WGS84)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"
EARTH_RADIUS_KM = 6371.0088

GeoJSON = dict[str, Any]


def geometry_from_geojson(geojson: GeoJSON | None) -> BaseGeometry | None:
    if not geojson:
        return None
    return shape(geojson)


def geometry_or_none(value: Any) -> BaseGeometry | None:
    """A shapely geometry from a geometry or a GeoJSON dict; None for anything else or empty."""
    if value is None:
        return None
    if isinstance(value, BaseGeometry):
        return None if value.is_empty else value
    if isinstance(value, dict):
        geom = shape(value)
        return None if geom.is_empty else geom
    return None


def geometry_to_geojson(geom: BaseGeometry | None, *, precision: int = 5) -> GeoJSON | None:
    """GeoJSON of a geometry with coordinates rounded to `precision` decimals (1e-5° ≈ 1 m)."""
    if geom is None or geom.is_empty:
        return None
    rounded = shapely.set_precision(geom, 10**-precision) if precision else geom
    if rounded.is_empty:
        rounded = geom
    return dict(mapping(rounded))


def repair(geom: BaseGeometry) -> tuple[BaseGeometry, bool]:
    """Return a valid polygonal geometry and whether it had to be repaired (make_valid)."""
    if geom.is_valid:
        return geom, False
    fixed = shapely.make_valid(geom)
    # make_valid may return a collection with stray lines or points: keep the polygonal parts.
    if fixed.geom_type == "GeometryCollection":
        polygons = [
            g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        fixed = shapely.union_all(polygons) if polygons else fixed
    return fixed, True


def union(geoms: Iterable[BaseGeometry | None]) -> BaseGeometry | None:
    """Union of polygons (None and empty ones ignored); None when nothing is left."""
    parts = [g for g in geoms if g is not None and not g.is_empty]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    if not merged.is_valid:
        merged, _ = repair(merged)
    return merged


def bounds(geom: BaseGeometry | None) -> tuple[float, float, float, float] | None:
    if geom is None or geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return (float(minx), float(miny), float(maxx), float(maxy))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_point(
    lat: float, lon: float, candidates: Sequence[tuple[Any, float, float]]
) -> tuple[Any, float] | None:
    """The candidate (key, lat, lon) nearest to (lat, lon) and its distance in km."""
    if not candidates:
        return None
    lats = np.radians(np.array([c[1] for c in candidates], dtype=float))
    lons = np.radians(np.array([c[2] for c in candidates], dtype=float))
    p1, l1 = math.radians(lat), math.radians(lon)
    a = np.sin((lats - p1) / 2) ** 2 + math.cos(p1) * np.cos(lats) * np.sin((lons - l1) / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    i = int(np.argmin(d))
    return candidates[i][0], float(d[i])


def voronoi_cells(
    points: Sequence[tuple[float, float]], envelope: BaseGeometry
) -> list[BaseGeometry | None]:
    """Approximate territories for points (lon, lat) inside `envelope`: the Voronoi cell of each
    point clipped to the envelope, in the order of `points`. A point outside the envelope gets
    the part of its cell inside it (None when there is none); duplicate points after the first
    get None. Cells tile the envelope, so their union is the envelope itself."""
    if not points:
        return []
    pts = shapely.points(np.asarray(points, dtype=float))
    result: list[BaseGeometry | None] = [None] * len(points)
    if len(points) == 1:
        result[0] = (
            envelope if envelope.covers(pts[0]) or envelope.distance(pts[0]) < 0.05 else None
        )
        return result
    regions = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=envelope)
    cells = list(shapely.get_parts(regions))
    tree = shapely.STRtree(cells)
    # Each Voronoi region contains exactly one input point (duplicates share one region).
    point_idx, cell_idx = tree.query(pts, predicate="intersects")
    seen_cells: set[int] = set()
    for p, c in zip(point_idx.tolist(), cell_idx.tolist(), strict=True):
        if result[p] is not None or c in seen_cells:
            continue
        clipped = shapely.intersection(cells[c], envelope)
        if clipped.geom_type not in ("Polygon", "MultiPolygon"):
            # A cell touching the envelope along an edge or at a corner gives lines or points:
            # keep only polygonal parts, and no cell at all when none is left.
            parts = shapely.get_parts(clipped)
            clipped = union(g for g in parts if g.geom_type in ("Polygon", "MultiPolygon"))
        if clipped is None or clipped.is_empty or clipped.area <= 0:
            continue
        result[p] = clipped
        seen_cells.add(c)
    return result
