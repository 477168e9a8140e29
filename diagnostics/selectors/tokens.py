"""Reads of personal API tokens: the token behind a key, and a user's tokens."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from diagnostics.models import ApiToken, User
from diagnostics.models.tokens import token_hash, token_split


def api_token_for_key(key: str) -> ApiToken | None:
    """The token behind `key` with its user (one query), whatever its state; None if unknown.

    The row is found by its prefix and the hash compared in constant time."""
    parts = token_split(key)
    if parts is None:
        return None
    token = next(
        iter(ApiToken.objects.select_related("user").filter(prefix=parts[0]).order_by()[:1]), None
    )
    if token is None or not hmac.compare_digest(token.key_hash, token_hash(key)):
        return None
    return token


def api_token_list_for(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first (revoked and expired ones included, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
