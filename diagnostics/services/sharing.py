"""Writes of the shared diagnostic (issue 13, ADR 0014): record a shared version, revoke it,
mark it read, notify the delegates.

The frozen copies of the catalogue gap and of the recommendation come from the apps above
(`implantations.services.sharing.shared_version_create` computes them and calls
`shared_version_record` here): diagnostics never imports them.

Who may be a recipient: an active account with the role « mairie / EPCI / partenaire »
(`Role.MAYOR_VIEWER`), found by username or e-mail; any other account — another role, a
deactivated or deleted one — gets the same « aucun compte » answer, so the form tells nothing
about other accounts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    BasinShare,
    DiagnosticRun,
    Notification,
    Role,
    SharedVersion,
    ShareRecipient,
    User,
)
from diagnostics.selectors.access import basin_is_manageable

logger = logging.getLogger(__name__)

MESSAGE_MAX = 2000
SUBJECTS = {"comment": "nouveau commentaire", "contribution": "nouvelle contribution"}


class ShareError(ApplicationError):
    """A share, a comment or a link cannot be written as asked."""

    code = "share_error"


def share_manager_check(basin: Basin, user: User | None) -> None:
    if user is not None and not basin_is_manageable(user, basin.pk):
        raise ShareError(
            "Seuls les délégués de la région du bassin et les administrateurs nationaux peuvent "
            "partager ses diagnostics.",
            code="forbidden",
        )


def share_recipients_resolve(identifiers: Iterable[str]) -> list[User]:
    """The partner accounts named by username or e-mail (one per line or comma). Raises a
    ShareError naming every identifier that matches no active partner account."""
    wanted: list[str] = []
    for raw in identifiers:
        for part in str(raw).replace(";", ",").replace("\n", ",").split(","):
            part = part.strip()
            if part and part.lower() not in {w.lower() for w in wanted}:
                wanted.append(part)
    if not wanted:
        raise ShareError(
            "Indiquez au moins un destinataire (identifiant ou adresse électronique d'un compte "
            "de mairie, d'EPCI ou de partenaire).",
            code="share_user_missing",
            extra={"field": "recipients"},
        )
    partners = User.objects.filter(role=Role.MAYOR_VIEWER, is_superuser=False, is_active=True)
    found: dict[int, User] = {}
    unknown: list[str] = []
    ambiguous: list[str] = []
    for name in wanted:
        matches = list(
            partners.filter(username__iexact=name)
            or partners.filter(email__iexact=name).exclude(email="")
        )
        if not matches:
            unknown.append(name)
        elif len(matches) > 1:
            ambiguous.append(name)
        else:
            found[matches[0].pk] = matches[0]
    problems = []
    if unknown:
        problems.append(
            "aucun compte actif de mairie, d'EPCI ou de partenaire ne correspond à "
            + ", ".join(f"« {n} »" for n in unknown)
        )
    if ambiguous:
        problems.append(
            "plusieurs comptes ont l'adresse "
            + ", ".join(f"« {n} »" for n in ambiguous)
            + " : indiquez l'identifiant"
        )
    if problems:
        raise ShareError(
            "Destinataires : " + " ; ".join(problems) + ".",
            code="share_user_unknown",
            extra={"field": "recipients", "unknown": unknown, "ambiguous": ambiguous},
        )
    return list(found.values())


def shared_version_record(
    *,
    run: DiagnosticRun,
    user: User | None,
    recipients: Sequence[User],
    message: str = "",
    snapshot: dict[str, Any] | None = None,
) -> SharedVersion:
    """Share a finished run with `recipients` (already resolved), with the frozen copies in
    `snapshot` (key_figures, gap, gap_note, recommendation, recommendation_note). Each
    recipient also gets the basin-level access grant (`BasinShare`). Sharing the same run again
    adds the new recipients to its existing version (and re-grants revoked ones); its message
    and frozen copies stay as first shared, so that nobody's version changes under them."""
    basin = run.basin
    share_manager_check(basin, user)
    if run.status != DiagnosticRun.Status.DONE:
        raise ShareError(
            f"Le diagnostic n° {run.pk} n'est pas terminé : seul un diagnostic terminé se partage.",
            code="run_not_done",
        )
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ShareError(
            f"Message trop long : {len(message)} caractères (au plus {MESSAGE_MAX}).",
            extra={"field": "message"},
        )
    if not recipients:
        raise ShareError("Indiquez au moins un destinataire.", extra={"field": "recipients"})
    snapshot = snapshot or {}
    with transaction.atomic():
        version = SharedVersion.objects.select_for_update().filter(run=run).order_by("-pk").first()
        if version is None:
            version = SharedVersion.objects.create(
                basin=basin,
                run=run,
                message=message,
                shared_by=user,
                key_figures=snapshot.get("key_figures") or [],
                gap=snapshot.get("gap"),
                gap_note=str(snapshot.get("gap_note") or "")[:300],
                recommendation=snapshot.get("recommendation"),
                recommendation_note=str(snapshot.get("recommendation_note") or "")[:300],
            )
        for recipient in recipients:
            grant, created = ShareRecipient.objects.get_or_create(version=version, user=recipient)
            if not created and grant.revoked_at is not None:
                ShareRecipient.objects.filter(pk=grant.pk).update(
                    revoked_at=None, revoked_by=None, read_at=None
                )
            BasinShare.objects.get_or_create(
                basin=basin, user=recipient, defaults={"shared_by": user}
            )
    return version


def share_recipient_revoke(
    *, version: SharedVersion, user: User | None, recipient_id: int | None = None
) -> int:
    """Revoke `version` for one recipient (or for all when `recipient_id` is None), at once.
    Returns the number of grants revoked."""
    share_manager_check(version.basin, user)
    grants = ShareRecipient.objects.filter(version=version, revoked_at__isnull=True)
    if recipient_id is not None:
        grants = grants.filter(user_id=recipient_id)
    return grants.update(revoked_at=timezone.now(), revoked_by=user)


def basin_grants_revoke(*, basin: Basin, user_id: int, by: User | None = None) -> int:
    """Revoke every version of `basin` for one account (the basin itself is unshared)."""
    return ShareRecipient.objects.filter(
        version__basin=basin, user_id=user_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now(), revoked_by=by)


def shared_version_mark_read(*, version: SharedVersion, user: User) -> bool:
    """The recipient opened the version: the unread marker goes. True when it was unread."""
    return bool(
        ShareRecipient.objects.filter(
            version=version, user=user, read_at__isnull=True, revoked_at__isnull=True
        ).update(read_at=timezone.now())
    )


# --- Notifications ---------------------------------------------------------------------------


def basin_delegates(basin: Basin) -> list[User]:
    """Who is told about a basin's comments and contributions: the active delegates of its
    region (national admins read the in-app list only when they shared the version)."""
    return list(
        User.objects.filter(
            role=Role.REGIONAL_DELEGATE, is_active=True, regions=basin.region_id
        ).order_by("pk")
    )


def delegates_notify(
    *, basin: Basin, kind: str, text: str, url: str = "", extra: Iterable[User] = ()
) -> int:
    """An in-app notification for each delegate of the basin's region (and `extra` managers),
    and an e-mail through Django's mail backend after commit. Returns how many were told."""
    people = {u.pk: u for u in [*basin_delegates(basin), *extra] if u is not None and u.is_active}
    Notification.objects.bulk_create(
        [
            Notification(user=u, basin=basin, kind=kind, text=text[:400], url=url[:300])
            for u in people.values()
        ]
    )
    emails = sorted({u.email for u in people.values() if u.email})
    if emails:
        base = getattr(settings, "SITE_URL", "").rstrip("/")

        def send() -> None:
            try:
                send_mail(
                    subject=f"[Cnam Territoires] {basin.name} : "
                    + SUBJECTS.get(kind, "nouvelle activité"),
                    message=f"{text}\n\n{base}{url}\n",
                    from_email=None,
                    recipient_list=emails,
                )
            except Exception:  # a mail server outage must not lose the comment
                logger.exception("notification e-mail failed (basin %s)", basin.pk)

        transaction.on_commit(send)
    return len(people)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
