"""Pure helpers for commune-level territory frames: code normalisation, moving old commune codes
to the current ones through the table of code changes, assembling the communes frame and the
approximate commune cells. No Django here (see `columns.py` for the column names)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics import columns as c
from diagnostics.analytics.geometry import voronoi_cells

COMMUNE_CODE_PATTERN = r"^(?:\d{5}|2[AB]\d{3})$"
DEPARTEMENT_CODE_PATTERN = r"^(?:\d{2}|2[AB]|97\d)$"
REGION_CODE_PATTERN = r"^\d{2}$"
# Voronoi cells are simplified with this tolerance (degrees, ~40 m) to keep the stored size small.
CELL_SIMPLIFY_DEGREES = 0.0005


def _clean_codes(codes: pd.Series) -> pd.Series:
    """Strings, stripped, upper case ('2a004' -> '2A004'); a float artefact '1001.0' loses its
    '.0'; empty strings become <NA>."""
    s = codes.astype("string").str.strip().str.upper()
    s = s.str.replace(r"\.0$", "", regex=True)
    return s.mask(s == "")


def normalise_commune_codes(codes: pd.Series) -> pd.Series:
    """INSEE commune codes on 5 characters: '1001' -> '01001', '2A004' stays. Files that went
    through a spreadsheet lose the leading zero of départements 01-09."""
    return _clean_codes(codes).str.zfill(5)


def normalise_departement_codes(codes: pd.Series) -> pd.Series:
    """Département codes: '1' -> '01', '2A' and '971' stay."""
    return _clean_codes(codes).str.zfill(2)


BASSIN_BMO_CODE_WIDTH = 4


def normalise_bassin_bmo_code(code: Any) -> str:
    """One bassin BMO code in its single spelling: four digits, leading zeros restored (`101`,
    `0101`, `101.0` -> `0101`; `4418` stays). The publishers write Basse-Terre `101` (BMO
    files, the commune table, job seekers per sector) or `0101` (tensions 2021); every reader
    and every user input goes through here. Anything that is not digits is only stripped."""
    text = re.sub(r"\.0+$", "", str(code).strip()) if code is not None else ""
    return text.zfill(BASSIN_BMO_CODE_WIDTH) if text.isdigit() else text


def normalise_bassin_bmo_codes(codes: pd.Series) -> pd.Series:
    """`normalise_bassin_bmo_code` over a column (computed once per distinct value); missing
    and empty values become <NA>."""
    s = _clean_codes(codes)
    uniques = {v: normalise_bassin_bmo_code(v) for v in s.dropna().unique()}
    return s.map(uniques).astype("string")


def normalise_region_codes(codes: pd.Series) -> pd.Series:
    """Région codes on 2 digits: '1' -> '01' (Guadeloupe), '84' stays."""
    return _clean_codes(codes).str.zfill(2)


def invalid_codes(codes: pd.Series, pattern: str) -> pd.Series:
    """The values of `codes` (kept with their index) that are missing or do not match `pattern`."""
    ok = codes.astype("string").str.fullmatch(pattern).fillna(False).astype(bool)
    return codes[~ok]


@dataclass
class RemapReport:
    """What `remap_to_current` did: rows kept as they were, rows moved from an old code to the
    current one, codes of communes déléguées / associées / arrondissements (ignored: their
    commune has its own row), codes found nowhere (dropped), and current codes reached only
    through several old codes with different values (the smallest old code kept)."""

    rows_read: int = 0
    direct: int = 0
    remapped: int = 0
    ignored: int = 0
    unknown: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def as_dict(self, *, examples: int = 50) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "direct": self.direct,
            "remapped": self.remapped,
            "ignored": self.ignored,
            "unknown": len(self.unknown),
            "unknown_codes": self.unknown[:examples],
            "conflicts": len(self.conflicts),
            "conflict_codes": self.conflicts[:examples],
        }


def remap_to_current(
    frame: pd.DataFrame,
    *,
    current_codes: Iterable[str],
    code_changes: pd.DataFrame | None,
    ignored_codes: Iterable[str] = (),
    code_column: str = c.CODE,
) -> tuple[pd.DataFrame, RemapReport]:
    """Key a commune-level frame by current commune codes.

    Input: `frame` with `code_column` (normalised codes) and value columns; `code_changes` with
    OLD_CODE, NEW_CODE (may be None: nothing is remapped). Output: the same columns, one row per
    current code, sorted by code.

    A row whose code is current is kept. A row with an old code listed in `code_changes` is moved
    to its current code, or to each of them when the commune was split again (commune rétablie;
    the old code may itself still be current). A moved row never replaces a row already keyed by
    the current code; among moved rows for the same code, the one with the smallest old code
    wins, and the code is listed as a conflict when their values differ. Codes in
    `ignored_codes` (sub-communal codes) and codes that are neither current nor in the table
    are dropped; the latter are listed as unknown.
    """
    if code_column not in frame.columns:
        raise KeyError(code_column)
    current = set(current_codes)
    value_columns = [col for col in frame.columns if col != code_column]
    report = RemapReport(rows_read=len(frame))
    is_current = frame[code_column].isin(current)
    direct = frame[is_current].assign(_old=frame[code_column], _priority=0)
    others = frame[~is_current]
    moved = frame.iloc[0:0].assign(_old=pd.Series(dtype="string"), _priority=1)
    if code_changes is not None and len(frame):
        changes = code_changes[[c.OLD_CODE, c.NEW_CODE]]
        changes = changes[changes[c.NEW_CODE].isin(current)].drop_duplicates()
        # Every row, current or not: a commune split again keeps its code for one part and
        # lends its values to the restored ones (which have no row of their own yet).
        merged = frame.merge(changes, left_on=code_column, right_on=c.OLD_CODE, how="inner")
        moved = merged.assign(**{code_column: merged[c.NEW_CODE]}, _old=merged[c.OLD_CODE])
        moved = moved.drop(columns=[c.OLD_CODE, c.NEW_CODE]).assign(_priority=1)
    known_old = set(moved["_old"]) if len(moved) else set()
    leftover = set(others[code_column].dropna()) - known_old
    ignored = leftover & set(ignored_codes)
    report.ignored = int(others[code_column].isin(ignored).sum())
    report.unknown = sorted(leftover - ignored)
    moved = moved[~moved[code_column].isin(set(direct[code_column]))]
    if value_columns and len(moved):
        distinct = moved.drop_duplicates([code_column, *value_columns])
        report.conflicts = sorted(set(distinct[code_column][distinct[code_column].duplicated()]))
    combined = pd.concat([direct, moved[direct.columns]], ignore_index=True)
    combined = combined.sort_values([code_column, "_priority", "_old"], kind="stable")
    result = combined.drop_duplicates(code_column, keep="first")
    report.direct = int((result["_priority"] == 0).sum())
    report.remapped = int((result["_priority"] == 1).sum())
    result = result.drop(columns=["_old", "_priority"]).reset_index(drop=True)
    return result[frame.columns.tolist()], report


def communes_frame(
    cog: pd.DataFrame,
    *,
    populations: pd.DataFrame,
    centroids: pd.DataFrame,
    memberships: Mapping[str, pd.DataFrame],
    cog_vintage: int,
    population_vintage: int,
) -> pd.DataFrame:
    """The normalised communes frame (COMMUNE_COLUMNS), one row per commune of the COG.

    Input: `cog` (CODE, NAME, DEPARTEMENT_CODE, REGION_CODE), `populations` (CODE, POPULATION),
    `centroids` (CODE, LATITUDE, LONGITUDE), `memberships` keyed by EPCI_CODE, ZONE_EMPLOI_CODE,
    BASSIN_BMO_CODE, each a frame (CODE, <that column>) already keyed by current codes. Communes
    missing from a side frame get <NA> there. Output sorted by code."""
    frame = cog[[c.CODE, c.NAME, c.DEPARTEMENT_CODE, c.REGION_CODE]].drop_duplicates(c.CODE)
    frame = frame.merge(
        populations[[c.CODE, c.POPULATION]].drop_duplicates(c.CODE), on=c.CODE, how="left"
    )
    frame = frame.merge(
        centroids[[c.CODE, c.LATITUDE, c.LONGITUDE]].drop_duplicates(c.CODE), on=c.CODE, how="left"
    )
    for column in (c.EPCI_CODE, c.ZONE_EMPLOI_CODE, c.BASSIN_BMO_CODE):
        side = memberships.get(column)
        if side is None:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
        else:
            frame = frame.merge(
                side[[c.CODE, column]].drop_duplicates(c.CODE), on=c.CODE, how="left"
            )
    frame[c.POPULATION] = frame[c.POPULATION].astype("Int64")
    frame[c.POPULATION_VINTAGE] = pd.Series(population_vintage, index=frame.index, dtype="Int64")
    frame.loc[frame[c.POPULATION].isna(), c.POPULATION_VINTAGE] = pd.NA
    frame[c.COG_VINTAGE] = pd.Series(cog_vintage, index=frame.index, dtype="Int64")
    return frame[c.COMMUNE_COLUMNS].sort_values(c.CODE).reset_index(drop=True)


def commune_cells(
    communes: pd.DataFrame,
    zones: Mapping[str, BaseGeometry],
    *,
    simplify_tolerance: float = CELL_SIMPLIFY_DEGREES,
) -> pd.DataFrame:
    """Approximate commune polygons: per zone d'emploi with a polygon, the Voronoi cells of its
    communes' centres clipped to the zone, then simplified by `simplify_tolerance` degrees.

    Input: `communes` (CODE, LONGITUDE, LATITUDE, ZONE_EMPLOI_CODE), `zones` mapping a zone code
    to its valid polygon (WGS84). The cells are computed on a local equirectangular plane
    (longitudes scaled by cos(latitude) around the zone's centre) so that they are not stretched
    east-west. Output: CODE, GEOMETRY (shapely or None when the commune has no centre, no zone
    polygon, or a duplicate centre), sorted by code, one row per input commune."""
    out_codes: list[str] = []
    out_geoms: list[BaseGeometry | None] = []
    usable = communes.dropna(subset=[c.LONGITUDE, c.LATITUDE, c.ZONE_EMPLOI_CODE])
    unusable = communes.loc[~communes.index.isin(usable.index), c.CODE]
    out_codes.extend(unusable.tolist())
    out_geoms.extend([None] * len(unusable))
    for zone_code, group in usable.groupby(c.ZONE_EMPLOI_CODE, sort=True):
        envelope = zones.get(str(zone_code))
        codes = group[c.CODE].tolist()
        if envelope is None or envelope.is_empty:
            out_codes.extend(codes)
            out_geoms.extend([None] * len(codes))
            continue
        xfact = max(math.cos(math.radians(envelope.centroid.y)), 0.1)
        scale = np.array([xfact, 1.0])
        scaled_env = shapely.transform(envelope, lambda xy, s=scale: xy * s)
        points = group[[c.LONGITUDE, c.LATITUDE]].to_numpy(dtype=float) * scale
        cells = np.array(voronoi_cells([tuple(p) for p in points], scaled_env), dtype=object)
        found = np.array([cell is not None for cell in cells], dtype=bool)
        geoms = np.full(len(cells), None, dtype=object)
        if found.any():
            back = shapely.transform(cells[found], lambda xy, s=scale: xy / s)
            if simplify_tolerance:
                simplified = shapely.simplify(back, simplify_tolerance, preserve_topology=True)
                back = np.where(shapely.is_empty(simplified), back, simplified)
            geoms[found] = back
        out_codes.extend(codes)
        out_geoms.extend(geoms.tolist())
    result = pd.DataFrame({c.CODE: out_codes, c.GEOMETRY: out_geoms})
    return result.sort_values(c.CODE).reset_index(drop=True)


def geometries_to_geojson(
    geoms: Iterable[BaseGeometry | None], *, precision: int = 5
) -> list[tuple[dict[str, Any] | None, tuple[float, float, float, float] | None]]:
    """GeoJSON dicts (coordinates rounded to 10^-precision degrees, 1e-5° ≈ 1 m, and kept
    valid) and bounding boxes of many geometries at once, in order; None or an empty geometry
    gives (None, None). Vectorised counterpart of `geometry.geometry_to_geojson` for thousands
    of commune cells."""
    arr = np.array(list(geoms), dtype=object)
    out: list[tuple[dict[str, Any] | None, tuple[float, float, float, float] | None]] = [
        (None, None)
    ] * len(arr)
    if not len(arr):
        return out
    present = np.array([g is not None for g in arr], dtype=bool)
    present[present] = ~shapely.is_empty(arr[present])
    if not present.any():
        return out
    idx = np.flatnonzero(present)
    rounded = arr[idx]
    if precision:
        # Rounding the coordinates is several times faster than set_precision; the few shapes
        # it makes invalid (or empty) are snapped again with set_precision, which keeps them valid.
        rounded = shapely.transform(rounded, lambda xy: np.round(xy, precision))
        broken = ~shapely.is_valid(rounded) | shapely.is_empty(rounded)
        if broken.any():
            snapped = shapely.set_precision(arr[idx][broken], 10**-precision)
            rounded[broken] = np.where(shapely.is_empty(snapped), arr[idx][broken], snapped)
    texts = shapely.to_geojson(rounded)
    boxes = shapely.bounds(rounded)
    for k, i in enumerate(idx.tolist()):
        box = boxes[k]
        out[i] = (
            json.loads(texts[k]),
            (float(box[0]), float(box[1]), float(box[2]), float(box[3])),
        )
    return out
