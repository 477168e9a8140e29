"""Comments on the sections of a shared version (issue 13).

Who comments: whoever reads the version (`shared_version_list_for`: the region's delegates,
national admins, the accounts it is shared with and not revoked). A revoked or unknown version
is refused as « introuvable ». The author edits or deletes their own comment within
`EDIT_DELAY`; a deleted comment keeps its place in the thread (« commentaire supprimé »).
Bodies are plain text: templates, exports and the API escape them.
Each new comment of a partner notifies the delegates of the basin's region (in-app + e-mail).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import ShareComment, SharedVersion, User
from diagnostics.selectors.sharing import SECTION_TITLES, shared_version_list_for
from diagnostics.services.sharing import ShareError, delegates_notify

EDIT_DELAY = dt.timedelta(minutes=15)
BODY_MAX = 4000


def _readable_version(version_id: int, user: User) -> SharedVersion:
    version = (
        shared_version_list_for(user).select_related("basin", "shared_by").filter(pk=version_id)
    ).first()
    if version is None:
        raise ShareError(
            "Cette version partagée est introuvable ou ne vous est plus partagée.",
            code="not_found",
        )
    return version


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ShareError("Écrivez votre commentaire.", extra={"field": "body"})
    if len(body) > BODY_MAX:
        raise ShareError(
            f"Commentaire trop long : {len(body)} caractères (au plus {BODY_MAX}).",
            extra={"field": "body"},
        )
    return body


def share_comment_create(
    *, version_id: int, user: User, section: str, body: str, parent_id: int | None = None
) -> ShareComment:
    version = _readable_version(version_id, user)
    if section not in SECTION_TITLES:
        raise ShareError(
            f"Section inconnue : « {section} ».", extra={"field": "section"}, code="bad_section"
        )
    body = _clean_body(body)
    parent = None
    if parent_id is not None:
        parent = ShareComment.objects.filter(pk=parent_id, version=version).first()
        if parent is None:
            raise ShareError(
                f"Le commentaire n° {parent_id} auquel vous répondez est introuvable.",
                extra={"field": "parent"},
            )
        section = parent.section
    with transaction.atomic():
        comment = ShareComment.objects.create(
            version=version, section=section, parent=parent, author=user, body=body
        )
        if not user.can_manage_basins:
            who = user.get_full_name() or user.get_username()
            if user.organisation_label:
                who += f" ({user.organisation_label})"
            url = reverse("shared-version-detail", args=[version.pk]) + f"#commentaire-{comment.pk}"
            delegates_notify(
                basin=version.basin,
                kind="comment",
                text=f"{who} a commenté « {SECTION_TITLES[section]} » du diagnostic partagé de "
                f"{version.basin.name}.",
                url=url,
                extra=[version.shared_by] if version.shared_by else [],
            )
    return comment


def _own_comment(comment_id: int, user: User) -> ShareComment:
    comment = (
        ShareComment.objects.select_related("version")
        .filter(pk=comment_id, version__in=shared_version_list_for(user))
        .first()
    )
    if comment is None:
        raise ShareError(
            "Ce commentaire est introuvable ou ne vous est plus partagé.", code="not_found"
        )
    if comment.author_id != user.pk:
        raise ShareError("Vous ne pouvez modifier que vos propres commentaires.", code="forbidden")
    if comment.deleted_at is not None:
        raise ShareError("Ce commentaire a été supprimé.")
    if timezone.now() - comment.created_at > EDIT_DELAY:
        minutes = int(EDIT_DELAY.total_seconds() // 60)
        raise ShareError(
            f"Un commentaire se modifie ou se supprime dans les {minutes} minutes qui suivent "
            "sa publication : répondez-y plutôt.",
            code="too_late",
        )
    return comment


def share_comment_edit(*, comment_id: int, user: User, body: str) -> ShareComment:
    comment = _own_comment(comment_id, user)
    body = _clean_body(body)
    ShareComment.objects.filter(pk=comment.pk).update(body=body, edited_at=timezone.now())
    comment.refresh_from_db()
    return comment


def share_comment_delete(*, comment_id: int, user: User) -> ShareComment:
    comment = _own_comment(comment_id, user)
    ShareComment.objects.filter(pk=comment.pk).update(deleted_at=timezone.now(), body="")
    comment.refresh_from_db()
    return comment
