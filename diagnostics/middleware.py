"""Request-wide middleware: the audit log's context (diagnostics.services.audit) and the
session lifetimes."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from diagnostics.services.audit import audit_request_reset, audit_request_set

# Session keys (seconds since the epoch): when the login happened, when the expiry last slid.
AUTH_STARTED_KEY = "_cnam_auth_started"
SEEN_KEY = "_cnam_seen"


class AuditRequestMiddleware:
    """Lets `audit_record` find who acts and from which address without the request being
    passed down to services. After AuthenticationMiddleware (request.user is read lazily)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit_request_set(request)
        try:
            return self.get_response(request)
        finally:
            audit_request_reset(token)


class SessionTimeoutMiddleware:
    """Ends a logged-in session SESSION_ABSOLUTE_HOURS after its login whatever the activity,
    and keeps the idle expiry sliding: the session (so its cookie and its row) is saved with a
    fresh SESSION_COOKIE_AGE at most once a minute, so an idle session expires
    SESSION_IDLE_MINUTES after its last request (within a minute) without a write per request.
    An expired session is logged out (recorded in the audit log) and the page asks to log in."""

    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.get(AUTH_STARTED_KEY)
            if started is None:
                request.session[AUTH_STARTED_KEY] = started = now
            if now - int(started) > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
            elif now - int(request.session.get(SEEN_KEY, 0)) >= self.REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


class LoginThrottleMiddleware:
    """Answers 429 to a password login (site or admin) refused by
    `diagnostics.services.login_throttle` (per username from any address, and global), before
    the password is checked. django-axes handles the per-address limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._paths: frozenset[str] | None = None

    def _login_paths(self) -> frozenset[str]:
        if self._paths is None:
            self._paths = frozenset({reverse("login"), reverse("admin:login")})
        return self._paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in self._login_paths():
            from diagnostics.services.login_throttle import login_throttle_check

            username = str(request.POST.get("username", ""))[:150]
            refused = login_throttle_check(username=username)
            if refused is not None:
                response = render(
                    request, "registration/throttled.html", {"message": refused.message}, status=429
                )
                response["Retry-After"] = str(refused.retry_after)
                return response
        return self.get_response(request)
