"""Reads for the implantations pages: the Cnam sites and the maps' frames (ORM → frames with the
columns of `implantations.analytics`), a basin's access, the latest recommendations, and the
business model's public and scenarios. What a recommendation is computed from:
`recommendation_inputs`."""

from __future__ import annotations

import pandas as pd
from django.core.cache import cache
from django.db.models import QuerySet

from diagnostics.models import (
    Basin,
    CnamSite,
    Commune,
    ProgrammeSettings,
    TerritoryLoad,
    User,
    ZoneEmploi,
)
from diagnostics.selectors.access import basin_list_for
from diagnostics.selectors.diagnostics import diagnostic_latest_done
from implantations.analytics import columns as col
from implantations.analytics.business_model_assumptions import AddressablePublic
from implantations.analytics.maps import region_outlines
from implantations.models import BusinessScenario, Recommendation


def cnam_site_list() -> list[CnamSite]:
    return list(CnamSite.objects.select_related("commune").order_by("-active", "name"))


def cnam_site_frame(sites: list[CnamSite]) -> pd.DataFrame:
    """SITE_COLUMNS: name, kind (label), commune, latitude, longitude, active."""
    return pd.DataFrame.from_records(
        [
            (
                site.name,
                site.get_kind_display(),
                site.commune.name if site.commune else "",
                site.latitude,
                site.longitude,
                site.active,
            )
            for site in sites
        ],
        columns=col.SITE_COLUMNS,
    )


def basin_main_town_frame(user: User) -> pd.DataFrame:
    """POINT_COLUMNS for the basins a user may read that have a located main town."""
    rows = (
        basin_list_for(user)
        .filter(main_town__latitude__isnull=False, main_town__longitude__isnull=False)
        .order_by("name")
        .values_list("name", "main_town__name", "main_town__latitude", "main_town__longitude")
    )
    return pd.DataFrame.from_records(
        [(name, f"ville principale : {town}", lat, lon) for name, town, lat, lon in rows],
        columns=col.POINT_COLUMNS,
    )


def programme_settings_current() -> ProgrammeSettings:
    return ProgrammeSettings.current()


# --- Basin assets -----------------------------------------------------------------------------


def basin_readable(user: User, pk: int) -> QuerySet[Basin]:
    return basin_list_for(user).filter(pk=pk)


# --- Recommendation inputs --------------------------------------------------------------------


def recommendation_latest(basin: Basin) -> Recommendation | None:
    return (
        Recommendation.objects.filter(basin=basin)
        .select_related("profile", "diagnostic_run")
        .order_by("-created_at", "-id")
        .first()
    )


def recommendation_list_for(user: User) -> QuerySet[Recommendation]:
    """Recommendations of the basins a user may read."""
    return Recommendation.objects.filter(basin__in=basin_list_for(user)).select_related(
        "basin", "profile"
    )


# --- Business model ---------------------------------------------------------------------------


def business_public(basin: Basin, recommendation: Recommendation | None) -> AddressablePublic:
    """The basin's addressable public: population, the latest job seekers of its diagnostic and
    employed adults when an imported indicator gives them (a share of the population)."""
    seekers = None
    period = ""
    run = diagnostic_latest_done(basin.pk)
    if run is not None:
        last = None
        for item in (run.results or {}).get("job_seekers") or []:
            if item.get("value") is not None:
                last = item
        if last is not None:
            seekers = float(last["value"])
            period = str(last["period"])
    employed = None
    if recommendation is not None:
        for item in recommendation.inputs.get("raw") or []:
            if (
                item.get("criterion") == "employed_adults"
                and item.get("raw") is not None
                and item.get("variant") in ("part_actifs_occupes_25_54",)
                and basin.population
            ):
                employed = basin.population * float(item["raw"]) / 100
    return AddressablePublic(
        population=basin.population or None,
        job_seekers=seekers,
        employed_adults=employed,
        job_seekers_period=period,
    )


def business_scenario_list(basin: Basin) -> list[BusinessScenario]:
    return list(
        BusinessScenario.objects.filter(basin=basin)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def zone_emploi_pieces(region_field: str) -> pd.DataFrame:
    """OUTLINE_SOURCE_COLUMNS: each zone d'emploi with a polygon, given to the region of its
    communes (`region_field` of the commune: "region_id" for the code, "region__name"...)."""
    region_of = dict(
        Commune.objects.filter(zone_emploi__isnull=False, region__isnull=False)
        .values_list("zone_emploi_id", region_field)
        .distinct()
    )
    return pd.DataFrame.from_records(
        [
            (region_of.get(code), geometry)
            for code, geometry in ZoneEmploi.objects.filter(geometry__isnull=False).values_list(
                "code", "geometry"
            )
        ],
        columns=col.OUTLINE_SOURCE_COLUMNS,
    )


def region_outline_frame() -> pd.DataFrame:
    """OUTLINE_COLUMNS of the regions that have zones d'emploi with a polygon (the union of their
    zones, each zone given to the region of its communes), for the sites map.

    The union takes a second or so on the 287 metropolitan zones: it is cached until the
    territories are loaded again (the key holds the latest territory load).
    """
    latest = TerritoryLoad.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = f"implantations:region-outlines:{latest}:{ZoneEmploi.objects.count()}"
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    frame = region_outlines(zone_emploi_pieces("region__name"))
    cache.set(key, frame, 24 * 3600)
    return frame
