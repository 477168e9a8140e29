"""Reads for regional planning and implantation projects: ORM → frames with the columns of
`implantations.analytics.planning`, and the scoped querysets of projects.

A project is seen by whoever sees its basin (`basin_list_for`), and managed by whoever may
manage its basin (`basin_manageable_for`): another region's project is not found (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from django.db.models import Max, Q, QuerySet, Sum

from diagnostics.models import (
    Basin,
    BasinSource,
    BassinBmo,
    BmoFact,
    ChomageZeFact,
    CnamSite,
    Commune,
    DiagnosticRun,
    Region,
    User,
    ZoneEmploi,
)
from diagnostics.selectors.access import basin_list_for, region_list_for
from implantations.analytics import planning_columns as pc


# --- Codes -------------------------------------------------------------------------------------
def zoning_code(code: str | None) -> str | None:
    """Zone d'emploi and bassin BMO codes as the referential stores them (`101` → `0101`)."""
    if code is None:
        return None
    text = str(code).strip().upper()
    return text.zfill(4) if text.isdigit() and len(text) < 4 else text


# --- Regions -------------------------------------------------------------------------------------
def planning_regions_for(user: User) -> QuerySet[Region]:
    return region_list_for(user).order_by("name")


# --- Territories ----------------------------------------------------------------------------------
COMMUNE_FIELDS = (
    "code",
    "name",
    "population",
    "latitude",
    "longitude",
    "zone_emploi_id",
    "bassin_bmo_id",
    "region_id",
)


def planning_communes_frame(*, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """COMMUNE_COLUMNS of every commune of France (or of `codes`), sorted by code."""
    qs = Commune.objects.order_by("code")
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    frame = pd.DataFrame.from_records(
        list(qs.values_list(*COMMUNE_FIELDS)), columns=pc.COMMUNE_COLUMNS
    )
    frame[pc.POPULATION] = frame[pc.POPULATION].astype("Int64")
    frame[pc.LATITUDE] = frame[pc.LATITUDE].astype("Float64")
    frame[pc.LONGITUDE] = frame[pc.LONGITUDE].astype("Float64")
    return frame


def registered_membership(basins: Iterable[Basin]) -> pd.DataFrame:
    """MEMBERSHIP of registered basins: candidate_id = the basin's id (as text)."""
    ids = [basin.pk for basin in basins]
    rows = (
        Basin.communes.through.objects.filter(basin_id__in=ids)
        .order_by("basin_id", "commune_id")
        .values_list("basin_id", "commune_id")
    )
    return pd.DataFrame.from_records(
        [(str(basin_id), code) for basin_id, code in rows], columns=pc.MEMBERSHIP_COLUMNS
    )


def region_basins_for(user: User, region: Region) -> list[Basin]:
    """The registered basins of a region that a user may read, with their main town."""
    return list(
        basin_list_for(user)
        .filter(region=region, is_reference=False)
        .select_related("main_town", "region")
        .defer("geometry")
        .order_by("name")
    )


def zone_names(level: str, codes: Iterable[str]) -> dict[str, str]:
    model = ZoneEmploi if level == pc.LEVEL_ZONE_EMPLOI else BassinBmo
    return dict(model.objects.filter(code__in=list(codes)).values_list("code", "name"))


def active_sites_frame() -> pd.DataFrame:
    """SITE_POINT_COLUMNS of the active Cnam sites."""
    rows = (
        CnamSite.objects.filter(active=True)
        .order_by("name")
        .values_list("name", "latitude", "longitude")
    )
    return pd.DataFrame.from_records(list(rows), columns=pc.SITE_POINT_COLUMNS)


def all_sites() -> list[CnamSite]:
    return list(CnamSite.objects.filter(active=True).order_by("name"))


# --- Facts -------------------------------------------------------------------------------------
def planning_bmo_totals() -> pd.DataFrame:
    """BMO_TOTAL_COLUMNS of the latest BMO year in force, per bassin: projects = Σ published
    met; difficult and difficulty_base = Σ xmet and Σ met over the cells where both are
    published (secret cells are never counted as 0)."""
    facts = BmoFact.objects.current()
    year = facts.aggregate(last=Max("year"))["last"]
    if year is None:
        return pd.DataFrame(columns=pc.BMO_TOTAL_COLUMNS)
    both = Q(met__isnull=False, xmet__isnull=False)
    rows = (
        facts.filter(year=year)
        .values("bassin_code")
        .annotate(
            projects=Sum("met"),
            difficult=Sum("xmet", filter=both),
            base=Sum("met", filter=both),
        )
        .order_by("bassin_code")
        .values_list("bassin_code", "projects", "difficult", "base")
    )
    frame = pd.DataFrame.from_records(
        [(zoning_code(code), pr, di, ba, year) for code, pr, di, ba in rows],
        columns=pc.BMO_TOTAL_COLUMNS,
    )
    # A bassin may be split by département in the file: one row per bassin.
    return (
        frame.groupby(pc.BASSIN_BMO_CODE, as_index=False)
        .agg(
            **{
                pc.PROJECTS: (pc.PROJECTS, "sum"),
                pc.DIFFICULT: (pc.DIFFICULT, "sum"),
                pc.DIFFICULTY_BASE: (pc.DIFFICULTY_BASE, "sum"),
                pc.YEAR: (pc.YEAR, "max"),
            }
        )
        .sort_values(pc.BASSIN_BMO_CODE)
        .reset_index(drop=True)
    )


def planning_unemployment_latest() -> pd.DataFrame:
    """UNEMPLOYMENT_LATEST_COLUMNS: the latest quarter's rate of each zone d'emploi in force."""
    facts = ChomageZeFact.objects.current()
    last = facts.order_by("-year", "-quarter").values_list("year", "quarter").first()
    if last is None:
        return pd.DataFrame(columns=pc.UNEMPLOYMENT_LATEST_COLUMNS)
    rows = (
        facts.filter(year=last[0], quarter=last[1])
        .order_by("zone_emploi_code", "-batch_id")
        .values_list("zone_emploi_code", "rate", "period")
    )
    frame = pd.DataFrame.from_records(
        [(zoning_code(code), rate, period) for code, rate, period in rows],
        columns=pc.UNEMPLOYMENT_LATEST_COLUMNS,
    )
    return frame.drop_duplicates(pc.ZONE_EMPLOI_CODE).reset_index(drop=True)


def latest_done_runs(basin_ids: Iterable[int]) -> dict[int, DiagnosticRun]:
    """The latest finished diagnostic of each basin, with its results."""
    runs = DiagnosticRun.objects.filter(
        basin_id__in=list(basin_ids), status=DiagnosticRun.Status.DONE
    ).order_by("basin_id", "-finished_at", "-id")
    latest: dict[int, DiagnosticRun] = {}
    for run in runs:
        latest.setdefault(run.basin_id, run)
    return latest


def zoning_basins(level: str, codes: Iterable[str]) -> dict[str, Basin]:
    """Registered basins built from exactly one of these zones (their diagnostics can feed the
    zone's need): zone code → the most recently updated such basin."""
    kind = BasinSource.ZONE_EMPLOI if level == pc.LEVEL_ZONE_EMPLOI else BasinSource.BASSIN_BMO
    wanted = set(codes)
    out: dict[str, Basin] = {}
    for basin in Basin.objects.filter(source_kind=kind).defer("geometry").order_by("-updated_at"):
        sources = list(basin.source_codes or [])
        if len(sources) == 1 and sources[0] in wanted:
            out.setdefault(sources[0], basin)
    return out


def run_need(run: DiagnosticRun) -> dict[str, Any] | None:
    """Need indicators of a finished diagnostic: its latest year with BMO figures, and its
    latest unemployment rate."""
    document = run.results or {}
    years = document.get("years") or {}
    bmo_years = sorted(
        (int(y) for y, v in years.items() if (v or {}).get("bmo_projects") is not None),
    )
    rates = [u for u in document.get("unemployment") or [] if u.get("rate") is not None]
    if not bmo_years and not rates:
        return None
    need: dict[str, Any] = {
        pc.UNEMPLOYMENT_RATE: rates[-1]["rate"] if rates else None,
        pc.UNEMPLOYMENT_PERIOD: rates[-1]["period"] if rates else None,
        pc.PROJECTS: None,
        pc.PROJECTS_PER_1000: None,
        pc.DIFFICULTY_RATE: None,
        pc.BMO_YEAR: None,
    }
    if bmo_years:
        entry = years[str(bmo_years[-1])]
        need.update(
            {
                pc.PROJECTS: entry.get("bmo_projects"),
                pc.PROJECTS_PER_1000: entry.get("bmo_projects_per_1000"),
                pc.DIFFICULTY_RATE: entry.get("bmo_difficulty_rate"),
                pc.BMO_YEAR: bmo_years[-1],
            }
        )
    return need


# --- Territories ------------------------------------------------------------------------------
def territories_version() -> str:
    """When the territories were last loaded (changes when `load_territories` runs again)."""
    from diagnostics.models import TerritoryLoad

    last = (
        TerritoryLoad.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    )
    return last.isoformat() if last else ""
