"""Reads of the programme dashboard (issue 18): the scope of a user (national admin: every
region; delegate: their regions), the frames of `implantations.analytics.programme` (basins of
the pipeline, projects, targets), the map's points and outlines, the items of a pipeline stage
and the targets with their history."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet

from diagnostics.models import (
    Basin,
    CnamSite,
    DiagnosticRun,
    Region,
    TerritoryLoad,
    User,
    ZoneEmploi,
)
from diagnostics.selectors.access import basin_manageable_for
from implantations.analytics import programme as pg
from implantations.analytics import programme_charts as pc
from implantations.analytics.maps import region_outlines
from implantations.models import (
    ImplantationProject,
    ProgrammeTarget,
    ProgrammeTargetChange,
    Recommendation,
)
from implantations.selectors.recommendation import zone_emploi_pieces


# --- Scope ---------------------------------------------------------------------------------------
def programme_allowed(user: User) -> bool:
    """National admins and regional delegates have a programme dashboard."""
    return bool(user.is_authenticated and (user.is_national_admin or user.is_regional_delegate))


def programme_regions_for(user: User) -> QuerySet[Region]:
    """Regions of the user's dashboard: every region for a national admin, their own for a
    delegate, none for the others."""
    if not programme_allowed(user):
        return Region.objects.none()
    if user.is_national_admin:
        return Region.objects.all().order_by("name")
    return user.regions.all().order_by("name")


def _basins(user: User, region: str | None) -> QuerySet[Basin]:
    basins = basin_manageable_for(user).filter(is_reference=False)
    if region:
        basins = basins.filter(region_id=region)
    return basins


def programme_projects(user: User, *, region: str | None = None) -> QuerySet[ImplantationProject]:
    """Projects of the dashboard's scope (the basins the user manages, one region or all)."""
    return ImplantationProject.objects.filter(basin__in=_basins(user, region)).select_related(
        "basin", "basin__region", "basin__main_town"
    )


# --- Frames --------------------------------------------------------------------------------------
def programme_basins_frame(user: User, *, region: str | None = None) -> pd.DataFrame:
    """PIPELINE_BASIN_COLUMNS of the registered basins in scope (reference basins of the national
    batches are public statistics, not candidates: left out)."""
    done = DiagnosticRun.objects.filter(basin=OuterRef("pk"), status=DiagnosticRun.Status.DONE)
    rows = (
        _basins(user, region)
        .annotate(
            _diagnosed=Exists(done),
            _recommended=Exists(Recommendation.objects.filter(basin=OuterRef("pk"))),
            _project=Exists(ImplantationProject.objects.filter(basin=OuterRef("pk"))),
        )
        .order_by("pk")
        .values_list("pk", "region_id", "_diagnosed", "_recommended", "_project")
    )
    return pd.DataFrame.from_records(list(rows), columns=pg.PIPELINE_BASIN_COLUMNS)


def programme_projects_frame(user: User, *, region: str | None = None) -> pd.DataFrame:
    """PROJECT_COLUMNS of the projects in scope, sorted by project id."""
    rows = (
        programme_projects(user, region=region)
        .order_by("pk")
        .values_list(
            "pk", "name", "basin_id", "basin__name", "basin__region_id", "basin__region__name",
            "concept", "status", "study_started_on", "opened_on",
            "basin__main_town__latitude", "basin__main_town__longitude",
        )
    )  # fmt: skip
    frame = pd.DataFrame.from_records(list(rows), columns=pg.PROJECT_COLUMNS)
    for column in (pg.STUDY_STARTED_ON, pg.OPENED_ON):
        frame[column] = pd.to_datetime(frame[column])
    for column in (pg.LATITUDE, pg.LONGITUDE):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


def programme_targets_frame() -> pd.DataFrame:
    """TARGET_COLUMNS of every target ("" for the whole programme / every concept)."""
    rows = ProgrammeTarget.objects.order_by("year", "region_id", "concept").values_list(
        "year", "region_id", "concept", "sites_planned", "sites_open"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=pg.TARGET_COLUMNS)
    frame[pg.REGION_CODE] = frame[pg.REGION_CODE].fillna("").astype(str)
    return frame


def programme_target_list() -> list[ProgrammeTarget]:
    return list(
        ProgrammeTarget.objects.select_related("region").order_by("year", "region__name", "concept")
    )


def programme_target_changes(*, limit: int = 50) -> list[ProgrammeTargetChange]:
    return list(
        ProgrammeTargetChange.objects.select_related("region", "changed_by").order_by(
            "-changed_at", "-id"
        )[:limit]
    )


# --- Map -----------------------------------------------------------------------------------------
def programme_sites_frame(*, region: str | None = None) -> pd.DataFrame:
    """MAP_SITE_COLUMNS of the active Cnam sites (of `region` when given; a site without commune
    has no region and shows on the national map only)."""
    sites = CnamSite.objects.filter(active=True).select_related("commune")
    if region:
        sites = sites.filter(commune__region_id=region)
    rows = [
        (
            s.name,
            s.get_kind_display(),
            s.commune.region_id if s.commune else "",
            s.latitude,
            s.longitude,
        )
        for s in sites.order_by("name")
    ]
    return pd.DataFrame.from_records(rows, columns=pc.MAP_SITE_COLUMNS)


def programme_outlines_frame(*, region: str | None = None) -> pd.DataFrame:
    """MAP_OUTLINE_COLUMNS: the outline of each region having zones d'emploi with a polygon (the
    union of its zones), with its name. The union takes a second or so for the whole country:
    cached until the territories are loaded again."""
    latest = TerritoryLoad.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = f"implantations:programme-outlines:{latest}:{ZoneEmploi.objects.count()}"
    frame = cache.get(key)
    if frame is None:
        outlines = region_outlines(zone_emploi_pieces("region_id"))
        names = dict(Region.objects.values_list("code", "name"))
        frame = pd.DataFrame.from_records(
            [
                (code, names.get(code, code), geom, lon, lat)
                for code, geom, lon, lat in outlines.itertuples(index=False)
            ],
            columns=pc.MAP_OUTLINE_COLUMNS,
        )
        cache.set(key, frame, 24 * 3600)
    if region:
        frame = frame[frame[pc.REGION_CODE] == region].reset_index(drop=True)
    return frame


# --- Items of a pipeline stage -------------------------------------------------------------------
def programme_stage_basins(user: User, *, stage: str, region: str | None = None) -> list[Basin]:
    """The basins without project at `stage` (« diagnostique » or « recommande »)."""
    frame = programme_basins_frame(user, region=region)
    ids = [
        int(basin_id)
        for basin_id, d, r, h in zip(
            frame[pg.BASIN_ID], frame[pg.DIAGNOSED], frame[pg.RECOMMENDED], frame[pg.HAS_PROJECT],
            strict=True,
        )
        if pg.basin_stage(bool(d), bool(r), bool(h)) == stage
    ]  # fmt: skip
    return list(
        Basin.objects.filter(pk__in=ids)
        .select_related("region", "main_town")
        .order_by("region__name", "name")
    )


def programme_stage_projects(
    user: User, *, status: str, region: str | None = None
) -> list[ImplantationProject]:
    return list(
        programme_projects(user, region=region)
        .filter(status=status)
        .order_by("basin__region__name", "basin__name", "name")
    )


def programme_region_names() -> dict[str, Any]:
    return dict(Region.objects.values_list("code", "name"))
