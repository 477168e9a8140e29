"""Employment basins: preview, registration, update and deletion.

A basin is a named set of communes built from one source: zones d'emploi, bassins BMO, EPCI or
a list of communes. Its population is the sum of its communes' populations, its geometry the
union of their outlines (or, for a zone d'emploi, the published polygon of the zone), and its
eligibility to the programme is checked against `ProgrammeSettings` and the active Cnam sites.

`basin_preview` computes everything without writing; `basin_create` validates and saves in one
transaction, then enqueues `basin_refresh` (geometry, figures, eligibility; in
`services.basin_refresh`) after commit. Sharing a basin with a mayor's office is
`services.basin_sharing`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from diagnostics.analytics.geometry import (
    geometry_to_geojson,
)
from diagnostics.models import (
    Basin,
    BasinSource,
    Commune,
    GeometryStatus,
    Region,
    User,
)
from diagnostics.services.basin_eligibility import (
    Eligibility,
    basin_eligibility_apply,
    basin_eligibility_compute,
)
from diagnostics.services.basin_resolution import (
    BasinError,
    basin_geometry_build,
    communes_figures,
    source_resolve,
)

logger = logging.getLogger(__name__)

NAME_MAX = 150


# --- Results --------------------------------------------------------------------------------
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
    return source_resolve(source_kind, source_codes, None).communes


def basin_preview(
    *,
    source_kind: BasinSource,
    source_codes: list[str],
    main_town_code: str | None = None,
) -> BasinPreview:
    """Resolve a basin's communes and compute its figures, geometry and eligibility. Nothing is
    saved. Raises BasinError (an ApplicationError) with a French message."""
    res = source_resolve(source_kind, source_codes, main_town_code)
    population, missing = communes_figures(res.communes)
    geom, note, approximate = basin_geometry_build(res.communes, res.zones)
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
        eligibility=basin_eligibility_compute(
            population=population, missing=missing, main_town=res.main_town
        ),
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
    res = source_resolve(source_kind, source_codes, main_town_code)
    basin_creator_check(user=created_by, region=res.region)
    population, missing = communes_figures(res.communes)
    eligibility = basin_eligibility_compute(
        population=population, missing=missing, main_town=res.main_town
    )

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
        basin_eligibility_apply(basin, eligibility)
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
        source_resolve(source_kind or basin.source_kind, source_codes or [], main_town_code)
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
            population, missing = communes_figures(res.communes)
            basin.source_kind = res.source_kind
            basin.source_codes = res.source_codes
            basin.main_town = res.main_town
            basin.population = population
            basin.communes_count = len(res.communes)
            basin.communes_without_population = missing
            basin.spans_regions = len(res.regions) > 1
            basin.geometry_status = GeometryStatus.PENDING
            basin_eligibility_apply(
                basin,
                basin_eligibility_compute(
                    population=population, missing=missing, main_town=res.main_town
                ),
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
