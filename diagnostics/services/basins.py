"""Employment basins: preview, registration, refresh, sharing and deletion.

A basin is a named set of communes built from one source: zones d'emploi, bassins BMO, EPCI or
a list of communes. Its population is the sum of its communes' populations, its geometry the
union of their outlines (or, for a zone d'emploi, the published polygon of the zone), and its
eligibility to the programme is checked against `ProgrammeSettings` and the active Cnam sites.

`basin_preview` computes everything without writing; `basin_create` validates and saves in one
transaction, then enqueues `basin_refresh` (geometry, figures, eligibility) after commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics.geometry import (
    bounds,
    geometry_from_geojson,
    geometry_to_geojson,
    nearest_point,
    union,
)
from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    BasinShare,
    BasinSource,
    Commune,
    GeometryStatus,
    Region,
    Role,
    User,
    ZoneEmploi,
)
from diagnostics.selectors import basins as basin_selectors
from diagnostics.selectors.access import basin_manageable_for
from diagnostics.services.sharing import basin_grants_revoke

logger = logging.getLogger(__name__)

GEOMETRY_NOTE_MAX = 300
NAME_MAX = 150


class BasinError(ApplicationError):
    """A basin cannot be built or saved as asked."""

    code = "basin_error"


# --- Results --------------------------------------------------------------------------------
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


@dataclass
class BasinPreview:
    """Everything a basin would be, computed without writing anything."""

    source_kind: BasinSource
    source_codes: list[str]
    source_label: str
    communes: list[Commune]
    population: int
    communes_without_population: int
    main_town: Commune
    region: Region
    regions: list[Region]
    spans_regions: bool
    geometry: dict[str, Any] | None
    geometry_note: str
    geometry_approximate: bool
    eligibility: Eligibility
    notices: list[str] = field(default_factory=list)

    @property
    def communes_count(self) -> int:
        return len(self.communes)

    @property
    def commune_codes(self) -> list[str]:
        return [c.code for c in self.communes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_kind": str(self.source_kind),
            "source_codes": self.source_codes,
            "population": self.population,
            "communes": self.communes_count,
            "communes_without_population": self.communes_without_population,
            "main_town": {"code": self.main_town.code, "name": self.main_town.name},
            "region": {"code": self.region.code, "name": self.region.name},
            "regions": [{"code": r.code, "name": r.name} for r in self.regions],
            "spans_regions": self.spans_regions,
            "geometry_note": self.geometry_note,
            "eligibility": self.eligibility.as_dict(),
        }


@dataclass
class _Resolution:
    source_kind: BasinSource
    source_codes: list[str]
    source_label: str
    communes: list[Commune]
    main_town: Commune
    region: Region
    regions: list[Region]
    zones: list[ZoneEmploi]
    notices: list[str]


# --- Helpers --------------------------------------------------------------------------------
def _codes_text(codes: list[str], limit: int = 30) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" et {len(codes) - limit} autres" if len(codes) > limit else "")


# kind -> (title, unknown code, unknown codes, article before the names)
_SOURCE_WORDS: dict[BasinSource, tuple[str, str, str, str]] = {
    BasinSource.ZONE_EMPLOI: (
        "Zone d'emploi",
        "Zone d'emploi inconnue",
        "Zones d'emploi inconnues",
        "la zone d'emploi ",
    ),
    BasinSource.BASSIN_BMO: (
        "Bassin BMO",
        "Bassin BMO inconnu",
        "Bassins BMO inconnus",
        "le bassin BMO ",
    ),
    BasinSource.EPCI: ("EPCI", "EPCI inconnu", "EPCI inconnus", "l'EPCI "),
}


def _dedupe(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(c for c in codes if c))


def _source_kind(value: BasinSource | str) -> BasinSource:
    try:
        return BasinSource(value)
    except ValueError:
        choices = ", ".join(BasinSource.values)
        raise BasinError(
            f"Type de source inconnu : « {value} » (attendu : {choices}).",
            code="invalid_source_kind",
            extra={"field": "source_kind"},
        ) from None


def _empty(message: str) -> BasinError:
    return BasinError(message, code="empty_basin", extra={"field": "source_codes"})


def _resolve_commune_codes(codes: list[str]) -> tuple[list[Commune], list[str]]:
    """Communes of a list of codes, merged communes mapped to their current code. Refuses the
    whole list, naming every unknown code, when one is unknown."""
    codes = _dedupe([basin_selectors.normalise_commune_code(c) for c in codes])
    found = basin_selectors.communes_by_code(codes)
    missing = [c for c in codes if c not in found]
    notices: list[str] = []
    found_by_old: dict[str, list[Commune]] = {}
    if missing:
        changes = basin_selectors.commune_code_changes(missing)
        targets = sorted({code for news in changes.values() for code in news})
        mapped = basin_selectors.communes_by_code(targets)
        still_missing = []
        for old in missing:
            news = [mapped[code] for code in changes.get(old, []) if code in mapped]
            if news:
                found_by_old[old] = news
                listed = ", ".join(f"{c.code} ({c.name})" for c in news)
                notices.append(f"Le code {old} (commune fusionnée) a été remplacé par {listed}.")
            else:
                still_missing.append(old)
        if still_missing:
            plural = len(still_missing) > 1
            raise BasinError(
                f"Code{'s' if plural else ''} commune inconnu{'s' if plural else ''} : "
                f"{_codes_text(still_missing)}.",
                code="unknown_codes",
                extra={"field": "source_codes", "unknown_codes": still_missing},
            )
    communes: dict[str, Commune] = {}
    for code in codes:
        for commune in found_by_old.get(code) or [found[code]]:
            communes.setdefault(commune.code, commune)
    return list(communes.values()), notices


def _resolve(
    source_kind: BasinSource | str, source_codes: list[str], main_town_code: str | None
) -> _Resolution:
    kind = _source_kind(source_kind)
    raw = [str(c).strip() for c in source_codes or [] if str(c).strip()]
    if not raw:
        raise _empty("Le bassin est vide : indiquez au moins un code.")

    zones: list[ZoneEmploi] = []
    notices: list[str] = []
    if kind == BasinSource.COMMUNES:
        communes, notices = _resolve_commune_codes(raw)
        codes = [c.code for c in communes]
        label = f"Liste de {len(communes)} commune{'s' if len(communes) > 1 else ''}"
    else:
        if kind == BasinSource.EPCI:
            codes = _dedupe([basin_selectors.normalise_epci_code(c) for c in raw])
            known: dict[str, Any] = basin_selectors.epcis_by_code(codes)
        elif kind == BasinSource.BASSIN_BMO:
            codes = _dedupe([basin_selectors.normalise_zoning_code(c) for c in raw])
            known = basin_selectors.bassins_bmo_by_code(codes)
        else:
            codes = _dedupe([basin_selectors.normalise_zoning_code(c) for c in raw])
            known = basin_selectors.zones_emploi_by_code(codes)
        title, unknown_one, unknown_many, article = _SOURCE_WORDS[kind]
        unknown = [c for c in codes if c not in known]
        if unknown:
            what = unknown_many if len(unknown) > 1 else unknown_one
            raise BasinError(
                f"{what} : {_codes_text(unknown)}.",
                code="unknown_source",
                extra={"field": "source_codes", "unknown_codes": unknown},
            )
        if kind == BasinSource.EPCI:
            communes = basin_selectors.communes_of_epcis(codes)
        elif kind == BasinSource.BASSIN_BMO:
            communes = basin_selectors.communes_of_bassins_bmo(codes)
        else:
            communes = basin_selectors.communes_of_zones_emploi(codes)
            zones = [known[c] for c in codes]
        names = ", ".join(f"{known[c].name} ({c})" for c in codes)
        label = f"{title} {names}"
        if not communes:
            raise _empty(f"Le bassin est vide : aucune commune n'est rattachée à {article}{names}.")

    main_town = _main_town(communes, main_town_code)
    if main_town.region is None:
        raise BasinError(
            f"Impossible de rattacher le bassin à une région : la ville principale "
            f"{main_town.name} ({main_town.code}) n'a pas de région.",
            code="no_region",
            extra={"field": "main_town"},
        )
    regions = sorted(
        {c.region.code: c.region for c in communes if c.region}.values(), key=lambda r: r.code
    )
    return _Resolution(
        source_kind=kind,
        source_codes=codes,
        source_label=label,
        communes=communes,
        main_town=main_town,
        region=main_town.region,
        regions=regions,
        zones=zones,
        notices=notices,
    )


def _main_town(communes: list[Commune], main_town_code: str | None) -> Commune:
    """The given main town (which must belong to the basin), else the most populated commune
    (ties: the smallest code)."""
    if main_town_code and main_town_code.strip():
        code = basin_selectors.normalise_commune_code(main_town_code)
        by_code = {c.code: c for c in communes}
        if code not in by_code:
            news = basin_selectors.commune_code_changes([code]).get(code, [])
            inside = [by_code[n] for n in news if n in by_code]
            if inside:
                return min(inside, key=lambda c: (-(c.population or -1), c.code))
            known = basin_selectors.communes_by_code(news or [code])
            if not known:
                raise BasinError(
                    f"Ville principale inconnue : aucune commune n'a le code {code}.",
                    code="main_town_unknown",
                    extra={"field": "main_town", "code": code},
                )
            town = next(iter(known.values()))
            raise BasinError(
                f"La ville principale {town.name} ({town.code}) n'appartient pas au bassin.",
                code="main_town_outside",
                extra={"field": "main_town", "code": town.code},
            )
        return by_code[code]
    return min(communes, key=lambda c: (-(c.population or -1), c.code))


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


def _figures(communes: list[Commune]) -> tuple[int, int]:
    population = sum(c.population or 0 for c in communes)
    missing = sum(1 for c in communes if c.population is None)
    return population, missing


def _geometry(
    communes: list[Commune], zones: list[ZoneEmploi]
) -> tuple[BaseGeometry | None, str, bool]:
    """(geometry, note, approximate): the zones' published polygons when every zone has one,
    else the union of the communes' outlines."""
    if zones and all(z.geometry for z in zones):
        geom = union(geometry_from_geojson(z.geometry) for z in zones)
        names = ", ".join(f"{z.name} ({z.code})" for z in zones)
        plural = len(zones) > 1
        note = (
            f"Contour officiel de{'s' if plural else ' la'} zone{'s' if plural else ''} "
            f"d'emploi {names} (polygone INSEE simplifié"
            + (", réparé" if any(z.geometry_repaired for z in zones) else "")
            + ")."
        )
        return geom, note[:GEOMETRY_NOTE_MAX], False
    shapes = [geometry_from_geojson(c.geometry) for c in communes]
    geom = union(shapes)
    with_shape = sum(1 for s in shapes if s is not None)
    if geom is None:
        return None, "Aucun contour disponible pour ces communes.", False
    approx = sum(1 for c in communes if c.geometry and c.geometry_approximate)
    parts = [f"Union des contours de {with_shape} commune{'s' if with_shape > 1 else ''}."]
    if approx:
        parts.append(
            f"Contours approchés pour {approx} commune{'s' if approx > 1 else ''} "
            "(cellules de Voronoï des centres communaux, découpées par zone d'emploi) : "
            "tracé indicatif."
        )
    if with_shape < len(communes):
        n = len(communes) - with_shape
        parts.append(f"{n} commune{'s' if n > 1 else ''} sans contour.")
    if zones:
        parts.insert(0, "Zone d'emploi sans polygone publié :")
    return geom, " ".join(parts)[:GEOMETRY_NOTE_MAX], bool(approx)


def _zones_of(basin: Basin) -> list[ZoneEmploi]:
    if basin.source_kind != BasinSource.ZONE_EMPLOI:
        return []
    found = basin_selectors.zones_emploi_by_code(list(basin.source_codes))
    return [found[c] for c in basin.source_codes if c in found]


# --- Checks shared by the views -------------------------------------------------------------
def basin_name_check(*, name: str, region: Region, exclude_pk: int | None = None) -> str:
    """The cleaned name, or an error when it is empty, too long or already used in the region
    (case- and accent-case-insensitive, like the database constraint)."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise BasinError("Donnez un nom au bassin.", code="invalid_name", extra={"field": "name"})
    if len(cleaned) > NAME_MAX:
        raise BasinError(
            f"Le nom du bassin est trop long ({len(cleaned)} caractères, {NAME_MAX} au plus).",
            code="invalid_name",
            extra={"field": "name"},
        )
    existing = Basin.objects.filter(region=region)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    # casefold in Python: SQLite's LOWER() only folds ASCII letters.
    for other in existing.values_list("name", flat=True):
        if other.casefold() == cleaned.casefold():
            raise BasinError(
                f"Un bassin nommé « {other} » existe déjà dans la région {region.name}.",
                code="duplicate_name",
                extra={"field": "name", "name": other, "region": region.code},
            )
    return cleaned


def basin_creator_check(*, user: User | None, region: Region) -> None:
    """A delegate registers basins only in the regions they follow; national admins anywhere;
    `None` (a management command run by an operator) is allowed."""
    if user is None or user.is_national_admin:
        return
    if not user.can_manage_basins:
        raise BasinError(
            "Votre rôle ne permet pas d'enregistrer un bassin.",
            code="forbidden",
            extra={"field": None},
        )
    if not user.regions.filter(pk=region.pk).exists():
        raise BasinError(
            f"Vous ne suivez pas la région {region.name} : le bassin, dont la ville principale "
            "s'y trouve, ne peut pas y être enregistré par vous.",
            code="region_not_followed",
            extra={"field": None, "region": region.code},
        )


# --- Use cases ------------------------------------------------------------------------------
def basin_source_communes(*, source_kind: BasinSource, source_codes: list[str]) -> list[Commune]:
    """The communes a basin built from these codes would have (codes normalised as on the
    registration form, `0101` = `101`), without its figures or geometry. Raises BasinError with
    the French message the form would show."""
    return _resolve(source_kind, source_codes, None).communes


def basin_preview(
    *,
    source_kind: BasinSource,
    source_codes: list[str],
    main_town_code: str | None = None,
) -> BasinPreview:
    """Resolve a basin's communes and compute its figures, geometry and eligibility. Nothing is
    saved. Raises BasinError (an ApplicationError) with a French message."""
    res = _resolve(source_kind, source_codes, main_town_code)
    population, missing = _figures(res.communes)
    geom, note, approximate = _geometry(res.communes, res.zones)
    return BasinPreview(
        source_kind=res.source_kind,
        source_codes=res.source_codes,
        source_label=res.source_label,
        communes=res.communes,
        population=population,
        communes_without_population=missing,
        main_town=res.main_town,
        region=res.region,
        regions=res.regions,
        spans_regions=len(res.regions) > 1,
        geometry=geometry_to_geojson(geom),
        geometry_note=note,
        geometry_approximate=approximate,
        eligibility=_eligibility(population=population, missing=missing, main_town=res.main_town),
        notices=res.notices,
    )


def basin_create(
    *,
    name: str,
    source_kind: BasinSource,
    source_codes: list[str],
    main_town_code: str | None = None,
    created_by: User | None = None,
) -> Basin:
    """Validate and save a basin in one transaction; its geometry and eligibility are computed
    by `basin_refresh`, enqueued once the transaction has committed."""
    res = _resolve(source_kind, source_codes, main_town_code)
    basin_creator_check(user=created_by, region=res.region)
    population, missing = _figures(res.communes)
    eligibility = _eligibility(population=population, missing=missing, main_town=res.main_town)

    with transaction.atomic():
        cleaned = basin_name_check(name=name, region=res.region)
        basin = Basin(
            name=cleaned,
            region=res.region,
            source_kind=res.source_kind,
            source_codes=res.source_codes,
            main_town=res.main_town,
            population=population,
            communes_count=len(res.communes),
            communes_without_population=missing,
            spans_regions=len(res.regions) > 1,
            geometry_status=GeometryStatus.PENDING,
            created_by=created_by,
        )
        _apply_eligibility(basin, eligibility)
        try:
            with transaction.atomic():
                basin.save()
        except IntegrityError as exc:  # a concurrent registration won the race
            raise BasinError(
                f"Un bassin nommé « {cleaned} » existe déjà dans la région {res.region.name}.",
                code="duplicate_name",
                extra={"field": "name", "name": cleaned, "region": res.region.code},
            ) from exc
        basin.communes.set(res.communes)
        basin.regions.set(res.regions)
        basin_id = basin.pk
        transaction.on_commit(lambda: _enqueue_refresh(basin_id))
    logger.info(
        "basin %s created: %s communes, population %s", basin_id, len(res.communes), population
    )
    return basin


def basin_update(
    *,
    basin: Basin,
    name: str | None = None,
    source_kind: BasinSource | str | None = None,
    source_codes: list[str] | None = None,
    main_town_code: str | None = None,
) -> Basin:
    """Rename a basin and/or rebuild it from another zoning or commune list (same region), in
    one transaction; a new composition makes the next diagnostic a new run (its data key
    holds the communes) and the geometry is recomputed after commit."""
    recompose = source_codes is not None
    res = (
        _resolve(source_kind or basin.source_kind, source_codes or [], main_town_code)
        if recompose
        else None
    )
    if res is not None and res.region.pk != basin.region_id:
        raise BasinError(
            f"La nouvelle composition appartient à la région {res.region.name} : un bassin reste "
            "dans sa région (enregistrez-en un nouveau).",
            code="region_change",
            extra={"field": "source_codes"},
        )
    with transaction.atomic():
        if name is not None:
            basin.name = basin_name_check(name=name, region=basin.region, exclude_pk=basin.pk)
        if res is not None:
            population, missing = _figures(res.communes)
            basin.source_kind = res.source_kind
            basin.source_codes = res.source_codes
            basin.main_town = res.main_town
            basin.population = population
            basin.communes_count = len(res.communes)
            basin.communes_without_population = missing
            basin.spans_regions = len(res.regions) > 1
            basin.geometry_status = GeometryStatus.PENDING
            _apply_eligibility(
                basin,
                _eligibility(population=population, missing=missing, main_town=res.main_town),
            )
        try:
            with transaction.atomic():
                basin.save()
        except IntegrityError as exc:
            raise BasinError(
                f"Un bassin nommé « {basin.name} » existe déjà dans cette région.",
                code="duplicate_name",
                extra={"field": "name"},
            ) from exc
        if res is not None:
            basin.communes.set(res.communes)
            basin.regions.set(res.regions)
            basin_id = basin.pk
            transaction.on_commit(lambda: _enqueue_refresh(basin_id))
    return basin


def _enqueue_refresh(basin_id: int) -> None:
    # The pending geometry is the outbox: a broker error leaves it for the dispatcher.
    from diagnostics.services.outbox import basin_send

    basin_send(basin_id)


def _apply_eligibility(basin: Basin, eligibility: Eligibility) -> None:
    basin.eligible_population = eligibility.population_ok
    basin.eligible_main_town = eligibility.main_town_ok
    basin.nearest_site_id = eligibility.nearest_site_id
    basin.nearest_site_km = eligibility.nearest_site_km


def basin_refresh(*, basin_id: int, geometry: bool = True) -> Basin:
    """Recompute a basin's population, regions, eligibility and (unless `geometry` is False)
    geometry from its communes, the programme settings and the Cnam sites in force. Idempotent:
    running it twice gives the same row. Raises Basin.DoesNotExist when the basin is gone."""
    with transaction.atomic():
        basin = Basin.objects.select_for_update().get(pk=basin_id)
        communes = list(basin.communes.select_related("region").order_by("code"))
        population, missing = _figures(communes)
        regions = sorted(
            {c.region.code: c.region for c in communes if c.region}.values(), key=lambda r: r.code
        )
        main_town = basin.main_town
        if main_town is None and communes:
            main_town = _main_town(communes, None)
            basin.main_town = main_town
        basin.population = population
        basin.communes_count = len(communes)
        basin.communes_without_population = missing
        basin.spans_regions = len(regions) > 1
        if main_town is not None:
            _apply_eligibility(
                basin, _eligibility(population=population, missing=missing, main_town=main_town)
            )
        if geometry:
            geom, note, _ = _geometry(communes, _zones_of(basin))
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


def basin_share(*, basin: Basin, identifier: str, shared_by: User | None = None) -> BasinShare:
    """Share a basin with a mayor's-office user of the platform, found by username or e-mail
    (case-insensitive). Sharing twice returns the existing share."""
    if shared_by is not None and not basin_manageable_for(shared_by).filter(pk=basin.pk).exists():
        raise BasinError(
            "Vous ne pouvez pas partager ce bassin.", code="forbidden", extra={"field": None}
        )
    wanted = (identifier or "").strip()
    if not wanted:
        raise BasinError(
            "Indiquez l'identifiant ou l'adresse électronique de l'utilisateur.",
            code="share_user_missing",
            extra={"field": "user"},
        )
    # Only mayor's-office accounts are looked up, and an unknown name and another role's name
    # get the same answer: the form tells neither whether an account exists nor its role.
    mayors = User.objects.filter(role=Role.MAYOR_VIEWER, is_superuser=False, is_active=True)
    matches = list(
        mayors.filter(username__iexact=wanted)
        or mayors.filter(email__iexact=wanted).exclude(email="")
    )
    if not matches:
        raise BasinError(
            f"Aucun compte de mairie ne correspond à « {wanted} ».",
            code="share_user_unknown",
            extra={"field": "user"},
        )
    if len(matches) > 1:
        raise BasinError(
            f"Plusieurs comptes de mairie ont l'adresse « {wanted} » : indiquez l'identifiant.",
            code="share_user_ambiguous",
            extra={"field": "user"},
        )
    user = matches[0]
    share, _ = BasinShare.objects.get_or_create(
        basin=basin, user=user, defaults={"shared_by": shared_by}
    )
    return share


def basin_unshare(*, basin: Basin, user_id: int, by: User | None = None) -> int:
    """Stop sharing a basin with a user, at once: the access grant goes and every version of
    the basin shared with them is revoked. Returns the number of shares removed (0 or 1)."""
    with transaction.atomic():
        basin_grants_revoke(basin=basin, user_id=user_id, by=by)
        deleted, _ = BasinShare.objects.filter(basin=basin, user_id=user_id).delete()
    return deleted


def basin_delete(*, basin: Basin) -> None:
    """Delete a basin, unless other records (diagnostics, implantations) still depend on it."""
    name = basin.name
    try:
        with transaction.atomic():
            basin.delete()
    except ProtectedError as exc:
        kinds = Counter(obj._meta.verbose_name_plural for obj in exc.protected_objects)
        listed = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        raise BasinError(
            f"Le bassin « {name} » ne peut pas être supprimé : il est utilisé par {listed}.",
            code="basin_protected",
            extra={"field": None},
        ) from exc
