"""Writes of the implantations app: programme reference settings, basin assets, scoring
profiles, recommendations and business-model scenarios.

Recommendation API (for the pages, the command, the REST endpoint and implantation projects):

    rec = recommendation_compute(basin=basin, user=user)   # a `Recommendation` row
    rec.concept            # "turnkey" | "fab_id" | "progressive" | "" (none recommendable)
    rec.document           # the JSON of `recommend --json` (scores, constraints, criteria…)
    rec.profile.version    # the scoring profile version it used
    rec.diagnostic_run_id  # the diagnostic run it read (None without one)

`recommendation_compute` reads the inputs in force (`selectors.recommendation_inputs`), and
returns the existing row when a recommendation with exactly the same inputs and profile exists
(`input_key`): computing twice never makes two rows, and a recommendation never changes once
stored. Writes on assets check that the user may manage the basin (`basin_manageable_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, Commune, User
from diagnostics.selectors.access import basin_manageable_for
from implantations.analytics import scoring
from implantations.analytics.business_model import business_model
from implantations.analytics.business_model_assumptions import (
    AssumptionError,
    assumptions_with,
    default_assumptions,
)
from implantations.models import (
    BasinPartnership,
    BusinessScenario,
    EmployerLetter,
    HostStructure,
    Recommendation,
    ScoringProfile,
)
from implantations.selectors import assets
from implantations.selectors import recommendation as selectors


class RecommendationError(ApplicationError):
    """A recommendation, an asset or a scenario cannot be written as asked."""

    code = "recommendation_error"


def programme_reference_changed() -> None:
    """The Cnam sites or the programme bounds changed: every basin's eligibility and distance to
    the nearest site must follow. Enqueued after commit; geometries are kept."""
    from diagnostics.dispatch import BASINS_REFRESH_ALL, task_send

    transaction.on_commit(lambda: task_send(BASINS_REFRESH_ALL, geometry=False))


def _check_manager(basin: Basin, user: User | None) -> None:
    if user is not None and not basin_manageable_for(user).filter(pk=basin.pk).exists():
        raise RecommendationError(
            "Seuls les délégués de la région du bassin et les administrateurs peuvent modifier "
            "ses atouts.",
            code="forbidden",
        )


# --- Scoring profiles -------------------------------------------------------------------------


def scoring_profile_create(
    *,
    parameters: Mapping[str, Any],
    name: str = "Profil de notation",
    change_note: str = "",
    user: User | None = None,
) -> ScoringProfile:
    """A new version of the scoring profile (the latest version + 1), after validation; the
    versions before it are kept unchanged."""
    problems = scoring.profile_errors(parameters)
    if problems:
        raise RecommendationError(
            "Profil de notation invalide : " + " ; ".join(problems) + ".",
            extra={"parameters": problems},
        )
    for _ in range(3):
        latest = ScoringProfile.objects.order_by("-version").values_list("version", flat=True)
        version = (latest.first() or 0) + 1
        try:
            with transaction.atomic():
                return ScoringProfile.objects.create(
                    version=version,
                    name=name,
                    parameters=dict(parameters),
                    change_note=change_note,
                    created_by=user,
                )
        except IntegrityError:
            continue  # another version was saved at the same time: take the next number
    raise RecommendationError("Impossible d'attribuer un numéro de version : réessayez.")


def scoring_profile_ensure() -> ScoringProfile:
    """The profile in force; version 1 from the code's defaults if there is none (a database
    whose seeding migration was reverted)."""
    current = ScoringProfile.current()
    if current is not None:
        return current
    return scoring_profile_create(
        parameters=scoring.DEFAULT_PROFILE,
        name="Profil par défaut",
        change_note="Version initiale (ADR 0008).",
    )


# --- Recommendations --------------------------------------------------------------------------


def _document(
    inputs: selectors.RecommendationInputs, result: scoring.RecommendationResult
) -> dict[str, Any]:
    run = inputs.run
    document = result.as_document()
    document.update(
        {
            "basin": {
                "id": inputs.basin.pk,
                "name": inputs.basin.name,
                "population": inputs.basin.population,
            },
            "profile": {
                "id": inputs.profile.pk,
                "version": inputs.profile.version,
                "name": inputs.profile.name,
            },
            "diagnostic_run": (
                {
                    "id": run.pk,
                    "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                    "engine_version": run.engine_version,
                }
                if run
                else None
            ),
            "sources": inputs.sources,
            "notes": inputs.notes,
        }
    )
    return document


def recommendation_compute(
    *,
    basin: Basin,
    user: User | None = None,
    profile: ScoringProfile | None = None,
) -> Recommendation:
    """The recommendation of `basin` for the data, assets and profile in force (see the module
    docstring). `profile` defaults to the profile in force."""
    profile = profile or scoring_profile_ensure()
    inputs = selectors.recommendation_inputs(basin, profile=profile)
    key = inputs.input_key()
    existing = Recommendation.objects.filter(input_key=key).first()
    if existing is not None:
        return existing
    try:
        result = scoring.recommend(inputs.raw, inputs.hosts, profile.parameters)
    except ValueError as exc:
        raise RecommendationError(
            f"La recommandation ne peut pas être calculée avec le profil version "
            f"{profile.version} : {exc}"
        ) from exc
    document = _document(inputs, result)
    try:
        with transaction.atomic():
            recommendation = Recommendation.objects.create(
                basin=inputs.basin,
                profile=profile,
                diagnostic_run=inputs.run,
                engine_version=scoring.ENGINE_VERSION,
                input_key=key,
                concept=result.concept or "",
                label=result.label,
                robustness=result.robustness,
                scores={k: document["scores"][k] for k in scoring.CONCEPTS},
                inputs=inputs.snapshot(),
                document=document,
                created_by=user,
            )
            recommendation.batches.set(inputs.batches)
    except IntegrityError:
        # Computed at the same time by another request: the same inputs, the same row.
        existing = Recommendation.objects.filter(input_key=key).first()
        if existing is None:
            raise
        return existing
    document["id"] = recommendation.pk
    document["created_at"] = recommendation.created_at.isoformat()
    Recommendation.objects.filter(pk=recommendation.pk).update(document=document)
    recommendation.document = document
    return recommendation


# --- Basin assets -----------------------------------------------------------------------------


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
    _check_manager(basin, user)
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
    _check_manager(basin, user)
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
    _check_manager(basin, user)
    host = _host(basin, host_id)
    name = host.name
    host.delete()
    return name


def basin_lycees_prefill(*, basin: Basin, user: User | None) -> list[HostStructure]:
    """Record the lycées of the basin's annuaire that are vocational or technological (official
    flags) or whose paths are not published, not confirmed yet: the delegate confirms them.
    Lycées already recorded (same UAI) are left as they are; general-only lycées are skipped."""
    _check_manager(basin, user)
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
    _check_manager(basin, user)
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
    _check_manager(basin, user)
    employer = (employer or "").strip()
    if not employer:
        raise RecommendationError("Indiquez l'employeur.", extra={"field": "employer"})
    if learners is not None and learners < 0:
        raise RecommendationError(
            "Le nombre d'apprenants ou de recrutements ne peut pas être négatif.",
            extra={"field": "learners"},
        )
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
    _check_manager(basin, user)
    letter = EmployerLetter.objects.filter(basin=basin, pk=letter_id).first()
    if letter is None:
        raise RecommendationError(
            f"Lettre n° {letter_id} introuvable pour ce bassin.", code="not_found"
        )
    name = letter.employer
    letter.delete()
    return name


# --- Business scenarios -----------------------------------------------------------------------


def business_overrides_clean(concept: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The assumptions that differ from the defaults of `concept`, checked (AssumptionError is
    turned into a RecommendationError naming each assumption)."""
    try:
        assumptions = assumptions_with(concept, values)
    except AssumptionError as exc:
        raise RecommendationError(str(exc), extra={"assumptions": exc.problems}) from exc
    except ValueError as exc:
        raise RecommendationError(str(exc)) from exc
    defaults = default_assumptions(concept)
    changed: dict[str, Any] = {}
    for code, assumption in assumptions.items():
        if assumption.value != defaults[code].value:
            value = assumption.value
            changed[code] = list(value) if isinstance(value, tuple) else value
    return changed


def business_scenario_save(
    *,
    basin: Basin,
    user: User | None,
    concept: str,
    name: str,
    overrides: Mapping[str, Any],
) -> BusinessScenario:
    """Save a scenario: the assumptions changed from the defaults and the summary they give."""
    _check_manager(basin, user)
    name = (name or "").strip()
    if not name:
        raise RecommendationError("Donnez un nom au scénario.", extra={"field": "name"})
    changed = business_overrides_clean(concept, overrides)
    recommendation = selectors.recommendation_latest(basin)
    model = business_model(
        concept,
        overrides=changed,
        public=selectors.business_public(basin, recommendation),
    )
    return BusinessScenario.objects.create(
        basin=basin,
        concept=concept,
        name=name[:120],
        assumptions=changed,
        summary={
            "break_even_year": model.break_even_year,
            "self_financed_year4": model.self_financed_year4,
            "public_aid_total": round(model.public_aid_total, 2),
            "learners_year4": int(model.years["learners"].iloc[4]),
            "warnings": model.warnings,
        },
        recommendation=recommendation,
        created_by=user,
    )
