"""Writes of the implantations app: programme reference settings, scoring profiles,
recommendations and business-model scenarios (a basin's assets: `services.assets`).

Recommendation API (for the pages, the command, the REST endpoint and implantation projects):

    rec = recommendation_compute(basin=basin, user=user)   # a `Recommendation` row
    rec.concept            # "turnkey" | "fab_id" | "progressive" | "" (none recommendable)
    rec.document           # the JSON of `recommend --json` (scores, constraints, criteria…)
    rec.profile.version    # the scoring profile version it used
    rec.diagnostic_run_id  # the diagnostic run it read (None without one)

`recommendation_compute` reads the inputs in force (`selectors.recommendation_inputs`), and
returns the existing row when a recommendation with exactly the same inputs and profile exists
(`input_key`): computing twice never makes two rows, and a recommendation never changes once
stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, User
from diagnostics.selectors.access import basin_is_manageable
from implantations.analytics import criteria, scoring
from implantations.analytics.business_model import business_model
from implantations.analytics.business_model_assumptions import (
    AssumptionError,
    assumptions_with,
    default_assumptions,
)
from implantations.analytics.profile import DEFAULT_PROFILE, profile_errors
from implantations.models import BusinessScenario, Recommendation, ScoringProfile
from implantations.selectors import recommendation as selectors
from implantations.selectors.recommendation_inputs import (
    RecommendationInputs,
    recommendation_inputs,
)


class RecommendationError(ApplicationError):
    """A recommendation, an asset or a scenario cannot be written as asked."""

    code = "recommendation_error"


def programme_reference_changed() -> None:
    """The Cnam sites or the programme bounds changed: every basin's eligibility and distance to
    the nearest site must follow. Enqueued after commit; geometries are kept."""
    from diagnostics.dispatch import BASINS_REFRESH_ALL, task_send

    transaction.on_commit(lambda: task_send(BASINS_REFRESH_ALL, geometry=False))


def check_basin_manager(basin: Basin, user: User | None) -> None:
    if user is not None and not basin_is_manageable(user, basin.pk):
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
    problems = profile_errors(parameters)
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
        parameters=DEFAULT_PROFILE,
        name="Profil par défaut",
        change_note="Version initiale (ADR 0008).",
    )


# --- Recommendations --------------------------------------------------------------------------


def _document(inputs: RecommendationInputs, result: scoring.RecommendationResult) -> dict[str, Any]:
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
    inputs = recommendation_inputs(basin, profile=profile)
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
                scores={k: document["scores"][k] for k in criteria.CONCEPTS},
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
    check_basin_manager(basin, user)
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
