"""The demo basins: created by name in their region (an existing one is left as it is, with its
shares), the first one shared when asked; in real-data mode, basins built on real zones (Chaumont,
Vitré).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diagnostics.analytics.geometry import haversine_km
from diagnostics.analytics.synthetic_basins import BasinSpec
from diagnostics.models import Basin, BasinShare, Commune, Epci, GeometryStatus, User
from diagnostics.services.basin_refresh import basin_refresh
from diagnostics.services.basins import basin_create


@dataclass(frozen=True)
class DemoBasin:
    name: str
    region_code: str
    source_kind: str
    population: int
    eligible_population: bool | None
    created: bool
    shared_with: list[str] = field(default_factory=list)


def _basin_existing(name: str, region_code: str) -> Basin | None:
    wanted = name.casefold()
    for basin in Basin.objects.filter(region_id=region_code):
        if basin.name.casefold() == wanted:
            return basin
    return None


def demo_basins_ensure(specs: list[BasinSpec], *, share_first: bool) -> list[DemoBasin]:
    """Register each basin with `basin_create` unless one of that name exists in its region; the
    delegate creates those of their regions, the national admin the others. The first basin is
    shared with the mayor's-office account."""
    delegate = User.objects.get(username="demo-delegue")
    admin = User.objects.get(username="demo-admin")
    mayor = User.objects.get(username="demo-mairie")
    followed = set(delegate.regions.values_list("code", flat=True))
    result: list[DemoBasin] = []
    for index, spec in enumerate(specs):
        basin = _basin_existing(spec.name, spec.region_code)
        created = basin is None
        if basin is None:
            author = delegate if spec.region_code in followed else admin
            basin = basin_create(
                name=spec.name,
                source_kind=spec.source_kind,  # type: ignore[arg-type]
                source_codes=spec.source_codes,
                main_town_code=spec.main_town_code,
                created_by=author,
            )
            basin.refresh_from_db()
            if basin.geometry_status == GeometryStatus.PENDING:
                # No eager task ran the refresh (a broker is configured, or we are inside a
                # transaction): compute the geometry now so that the demo pages have their maps.
                basin = basin_refresh(basin_id=basin.pk)
        shared: list[str] = []
        if share_first and index == 0:
            BasinShare.objects.get_or_create(
                basin=basin, user=mayor, defaults={"shared_by": delegate}
            )
            shared.append(mayor.username)
        basin.refresh_from_db()
        result.append(
            DemoBasin(
                name=basin.name,
                region_code=basin.region_id,
                source_kind=basin.source_kind,
                population=basin.population,
                eligible_population=basin.eligible_population,
                created=created,
                shared_with=shared,
            )
        )
    return result


def real_basin_specs() -> list[BasinSpec]:
    """Basins on real zones: Chaumont (ZE 4404, bassin BMO 4418) and Vitré (ZE 5319, its EPCI,
    and Vitré with its nearest communes). Those whose zone or town is not loaded are left out."""
    towns = Commune.objects.in_bulk(["52121", "35360"])
    specs: list[BasinSpec] = []

    def add(name: str, kind: str, codes: list[str], town_code: str) -> None:
        town = towns.get(town_code)
        if town is None or town.region_id is None:
            return
        specs.append(BasinSpec(name, kind, codes, town_code, town.region_id, 0))

    if Commune.objects.filter(zone_emploi_id="4404").exists():
        add("Bassin de Chaumont", "zone_emploi", ["4404"], "52121")
    if Commune.objects.filter(zone_emploi_id="5319").exists():
        add("Bassin de Vitré", "zone_emploi", ["5319"], "35360")
    if Commune.objects.filter(bassin_bmo_id="4418").exists():
        add("Bassin BMO de Chaumont", "bassin_bmo", ["4418"], "52121")
    vitre = towns.get("35360")
    if vitre is not None and vitre.epci_id:
        epci = Epci.objects.get(pk=vitre.epci_id)
        add(f"Intercommunalité — {epci.name}", "epci", [epci.code], "35360")
    if vitre is not None and vitre.latitude is not None and vitre.longitude is not None:
        lat, lon = vitre.latitude, vitre.longitude
        nearby = Commune.objects.filter(
            departement_id=vitre.departement_id,
            latitude__range=(lat - 0.2, lat + 0.2),
            longitude__range=(lon - 0.3, lon + 0.3),
        ).values_list("code", "latitude", "longitude")
        distances = sorted(
            (haversine_km(lat, lon, la, lo), code)
            for code, la, lo in nearby
            if la is not None and lo is not None
        )
        codes = sorted(code for _, code in distances[:12])
        add("Vitré et communes voisines", "communes", codes, "35360")
    return specs
