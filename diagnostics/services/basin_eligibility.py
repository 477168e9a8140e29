"""Eligibility of a basin to « Au cœur des territoires »: its population and its main town's
against the bounds of `ProgrammeSettings`, and the nearest active Cnam site (informative)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diagnostics.analytics.geometry import geometry_from_geojson, nearest_point
from diagnostics.models import Basin, Commune
from diagnostics.selectors import basins as basin_selectors


@dataclass(frozen=True)
class Eligibility:
    """Eligibility to « Au cœur des territoires » with the bounds it was checked against.

    `population_ok` / `main_town_ok` are None when the population is unknown. The distance to
    the nearest active Cnam site is informative (no threshold); None when there is no site
    (shown « inconnue »)."""

    population_min: int
    population_max: int
    main_town_min: int
    main_town_max: int
    population_ok: bool | None
    main_town_ok: bool | None
    nearest_site_id: int | None = None
    nearest_site_name: str | None = None
    nearest_site_km: float | None = None
    nearest_site_lat: float | None = None
    nearest_site_lon: float | None = None

    @property
    def eligible(self) -> bool | None:
        """Both criteria met (True), one failed (False), or not decidable (None)."""
        if self.population_ok is False or self.main_town_ok is False:
            return False
        if self.population_ok is None or self.main_town_ok is None:
            return None
        return True

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "population_ok": self.population_ok,
            "population_min": self.population_min,
            "population_max": self.population_max,
            "main_town_ok": self.main_town_ok,
            "main_town_population_min": self.main_town_min,
            "main_town_population_max": self.main_town_max,
            "nearest_site": self.nearest_site_name,
            "nearest_site_km": (
                round(self.nearest_site_km, 1) if self.nearest_site_km is not None else None
            ),
        }


def _programme_settings() -> Any:
    """The programme settings in force, without creating the row (a preview writes nothing)."""
    from diagnostics.models import ProgrammeSettings

    return ProgrammeSettings.objects.filter(pk=1).first() or ProgrammeSettings()


def _town_point(town: Commune) -> tuple[float, float] | None:
    """(lat, lon) of a commune's centre, else a point inside its outline."""
    if town.latitude is not None and town.longitude is not None:
        return town.latitude, town.longitude
    geom = geometry_from_geojson(town.geometry)
    if geom is None:
        return None
    point = geom.representative_point()
    return point.y, point.x


def _eligibility(*, population: int, missing: int, main_town: Commune) -> Eligibility:
    settings = _programme_settings()
    pmin, pmax = settings.basin_population_min, settings.basin_population_max
    tmin, tmax = settings.main_town_population_min, settings.main_town_population_max
    population_ok: bool | None = pmin <= population <= pmax
    if missing and population < pmin:
        # Communes without population could make up the gap: not decidable.
        population_ok = None
    main_town_ok = None if main_town.population is None else tmin <= main_town.population <= tmax

    site: tuple[int, str, float, float] | None = None
    site_km = None
    point = _town_point(main_town)
    candidates = basin_selectors.active_site_candidates()
    if point is not None and candidates:
        found = nearest_point(point[0], point[1], candidates)
        if found is not None:
            site, site_km = found
    return Eligibility(
        population_min=pmin,
        population_max=pmax,
        main_town_min=tmin,
        main_town_max=tmax,
        population_ok=population_ok,
        main_town_ok=main_town_ok,
        nearest_site_id=site[0] if site else None,
        nearest_site_name=site[1] if site else None,
        nearest_site_km=site_km,
        nearest_site_lat=site[2] if site else None,
        nearest_site_lon=site[3] if site else None,
    )


def basin_eligibility_compute(*, population: int, missing: int, main_town: Commune) -> Eligibility:
    """Eligibility of a basin not saved yet (bulk registration of reference basins)."""
    return _eligibility(population=population, missing=missing, main_town=main_town)


def basin_eligibility(*, basin: Basin) -> Eligibility:
    """A saved basin's eligibility (as last computed by `basin_refresh`) with the bounds in
    force, for display."""
    settings = _programme_settings()
    site = basin.nearest_site
    return Eligibility(
        population_min=settings.basin_population_min,
        population_max=settings.basin_population_max,
        main_town_min=settings.main_town_population_min,
        main_town_max=settings.main_town_population_max,
        population_ok=basin.eligible_population,
        main_town_ok=basin.eligible_main_town,
        nearest_site_id=site.pk if site else None,
        nearest_site_name=site.name if site else None,
        nearest_site_km=basin.nearest_site_km if site else None,
        nearest_site_lat=site.latitude if site else None,
        nearest_site_lon=site.longitude if site else None,
    )


def basin_eligibility_apply(basin: Basin, eligibility: Eligibility) -> None:
    """Write an eligibility on the basin's row (not saved: the caller saves it)."""
    basin.eligible_population = eligibility.population_ok
    basin.eligible_main_town = eligibility.main_town_ok
    basin.nearest_site_id = eligibility.nearest_site_id
    basin.nearest_site_km = eligibility.nearest_site_km
