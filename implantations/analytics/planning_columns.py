"""Columns of the regional planning frames (see `planning`'s docstring for each frame) and the
checks shared by its modules."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from diagnostics.analytics.geometry import EARTH_RADIUS_KM

# --- Columns -----------------------------------------------------------------------------------
CANDIDATE_ID = "candidate_id"
COMMUNE_CODE = "commune_code"
NAME = "name"
POPULATION = "population"
LATITUDE = "latitude"
LONGITUDE = "longitude"
ZONE_EMPLOI_CODE = "zone_emploi_code"
BASSIN_BMO_CODE = "bassin_bmo_code"
REGION_CODE = "region_code"

COMMUNES_COUNT = "communes_count"
COMMUNES_WITHOUT_POPULATION = "communes_without_population"
MAIN_TOWN_CODE = "main_town_code"
MAIN_TOWN = "main_town"
MAIN_TOWN_POPULATION = "main_town_population"
NEAREST_SITE = "nearest_site"
NEAREST_SITE_KM = "nearest_site_km"

PROJECTS = "projects"
DIFFICULT = "difficult"
DIFFICULTY_BASE = "difficulty_base"
YEAR = "year"
RATE = "rate"
PERIOD = "period"

UNEMPLOYMENT_RATE = "unemployment_rate"  # %
UNEMPLOYMENT_PERIOD = "unemployment_period"
PROJECTS_PER_1000 = "projects_per_1000"
DIFFICULTY_RATE = "difficulty_rate"  # share 0..1
BMO_YEAR = "bmo_year"
NEED_SOURCE = "need_source"

POPULATION_OK = "population_ok"
MAIN_TOWN_OK = "main_town_ok"
ELIGIBLE = "eligible"
POPULATION_SCORE = "population_score"
MAIN_TOWN_SCORE = "main_town_score"
ELIGIBILITY_SCORE = "eligibility_score"
UNEMPLOYMENT_SCORE = "unemployment_score"
PROJECTS_SCORE = "projects_score"
DIFFICULTY_SCORE = "difficulty_score"
NEED_SCORE = "need_score"
ACCESS_SCORE = "access_score"
FIT = "fit"
RANK = "rank"
MISSING = "missing"  # French names of the components that could not be computed

COMMUNE_COLUMNS = [
    COMMUNE_CODE,
    NAME,
    POPULATION,
    LATITUDE,
    LONGITUDE,
    ZONE_EMPLOI_CODE,
    BASSIN_BMO_CODE,
    REGION_CODE,
]
MEMBERSHIP_COLUMNS = [CANDIDATE_ID, COMMUNE_CODE]
CANDIDATE_COLUMNS = [
    CANDIDATE_ID,
    POPULATION,
    COMMUNES_COUNT,
    COMMUNES_WITHOUT_POPULATION,
    MAIN_TOWN_CODE,
    MAIN_TOWN,
    MAIN_TOWN_POPULATION,
    LATITUDE,
    LONGITUDE,
]
BMO_TOTAL_COLUMNS = [BASSIN_BMO_CODE, PROJECTS, DIFFICULT, DIFFICULTY_BASE, YEAR]
UNEMPLOYMENT_LATEST_COLUMNS = [ZONE_EMPLOI_CODE, RATE, PERIOD]
NEED_COLUMNS = [
    UNEMPLOYMENT_RATE,
    UNEMPLOYMENT_PERIOD,
    PROJECTS,
    PROJECTS_PER_1000,
    DIFFICULTY_RATE,
    BMO_YEAR,
]
SITE_POINT_COLUMNS = [NAME, LATITUDE, LONGITUDE]
FIT_INPUT_COLUMNS = [
    CANDIDATE_ID,
    POPULATION,
    MAIN_TOWN_POPULATION,
    NEAREST_SITE_KM,
    UNEMPLOYMENT_RATE,
    PROJECTS_PER_1000,
    DIFFICULTY_RATE,
]
FIT_COLUMNS = [
    POPULATION_OK,
    MAIN_TOWN_OK,
    ELIGIBLE,
    POPULATION_SCORE,
    MAIN_TOWN_SCORE,
    ELIGIBILITY_SCORE,
    UNEMPLOYMENT_SCORE,
    PROJECTS_SCORE,
    DIFFICULTY_SCORE,
    NEED_SCORE,
    ACCESS_SCORE,
    FIT,
    RANK,
    MISSING,
]

# Levels a region's candidates can be built from.
LEVEL_ZONE_EMPLOI = "zone_emploi"
LEVEL_BASSIN_BMO = "bassin_bmo"
LEVEL_COLUMNS = {LEVEL_ZONE_EMPLOI: ZONE_EMPLOI_CODE, LEVEL_BASSIN_BMO: BASSIN_BMO_CODE}


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes dans {what} : {', '.join(missing)}")


def float_or_none(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def pairwise_km(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between every pair of points (haversine), a square matrix."""
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
