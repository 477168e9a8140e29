"""API authentication, token scopes and throttling (issue 14).

- `ApiTokenAuthentication`: `Authorization: Token cnt_…` (or `Bearer cnt_…`), a personal token
  stored hashed (`diagnostics.models.tokens`); an expired or revoked token is a 401 saying so.
- `HasTokenScope`: a request authenticated by a token needs the scope of the operation (reads:
  `indicators:read`; writes: the view's `write_scope`); a browser session (the pages' user) is
  not limited by scopes, only by its role, like the pages.
- `ApiRateThrottle`: per token (or per session user) and per anonymous address, rates from
  `settings.API_THROTTLE_RATES`; over the rate a 429 with `Retry-After`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from diagnostics.models import ApiToken, Scope
from diagnostics.selectors.tokens import api_token_for_key_cached
from diagnostics.services.tokens import api_token_touch

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization invalide : « Token <jeton> » attendu, sans espace dans le jeton."
            )
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Jeton invalide (caractères non ASCII).") from exc
        token = api_token_for_key_cached(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Jeton inconnu.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Ce jeton a été révoqué.")
        if token.is_expired:
            when = formats.date_format(timezone.localtime(token.expires_at), "j F Y")
            raise exceptions.AuthenticationFailed(
                f"Ce jeton a expiré le {when} : créez-en un nouveau sur la page « Jetons d'API »."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Le compte de ce jeton est désactivé.")
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


def required_scope(request: Any, view: Any) -> str:
    """The scope an operation needs: `indicators:read` for reads, the view's `write_scope`
    (or `write_scopes[method]`) for writes."""
    if request.method in SAFE_METHODS:
        return getattr(view, "read_scope", Scope.INDICATORS_READ)
    per_method = getattr(view, "write_scopes", None) or {}
    scope = per_method.get(request.method) or getattr(view, "write_scope", None)
    if scope is None:
        # A write without a declared scope is refused to tokens: never open by omission.
        return "__undeclared__"
    return str(scope)


class HasTokenScope(BasePermission):
    message = "Ce jeton n'a pas la portée nécessaire."
    code = "insufficient_scope"

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        scope = required_scope(request, view)
        if token.has_scope(scope):
            return True
        self.message = (
            f"Ce jeton n'a pas la portée « {scope} » nécessaire à cette opération "
            f"(portées du jeton : {', '.join(token.scopes) or 'aucune'})."
        )
        return False


class ApiRateThrottle(SimpleRateThrottle):
    """One bucket per token, per session user, or per anonymous address.

    A fixed window opened by the bucket's first request: at most `num_requests` until it is
    `duration` seconds old, then a new one (Retry-After: the seconds left in the window). Kept
    in the default cache as the window's start and a counter (`add` / `incr`): O(1) per request
    and atomic on Redis, where several web workers share it — DRF's default keeps a log of
    timestamps, read and rewritten whole on every request, and two workers can overwrite each
    other's."""

    cache_format = "throttle:%(scope)s:%(ident)s"

    def get_rate(self) -> str | None:
        return None  # decided per request in allow_request

    def allow_request(self, request: Any, view: Any) -> bool:
        rates = settings.API_THROTTLE_RATES
        token = request.auth
        if isinstance(token, ApiToken):
            self.scope, ident = "token", f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "user", f"u{request.user.pk}"
        else:
            self.scope, ident = "anon", self.get_ident(request)
        self.rate = rates.get(self.scope)
        if self.rate is None:
            return True
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True
        self.num_requests, self.duration = num_requests, duration
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        now = self.timer()
        start = self.cache.get(self.key)
        if start is None or now - start >= duration:
            if start is not None:
                self.cache.delete(self.key)
            self.cache.add(self.key, now, duration)
            start = self.cache.get(self.key, now)  # another worker may have opened it first
        self.retry_after = float(start + duration - now)
        counter = f"{self.key}:{start!r}"
        if self.cache.add(counter, 1, duration + 1):
            return True
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired in between
            self.cache.set(counter, 1, duration + 1)
            return True
        return bool(count <= num_requests)

    def wait(self) -> float | None:
        return max(1.0, float(getattr(self, "retry_after", 1.0)))

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.key


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (`Authorization: Token cnt_…`)."""

    target_class = "diagnostics.api.auth.ApiTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Jeton personnel, préfixé par « Token » : `Authorization: Token cnt_…`. "
                "Créé sur la page « Jetons d'API » avec ses portées (indicators:read, "
                "basins:write, runs:write, imports:write, catalogue:write)."
            ),
        }
