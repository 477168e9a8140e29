"""Regional planning, pure: candidate basins of a region, their programme fit, and the choice of
N sites under a budget with a minimum distance between them.

Frames and their columns (constants below):

- COMMUNES (`COMMUNE_COLUMNS`): commune_code, name, population, latitude, longitude,
  zone_emploi_code, bassin_bmo_code, region_code — one row per commune (France, or at least
  the communes of the candidates).
- MEMBERSHIP (`MEMBERSHIP_COLUMNS`): candidate_id, commune_code — which communes make up each
  candidate (a commune may belong to several registered basins).
- CANDIDATES (`CANDIDATE_COLUMNS`, built by `candidate_summary` then `with_nearest_site`):
  candidate_id, name, population, communes_count, communes_without_population,
  main_town_code, main_town, main_town_population, latitude, longitude, nearest_site,
  nearest_site_km; `candidate_need` adds NEED_COLUMNS; `programme_fit` adds FIT_COLUMNS.
- BMO totals per bassin (`BMO_TOTAL_COLUMNS`): bassin_bmo_code, projects, difficult,
  difficulty_base (Σ met over the cells where xmet is published too), year.
- UNEMPLOYMENT per zone (`UNEMPLOYMENT_LATEST_COLUMNS`): zone_emploi_code, rate, period.
- SITES (`SITE_POINT_COLUMNS`): name, latitude, longitude (active Cnam sites).

The selection (`sites_select`) maximises the covered need — the sum of the fit scores of the
chosen candidates — with at most N sites, a total cost within the budget, and main towns at
least `min_km` apart. It runs a greedy heuristic and an exact integer program (HiGHS through
`scipy.optimize.milp`), and says which one it kept and how far the greedy one is from the
optimum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes dans {what} : {', '.join(missing)}")


def _float_or_none(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


# --- Candidates ----------------------------------------------------------------------------------
def _main_towns(members: pd.DataFrame) -> pd.DataFrame:
    """Most populated commune of each candidate (unknown population last, ties: smallest code)."""
    ordered = members.assign(
        _pop=pd.to_numeric(members[POPULATION], errors="coerce").fillna(-1.0)
    ).sort_values([CANDIDATE_ID, "_pop", COMMUNE_CODE], ascending=[True, False, True])
    return ordered.drop_duplicates(CANDIDATE_ID, keep="first").drop(columns="_pop")


def zone_members(communes: pd.DataFrame, *, level: str, region_code: str) -> pd.DataFrame:
    """MEMBERSHIP of the zones d'emploi (or bassins BMO) of a region: every commune of each zone
    whose main town (most populated commune) lies in `region_code` — the rule by which a
    registered basin belongs to the region of its main town. Zones across a regional border
    keep their communes of the other region. candidate_id = the zone's code. Sorted."""
    _require(communes, COMMUNE_COLUMNS, "la table des communes")
    if level not in LEVEL_COLUMNS:
        raise ValueError(
            f"Niveau inconnu : « {level} » (attendu : {', '.join(sorted(LEVEL_COLUMNS))})."
        )
    zone = LEVEL_COLUMNS[level]
    located = communes[communes[zone].notna() & (communes[zone].astype(str) != "")]
    members = located.assign(**{CANDIDATE_ID: located[zone].astype(str)})
    towns = _main_towns(members)
    kept = set(towns.loc[towns[REGION_CODE].astype(str) == str(region_code), CANDIDATE_ID])
    out = members.loc[members[CANDIDATE_ID].isin(kept), MEMBERSHIP_COLUMNS]
    return out.sort_values(MEMBERSHIP_COLUMNS, kind="mergesort").reset_index(drop=True)


def candidate_summary(
    membership: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    main_towns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """CANDIDATE_COLUMNS: population (Σ communes, unknown ones counted apart), commune count,
    main town (`main_towns[candidate_id]` when given — a registered basin's choice — else the
    most populated commune) with its population and coordinates. Sorted by candidate_id."""
    _require(membership, MEMBERSHIP_COLUMNS, "la composition des candidats")
    _require(communes, COMMUNE_COLUMNS, "la table des communes")
    members = membership.merge(
        communes.drop_duplicates(COMMUNE_CODE), on=COMMUNE_CODE, how="inner", validate="m:1"
    )
    population = pd.to_numeric(members[POPULATION], errors="coerce")
    grouped = (
        members.assign(_pop=population.fillna(0), _unknown=population.isna())
        .groupby(CANDIDATE_ID, sort=True)
        .agg(
            **{
                POPULATION: ("_pop", "sum"),
                COMMUNES_COUNT: (COMMUNE_CODE, "nunique"),
                COMMUNES_WITHOUT_POPULATION: ("_unknown", "sum"),
            }
        )
        .reset_index()
    )
    towns = _main_towns(members)
    if main_towns:
        chosen = members[
            members[COMMUNE_CODE] == members[CANDIDATE_ID].map(dict(main_towns)).astype(object)
        ].drop_duplicates(CANDIDATE_ID)
        towns = pd.concat(
            [chosen, towns[~towns[CANDIDATE_ID].isin(chosen[CANDIDATE_ID])]], ignore_index=True
        )
    towns = towns.rename(
        columns={COMMUNE_CODE: MAIN_TOWN_CODE, NAME: MAIN_TOWN, POPULATION: MAIN_TOWN_POPULATION}
    )[[CANDIDATE_ID, MAIN_TOWN_CODE, MAIN_TOWN, MAIN_TOWN_POPULATION, LATITUDE, LONGITUDE]]
    out = grouped.merge(towns, on=CANDIDATE_ID, how="left")
    out[POPULATION] = out[POPULATION].astype("int64")
    out[COMMUNES_COUNT] = out[COMMUNES_COUNT].astype("int64")
    out[COMMUNES_WITHOUT_POPULATION] = out[COMMUNES_WITHOUT_POPULATION].astype("int64")
    out[MAIN_TOWN_POPULATION] = pd.to_numeric(out[MAIN_TOWN_POPULATION]).astype("Float64")
    out[LATITUDE] = pd.to_numeric(out[LATITUDE]).astype("Float64")
    out[LONGITUDE] = pd.to_numeric(out[LONGITUDE]).astype("Float64")
    out[CANDIDATE_ID] = out[CANDIDATE_ID].astype(object)
    return out[CANDIDATE_COLUMNS].sort_values(CANDIDATE_ID, kind="mergesort").reset_index(drop=True)


def pairwise_km(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between every pair of points (haversine), a square matrix."""
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def with_nearest_site(candidates: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Adds nearest_site (name) and nearest_site_km: the active Cnam site nearest to each
    candidate's main town, as the crow flies. NA when there is no site or no coordinates."""
    _require(candidates, [CANDIDATE_ID, LATITUDE, LONGITUDE], "les candidats")
    _require(sites, SITE_POINT_COLUMNS, "les sites Cnam")
    out = candidates.copy()
    names: list[object] = [pd.NA] * len(out)
    km: list[float | None] = [None] * len(out)
    located_sites = sites.dropna(subset=[LATITUDE, LONGITUDE]).reset_index(drop=True)
    if len(located_sites):
        s_lat = np.radians(located_sites[LATITUDE].to_numpy(dtype=float))
        s_lon = np.radians(located_sites[LONGITUDE].to_numpy(dtype=float))
        for i, (lat, lon) in enumerate(zip(out[LATITUDE], out[LONGITUDE], strict=True)):
            lat_f, lon_f = _float_or_none(lat), _float_or_none(lon)
            if lat_f is None or lon_f is None:
                continue
            p, lam = math.radians(lat_f), math.radians(lon_f)
            a = (
                np.sin((s_lat - p) / 2) ** 2
                + math.cos(p) * np.cos(s_lat) * np.sin((s_lon - lam) / 2) ** 2
            )
            d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
            j = int(np.argmin(d))
            names[i] = located_sites[NAME].iloc[j]
            km[i] = float(d[j])
    out[NEAREST_SITE] = pd.Series(names, index=out.index, dtype=object)
    out[NEAREST_SITE_KM] = pd.Series(km, index=out.index, dtype="Float64")
    return out


# --- Need -----------------------------------------------------------------------------------------
def candidate_need(
    membership: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    bmo_totals: pd.DataFrame,
    unemployment: pd.DataFrame,
) -> pd.DataFrame:
    """NEED_COLUMNS per candidate, moved from the published zonings through the communes,
    weighted by population (the two zonings do not nest):

    - unemployment_rate = Σ_z rate_z · pop(candidate ∩ z) / Σ_z pop(candidate ∩ z), over the
      zones d'emploi with a published rate (the latest quarter of each), and its period;
    - projects = Σ_b projects_b · pop(candidate ∩ b) / pop(b) over the bassins BMO;
      projects_per_1000 = projects · 1000 / population of the candidate's communes;
    - difficulty_rate = Σ_b w_b · difficult_b / Σ_b w_b · difficulty_base_b (ratio of sums).

    Candidates without any figure get NA. Sorted by candidate_id."""
    _require(membership, MEMBERSHIP_COLUMNS, "la composition des candidats")
    _require(communes, COMMUNE_COLUMNS, "la table des communes")
    _require(bmo_totals, BMO_TOTAL_COLUMNS, "les totaux BMO par bassin")
    _require(unemployment, UNEMPLOYMENT_LATEST_COLUMNS, "les taux de chômage par zone")
    table = communes.drop_duplicates(COMMUNE_CODE)[
        [COMMUNE_CODE, POPULATION, ZONE_EMPLOI_CODE, BASSIN_BMO_CODE]
    ].assign(_pop=lambda f: pd.to_numeric(f[POPULATION], errors="coerce").fillna(0.0))
    members = membership.merge(table, on=COMMUNE_CODE, how="inner", validate="m:1")
    ids = pd.DataFrame(
        {
            CANDIDATE_ID: pd.Series(
                sorted(membership[CANDIDATE_ID].astype(str).unique()), dtype=object
            )
        }
    )
    candidate_pop = members.groupby(CANDIDATE_ID)["_pop"].sum()

    # Unemployment: population-weighted mean of the zones' rates.
    rates = unemployment.assign(_rate=pd.to_numeric(unemployment[RATE], errors="coerce"))
    rates = rates.dropna(subset=["_rate"]).drop_duplicates(ZONE_EMPLOI_CODE)
    with_rate = members.merge(
        rates[[ZONE_EMPLOI_CODE, "_rate", PERIOD]], on=ZONE_EMPLOI_CODE, how="inner"
    )
    with_rate = with_rate[with_rate["_pop"] > 0]
    unemployment_out = (
        with_rate.assign(_w=with_rate["_rate"] * with_rate["_pop"])
        .groupby(CANDIDATE_ID)
        .agg(_w=("_w", "sum"), _pop=("_pop", "sum"), _period=(PERIOD, "max"))
    )
    unemployment_out[UNEMPLOYMENT_RATE] = unemployment_out["_w"] / unemployment_out["_pop"]

    # BMO: each bassin's totals shared out by the population of its communes in the candidate.
    bassin_pop = table.groupby(BASSIN_BMO_CODE)["_pop"].sum()
    overlap = members.groupby([CANDIDATE_ID, BASSIN_BMO_CODE])["_pop"].sum().reset_index()
    overlap["_share"] = overlap["_pop"] / overlap[BASSIN_BMO_CODE].map(bassin_pop)
    totals = bmo_totals.copy()
    for column in (PROJECTS, DIFFICULT, DIFFICULTY_BASE):
        totals[column] = pd.to_numeric(totals[column], errors="coerce").astype(float)
    moved = overlap.merge(totals, on=BASSIN_BMO_CODE, how="inner")
    moved = moved[moved["_share"].notna()]
    bmo_out = (
        moved.assign(
            _p=moved[PROJECTS] * moved["_share"],
            _d=moved[DIFFICULT] * moved["_share"],
            _b=moved[DIFFICULTY_BASE] * moved["_share"],
        )
        .groupby(CANDIDATE_ID)
        .agg(_p=("_p", "sum"), _d=("_d", "sum"), _b=("_b", "sum"), _year=(YEAR, "max"))
    )

    out = ids.set_index(CANDIDATE_ID)
    out[UNEMPLOYMENT_RATE] = unemployment_out[UNEMPLOYMENT_RATE].astype("Float64")
    out[UNEMPLOYMENT_PERIOD] = unemployment_out["_period"].astype(object)
    out[PROJECTS] = bmo_out["_p"].astype("Float64")
    population = candidate_pop.reindex(out.index)
    out[PROJECTS_PER_1000] = (
        bmo_out["_p"].reindex(out.index) * 1000 / population.where(population > 0)
    ).astype("Float64")
    base = bmo_out["_b"].reindex(out.index)
    out[DIFFICULTY_RATE] = (bmo_out["_d"].reindex(out.index) / base.where(base > 0)).astype(
        "Float64"
    )
    out[BMO_YEAR] = bmo_out["_year"].reindex(out.index).astype("Int64")
    out[UNEMPLOYMENT_PERIOD] = out[UNEMPLOYMENT_PERIOD].where(out[UNEMPLOYMENT_PERIOD].notna())
    return out.reset_index()[[CANDIDATE_ID, *NEED_COLUMNS]]


# --- Fit ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FitBounds:
    """Programme bounds: the basin's population and its main town's (a « ville moyenne »), and
    the distance to a Cnam site from which a basin counts as fully uncovered."""

    population_min: int = 30_000
    population_max: int = 100_000
    main_town_min: int = 10_000
    main_town_max: int = 100_000
    far_km: float = 50.0


MAX_FIT_WEIGHT = 1000.0


@dataclass(frozen=True)
class FitWeights:
    """Weights of the three pillars of the fit, and of the need indicators inside « besoin »."""

    eligibility: float = 0.3
    need: float = 0.5
    access: float = 0.2
    unemployment: float = 1.0
    projects: float = 1.0
    difficulty: float = 1.0

    def check(self) -> None:
        values = {
            "éligibilité": self.eligibility,
            "besoin": self.need,
            "éloignement": self.access,
            "chômage": self.unemployment,
            "projets pour 1 000 habitants": self.projects,
            "taux de difficulté": self.difficulty,
        }
        non_finite = [name for name, value in values.items() if not math.isfinite(value)]
        if non_finite:
            raise ValueError(f"Poids non finis : {', '.join(non_finite)}.")
        too_big = [name for name, value in values.items() if value > MAX_FIT_WEIGHT]
        if too_big:
            raise ValueError(
                f"Poids trop grands (au plus {MAX_FIT_WEIGHT:.0f} ; seuls leurs rapports "
                f"comptent) : {', '.join(too_big)}."
            )
        negative = [name for name, value in values.items() if value < 0]
        if negative:
            raise ValueError(f"Poids négatifs : {', '.join(negative)}.")
        if self.eligibility + self.need + self.access <= 0:
            raise ValueError("Les poids des trois piliers sont tous nuls.")


def band_score(value: float | None, low: float, high: float) -> float | None:
    """1 inside [low, high]; value/low below; high/value above; None when unknown."""
    if value is None:
        return None
    if value < low:
        return max(value, 0.0) / low if low > 0 else 0.0
    if value > high:
        return high / value
    return 1.0


def min_max(values: pd.Series) -> pd.Series:
    """(x − min) / (max − min) over the known values; 0.5 for all when they are all equal."""
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    known = numbers.dropna()
    if known.empty:
        return numbers
    low, high = float(known.min()), float(known.max())
    if high - low <= 0:
        return numbers.where(numbers.isna(), 0.5)
    return (numbers - low) / (high - low)


def _weighted(parts: list[tuple[float | None, float]]) -> float | None:
    known = [(v, w) for v, w in parts if v is not None and w > 0]
    total = sum(w for _, w in known)
    if total <= 0:
        return None
    return sum(v * w for v, w in known) / total


def programme_fit(
    candidates: pd.DataFrame,
    *,
    bounds: FitBounds | None = None,
    weights: FitWeights | None = None,
) -> pd.DataFrame:
    """Programme fit of each candidate, 0–100, with its components (FIT_COLUMNS added):

    - éligibilité = mean of the population and main-town band scores (`band_score`: 1 within
      the bounds, value/min below, max/value above); `eligible` is True when both are within
      the bounds, False when one is outside, NA when a population is unknown;
    - besoin = weighted mean of the unemployment rate, the projects per 1,000 inhabitants and
      the BMO difficulty rate, each normalised min–max over the candidates (`min_max`);
    - éloignement = min(distance to the nearest Cnam site / far_km, 1).

    fit = 100 · Σ weight · pillar / Σ weight over the pillars that could be computed (the
    others are named in `missing`). rank = 1 for the best fit (ties: candidate_id). Input:
    FIT_INPUT_COLUMNS. Sorted by rank."""
    _require(candidates, FIT_INPUT_COLUMNS, "les candidats")
    bounds = bounds or FitBounds()
    weights = weights or FitWeights()
    weights.check()
    out = candidates.copy()
    out[UNEMPLOYMENT_SCORE] = min_max(out[UNEMPLOYMENT_RATE])
    out[PROJECTS_SCORE] = min_max(out[PROJECTS_PER_1000])
    out[DIFFICULTY_SCORE] = min_max(out[DIFFICULTY_RATE])

    rows: list[dict[str, object]] = []
    for _, row in out.iterrows():
        population = _float_or_none(row[POPULATION])
        town = _float_or_none(row[MAIN_TOWN_POPULATION])
        pop_score = band_score(population, bounds.population_min, bounds.population_max)
        town_score = band_score(town, bounds.main_town_min, bounds.main_town_max)
        pop_ok = None if pop_score is None else pop_score == 1.0
        town_ok = None if town_score is None else town_score == 1.0
        eligible: bool | None
        if pop_ok is False or town_ok is False:
            eligible = False
        elif pop_ok is None or town_ok is None:
            eligible = None
        else:
            eligible = True
        eligibility = _weighted([(pop_score, 1.0), (town_score, 1.0)])
        need = _weighted(
            [
                (_float_or_none(row[UNEMPLOYMENT_SCORE]), weights.unemployment),
                (_float_or_none(row[PROJECTS_SCORE]), weights.projects),
                (_float_or_none(row[DIFFICULTY_SCORE]), weights.difficulty),
            ]
        )
        distance = _float_or_none(row[NEAREST_SITE_KM])
        access = None if distance is None else min(distance / bounds.far_km, 1.0)
        missing = [
            label
            for label, value in (
                ("éligibilité", eligibility),
                ("besoin", need),
                ("éloignement", access),
            )
            if value is None
        ]
        fit = _weighted(
            [(eligibility, weights.eligibility), (need, weights.need), (access, weights.access)]
        )
        rows.append(
            {
                POPULATION_OK: pop_ok,
                MAIN_TOWN_OK: town_ok,
                ELIGIBLE: eligible,
                POPULATION_SCORE: pop_score,
                MAIN_TOWN_SCORE: town_score,
                ELIGIBILITY_SCORE: eligibility,
                NEED_SCORE: need,
                ACCESS_SCORE: access,
                FIT: None if fit is None else 100 * fit,
                MISSING: ", ".join(missing),
            }
        )
    scores = pd.DataFrame(rows, index=out.index)
    for column in (POPULATION_OK, MAIN_TOWN_OK, ELIGIBLE):
        out[column] = scores[column].astype("boolean")
    for column in (POPULATION_SCORE, MAIN_TOWN_SCORE, ELIGIBILITY_SCORE, NEED_SCORE):
        out[column] = scores[column].astype("Float64")
    out[ACCESS_SCORE] = scores[ACCESS_SCORE].astype("Float64")
    out[FIT] = scores[FIT].astype("Float64")
    out[MISSING] = scores[MISSING].astype(object)
    order = out.assign(_fit=out[FIT].fillna(-1.0)).sort_values(
        ["_fit", CANDIDATE_ID], ascending=[False, True], kind="mergesort"
    )
    out = order.drop(columns="_fit").reset_index(drop=True)
    out[RANK] = pd.Series(range(1, len(out) + 1), dtype="int64")
    return out


# --- Selection ------------------------------------------------------------------------------------
VALUE = "value"
COST = "cost"
SELECTION_INPUT_COLUMNS = [CANDIDATE_ID, VALUE, COST, LATITUDE, LONGITUDE]

METHOD_ILP = "ilp"
METHOD_GREEDY = "greedy"
METHOD_LABELS = {
    METHOD_ILP: "programmation linéaire en nombres entiers (HiGHS)",
    METHOD_GREEDY: "heuristique gloutonne",
}


@dataclass(frozen=True)
class Selection:
    """The sites picked and how they were found.

    `method` is METHOD_ILP when the integer program was solved to optimality (or stopped with
    a better solution than the greedy one), else METHOD_GREEDY. `gap` = (ILP optimum − greedy
    objective) / ILP optimum, the share of covered need the greedy heuristic misses (None when
    the ILP did not finish); `mip_gap` is HiGHS' own relative gap (0 at optimality)."""

    method: str
    chosen: tuple[str, ...]
    objective: float
    cost: float
    greedy_chosen: tuple[str, ...]
    greedy_objective: float
    ilp_chosen: tuple[str, ...] | None
    ilp_objective: float | None
    ilp_status: str
    ilp_optimal: bool
    mip_gap: float | None
    gap: float | None
    n: int
    budget: float | None
    min_km: float
    conflicts: int
    excluded: dict[str, str] = field(default_factory=dict)

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "method_label": self.method_label,
            "chosen": list(self.chosen),
            "objective": round(self.objective, 4),
            "cost": round(self.cost, 2),
            "greedy": {
                "chosen": list(self.greedy_chosen),
                "objective": round(self.greedy_objective, 4),
            },
            "ilp": {
                "chosen": list(self.ilp_chosen) if self.ilp_chosen is not None else None,
                "objective": round(self.ilp_objective, 4)
                if self.ilp_objective is not None
                else None,
                "status": self.ilp_status,
                "optimal": self.ilp_optimal,
                "mip_gap": self.mip_gap,
            },
            "gap": round(self.gap, 6) if self.gap is not None else None,
            "n": self.n,
            "budget": self.budget,
            "min_km": self.min_km,
            "conflicts": self.conflicts,
            "excluded": dict(self.excluded),
        }


def _check_selection(
    frame: pd.DataFrame, *, n: int, budget: float | None, min_km: float
) -> pd.DataFrame:
    _require(frame, SELECTION_INPUT_COLUMNS, "les candidats à la sélection")
    if n < 1:
        raise ValueError(f"Le nombre de sites doit être au moins 1 (reçu : {n}).")
    if budget is not None and (math.isnan(budget) or budget < 0):
        raise ValueError(f"Le budget doit être positif ou nul (reçu : {budget}).")
    if math.isnan(min_km) or min_km < 0:
        raise ValueError(f"La distance minimale doit être positive ou nulle (reçu : {min_km}).")
    duplicated = frame[CANDIDATE_ID][frame[CANDIDATE_ID].duplicated()].astype(str).tolist()
    if duplicated:
        raise ValueError(f"Candidats en double : {', '.join(sorted(set(duplicated)))}.")
    costs = pd.to_numeric(frame[COST], errors="coerce")
    bad = frame.loc[costs.isna() | (costs < 0), CANDIDATE_ID].astype(str).tolist()
    if bad:
        raise ValueError(f"Coût manquant ou négatif pour : {', '.join(bad)}.")
    values = pd.to_numeric(frame[VALUE], errors="coerce")
    bad = frame.loc[values.isna(), CANDIDATE_ID].astype(str).tolist()
    if bad:
        raise ValueError(f"Besoin couvert inconnu pour : {', '.join(bad)}.")
    out = frame.copy()
    out[CANDIDATE_ID] = frame[CANDIDATE_ID].astype(str)
    out[VALUE] = values.astype(float)
    out[COST] = costs.astype(float)
    return out


def conflict_pairs(frame: pd.DataFrame, *, min_km: float) -> list[tuple[int, int]]:
    """Index pairs (i < j, positions in `frame`) of candidates whose main towns are less than
    `min_km` apart."""
    if min_km <= 0 or len(frame) < 2:
        return []
    distances = pairwise_km(
        frame[LATITUDE].to_numpy(dtype=float), frame[LONGITUDE].to_numpy(dtype=float)
    )
    i, j = np.nonzero(np.triu(distances < min_km, k=1))
    return list(zip(i.tolist(), j.tolist(), strict=True))


def select_greedy(
    frame: pd.DataFrame, *, n: int, budget: float | None, conflicts: list[tuple[int, int]]
) -> list[int]:
    """Positions picked by the greedy heuristic: candidates by decreasing value (then lower
    cost, then id), each taken when it still fits the count, the budget and the distances."""
    order = sorted(
        range(len(frame)),
        key=lambda k: (-frame[VALUE].iloc[k], frame[COST].iloc[k], frame[CANDIDATE_ID].iloc[k]),
    )
    neighbours: dict[int, set[int]] = {}
    for i, j in conflicts:
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    chosen: list[int] = []
    spent = 0.0
    for k in order:
        if len(chosen) >= n:
            break
        cost = float(frame[COST].iloc[k])
        if budget is not None and spent + cost > budget + 1e-9:
            continue
        if neighbours.get(k, set()) & set(chosen):
            continue
        chosen.append(k)
        spent += cost
    return chosen


def select_ilp(
    frame: pd.DataFrame,
    *,
    n: int,
    budget: float | None,
    conflicts: list[tuple[int, int]],
    time_limit_s: float = 10.0,
) -> tuple[list[int] | None, str, bool, float | None]:
    """Exact choice by integer programming: maximise Σ value·x subject to Σ x ≤ n,
    Σ cost·x ≤ budget, x_i + x_j ≤ 1 for every conflicting pair, x binary — solved by HiGHS
    (`scipy.optimize.milp`). Returns (positions or None, status message, optimal, mip_gap)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    size = len(frame)
    if size == 0:
        return [], "aucun candidat", True, 0.0
    values = frame[VALUE].to_numpy(dtype=float)
    rows = [np.ones(size)]
    upper = [float(n)]
    if budget is not None:
        rows.append(frame[COST].to_numpy(dtype=float))
        upper.append(float(budget))
    dense = LinearConstraint(np.vstack(rows), -np.inf, np.array(upper))
    constraints = [dense]
    if conflicts:
        count = len(conflicts)
        r = np.repeat(np.arange(count), 2)
        c = np.array([k for pair in conflicts for k in pair])
        matrix = coo_array((np.ones(2 * count), (r, c)), shape=(count, size)).tocsr()
        constraints.append(LinearConstraint(matrix, -np.inf, np.ones(count)))
    result = milp(
        c=-values,
        integrality=np.ones(size),
        bounds=Bounds(np.zeros(size), np.ones(size)),
        constraints=constraints,
        options={"time_limit": time_limit_s, "disp": False},
    )
    mip_gap = _float_or_none(getattr(result, "mip_gap", None))
    if result.x is None:
        return None, f"pas de solution ({result.message})", False, mip_gap
    picked = [k for k in range(size) if result.x[k] > 0.5]
    optimal = result.status == 0
    status = "optimum prouvé" if optimal else f"arrêté avant l'optimum ({result.message})"
    return picked, status, optimal, mip_gap


def sites_select(
    frame: pd.DataFrame,
    *,
    n: int,
    budget: float | None = None,
    min_km: float = 0.0,
    time_limit_s: float = 10.0,
) -> Selection:
    """Pick at most `n` candidates maximising Σ value (the covered need) with Σ cost ≤ `budget`
    (None: no budget) and main towns at least `min_km` apart. Input columns:
    SELECTION_INPUT_COLUMNS (value ≥ 0, cost ≥ 0). Candidates without coordinates cannot be
    checked against the distance and are left out (listed in `excluded`) when min_km > 0.

    Both methods run: the greedy heuristic, and the integer program; the ILP's solution is
    kept when it is optimal or better, and the gap between the two is reported."""
    checked = _check_selection(frame, n=n, budget=budget, min_km=min_km)
    excluded: dict[str, str] = {}
    if min_km > 0:
        unlocated = checked[LATITUDE].isna() | checked[LONGITUDE].isna()
        for cid in checked.loc[unlocated, CANDIDATE_ID]:
            excluded[cid] = "ville principale sans coordonnées"
        checked = checked[~unlocated]
    if budget is not None:
        for cid in checked.loc[checked[COST] > budget + 1e-9, CANDIDATE_ID]:
            excluded[cid] = "coût supérieur au budget à lui seul"
    checked = checked.sort_values(CANDIDATE_ID, kind="mergesort").reset_index(drop=True)
    pairs = conflict_pairs(checked, min_km=min_km)

    greedy = select_greedy(checked, n=n, budget=budget, conflicts=pairs)
    greedy_value = float(checked[VALUE].iloc[greedy].sum()) if greedy else 0.0
    ilp, status, optimal, mip_gap = select_ilp(
        checked, n=n, budget=budget, conflicts=pairs, time_limit_s=time_limit_s
    )
    ilp_value = float(checked[VALUE].iloc[ilp].sum()) if ilp else (0.0 if ilp == [] else None)

    def ids(positions: list[int]) -> tuple[str, ...]:
        ordered = sorted(
            positions, key=lambda k: (-checked[VALUE].iloc[k], checked[CANDIDATE_ID].iloc[k])
        )
        return tuple(checked[CANDIDATE_ID].iloc[k] for k in ordered)

    use_ilp = ilp is not None and ilp_value is not None and (optimal or ilp_value > greedy_value)
    chosen = ilp if use_ilp and ilp is not None else greedy
    gap = None
    if optimal and ilp_value is not None:
        gap = 0.0 if ilp_value <= 0 else max(ilp_value - greedy_value, 0.0) / ilp_value
    return Selection(
        method=METHOD_ILP if use_ilp else METHOD_GREEDY,
        chosen=ids(chosen),
        objective=float(checked[VALUE].iloc[chosen].sum()) if chosen else 0.0,
        cost=float(checked[COST].iloc[chosen].sum()) if chosen else 0.0,
        greedy_chosen=ids(greedy),
        greedy_objective=greedy_value,
        ilp_chosen=ids(ilp) if ilp is not None else None,
        ilp_objective=ilp_value,
        ilp_status=status,
        ilp_optimal=optimal,
        mip_gap=mip_gap,
        gap=gap,
        n=n,
        budget=budget,
        min_km=min_km,
        conflicts=len(pairs),
        excluded=excluded,
    )


# --- Follow-up of a project: planned against actual learners -------------------------------------
PLANNED = "planned"
ACTUAL = "actual"
CALENDAR_YEAR = "calendar_year"
GAP = "gap"
GAP_SHARE = "gap_share"
FLAG = "flag"
FOLLOWUP_INPUT_COLUMNS = [YEAR, CALENDAR_YEAR, PLANNED, ACTUAL]
FOLLOWUP_COLUMNS = [*FOLLOWUP_INPUT_COLUMNS, GAP, GAP_SHARE, FLAG]

FLAG_PENDING = "a_saisir"
FLAG_ON_TRACK = "conforme"
FLAG_AHEAD = "en_avance"
FLAG_BEHIND = "en_retard"
FLAG_LABELS = {
    FLAG_PENDING: "à saisir",
    FLAG_ON_TRACK: "conforme",
    FLAG_AHEAD: "au-dessus du plan",
    FLAG_BEHIND: "en dessous du plan",
}


def learners_followup(frame: pd.DataFrame, *, tolerance: float = 0.1) -> pd.DataFrame:
    """Planned against actual learners per year (FOLLOWUP_INPUT_COLUMNS; actual NA while
    unknown). Adds gap = actual − planned, gap_share = gap / planned (NA when nothing was
    planned) and a flag: « a_saisir » (actual unknown), « conforme » (|gap_share| ≤ tolerance,
    or nothing planned and none enrolled), « en_avance », « en_retard ». Sorted by year."""
    _require(frame, FOLLOWUP_INPUT_COLUMNS, "le suivi des apprenants")
    if tolerance < 0:
        raise ValueError(f"La tolérance doit être positive ou nulle (reçu : {tolerance}).")
    out = frame.sort_values(YEAR, kind="mergesort").reset_index(drop=True).copy()
    planned = pd.to_numeric(out[PLANNED], errors="coerce").astype("Float64")
    actual = pd.to_numeric(out[ACTUAL], errors="coerce").astype("Float64")
    out[PLANNED] = planned.astype("Int64")
    out[ACTUAL] = actual.astype("Int64")
    out[GAP] = (actual - planned).astype("Int64")
    out[GAP_SHARE] = ((actual - planned) / planned.where(planned > 0)).astype("Float64")
    flags: list[str] = []
    for a_value, share in zip(actual, out[GAP_SHARE], strict=True):
        if a_value is pd.NA:
            flags.append(FLAG_PENDING)
        elif share is pd.NA:
            flags.append(FLAG_ON_TRACK if a_value == 0 else FLAG_AHEAD)
        elif abs(share) <= tolerance + 1e-12:
            flags.append(FLAG_ON_TRACK)
        else:
            flags.append(FLAG_AHEAD if share > 0 else FLAG_BEHIND)
    out[FLAG] = pd.Series(flags, index=out.index, dtype=object)
    return out[FOLLOWUP_COLUMNS]


def followup_totals(followup: pd.DataFrame) -> dict[str, float | int | None]:
    """Totals over the years whose actual is known: planned, actual, gap and gap share."""
    _require(followup, FOLLOWUP_COLUMNS, "le suivi des apprenants")
    known = followup[followup[ACTUAL].notna()]
    planned = int(known[PLANNED].fillna(0).sum())
    actual = int(known[ACTUAL].sum())
    return {
        "years_known": len(known),
        "planned": planned,
        "actual": actual,
        "gap": actual - planned,
        "gap_share": (actual - planned) / planned if planned > 0 else None,
        "planned_total": int(followup[PLANNED].fillna(0).sum()),
    }
