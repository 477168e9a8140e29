"""Read-only links to one shared version, for people without an account (a municipal council,
a partner): optional, expiring, revocable (issue 13).

The link carries a random token signed with the site's key (`signing.Signer`, salt
`SALT`); only the SHA-256 of the token is stored, so the database never holds a usable link and
the link is shown once, at creation. Opening it checks the signature (a tampered link is refused
before any query), the hash, the expiry, the revocation of the link and of the version itself
(a version revoked for every account closes its links), counts the opening against a
per-address rate limit and logs it (address hashed, user agent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from diagnostics.dispatch import PAGES_WARM, task_send
from diagnostics.models import SharedVersion, ShareLink, ShareLinkView, User
from diagnostics.services.sharing import ShareError, share_manager_check

SALT = "cnam-territoires.share-link"
MAX_DAYS = 90
DEFAULT_DAYS = 30
RATE_LIMIT = 30  # openings and table fetches per address and per link
RATE_WINDOW_S = 60


class LinkRefused(ShareError):
    """The link cannot be opened: `code` says why (invalid, expired, revoked, rate_limited)."""


@dataclass(frozen=True)
class CreatedLink:
    link: ShareLink
    token: str  # signed; shown once


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_link_create(
    *, version: SharedVersion, user: User | None, days: int = DEFAULT_DAYS, label: str = ""
) -> CreatedLink:
    share_manager_check(version.basin, user)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise ShareError(
            f"Durée de validité du lien : un nombre de jours entre 1 et {MAX_DAYS}.",
            extra={"field": "days"},
        )
    raw = secrets.token_urlsafe(24)
    link = ShareLink.objects.create(
        version=version,
        token_hash=_hash(raw),
        label=(label or "").strip()[:200],
        created_by=user,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    if settings.PAGES_WARM_AFTER_RUN:
        # The link's page rendered by a worker now rather than for its first reader.
        run_id = version.run_id
        transaction.on_commit(lambda: task_send(PAGES_WARM, run_id))
    return CreatedLink(link=link, token=signing.Signer(salt=SALT).sign(raw))


def share_link_revoke(*, link: ShareLink, user: User | None) -> bool:
    share_manager_check(link.version.basin, user)
    return bool(
        ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def _client_hash(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def share_link_open(*, token: str, address: str = "", user_agent: str = "") -> ShareLink:
    """The link of `token` if it may be opened now (and the opening logged); else LinkRefused
    with a French message and a code."""
    link = share_link_read(token=token, address=address)
    ShareLinkView.objects.create(
        link=link, client_hash=_client_hash(address), user_agent=user_agent[:200]
    )
    return link


def share_link_read(*, token: str, address: str = "") -> ShareLink:
    """The link of `token` if it may be read now, counted against the per-address rate limit
    but not logged as an opening: what a link's page fetches after it opened (a long table's
    rows). LinkRefused otherwise, as `share_link_open`."""
    try:
        raw = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise LinkRefused("Ce lien n'est pas valide.", code="invalid") from None
    link = (
        ShareLink.objects.select_related("version", "version__basin")
        .filter(token_hash=_hash(raw))
        .first()
    )
    if link is None:
        raise LinkRefused("Ce lien n'est pas valide.", code="invalid")
    if link.revoked_at is not None:
        raise LinkRefused("Ce lien a été retiré par la délégation du Cnam.", code="revoked")
    if not link.version.grants.filter(revoked_at__isnull=True).exists():
        raise LinkRefused("Cette version n'est plus partagée.", code="revoked")
    if link.expires_at <= timezone.now():
        raise LinkRefused(
            f"Ce lien a expiré le {timezone.localtime(link.expires_at):%d/%m/%Y}.",
            code="expired",
        )
    key = f"share-link:{link.pk}:{_client_hash(address)}"
    cache.add(key, 0, RATE_WINDOW_S)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_S)
        count = 1
    if count > RATE_LIMIT:
        raise LinkRefused(
            "Trop d'ouvertures de ce lien depuis votre adresse : réessayez dans une minute.",
            code="rate_limited",
        )
    return link
