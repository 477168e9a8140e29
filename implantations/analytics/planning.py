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

This module computes the candidates and their need; the columns are in `planning_columns`, the
fit in `planning_fit`, the selection in `planning_selection` and a project's follow-up in
`planning_followup`: callers import each name from the module where it lives.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from diagnostics.analytics.geometry import EARTH_RADIUS_KM
from implantations.analytics.planning_columns import (
    BASSIN_BMO_CODE,
    BMO_TOTAL_COLUMNS,
    BMO_YEAR,
    CANDIDATE_COLUMNS,
    CANDIDATE_ID,
    COMMUNE_CODE,
    COMMUNE_COLUMNS,
    COMMUNES_COUNT,
    COMMUNES_WITHOUT_POPULATION,
    DIFFICULT,
    DIFFICULTY_BASE,
    DIFFICULTY_RATE,
    LATITUDE,
    LEVEL_COLUMNS,
    LONGITUDE,
    MAIN_TOWN,
    MAIN_TOWN_CODE,
    MAIN_TOWN_POPULATION,
    MEMBERSHIP_COLUMNS,
    NAME,
    NEAREST_SITE,
    NEAREST_SITE_KM,
    NEED_COLUMNS,
    PERIOD,
    POPULATION,
    PROJECTS,
    PROJECTS_PER_1000,
    RATE,
    REGION_CODE,
    SITE_POINT_COLUMNS,
    UNEMPLOYMENT_LATEST_COLUMNS,
    UNEMPLOYMENT_PERIOD,
    UNEMPLOYMENT_RATE,
    YEAR,
    ZONE_EMPLOI_CODE,
    float_or_none,
    require_columns,
)


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
    require_columns(communes, COMMUNE_COLUMNS, "la table des communes")
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
    require_columns(membership, MEMBERSHIP_COLUMNS, "la composition des candidats")
    require_columns(communes, COMMUNE_COLUMNS, "la table des communes")
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


def with_nearest_site(candidates: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Adds nearest_site (name) and nearest_site_km: the active Cnam site nearest to each
    candidate's main town, as the crow flies. NA when there is no site or no coordinates."""
    require_columns(candidates, [CANDIDATE_ID, LATITUDE, LONGITUDE], "les candidats")
    require_columns(sites, SITE_POINT_COLUMNS, "les sites Cnam")
    out = candidates.copy()
    names: list[object] = [pd.NA] * len(out)
    km: list[float | None] = [None] * len(out)
    located_sites = sites.dropna(subset=[LATITUDE, LONGITUDE]).reset_index(drop=True)
    if len(located_sites):
        s_lat = np.radians(located_sites[LATITUDE].to_numpy(dtype=float))
        s_lon = np.radians(located_sites[LONGITUDE].to_numpy(dtype=float))
        for i, (lat, lon) in enumerate(zip(out[LATITUDE], out[LONGITUDE], strict=True)):
            lat_f, lon_f = float_or_none(lat), float_or_none(lon)
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
    require_columns(membership, MEMBERSHIP_COLUMNS, "la composition des candidats")
    require_columns(communes, COMMUNE_COLUMNS, "la table des communes")
    require_columns(bmo_totals, BMO_TOTAL_COLUMNS, "les totaux BMO par bassin")
    require_columns(unemployment, UNEMPLOYMENT_LATEST_COLUMNS, "les taux de chômage par zone")
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
