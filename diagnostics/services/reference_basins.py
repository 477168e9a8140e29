"""Reference basins (issue 16, ADR 0016): one basin per zone of a zoning (zone d'emploi, bassin
BMO, EPCI), flagged « bassin de référence », registered in bulk before a national batch."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from diagnostics.models import (
    Basin,
    BasinSource,
    BassinBmo,
    Commune,
    Epci,
    GeometryStatus,
    Region,
    ZoneEmploi,
)
from diagnostics.services.basin_eligibility import basin_eligibility_compute

logger = logging.getLogger(__name__)

# Short labels in the name of a reference basin: « Chaumont (ZE 4404) ».
SHORT_LABELS = {
    BasinSource.ZONE_EMPLOI: "ZE",
    BasinSource.BASSIN_BMO: "bassin BMO",
    BasinSource.EPCI: "EPCI",
}
NAME_MAX = 150


def _zones(zoning: str) -> dict[str, Any]:
    model: Any = {
        BasinSource.ZONE_EMPLOI: ZoneEmploi,
        BasinSource.BASSIN_BMO: BassinBmo,
        BasinSource.EPCI: Epci,
    }[BasinSource(zoning)]
    return {z.code: z for z in model.objects.all()}


ZONE_FIELD = {
    BasinSource.ZONE_EMPLOI: "zone_emploi_id",
    BasinSource.BASSIN_BMO: "bassin_bmo_id",
    BasinSource.EPCI: "epci_id",
}


def reference_basins_register(*, zoning: str, region: Region | None = None) -> list[Basin]:
    """Register, in bulk, a reference basin for every zone of `zoning` (whose main town is in
    `region`, when given) that has none yet; returns the new basins. A zone d'emploi basin takes
    the zone's published polygon; the others get their outline from `basin_refresh`, enqueued
    after commit. The name is the zone's, with its code: « Chaumont (ZE 4404) »."""
    kind = BasinSource(zoning)
    zones = _zones(kind)
    existing = {
        str((codes or [""])[0])
        for codes in Basin.objects.filter(is_reference=True, source_kind=kind).values_list(
            "source_codes", flat=True
        )
    }
    field_name = ZONE_FIELD[kind]
    members: dict[str, list[tuple[str, int | None, str | None]]] = {}
    for code, population, region_id, zone in Commune.objects.filter(
        **{f"{field_name}__isnull": False}
    ).values_list("code", "population", "region_id", field_name):
        if zone in zones and zone not in existing:
            members.setdefault(zone, []).append((code, population, region_id))
    towns = {
        zone: min(rows, key=lambda r: (-(r[1] if r[1] is not None else -1), r[0]))[0]
        for zone, rows in members.items()
    }
    town_objects = Commune.objects.in_bulk(list(towns.values()))
    regions = {r.code: r for r in Region.objects.all()}
    taken = {
        (name.lower(), region_id)
        for name, region_id in Basin.objects.values_list("name", "region_id")
    }
    new: list[tuple[Basin, list[str], set[str]]] = []
    for zone_code in sorted(members):
        rows = members[zone_code]
        town = town_objects.get(towns[zone_code])
        if town is None or town.region_id is None:
            continue
        if region is not None and town.region_id != region.code:
            continue
        population = sum(r[1] or 0 for r in rows)
        missing = sum(1 for r in rows if r[1] is None)
        touched = {r[2] for r in rows if r[2]}
        zone = zones[zone_code]
        suffix = f" ({SHORT_LABELS[kind]} {zone_code})"
        name = str(zone.name)[: NAME_MAX - len(suffix)] + suffix
        if (name.lower(), town.region_id) in taken:  # a delegate's basin already has this name
            name = name[: NAME_MAX - 13] + " — référence"
        basin = Basin(
            name=name,
            region_id=town.region_id,
            source_kind=kind,
            source_codes=[zone_code],
            main_town=town,
            population=population,
            communes_count=len(rows),
            communes_without_population=missing,
            spans_regions=len(touched) > 1,
            is_reference=True,
            geometry_status=GeometryStatus.PENDING,
            refreshed_at=timezone.now(),
        )
        eligibility = basin_eligibility_compute(
            population=population, missing=missing, main_town=town
        )
        basin.eligible_population = eligibility.population_ok
        basin.eligible_main_town = eligibility.main_town_ok
        basin.nearest_site_id = eligibility.nearest_site_id
        basin.nearest_site_km = eligibility.nearest_site_km
        if kind == BasinSource.ZONE_EMPLOI and getattr(zone, "geometry", None):
            basin.geometry = zone.geometry
            basin.bbox_min_lon, basin.bbox_min_lat = zone.bbox_min_lon, zone.bbox_min_lat
            basin.bbox_max_lon, basin.bbox_max_lat = zone.bbox_max_lon, zone.bbox_max_lat
            basin.geometry_status = GeometryStatus.READY
            basin.geometry_note = f"Contour officiel de la zone d'emploi {zone.name} ({zone_code})."
        new.append((basin, [r[0] for r in rows], touched))
    if not new:
        return []
    with transaction.atomic():
        created = Basin.objects.bulk_create([b for b, _, _ in new], batch_size=500)
        through = Basin.communes.through
        through.objects.bulk_create(
            [
                through(basin_id=basin.pk, commune_id=code)
                for basin, (_, codes, _) in zip(created, new, strict=True)
                for code in codes
            ],
            batch_size=5000,
        )
        regions_through = Basin.regions.through
        regions_through.objects.bulk_create(
            [
                regions_through(basin_id=basin.pk, region_id=code)
                for basin, (_, _, touched) in zip(created, new, strict=True)
                for code in sorted(touched)
                if code in regions
            ],
            batch_size=5000,
        )
        pending = [b.pk for b in created if b.geometry_status == GeometryStatus.PENDING]
        if pending:
            transaction.on_commit(lambda: _refresh_geometries(pending))
    logger.info("%s reference basins registered (%s)", len(created), kind)
    return created


def _refresh_geometries(basin_ids: Sequence[int]) -> None:
    from diagnostics.dispatch import BASIN_REFRESH, task_send

    for basin_id in basin_ids:
        task_send(BASIN_REFRESH, basin_id)
