"""Refresh of a saved basin: population, regions, eligibility and geometry recomputed from its
communes, the programme settings and the Cnam sites in force (after a registration, a change of
composition, of the settings, of the sites or of the territories). Run by the task of the same
name, enqueued by `services.basins` after commit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from diagnostics.analytics.geometry import bounds, geometry_to_geojson
from diagnostics.models import Basin, GeometryStatus
from diagnostics.services.basin_eligibility import (
    basin_eligibility_apply,
    basin_eligibility_compute,
)
from diagnostics.services.basin_resolution import (
    basin_geometry_build,
    basin_zones,
    communes_figures,
    main_town_choose,
)


def basin_refresh(*, basin_id: int, geometry: bool = True) -> Basin:
    """Recompute a basin's population, regions, eligibility and (unless `geometry` is False)
    geometry from its communes, the programme settings and the Cnam sites in force. Idempotent:
    running it twice gives the same row. Raises Basin.DoesNotExist when the basin is gone."""
    with transaction.atomic():
        basin = Basin.objects.select_for_update().get(pk=basin_id)
        communes = list(basin.communes.select_related("region").order_by("code"))
        population, missing = communes_figures(communes)
        regions = sorted(
            {c.region.code: c.region for c in communes if c.region}.values(), key=lambda r: r.code
        )
        main_town = basin.main_town
        if main_town is None and communes:
            main_town = main_town_choose(communes, None)
            basin.main_town = main_town
        basin.population = population
        basin.communes_count = len(communes)
        basin.communes_without_population = missing
        basin.spans_regions = len(regions) > 1
        if main_town is not None:
            basin_eligibility_apply(
                basin,
                basin_eligibility_compute(
                    population=population, missing=missing, main_town=main_town
                ),
            )
        if geometry:
            geom, note, _ = basin_geometry_build(communes, basin_zones(basin))
            basin.geometry = geometry_to_geojson(geom)
            basin.set_bbox(bounds(geom))
            basin.geometry_note = note
            basin.geometry_status = (
                GeometryStatus.READY if geom is not None else GeometryStatus.NONE
            )
        basin.refreshed_at = timezone.now()
        basin.save()
        basin.regions.set(regions)
    return basin


def basins_refresh_all(*, geometry: bool = True) -> int:
    """Refresh every basin (after the programme settings, the Cnam sites or the territories
    changed), one transaction each. Returns how many were refreshed."""
    done = 0
    for basin_id in Basin.objects.order_by("pk").values_list("pk", flat=True):
        try:
            basin_refresh(basin_id=basin_id, geometry=geometry)
        except Basin.DoesNotExist:  # deleted meanwhile
            continue
        done += 1
    return done
