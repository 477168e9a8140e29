"""Sharing a basin with a mayor's office: the access grant (`BasinShare`) given to a
mayor's-office account found by username or e-mail, and its withdrawal, which also revokes the
versions of the basin shared with that account (`services.sharing`)."""

from __future__ import annotations

from django.db import transaction

from diagnostics.models import Basin, BasinShare, Role, User
from diagnostics.selectors.access import basin_manageable_for
from diagnostics.services.basin_resolution import BasinError
from diagnostics.services.sharing import basin_grants_revoke


def basin_share(*, basin: Basin, identifier: str, shared_by: User | None = None) -> BasinShare:
    """Share a basin with a mayor's-office user of the platform, found by username or e-mail
    (case-insensitive). Sharing twice returns the existing share."""
    if shared_by is not None and not basin_manageable_for(shared_by).filter(pk=basin.pk).exists():
        raise BasinError(
            "Vous ne pouvez pas partager ce bassin.", code="forbidden", extra={"field": None}
        )
    wanted = (identifier or "").strip()
    if not wanted:
        raise BasinError(
            "Indiquez l'identifiant ou l'adresse électronique de l'utilisateur.",
            code="share_user_missing",
            extra={"field": "user"},
        )
    # Only mayor's-office accounts are looked up, and an unknown name and another role's name
    # get the same answer: the form tells neither whether an account exists nor its role.
    mayors = User.objects.filter(role=Role.MAYOR_VIEWER, is_superuser=False, is_active=True)
    matches = list(
        mayors.filter(username__iexact=wanted)
        or mayors.filter(email__iexact=wanted).exclude(email="")
    )
    if not matches:
        raise BasinError(
            f"Aucun compte de mairie ne correspond à « {wanted} ».",
            code="share_user_unknown",
            extra={"field": "user"},
        )
    if len(matches) > 1:
        raise BasinError(
            f"Plusieurs comptes de mairie ont l'adresse « {wanted} » : indiquez l'identifiant.",
            code="share_user_ambiguous",
            extra={"field": "user"},
        )
    user = matches[0]
    share, _ = BasinShare.objects.get_or_create(
        basin=basin, user=user, defaults={"shared_by": shared_by}
    )
    return share


def basin_unshare(*, basin: Basin, user_id: int, by: User | None = None) -> int:
    """Stop sharing a basin with a user, at once: the access grant goes and every version of
    the basin shared with them is revoked. Returns the number of shares removed (0 or 1)."""
    with transaction.atomic():
        basin_grants_revoke(basin=basin, user_id=user_id, by=by)
        deleted, _ = BasinShare.objects.filter(basin=basin, user_id=user_id).delete()
    return deleted
