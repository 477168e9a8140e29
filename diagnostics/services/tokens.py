"""Personal API tokens (issue 14): create (the secret is returned once), revoke, record use.

The token is `cnt_<prefix>_<secret>`; the row keeps the prefix and the SHA-256 of the whole
token (see `diagnostics.models.tokens`). Scopes never exceed what the user's role may do."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import ROLE_SCOPES, ApiToken, AuditAction, Role, Scope, User
from diagnostics.models.tokens import TOKEN_PREFIX, token_hash
from diagnostics.selectors.tokens import api_token_cache_forget, api_token_cache_refresh
from diagnostics.services.audit import audit_record

DEFAULT_EXPIRY_DAYS = 90
MAX_EXPIRY_DAYS = 366
# last_used_at is written at most once a minute per token: a read answers with no write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    key: str  # the whole token, shown once


def scopes_allowed_for(user: User) -> tuple[str, ...]:
    role = Role.NATIONAL_ADMIN if user.is_national_admin else user.role
    return ROLE_SCOPES.get(role, ())


def api_token_create(
    *,
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_in_days: int | None = DEFAULT_EXPIRY_DAYS,
    created_by: User | None = None,
) -> CreatedToken:
    """Create a token for `user`; the returned `key` is the only copy of the secret."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            "Donnez un nom au jeton (par exemple « tableau de bord »).", code="name_required"
        )
    if len(name) > 100:
        raise ApplicationError("Le nom du jeton dépasse 100 caractères.", code="name_too_long")
    wanted = sorted(set(scopes))
    if not wanted:
        raise ApplicationError(
            "Choisissez au moins une portée pour le jeton.", code="scope_required"
        )
    unknown = [s for s in wanted if s not in Scope.values]
    if unknown:
        raise ApplicationError(
            f"Portée inconnue : {', '.join(unknown)} (portées possibles : {', '.join(Scope.values)}).",
            code="scope_unknown",
        )
    allowed = scopes_allowed_for(user)
    refused = [s for s in wanted if s not in allowed]
    if refused:
        raise ApplicationError(
            f"Le rôle « {user.get_role_display()} » ne permet pas la portée {', '.join(refused)} "
            f"(portées permises : {', '.join(allowed) or 'aucune'}).",
            code="scope_not_allowed",
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ApplicationError(
            f"Durée de validité : entre 1 et {MAX_EXPIRY_DAYS} jours.", code="expiry_invalid"
        )
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = (
        timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days is not None else None
    )
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                prefix=prefix,
                key_hash=token_hash(key),
                scopes=wanted,
                expires_at=expires_at,
                created_by=created_by or user,
            )
            audit_record(
                action=AuditAction.TOKEN_CREATE,
                actor=created_by,
                target=user,
                details={"token": f"cnt_{prefix}_…", "name": name, "scopes": wanted},
            )
    except IntegrityError as exc:
        raise ApplicationError(
            f"Un jeton actif s'appelle déjà « {name} » : choisissez un autre nom ou révoquez-le.",
            code="name_taken",
        ) from exc
    return CreatedToken(token=token, key=key)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token (kept for the record; it authenticates nothing from now on)."""
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                action=AuditAction.TOKEN_REVOKE,
                target=token.user,
                details={"token": f"cnt_{token.prefix}_…", "name": token.name},
            )
    api_token_cache_forget(key_hashes=[token.key_hash])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record a use, at most once per LAST_USED_RESOLUTION (a conditional UPDATE)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    api_token_cache_refresh(token)
