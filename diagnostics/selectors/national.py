"""Reads of the national batches and the national atlas (issue 16).

Who sees the atlas (docs/adr/0016-national-batches.md): reference basins are public statistics
— one whole zone of an official zoning, computed from open data only, never edited, shared or
commented — so national admins, regional delegates and API clients see the atlas of all of
France (their region's basins highlighted). Mayors' offices and catalogue admins do not: a
mayor sees only what was shared with them. The reference basins stay out of the regional basin
lists (`basin_list_exclude_reference`) unless asked for.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import QuerySet

from diagnostics.analytics.atlas import ATLAS_INDICATORS
from diagnostics.models import AtlasEntry, Basin, Commune, DiagnosticBatch, Region, Role, User

ATLAS_ROLES = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.API_CLIENT)
ZONING_LABELS = {
    "zone_emploi": "Zones d'emploi",
    "bassin_bmo": "Bassins BMO",
    "epci": "EPCI",
}
ZONING_ALIASES = {"ze": "zone_emploi"}


def atlas_allowed(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_national_admin or user.role in ATLAS_ROLES)
    )


def atlas_home_region(user: User) -> str | None:
    """The region highlighted for a delegate or an API client (their first), else None."""
    if user.is_national_admin:
        return None
    region = user.regions.order_by("code").first()
    return region.code if region else None


def atlas_rows(*, zoning: str, user: User) -> pd.DataFrame:
    """One row per reference basin of `zoning` with atlas figures: basin_id, code, name,
    region_code, region, population, run_id, then every indicator with its period and
    estimated flag. Empty for a user who may not see the atlas."""
    columns = ["basin_id", "code", "name", "region_code", "region", "run_id"]
    indicator_columns = [
        f"{code}{suffix}" for code in ATLAS_INDICATORS for suffix in ("", "_period", "_estimated")
    ]
    if not atlas_allowed(user):
        return pd.DataFrame(columns=columns + indicator_columns)
    regions = dict(Region.objects.values_list("code", "name"))
    rows = []
    entries = (
        AtlasEntry.objects.filter(basin__is_reference=True, basin__source_kind=zoning)
        .select_related("basin")
        .only("figures", "run_id", "basin__id", "basin__name", "basin__region_id",
              "basin__source_codes")
        .order_by("basin__name")
    )  # fmt: skip
    for entry in entries:
        basin = entry.basin
        rows.append(
            {
                "basin_id": basin.pk,
                "code": str((basin.source_codes or [""])[0]),
                "name": basin.name,
                "region_code": basin.region_id,
                "region": regions.get(basin.region_id, basin.region_id),
                "run_id": entry.run_id,
                **{k: entry.figures.get(k) for k in indicator_columns},
            }
        )
    return pd.DataFrame(rows, columns=columns + indicator_columns)


def population_source() -> str:
    """What the atlas's population is, with its vintage: the communes' populations légales
    (summed per basin by its diagnostic), « en vigueur au 1ᵉʳ janvier » of the year the
    territory files give (`Commune.population_vintage`); several years are all named."""
    years = [
        int(year)
        for year in Commune.objects.exclude(population_vintage=None)
        .order_by("population_vintage")  # not the model's ordering, which distinct would keep
        .values_list("population_vintage", flat=True)
        .distinct()
        if year is not None
    ]
    if not years:
        return "Insee, populations légales (millésime non renseigné)"
    return "Insee, populations légales en vigueur au 1ᵉʳ janvier " + ", ".join(map(str, years))


def atlas_geometries(basin_ids: list[int]) -> dict[int, Any]:
    return dict(
        Basin.objects.filter(pk__in=basin_ids, geometry__isnull=False).values_list("pk", "geometry")
    )


def batch_list() -> QuerySet[DiagnosticBatch]:
    return DiagnosticBatch.objects.select_related("region", "requested_by").order_by("-id")


def basin_list_exclude_reference(qs: QuerySet[Basin], *, include: bool = False) -> QuerySet[Basin]:
    """The regional lists leave the reference basins out unless asked for (`include`)."""
    return qs if include else qs.filter(is_reference=False)
