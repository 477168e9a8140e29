"""Login throttling beyond django-axes.

django-axes locks a client address after AXES_FAILURE_LIMIT failures (password spraying from
one address) and a username + address pair. Two more limits, counted from the audit log's
failed logins (so shared by every server process, and exact in time):
- **per username, from any address**: LOGIN_USERNAME_FAILURE_LIMIT failures within
  LOGIN_USERNAME_WINDOW_MINUTES lock that username for the rest of the window (a distributed
  brute force on one account). Higher than the per-address limit, since anyone can trigger it.
- **globally**: LOGIN_GLOBAL_FAILURE_LIMIT failures within LOGIN_GLOBAL_WINDOW_SECONDS over the
  whole service suspend every password login for the rest of that window (a botnet spraying
  from many addresses).
A refused attempt is not checked against the password and answers 429 (LoginThrottleMiddleware).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from diagnostics.models import AuditAction, AuditEvent
from diagnostics.services.audit import audit_record


@dataclass(frozen=True)
class LoginThrottled:
    scope: str  # "username" or "global"
    retry_after: int  # seconds
    message: str


def _failures_since(since: dt.datetime, *, username: str | None = None) -> int:
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, at__gte=since)
    if username is not None:
        failures = failures.filter(username=username)
    return failures.count()


def _record_once(*, scope: str, username: str, since: dt.datetime) -> None:
    """One lockout entry per scope (and username) and window, not one per refused request."""
    already = AuditEvent.objects.filter(
        action=AuditAction.LOCKOUT, at__gte=since, details__scope=scope
    )
    if scope == "username":
        already = already.filter(username=username)
    if not already.exists():
        audit_record(action=AuditAction.LOCKOUT, username=username, details={"scope": scope})


def login_throttle_check(*, username: str, now: dt.datetime | None = None) -> LoginThrottled | None:
    """None when a login attempt for `username` may go on; otherwise why it may not."""
    now = now or timezone.now()
    global_window = dt.timedelta(seconds=settings.LOGIN_GLOBAL_WINDOW_SECONDS)
    if _failures_since(now - global_window) >= settings.LOGIN_GLOBAL_FAILURE_LIMIT:
        _record_once(scope="global", username=username, since=now - global_window)
        return LoginThrottled(
            scope="global",
            retry_after=settings.LOGIN_GLOBAL_WINDOW_SECONDS,
            message=(
                "Le service reçoit en ce moment un nombre anormal de tentatives de connexion "
                "infructueuses : les connexions par mot de passe sont suspendues pendant "
                f"{settings.LOGIN_GLOBAL_WINDOW_SECONDS} secondes. Réessayez ensuite."
            ),
        )
    user_window = dt.timedelta(minutes=settings.LOGIN_USERNAME_WINDOW_MINUTES)
    if username and (
        _failures_since(now - user_window, username=username)
        >= settings.LOGIN_USERNAME_FAILURE_LIMIT
    ):
        _record_once(scope="username", username=username, since=now - user_window)
        return LoginThrottled(
            scope="username",
            retry_after=settings.LOGIN_USERNAME_WINDOW_MINUTES * 60,
            message=(
                f"Trop de tentatives de connexion infructueuses pour le compte « {username} », "
                "depuis une ou plusieurs adresses : ce compte ne peut pas se connecter pendant "
                f"{settings.LOGIN_USERNAME_WINDOW_MINUTES} minutes, même avec le bon mot de passe."
            ),
        )
    return None
