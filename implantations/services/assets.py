"""Writes of a basin's assets: host structures (and the vocational lycées prefilled as hosts), the
town's partnership and employer letters. Each write checks that the user may manage the basin
(`basin_manageable_for`); a recommendation reads the assets in force when it is next computed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from diagnostics.models import Basin, Commune, User
from diagnostics.models.limits import date_out_of_bounds
from implantations.models import BasinPartnership, EmployerLetter, HostStructure
from implantations.selectors import assets

from .recommendation import RecommendationError, check_basin_manager


def _commune(code: str | None) -> Commune | None:
    if not code:
        return None
    commune = Commune.objects.filter(code=code.strip()).first()
    if commune is None:
        raise RecommendationError(
            f"Commune inconnue : « {code} » (code INSEE à 5 caractères attendu).",
            extra={"field": "commune_code"},
        )
    return commune


def host_structure_create(
    *,
    basin: Basin,
    user: User | None,
    kind: str,
    name: str,
    commune_code: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    voie_professionnelle: bool | None = None,
    voie_technologique: bool | None = None,
    premises_can_grow: bool | None = None,
    confirmed: bool = True,
    notes: str = "",
) -> HostStructure:
    """Record a host structure declared by a delegate. Without coordinates, the commune's centre
    is used; the distance to the main town follows. A commune outside the basin is accepted
    (a campus may serve the basin from next door) but said in the notes."""
    check_basin_manager(basin, user)
    if kind not in HostStructure.Kind.values:
        raise RecommendationError(
            f"Type de structure inconnu : « {kind} » (possibles : "
            f"{', '.join(HostStructure.Kind.values)}).",
            extra={"field": "kind"},
        )
    name = (name or "").strip()
    if not name:
        raise RecommendationError("Indiquez le nom de la structure.", extra={"field": "name"})
    if (latitude is None) != (longitude is None):
        raise RecommendationError(
            "Indiquez la latitude et la longitude, ou aucune des deux.",
            extra={"field": "latitude"},
        )
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # type: ignore[operator]
        raise RecommendationError(
            f"Coordonnées hors limites : {latitude}, {longitude} (latitude −90 à 90, longitude "
            "−180 à 180).",
            extra={"field": "latitude"},
        )
    commune = _commune(commune_code)
    if latitude is None and commune is not None:
        latitude, longitude = commune.latitude, commune.longitude
    if kind != HostStructure.Kind.LYCEE:
        voie_professionnelle = voie_technologique = None
    if (
        commune is not None
        and not basin.communes.filter(pk=commune.pk).exists()
        and "hors du bassin" not in notes
    ):
        notes = (notes + " — " if notes else "") + f"commune hors du bassin ({commune.name})"
    return HostStructure.objects.create(
        basin=basin,
        kind=kind,
        name=name[:200],
        commune=commune,
        latitude=latitude,
        longitude=longitude,
        distance_km=assets.distance_to_main_town(basin, latitude, longitude),
        origin=HostStructure.Origin.DECLARED,
        voie_professionnelle=voie_professionnelle,
        voie_technologique=voie_technologique,
        flags_official=False,
        confirmed=confirmed,
        premises_can_grow=premises_can_grow,
        notes=notes[:300],
        updated_by=user,
    )


def _host(basin: Basin, host_id: int) -> HostStructure:
    host = HostStructure.objects.filter(basin=basin, pk=host_id).first()
    if host is None:
        raise RecommendationError(
            f"Structure n° {host_id} introuvable pour ce bassin.", code="not_found"
        )
    return host


def host_structure_update(
    *,
    basin: Basin,
    user: User | None,
    host_id: int,
    confirmed: bool | None = None,
    voie_professionnelle: bool | None = None,
    voie_technologique: bool | None = None,
    premises_can_grow: bool | None = None,
    set_flags: bool = False,
    set_growth: bool = False,
) -> HostStructure:
    """Confirm (or not) a structure; declare the paths of a lycée whose official flags are
    unknown (`set_flags`); say whether the premises can grow (`set_growth`). Official flags of
    the annuaire are never overwritten."""
    check_basin_manager(basin, user)
    host = _host(basin, host_id)
    if confirmed is not None:
        host.confirmed = confirmed
    if set_flags and host.kind == HostStructure.Kind.LYCEE:
        if host.flags_official:
            raise RecommendationError(
                f"Les voies de « {host.name} » viennent de l'annuaire officiel : elles ne se "
                "modifient pas ici."
            )
        host.voie_professionnelle = voie_professionnelle
        host.voie_technologique = voie_technologique
    if set_growth:
        host.premises_can_grow = premises_can_grow
    host.updated_by = user
    host.save()
    return host


def host_structure_delete(*, basin: Basin, user: User | None, host_id: int) -> str:
    check_basin_manager(basin, user)
    host = _host(basin, host_id)
    name = host.name
    host.delete()
    return name


def basin_lycees_prefill(*, basin: Basin, user: User | None) -> list[HostStructure]:
    """Record the lycées of the basin's annuaire that are vocational or technological (official
    flags) or whose paths are not published, not confirmed yet: the delegate confirms them.
    Lycées already recorded (same UAI) are left as they are; general-only lycées are skipped."""
    check_basin_manager(basin, user)
    created = []
    with transaction.atomic():
        for candidate in assets.lycee_candidates(basin):
            vocational = bool(candidate.voie_professionnelle or candidate.voie_technologique)
            unknown = (
                candidate.voie_professionnelle is None and candidate.voie_technologique is None
            )
            if not (vocational or unknown):
                continue
            note = ""
            if unknown and candidate.guess_from_name:
                note = "voie professionnelle supposée d'après le nom (non officiel)"
            elif unknown:
                note = "voies non publiées dans l'annuaire importé"
            created.append(
                HostStructure.objects.create(
                    basin=basin,
                    kind=HostStructure.Kind.LYCEE,
                    name=candidate.name[:200],
                    commune=Commune.objects.filter(code=candidate.commune_code).first(),
                    latitude=candidate.latitude,
                    longitude=candidate.longitude,
                    distance_km=candidate.distance_km,
                    origin=HostStructure.Origin.ANNUAIRE,
                    uai=candidate.uai,
                    voie_professionnelle=candidate.voie_professionnelle,
                    voie_technologique=candidate.voie_technologique,
                    flags_official=candidate.official and not unknown,
                    confirmed=False,
                    notes=note,
                    updated_by=user,
                )
            )
    return created


def basin_partnership_save(
    *,
    basin: Basin,
    user: User | None,
    epci_commitment: str = "",
    town_lends_premises: bool | None = None,
    premises_note: str = "",
    inventory_done: bool = False,
    letters_recorded: bool = False,
) -> BasinPartnership:
    check_basin_manager(basin, user)
    if epci_commitment not in BasinPartnership.EpciCommitment.values:
        raise RecommendationError(
            f"Niveau d'engagement de l'EPCI inconnu : « {epci_commitment} ».",
            extra={"field": "epci_commitment"},
        )
    partnership, _ = BasinPartnership.objects.update_or_create(
        basin=basin,
        defaults={
            "epci_commitment": epci_commitment,
            "town_lends_premises": town_lends_premises,
            "premises_note": premises_note[:300],
            "inventory_done": inventory_done,
            "letters_recorded": letters_recorded,
            "updated_by": user,
        },
    )
    return partnership


def employer_letter_create(
    *,
    basin: Basin,
    user: User | None,
    employer: str,
    sector: str = "",
    learners: int | None = None,
    received_on: Any = None,
) -> EmployerLetter:
    check_basin_manager(basin, user)
    employer = (employer or "").strip()
    if not employer:
        raise RecommendationError("Indiquez l'employeur.", extra={"field": "employer"})
    if learners is not None and learners < 0:
        raise RecommendationError(
            "Le nombre d'apprenants ou de recrutements ne peut pas être négatif.",
            extra={"field": "learners"},
        )
    if received_on is not None:
        if not isinstance(received_on, dt.date):
            raise RecommendationError("Date de réception invalide.", extra={"field": "received_on"})
        problem = (
            f"La date de réception ({received_on:%d/%m/%Y}) est dans le futur."
            if received_on > timezone.localdate()
            else date_out_of_bounds(received_on, "La date de réception")
        )
        if problem:
            raise RecommendationError(problem, extra={"field": "received_on"})
    with transaction.atomic():
        letter = EmployerLetter.objects.create(
            basin=basin,
            employer=employer[:200],
            sector=sector[:120],
            learners=learners,
            received_on=received_on,
            created_by=user,
        )
        # Letters are being recorded: zero would now be a known zero.
        BasinPartnership.objects.get_or_create(basin=basin)
        BasinPartnership.objects.filter(basin=basin).update(letters_recorded=True)
    return letter


def employer_letter_delete(*, basin: Basin, user: User | None, letter_id: int) -> str:
    check_basin_manager(basin, user)
    letter = EmployerLetter.objects.filter(basin=basin, pk=letter_id).first()
    if letter is None:
        raise RecommendationError(
            f"Lettre n° {letter_id} introuvable pour ce bassin.", code="not_found"
        )
    name = letter.employer
    letter.delete()
    return name
