"""API tokens for tests: the whole key (`Authorization: Token <key>`)."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.test import APIClient

from diagnostics.models import User
from diagnostics.services.tokens import api_token_create, scopes_allowed_for


def make_token(user: User, scopes: Iterable[str] | None = None, *, name: str = "tests") -> str:
    """A token of `user` with `scopes` (default: every scope the user's role allows)."""
    wanted = list(scopes) if scopes is not None else list(scopes_allowed_for(user))
    suffix = 1
    base = name
    from diagnostics.models import ApiToken

    while ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        suffix += 1
        name = f"{base} {suffix}"
    return api_token_create(user=user, name=name, scopes=wanted).key


def token_header(user: User, scopes: Iterable[str] | None = None) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {make_token(user, scopes)}"}


def token_auth(user: User, scopes: Iterable[str] | None = None) -> dict[str, str]:
    """The same token as `token_header`, for `Client(headers=…)` (typed, unlike `**extra`)."""
    return {"Authorization": f"Token {make_token(user, scopes)}"}


def token_client(user: User, scopes: Iterable[str] | None = None) -> APIClient:
    """An API client sending a token of `user` with `scopes` (default: all its role allows)."""
    client = APIClient()
    client.credentials(**token_header(user, scopes))
    return client
