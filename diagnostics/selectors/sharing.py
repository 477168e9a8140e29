"""Reads of the shared diagnostic (issue 13, ADR 0014), scoped to each role.

- A national admin reads every shared version; a regional delegate those of the basins of
  their regions (and manages them); a mayor's office or a local partner only the versions shared
  with them and not revoked — another one, revoked or never shared, is not found (404).
- A mayor's office reads a diagnostic run only through a version shared with it
  (`shared_run_ids_for`), never the basin's other runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from diagnostics.models import (
    Basin,
    Notification,
    ShareComment,
    SharedVersion,
    ShareRecipient,
    User,
)
from diagnostics.selectors.access import basin_manageable_for
from diagnostics.selectors.diagnostic_report import REPORT_FIGURE_SECTIONS

# The sections a comment can be attached to: the report's (same anchors as the report page),
# then the frozen gap and recommendation of the version.
COMMENT_SECTIONS: list[tuple[str, str]] = [
    ("general", "Le diagnostic dans son ensemble"),
    *REPORT_FIGURE_SECTIONS,
    ("ecart", "Parcours prioritaires (écart au catalogue)"),
    ("recommandation", "Recommandation d'implantation"),
]
SECTION_TITLES = dict(COMMENT_SECTIONS)


def version_has_open_link(version: SharedVersion) -> bool:
    """Whether a link to `version` opens now: not revoked, not expired, and the version still
    shared with someone (`services.share_links.share_link_read`'s rules, which also say why
    one does not)."""
    return bool(
        version.links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).exists()
        and version.grants.filter(revoked_at__isnull=True).exists()
    )


def _active_grant(user: User) -> Q:
    return Q(grants__user=user, grants__revoked_at__isnull=True)


def shared_version_list_for(user: User) -> QuerySet[SharedVersion]:
    """Versions `user` may read (see the module docstring)."""
    if not user.is_authenticated or not user.is_active:
        return SharedVersion.objects.none()
    if user.is_national_admin:
        return SharedVersion.objects.all()
    if user.is_regional_delegate:
        return SharedVersion.objects.filter(basin__region__in=user.regions.all())
    if user.is_mayor_viewer:
        return SharedVersion.objects.filter(_active_grant(user)).distinct()
    return SharedVersion.objects.none()


def shared_version_manageable_for(user: User) -> QuerySet[SharedVersion]:
    """Versions `user` may revoke, re-share and open links to: the basin's managers."""
    return SharedVersion.objects.filter(basin__in=basin_manageable_for(user))


def shared_run_ids_for(user: User) -> QuerySet[Any]:
    """Ids of the runs a mayor's office reads: those of its active shared versions."""
    return SharedVersion.objects.filter(_active_grant(user)).values("run_id").distinct()


def shared_versions_of_basin(user: User, basin: Basin) -> list[SharedVersion]:
    """The versions of `basin` that `user` may read, newest first."""
    return list(
        shared_version_list_for(user)
        .filter(basin=basin)
        .select_related("shared_by", "run")
        .defer("run__results", "run__tables")
        .order_by("-created_at", "-pk")
    )


@dataclass
class HomeVersion:
    version: SharedVersion
    unread: bool
    comments: int


@dataclass
class HomeBasin:
    basin: Basin
    versions: list[HomeVersion] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for v in self.versions if v.unread)


def home_shared_versions_for(user: User) -> list[HomeBasin]:
    """For a mayor's office or a partner: what was shared with me, by basin (name order), each
    basin's versions newest first, with the unread marker and the number of comments."""
    grants = ShareRecipient.objects.filter(version=OuterRef("pk"), user=user)
    versions = (
        SharedVersion.objects.filter(_active_grant(user))
        .select_related("basin", "basin__region", "basin__main_town", "shared_by")
        .defer("basin__geometry", "key_figures", "gap", "recommendation")
        .annotate(
            unread=Exists(grants.filter(read_at__isnull=True, revoked_at__isnull=True)),
            comments_count=Count(
                "comments", filter=Q(comments__deleted_at__isnull=True), distinct=True
            ),
        )
        .order_by("basin__name", "basin_id", "-created_at", "-pk")
        .distinct()
    )
    out: dict[int, HomeBasin] = {}
    for v in versions:
        entry = out.setdefault(v.basin_id, HomeBasin(basin=v.basin))
        entry.versions.append(
            HomeVersion(version=v, unread=bool(v.unread), comments=v.comments_count)  # type: ignore[attr-defined]
        )
    return list(out.values())


def shared_version_recipients(version: SharedVersion) -> list[ShareRecipient]:
    return list(
        version.grants.select_related("user", "user__partner_organisation").order_by(
            "revoked_at", "user__username"
        )
    )


# --- « Ce qui a changé » ----------------------------------------------------------------------


def version_changes(newer: SharedVersion, older: SharedVersion) -> dict[str, Any]:
    """What changed from `older` to `newer`: the key figures (by label, in the newer order,
    then those gone) and the recommended concept."""
    old = {f["label"]: f for f in older.key_figures or []}
    new = {f["label"]: f for f in newer.key_figures or []}
    figures = []
    for label in [*new, *(k for k in old if k not in new)]:
        a, b = old.get(label), new.get(label)
        text_a = _figure_text(a)
        text_b = _figure_text(b)
        figures.append({"label": label, "old": text_a, "new": text_b, "changed": text_a != text_b})
    concept_old = (older.recommendation or {}).get("shown_concept_label") or ""
    concept_new = (newer.recommendation or {}).get("shown_concept_label") or ""
    return {
        "older": older,
        "figures": figures,
        "changed": [f for f in figures if f["changed"]],
        "concept_old": concept_old or "aucun concept recommandable",
        "concept_new": concept_new or "aucun concept recommandable",
        "concept_changed": concept_old != concept_new,
    }


def _figure_text(figure: dict[str, Any] | None) -> str:
    if not figure:
        return "—"
    text = str(figure.get("value") or "—")
    if figure.get("unit"):
        text += f" {figure['unit']}"
    if figure.get("period"):
        text += f" ({figure['period']})"
    if figure.get("estimated"):
        text += " — estimé"
    return text


# --- Comments and notifications --------------------------------------------------------------


@dataclass
class Thread:
    comment: ShareComment
    replies: list[ShareComment] = field(default_factory=list)


def comment_threads(version: SharedVersion) -> dict[str, list[Thread]]:
    """The comments of a version by section (COMMENT_SECTIONS order), each thread its first
    comment then its replies (every reply of a reply is listed under the thread's root)."""
    comments = list(
        version.comments.select_related("author", "author__partner_organisation").order_by(
            "created_at", "pk"
        )
    )
    by_id = {c.pk: c for c in comments}

    def root(c: ShareComment) -> ShareComment:
        seen = set()
        while c.parent_id and c.parent_id in by_id and c.pk not in seen:
            seen.add(c.pk)
            c = by_id[c.parent_id]
        return c

    threads: dict[int, Thread] = {}
    for c in comments:
        r = root(c)
        if r.pk == c.pk:
            threads[c.pk] = Thread(comment=c)
        else:
            threads.setdefault(r.pk, Thread(comment=r)).replies.append(c)
    out: dict[str, list[Thread]] = {key: [] for key, _ in COMMENT_SECTIONS}
    for thread in threads.values():
        out.setdefault(thread.comment.section, []).append(thread)
    return out


def comment_list_for(user: User) -> QuerySet[ShareComment]:
    """Comments `user` may read: those of the versions it reads."""
    return ShareComment.objects.filter(version__in=shared_version_list_for(user))


def notification_list_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user)
        .select_related("basin")
        .order_by("-created_at", "-pk")[:limit]
    )


def notification_unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
