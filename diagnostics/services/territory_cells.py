"""The approximate commune cells: recomputed from the stored communes and zones d'emploi once
either was stored, recorded as the `commune_cells` load."""

from __future__ import annotations

import time

import pandas as pd
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from shapely.geometry import shape

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    CELL_SIMPLIFY_DEGREES,
    commune_cells,
    geometries_to_geojson,
)
from diagnostics.models import (
    Commune,
    TerritoryLoad,
    ZoneEmploi,
)
from diagnostics.services.sql_upsert import rows_upsert
from diagnostics.services.territory_datasets import (
    BATCH_SIZE,
    COMMUNE_CELLS,
    EXAMPLES,
    Log,
)
from diagnostics.services.territory_loads import load_record

# --- approximate commune cells ----------------------------------------------------------------


def cells_store(*, source: str, log: Log | None) -> TerritoryLoad:
    """Voronoi cells of the communes' centres clipped to their zone d'emploi, for the communes
    without an official polygon (geometry empty or already approximate)."""
    started, t0 = timezone.now(), time.perf_counter()
    zones = {
        code: shape(geojson)
        for code, geojson in ZoneEmploi.objects.filter(geometry__isnull=False).values_list(
            "code", "geometry"
        )
    }
    records = list(
        Commune.objects.filter(Q(geometry__isnull=True) | Q(geometry_approximate=True))
        .values_list("code", "name", "longitude", "latitude", "zone_emploi_id", "geometry")
        .iterator(chunk_size=5000)
    )
    frame = pd.DataFrame(
        [r[:5] for r in records],
        columns=[c.CODE, c.NAME, c.LONGITUDE, c.LATITUDE, c.ZONE_EMPLOI_CODE],
    )
    cells = commune_cells(frame, zones)
    converted = dict(zip(cells[c.CODE], geometries_to_geojson(cells[c.GEOMETRY]), strict=True))
    to_write: list[dict[str, object]] = []
    with_cell = 0
    for code, name, _lon, _lat, _ze, old in records:
        geojson, box = converted.get(code, (None, None))
        with_cell += geojson is not None
        if geojson == old:
            continue
        minx, miny, maxx, maxy = box if box else (None, None, None, None)
        to_write.append(
            {
                "code": code,
                "name": name,
                "geometry": geojson,
                "geometry_approximate": geojson is not None,
                "bbox_min_lon": minx,
                "bbox_min_lat": miny,
                "bbox_max_lon": maxx,
                "bbox_max_lat": maxy,
            }
        )
    message = ""
    status = TerritoryLoad.Status.DONE
    try:
        with transaction.atomic():
            # ON CONFLICT DO UPDATE of the geometry columns only (services/sql_upsert.py): one
            # statement for every row on both SQLite and PostgreSQL, where bulk_update would
            # build huge CASE expressions. Every row exists already, so nothing is inserted.
            rows_upsert(
                Commune,
                to_write,
                key="code",
                update_fields=[
                    "geometry",
                    "geometry_approximate",
                    "bbox_min_lon",
                    "bbox_min_lat",
                    "bbox_max_lon",
                    "bbox_max_lat",
                ],
                batch_size=BATCH_SIZE,
            )
    except DatabaseError as exc:
        status = TerritoryLoad.Status.FAILED
        message = f"Géométries approchées refusées par la base de données : {exc}."
    without = [code for code, (g, _) in converted.items() if g is None]
    details = {
        "zones_with_polygon": len(zones),
        "candidates": len(records),
        "with_cell": with_cell,
        "without_cell": len(without),
        "without_cell_codes": sorted(without)[:EXAMPLES],
        "updated": len(to_write) if status == TerritoryLoad.Status.DONE else 0,
        "simplify_degrees": CELL_SIMPLIFY_DEGREES,
    }
    return load_record(
        COMMUNE_CELLS,
        status=status,
        files=[],
        source=source,
        rows=with_cell if status == TerritoryLoad.Status.DONE else 0,
        message=message,
        details=details,
        started=started,
        t0=t0,
        log=log,
    )
