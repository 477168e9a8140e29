"""Writes of the programme targets (issue 18): create or change the target of a scope (year,
region, concept), delete it, or lay down the programme's own figures; every change is kept
(`ProgrammeTargetChange`: who, when, field, old → new) in the same transaction as the change.

Only national admins set targets (the views and the API check the role; these services check it
again). Invalid values raise `ProgrammeError` (French, naming the field): nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from diagnostics.errors import ApplicationError
from diagnostics.models import Region, User
from implantations.models import Concept, ProgrammeTarget, ProgrammeTargetChange
from implantations.models.programme import TARGET_YEAR_MAX, TARGET_YEAR_MIN

TRACKED_FIELDS = ("sites_planned", "sites_open", "note")

# The programme's figures (shared/seeds, Cnam 2018 press release and Les Échos): about a hundred
# new sites within three years, a first batch of about thirty. The second year is interpolated.
DEFAULT_TARGETS: tuple[tuple[int, int, int, str], ...] = (
    (0, 40, 30, "premier lot d'une trentaine de sites au diagnostic fin"),
    (1, 80, 65, "interpolé entre le premier lot et la cible à trois ans"),
    (2, 100, 100, "une centaine de nouveaux sites en trois ans"),
)


class ProgrammeError(ApplicationError):
    """A target that cannot be saved (French message naming the field in `extra["field"]`)."""


@dataclass(frozen=True)
class TargetInput:
    year: int
    sites_planned: int
    sites_open: int
    region: str = ""  # "" = the whole programme
    concept: str = ""  # "" = every concept
    note: str = ""


def _check_admin(user: User) -> None:
    if not user.is_national_admin:
        raise ProgrammeError("Seule l'administration nationale fixe les objectifs du programme.")


def _clean(data: TargetInput) -> tuple[Region | None, str]:
    if not TARGET_YEAR_MIN <= data.year <= TARGET_YEAR_MAX:
        raise ProgrammeError(
            f"Année : entre {TARGET_YEAR_MIN} et {TARGET_YEAR_MAX} (reçu : {data.year}).",
            extra={"field": "year"},
        )
    for field, label in (("sites_planned", "Projets lancés"), ("sites_open", "Sites ouverts")):
        value = getattr(data, field)
        if value < 0:
            raise ProgrammeError(
                f"{label} : un nombre positif ou nul (reçu : {value}).", extra={"field": field}
            )
    if data.sites_open > data.sites_planned:
        raise ProgrammeError(
            f"Sites ouverts : pas plus que les projets lancés ({data.sites_open} > "
            f"{data.sites_planned}) — un site ouvert a d'abord été un projet.",
            extra={"field": "sites_open"},
        )
    if data.concept and data.concept not in Concept.values:
        raise ProgrammeError(f"Concept inconnu : {data.concept}.", extra={"field": "concept"})
    region = None
    if data.region:
        region = Region.objects.filter(code=data.region).first()
        if region is None:
            raise ProgrammeError(f"Région inconnue : {data.region}.", extra={"field": "region"})
    return region, data.concept


def _log(
    target: ProgrammeTarget | None,
    *,
    action: str,
    scope: ProgrammeTarget,
    field: str,
    old: object,
    new: object,
    user: User,
) -> None:
    ProgrammeTargetChange.objects.create(
        target=target,
        action=action,
        year=scope.year,
        region_id=scope.region_id,
        concept=scope.concept,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        changed_by=user,
    )


def programme_target_save(*, data: TargetInput, user: User) -> ProgrammeTarget:
    """Create the target of the scope (year, region, concept) or change it; one history row per
    field that changed (none when nothing changed)."""
    _check_admin(user)
    region, concept = _clean(data)
    with transaction.atomic():
        target = (
            ProgrammeTarget.objects.select_for_update()
            .filter(year=data.year, region=region, concept=concept)
            .first()
        )
        values = {
            "sites_planned": data.sites_planned,
            "sites_open": data.sites_open,
            "note": data.note.strip(),
        }
        if target is None:
            target = ProgrammeTarget.objects.create(
                year=data.year, region=region, concept=concept, **values
            )
            for field in TRACKED_FIELDS:
                if values[field] not in ("", None):
                    _log(target, action=ProgrammeTargetChange.Action.CREATE, scope=target,
                         field=field, old=None, new=values[field], user=user)  # fmt: skip
            return target
        changed = [f for f in TRACKED_FIELDS if getattr(target, f) != values[f]]
        for field in changed:
            _log(target, action=ProgrammeTargetChange.Action.UPDATE, scope=target, field=field,
                 old=getattr(target, field), new=values[field], user=user)  # fmt: skip
            setattr(target, field, values[field])
        if changed:
            target.save(update_fields=[*changed, "updated_at"])
        return target


def programme_target_delete(*, target_id: int, user: User) -> None:
    """Delete a target; its history stays (with the scope copied)."""
    _check_admin(user)
    with transaction.atomic():
        target = ProgrammeTarget.objects.select_for_update().filter(pk=target_id).first()
        if target is None:
            raise ProgrammeError("Objectif introuvable (déjà supprimé ?).", extra={"status": 404})
        for field in ("sites_planned", "sites_open"):
            _log(None, action=ProgrammeTargetChange.Action.DELETE, scope=target, field=field,
                 old=getattr(target, field), new=None, user=user)  # fmt: skip
        target.delete()


def programme_targets_default(*, start_year: int, user: User) -> list[ProgrammeTarget]:
    """The programme's own figures for the three years from `start_year`, for the whole
    programme (a scope that already has a target keeps it)."""
    out = []
    for offset, planned, opened, note in DEFAULT_TARGETS:
        year = start_year + offset
        existing = ProgrammeTarget.objects.filter(year=year, region=None, concept="").first()
        if existing is not None:
            out.append(existing)
            continue
        out.append(
            programme_target_save(
                data=TargetInput(year=year, sites_planned=planned, sites_open=opened, note=note),
                user=user,
            )
        )
    return out
