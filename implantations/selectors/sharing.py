"""Reads for the shared-version pages (issue 13): the frozen recommendation and gap as shown,
the key figures of a version, the contributions and which constraint each lifted."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import QuerySet

from diagnostics.models import Basin, SharedVersion, User
from diagnostics.selectors.access import basin_is_manageable
from diagnostics.selectors.diagnostic_report import diagnostic_key_figures
from implantations.analytics.criteria import CONCEPT_LABELS, CONCEPTS
from implantations.analytics.honesty import honest_document
from implantations.models import Contribution

GAP_TOP = 10


def version_key_figures(version: SharedVersion) -> list[dict[str, Any]]:
    """The key figures frozen with the version (computed from its run for versions migrated
    from a basin share, whose run is immutable anyway)."""
    if version.key_figures:
        return list(version.key_figures)
    return [dataclasses.asdict(f) for f in diagnostic_key_figures(version.run.results or {})]


def recommendation_view(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """A frozen recommendation document as the page shows it (honesty rules applied)."""
    if not document:
        return None
    honest = honest_document(document)
    verdicts = honest["verdicts"]
    constraints = {c["concept"]: c for c in honest.get("constraints") or []}
    return {
        "id": document.get("id"),
        "concept": honest.get("concept") or "",
        "concept_label": CONCEPT_LABELS.get(honest.get("concept") or "", ""),
        "reasons": honest.get("reasons") or [],
        "label": honest.get("label") or "",
        "created_at": document.get("created_at"),
        "profile": (document.get("profile") or {}).get("version"),
        "concepts": [
            {
                "code": k,
                "label": CONCEPT_LABELS[k],
                "score": verdicts[k]["score"],
                "conclusive": verdicts[k]["conclusive"],
                "reason": verdicts[k]["reason"],
                "constraint": constraints.get(k),
                "recommended": honest.get("concept") == k,
            }
            for k in CONCEPTS
        ],
        "notes": document.get("notes") or [],
    }


def gap_view(document: dict[str, Any] | None, *, top: int = GAP_TOP) -> dict[str, Any] | None:
    """The first ranked lines of a frozen gap document."""
    if not document:
        return None
    ranked = [line for line in document.get("lines") or [] if line.get("rank") is not None]
    ranked.sort(key=lambda line: line["rank"])
    return {
        "lines": ranked[:top],
        "ranked": len(ranked),
        "estimated": bool(document.get("estimated")),
        "warnings": document.get("warnings") or [],
        "illustrative": bool(document.get("illustrative_catalogue")),
        "local_supply": document.get("local_supply") or [],
    }


# --- Contributions ----------------------------------------------------------------------------


def contribution_list_for(user: User, basin: Basin) -> QuerySet[Contribution]:
    """The contributions of `basin` that `user` reads: all for its managers, their own for a
    partner account (a partner does not read another partner's proposals)."""
    qs = Contribution.objects.filter(basin=basin).select_related(
        "proposed_by", "proposed_by__partner_organisation", "decided_by"
    )
    if basin_is_manageable(user, basin.pk):
        return qs
    if user.is_mayor_viewer:
        return qs.filter(proposed_by=user)
    return qs.none()


def contribution_history(contribution: Contribution) -> list[dict[str, Any]]:
    """Who changed what and when (django-simple-history), oldest first."""
    records = list(
        contribution.history.select_related("history_user").order_by("history_date", "history_id")
    )
    out = []
    previous = None
    for record in records:
        changes: list[dict[str, Any]] = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                {"field": c.field, "old": c.old, "new": c.new}
                for c in delta.changes
                if c.field not in {"version"}
            ]
        user = record.history_user
        out.append(
            {
                "at": record.history_date,
                "who": (user.get_full_name() or user.get_username()) if user else "—",
                "what": record.history_change_reason or record.get_history_type_display(),
                "changes": changes,
            }
        )
        previous = record
    return out


def constraint_lifts(
    before: dict[str, Any] | None, after: dict[str, Any] | None, contributions: list[Contribution]
) -> list[dict[str, Any]]:
    """Constraints failed in `before` and passed in `after`, each with the accepted
    contributions that can lift it."""
    if not after:
        return []
    old = {c["code"]: c for c in (before or {}).get("constraints") or []}
    out = []
    for constraint in after.get("constraints") or []:
        was = old.get(constraint["code"])
        if constraint["passed"] and (was is None or not was["passed"]):
            out.append(
                {
                    "constraint": constraint,
                    "concept_label": CONCEPT_LABELS.get(constraint["concept"], ""),
                    "contributions": [
                        c
                        for c in contributions
                        if c.status == Contribution.Status.ACCEPTED
                        and c.constraint_code == constraint["code"]
                    ],
                }
            )
    return out
