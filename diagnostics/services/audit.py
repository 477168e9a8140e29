"""The security audit log: one function, `audit_record`, that every part of the code calls
for a security-relevant action (login, failed login, logout, share, revoke, token creation or
revocation, import, deletion of a basin / run / project, account and role changes).

Who and from where come from the request being served when the caller does not say: the
`AuditRequestMiddleware` (diagnostics/middleware.py) puts the request in a context variable,
so a service called from a view, the admin or the API records the right account and client
address without carrying the request around. Outside a request (commands, workers) the actor
is empty unless given and the address is None.

    from diagnostics.services.audit import audit_record
    audit_record(action=AuditAction.SHARE, target=share.basin, details={"user": "mairie-x"})

The row is written in the caller's transaction: an action rolled back leaves no entry.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from diagnostics.models import AuditAction, AuditEvent

logger = logging.getLogger("cnam.audit")

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)


def audit_request_set(request: HttpRequest | None) -> contextvars.Token[HttpRequest | None]:
    """Make `request` the one `audit_record` reads who and where from (middleware)."""
    return _current_request.set(request)


def audit_request_reset(token: contextvars.Token[HttpRequest | None]) -> None:
    _current_request.reset(token)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the login throttling sees it (django-axes: AXES_CLIENT_IP_CALLABLE,
    django-ipware when installed, else REMOTE_ADDR), so the two agree behind a proxy."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    return address or None


def _label(target: Any) -> str:
    return str(target)[:255] if target is not None else ""


def audit_record(
    *,
    action: AuditAction | str,
    actor: Any = None,
    username: str = "",
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int | None = None,
    target_label: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Record one security-relevant action and return the row.

    `actor` defaults to the authenticated user of the current request, `ip_address` to its
    client address; `username` to the actor's (give it for a failed login, where there is no
    account). `target` fills type, id and label from a model instance; they may be given
    instead (e.g. for an object already deleted). `details` is a small JSON-able dict (never a
    password or a token)."""
    if action not in AuditAction.values:
        raise ValueError(f"Action de journal inconnue : {action!r}")
    request = request or _current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if ip_address is None:
        ip_address = client_ip(request)
    if target is not None:
        target_type = target_type or target._meta.label
        target_id = target.pk if target_id is None else target_id
        target_label = target_label or _label(target)
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        username=(username or (actor.get_username() if actor is not None else ""))[:150],
        action=str(action),
        target_type=target_type[:64],
        target_id="" if target_id is None else str(target_id)[:64],
        target_label=target_label[:255],
        ip_address=ip_address,
        details=details or {},
    )
    logger.info(
        "audit %s by %s from %s on %s %s",
        event.action,
        event.username or "-",
        event.ip_address or "-",
        event.target_type or "-",
        event.target_id or "-",
    )
    return event


def audit_purge(*, older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the entries older than the retention (AUDIT_RETENTION_DAYS by default) and
    record the purge itself; returns the number of entries deleted."""
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 1:
        raise ValueError("La durée de conservation du journal est d'au moins un jour.")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    # The same retention for django-axes' own login records (address, browser), and the
    # expired sessions go (GDPR register, docs/security.md).
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    Session.objects.filter(expire_date__lt=now or timezone.now()).delete()
    audit_record(
        action=AuditAction.AUDIT_PURGE,
        details={"deleted": deleted, "older_than_days": days, "cutoff": cutoff.isoformat()},
    )
    return deleted
