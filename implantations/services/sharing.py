"""Share a finished diagnostic as a version (issue 13, ADR 0014): the run, and frozen copies of
its key figures, of the catalogue gap and of the recommendation as they are at sharing time.

In implantations because the copy reads the catalogue gap and the recommendation, which
diagnostics may not import; the rows are written by `diagnostics.services.sharing`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from diagnostics.models import DiagnosticRun, SharedVersion, User
from diagnostics.selectors.diagnostic_report import diagnostic_key_figures
from diagnostics.selectors.diagnostics import diagnostic_latest_done
from diagnostics.services.sharing import (
    ShareError,
    share_manager_check,
    share_recipients_resolve,
    shared_version_record,
)
from implantations.analytics.criteria import CONCEPT_LABELS
from implantations.analytics.honesty import honest_document
from implantations.models import Recommendation
from implantations.services.recommendation import RecommendationError, recommendation_compute


def key_figures_snapshot(run: DiagnosticRun) -> list[dict[str, Any]]:
    out = []
    for figure in diagnostic_key_figures(run.results or {}):
        item = dataclasses.asdict(figure)
        out.append(item)
    return out


def recommendation_snapshot(recommendation: Recommendation) -> dict[str, Any]:
    """The recommendation document as the pages show it (honesty rules applied), with its id
    and the concept shown."""
    document = dict(recommendation.document or {})
    honest = honest_document(document)
    shown = str(honest.get("concept") or "")
    document["id"] = recommendation.pk
    document["shown_concept"] = shown
    document["shown_concept_label"] = CONCEPT_LABELS.get(shown, "") if shown else ""
    document["shown_reasons"] = list(honest.get("reasons") or [])
    return document


def _recommendation_for(run: DiagnosticRun, user: User | None) -> tuple[Recommendation | None, str]:
    latest = diagnostic_latest_done(run.basin_id)
    if latest is not None and latest.pk == run.pk:
        try:
            return recommendation_compute(basin=run.basin, user=user), ""
        except RecommendationError as exc:
            return None, exc.message
    existing = (
        Recommendation.objects.filter(diagnostic_run=run).order_by("-created_at", "-pk").first()
    )
    if existing is None:
        return None, (
            "Aucune recommandation n'avait été calculée sur ce diagnostic (un plus récent existe)."
        )
    return existing, ""


def _gap_for(run: DiagnosticRun) -> tuple[dict[str, Any] | None, str]:
    from catalogue.selectors.gap import GapError, gap_document, gap_for_run

    try:
        return gap_document(gap_for_run(run)), ""
    except GapError as exc:
        return None, exc.message


def shared_version_create(
    *, run: DiagnosticRun, user: User | None, recipients: Iterable[str], message: str = ""
) -> SharedVersion:
    """Share the finished `run` with the partner accounts named in `recipients` (usernames or
    e-mails), with `message`. Nothing is written when one recipient is unknown."""
    share_manager_check(run.basin, user)
    if run.status != DiagnosticRun.Status.DONE:
        raise ShareError(
            f"Le diagnostic n° {run.pk} n'est pas terminé : seul un diagnostic terminé se partage.",
            code="run_not_done",
        )
    accounts = share_recipients_resolve(recipients)
    existing = SharedVersion.objects.filter(run=run).exists()
    snapshot: dict[str, Any] = {}
    if not existing:
        recommendation, rec_note = _recommendation_for(run, user)
        gap, gap_note = _gap_for(run)
        snapshot = {
            "key_figures": key_figures_snapshot(run),
            "gap": gap,
            "gap_note": gap_note,
            "recommendation": recommendation_snapshot(recommendation) if recommendation else None,
            "recommendation_note": rec_note,
        }
    return shared_version_record(
        run=run, user=user, recipients=accounts, message=message, snapshot=snapshot
    )
