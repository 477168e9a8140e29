"""Reads of personal API tokens: the token behind a key, and a user's tokens.

`api_token_for_key_cached` keeps a token found by its key (with its user) in the default cache
for `settings.API_TOKEN_CACHE_SECONDS`, under the SHA-256 of the key (never the key): a REST
client's every request would otherwise pay the query. What changes a token's answer forgets it
(`api_token_cache_forget`): its revocation, and any save of its user or of the user's regions
(signals). With the locmem cache and several processes, a change made by one process reaches
the others after the delay at most; with Redis (see settings.CACHES) at once."""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
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


def _cache_key(key_hash: str) -> str:
    return f"api-token:{key_hash}"


def api_token_for_key_cached(key: str) -> ApiToken | None:
    """`api_token_for_key`, through the cache (unknown keys are not cached)."""
    seconds = getattr(settings, "API_TOKEN_CACHE_SECONDS", 0)
    if not seconds or token_split(key) is None:
        return api_token_for_key(key)
    cache_key = _cache_key(token_hash(key))
    token = cache.get(cache_key)
    if isinstance(token, ApiToken):
        return token
    token = api_token_for_key(key)
    if token is not None:
        cache.set(cache_key, token, seconds)
    return token


def api_token_cache_refresh(token: ApiToken) -> None:
    """Put `token` back in the cache after a change of its own row (its last use)."""
    seconds = getattr(settings, "API_TOKEN_CACHE_SECONDS", 0)
    if seconds:
        cache.set(_cache_key(token.key_hash), token, seconds)


def api_token_cache_forget(*, key_hashes: Iterable[str]) -> None:
    keys = [_cache_key(h) for h in key_hashes]
    if keys:
        cache.delete_many(keys)


def api_token_cache_forget_user(user_id: int) -> None:
    """Forget the cached tokens of a user (its role, regions or state changed)."""
    api_token_cache_forget(
        key_hashes=ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True)
    )


def api_token_list_for(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first (revoked and expired ones included, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
