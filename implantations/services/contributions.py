"""Contributions from the territory (issue 13): a partner account proposes a basin asset, the
basin's delegate accepts, edits or declines it; accepted, it becomes the asset the
recommendation reads, and the recommendation before and after is kept side by side.

Who: a mayor's office or a local partner proposes on a basin shared with it; the basin's
managers (its region's delegates, national admins) decide. Every decision or edit names the
`version` it was made on: a conditional UPDATE claims it, so when two delegates act on the same
contribution the second is told, in French, that it changed meanwhile (no lost update).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Basin, User
from diagnostics.models.limits import date_out_of_bounds
from diagnostics.selectors.access import basin_is_manageable, basin_list_for
from diagnostics.services.sharing import delegates_notify
from implantations.models import (
    BasinPartnership,
    Contribution,
    EmployerLetter,
    HostStructure,
    Recommendation,
)
from implantations.selectors import assets
from implantations.services.recommendation import RecommendationError, recommendation_compute

SURFACE_MAX_M2 = 100_000
AMOUNT_MAX_EUR = 100_000_000
TEXT_LIMITS = {"title": 200, "sector": 120, "details": 2000, "source": 300, "contact": 300}


class ContributionError(RecommendationError):
    code = "contribution_error"


def _check_manager(basin: Basin, user: User) -> None:
    if not basin_is_manageable(user, basin.pk):
        raise ContributionError(
            "Seuls les délégués de la région du bassin et les administrateurs nationaux décident "
            "des contributions.",
            code="forbidden",
        )


@dataclass
class ContributionInput:
    """What a contribution says (the form, the API and the delegate's edit give the same)."""

    kind: str
    title: str
    source: str
    contact: str
    partner_kind: str = ""
    surface_m2: int | None = None
    available_from: dt.date | None = None
    premises_can_grow: bool | None = None
    headcount: int | None = None
    sector: str = ""
    amount_eur: int | None = None
    details: str = ""


def _int(value: Any, field: str, label: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ContributionError(f"{label} : un nombre entier est attendu.", extra={"field": field})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ContributionError(
            f"{label} : « {value} » n'est pas un nombre.", extra={"field": field}
        ) from None
    if not number.is_integer():
        raise ContributionError(f"{label} : un nombre entier est attendu.", extra={"field": field})
    return int(number)


def contribution_clean(basin: Basin, data: ContributionInput) -> dict[str, Any]:
    """The model fields of `data` for `basin`, checked; ContributionError names the field."""
    kinds = Contribution.Kind
    if data.kind not in kinds.values:
        raise ContributionError(
            f"Type de contribution inconnu : « {data.kind} » (possibles : "
            f"{', '.join(kinds.values)}).",
            extra={"field": "kind"},
        )
    values: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        text = str(getattr(data, name) or "").strip()
        if len(text) > limit:
            raise ContributionError(
                f"Champ « {name} » trop long : {len(text)} caractères (au plus {limit}).",
                extra={"field": name},
            )
        values[name] = text
    for name, label in (
        ("title", "l'intitulé"),
        ("source", "la source"),
        ("contact", "un contact"),
    ):
        if not values[name]:
            raise ContributionError(f"Indiquez {label}.", extra={"field": name})
    surface = _int(data.surface_m2, "surface_m2", "Surface")
    headcount = _int(data.headcount, "headcount", "Effectif annoncé")
    amount = _int(data.amount_eur, "amount_eur", "Montant")
    if surface is not None and not 1 <= surface <= SURFACE_MAX_M2:
        raise ContributionError(
            f"Surface impossible : {surface} m² (entre 1 et {SURFACE_MAX_M2:,} m²).".replace(
                ",", "\u202f"
            ),
            extra={"field": "surface_m2"},
        )
    if headcount is not None and headcount < 1:
        raise ContributionError(
            f"Effectif impossible : {headcount} (au moins 1).", extra={"field": "headcount"}
        )
    if headcount is not None and basin.population and headcount > basin.population:
        raise ContributionError(
            f"Effectif impossible : {headcount} personnes, plus que la population du bassin "
            f"({basin.population}).",
            extra={"field": "headcount"},
        )
    if amount is not None and not 1 <= amount <= AMOUNT_MAX_EUR:
        raise ContributionError(
            f"Montant impossible : {amount} € (entre 1 et 100 millions d'euros).",
            extra={"field": "amount_eur"},
        )
    partner_kind = (data.partner_kind or "").strip()
    if data.kind == kinds.PREMISES and surface is None:
        raise ContributionError(
            "Indiquez la surface des locaux (m²).", extra={"field": "surface_m2"}
        )
    if data.kind == kinds.PARTNER:
        allowed = [k for k, _ in Contribution.PARTNER_KINDS]
        if partner_kind not in allowed:
            raise ContributionError(
                "Choisissez le type de partenaire (Mission locale, France Services, tiers-lieu, "
                "lycée, chambre consulaire…).",
                extra={"field": "partner_kind"},
            )
    else:
        partner_kind = ""
    if data.kind == kinds.EMPLOYER and headcount is None:
        raise ContributionError(
            "Indiquez le nombre d'apprenants ou de recrutements annoncés.",
            extra={"field": "headcount"},
        )
    if data.kind == kinds.COFUNDING and amount is None:
        raise ContributionError(
            "Indiquez le montant du cofinancement (€).", extra={"field": "amount_eur"}
        )
    if data.available_from is not None and not isinstance(data.available_from, dt.date):
        raise ContributionError(
            "Date de disponibilité invalide.", extra={"field": "available_from"}
        )
    if data.available_from is not None:
        problem = date_out_of_bounds(data.available_from, "La date de disponibilité")
        if problem:
            raise ContributionError(problem, extra={"field": "available_from"})
    return {
        **values,
        "kind": data.kind,
        "partner_kind": partner_kind,
        "surface_m2": surface,
        "available_from": data.available_from,
        "premises_can_grow": data.premises_can_grow,
        "headcount": headcount,
        "amount_eur": amount,
    }


def contribution_propose(
    *, basin: Basin, user: User, data: ContributionInput, shared_version_id: int | None = None
) -> Contribution:
    """A partner account proposes an asset on a basin shared with it; the delegates of the
    basin's region are notified."""
    if not (user.is_mayor_viewer and basin_list_for(user).filter(pk=basin.pk).exists()):
        raise ContributionError(
            "Seuls les comptes de mairie, d'EPCI ou de partenaire avec qui le bassin est partagé "
            "proposent des contributions.",
            code="forbidden",
        )
    values = contribution_clean(basin, data)
    with transaction.atomic():
        contribution = Contribution(basin=basin, proposed_by=user, **values)
        if shared_version_id is not None:
            contribution.shared_version_id = (
                basin.shared_versions.filter(pk=shared_version_id)
                .values_list("pk", flat=True)
                .first()
            )
        contribution._change_reason = "proposée"  # type: ignore[attr-defined]
        contribution._history_user = user  # type: ignore[attr-defined]
        contribution.save()
        who = user.get_full_name() or user.get_username()
        if user.organisation_label:
            who += f" ({user.organisation_label})"
        delegates_notify(
            basin=basin,
            kind="contribution",
            text=f"{who} propose « {contribution.title} » ({contribution.get_kind_display()}) "
            f"pour le bassin {basin.name}.",
            url=reverse("contribution-list", args=[basin.pk]) + f"#contribution-{contribution.pk}",
        )
    return contribution


def _claim(contribution_id: int, basin: Basin, expected_version: int) -> Contribution:
    """Take the contribution at `expected_version` (conditional UPDATE), or say who changed it."""
    claimed = Contribution.objects.filter(
        pk=contribution_id, basin=basin, version=expected_version
    ).update(version=F("version") + 1)
    current = Contribution.objects.filter(pk=contribution_id, basin=basin).first()
    if current is None:
        raise ContributionError(
            f"Contribution n° {contribution_id} introuvable pour ce bassin.", code="not_found"
        )
    if not claimed:
        last = current.history.order_by("-history_date").select_related("history_user").first()
        who = ""
        if last is not None and last.history_user is not None:
            who = f" par {last.history_user.get_full_name() or last.history_user.get_username()}"
        when = f" le {timezone.localtime(last.history_date):%d/%m/%Y à %H:%M}" if last else ""
        raise ContributionError(
            f"La contribution « {current.title} » a été modifiée entre-temps{who}{when} : "
            "rechargez la page et refaites votre changement sur sa version actuelle.",
            code="conflict",
        )
    return current


def contribution_edit(
    *, contribution_id: int, basin: Basin, user: User, expected_version: int,
    data: ContributionInput,
) -> Contribution:  # fmt: skip
    """The delegate corrects a pending contribution before deciding."""
    _check_manager(basin, user)
    values = contribution_clean(basin, data)
    with transaction.atomic():
        contribution = _claim(contribution_id, basin, expected_version)
        if contribution.status != Contribution.Status.PENDING:
            raise ContributionError(
                f"La contribution « {contribution.title} » est déjà "
                f"{contribution.get_status_display()} : elle ne se modifie plus.",
                code="decided",
            )
        for name, value in values.items():
            setattr(contribution, name, value)
        contribution._change_reason = "modifiée par le délégué"  # type: ignore[attr-defined]
        contribution._history_user = user  # type: ignore[attr-defined]
        contribution.save()
    return contribution


def _asset_from(contribution: Contribution, user: User) -> None:
    basin = contribution.basin
    if contribution.kind == Contribution.Kind.PREMISES:
        partnership, _ = BasinPartnership.objects.get_or_create(basin=basin)
        note = f"{contribution.title}, {contribution.surface_m2} m²"
        if contribution.available_from:
            note += f", disponibles dès le {contribution.available_from:%d/%m/%Y}"
        partnership.town_lends_premises = True
        partnership.premises_note = (note + f" (contribution n° {contribution.pk})")[:300]
        partnership.updated_by = user
        partnership.save()
    elif contribution.kind == Contribution.Kind.PARTNER:
        commune = basin.main_town
        lat = commune.latitude if commune else None
        lon = commune.longitude if commune else None
        contribution.host_structure = HostStructure.objects.create(
            basin=basin,
            kind=contribution.partner_kind,
            name=contribution.title[:200],
            commune=commune,
            latitude=lat,
            longitude=lon,
            distance_km=assets.distance_to_main_town(basin, lat, lon),
            origin=HostStructure.Origin.DECLARED,
            voie_professionnelle=True if contribution.partner_kind == "lycee" else None,
            flags_official=False,
            confirmed=True,
            premises_can_grow=contribution.premises_can_grow,
            notes=f"contribution n° {contribution.pk} du territoire"[:300],
            updated_by=user,
        )
    elif contribution.kind == Contribution.Kind.EMPLOYER:
        contribution.employer_letter = EmployerLetter.objects.create(
            basin=basin,
            employer=contribution.title[:200],
            sector=contribution.sector[:120],
            learners=contribution.headcount,
            received_on=timezone.localdate(),
            created_by=user,
        )
        BasinPartnership.objects.get_or_create(basin=basin)
        BasinPartnership.objects.filter(basin=basin).update(letters_recorded=True)


def contribution_decide(
    *, contribution_id: int, basin: Basin, user: User, expected_version: int, accept: bool,
    note: str = "",
) -> Contribution:  # fmt: skip
    """Accept (the asset is created and the recommendation recomputed, before and after kept)
    or decline a pending contribution."""
    _check_manager(basin, user)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        contribution = _claim(contribution_id, basin, expected_version)
        if contribution.status != Contribution.Status.PENDING:
            raise ContributionError(
                f"La contribution « {contribution.title} » est déjà "
                f"{contribution.get_status_display()}.",
                code="decided",
            )
        contribution._history_user = user  # type: ignore[attr-defined]
        contribution.decided_by = user
        contribution.decided_at = timezone.now()
        contribution.decision_note = note
        if accept:
            before = _recommendation(basin, user)
            _asset_from(contribution, user)
            contribution.recommendation_before = before
            contribution.recommendation_after = _recommendation(basin, user)
            contribution.status = Contribution.Status.ACCEPTED
            contribution._change_reason = "acceptée"  # type: ignore[attr-defined]
        else:
            contribution.status = Contribution.Status.DECLINED
            contribution._change_reason = "refusée"  # type: ignore[attr-defined]
        contribution.save()
    return contribution


def _recommendation(basin: Basin, user: User) -> Recommendation | None:
    try:
        return recommendation_compute(basin=basin, user=user)
    except RecommendationError:
        return None


CONTRIBUTION_INPUT_FIELDS = [f.name for f in fields(ContributionInput)]
