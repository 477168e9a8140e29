"""Read-only links (issue 13): signed, stored hashed, expiring, revocable, rate-limited, each
opening logged."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.cache import cache
from django.utils import timezone

from diagnostics.models import ShareLink, ShareLinkView
from diagnostics.services import share_links
from diagnostics.services.share_links import LinkRefused
from diagnostics.services.sharing import ShareError, share_recipient_revoke
from implantations.services.sharing import shared_version_create
from tests.factories.sharing import done_run, sharing_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():  # type: ignore[no-untyped-def]
    cache.clear()
    world = sharing_world()
    version = shared_version_create(
        run=done_run(world), user=world.delegate, recipients=["mairie-chaumont"]
    )
    created = share_links.share_link_create(
        version=version, user=world.delegate, days=7, label="Conseil"
    )
    return world, version, created


def test_link_opens_its_version_and_logs_each_view_with_the_token_never_stored(link) -> None:  # type: ignore[no-untyped-def]
    world, version, created = link
    opened = share_links.share_link_open(
        token=created.token, address="10.0.0.1", user_agent="Firefox"
    )
    assert opened.pk == created.link.pk and opened.version_id == version.pk
    raw = created.token.split(":")[0]
    assert ShareLink.objects.get().token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not ShareLink.objects.filter(token_hash__contains=raw).exists()
    view = ShareLinkView.objects.get()
    assert view.user_agent == "Firefox" and "10.0.0.1" not in view.client_hash


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "x" + t,
        lambda t: t.split(":")[0],
    ],
    ids=["signature", "token", "unsigned"],
)
def test_tampered_link_is_refused(link, mangle) -> None:  # type: ignore[no-untyped-def]
    _, _, created = link
    with pytest.raises(LinkRefused) as exc:
        share_links.share_link_open(token=mangle(created.token))
    assert exc.value.code == "invalid"
    assert ShareLinkView.objects.count() == 0


def test_expired_revoked_or_unshared_link_is_refused(link) -> None:  # type: ignore[no-untyped-def]
    world, version, created = link
    ShareLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(LinkRefused) as exc:
        share_links.share_link_open(token=created.token)
    assert exc.value.code == "expired" and "a expiré le" in exc.value.message

    ShareLink.objects.update(expires_at=timezone.now() + dt.timedelta(days=1))
    share_recipient_revoke(version=version, user=world.delegate)
    with pytest.raises(LinkRefused) as exc:
        share_links.share_link_open(token=created.token)
    assert exc.value.code == "revoked"

    other = share_links.share_link_create(version=version, user=world.delegate)
    share_links.share_link_revoke(link=other.link, user=world.delegate)
    with pytest.raises(LinkRefused) as exc:
        share_links.share_link_open(token=other.token)
    assert exc.value.code == "revoked"


def test_link_is_rate_limited_per_address(link) -> None:  # type: ignore[no-untyped-def]
    _, _, created = link
    for _ in range(share_links.RATE_LIMIT):
        share_links.share_link_open(token=created.token, address="10.0.0.2")
    with pytest.raises(LinkRefused) as exc:
        share_links.share_link_open(token=created.token, address="10.0.0.2")
    assert exc.value.code == "rate_limited"
    share_links.share_link_open(token=created.token, address="10.0.0.3")
    assert ShareLinkView.objects.count() == share_links.RATE_LIMIT + 1


@pytest.mark.parametrize("days", [0, 91, -3])
def test_link_validity_must_be_between_1_and_90_days(link, days: int) -> None:  # type: ignore[no-untyped-def]
    world, version, _ = link
    with pytest.raises(ShareError) as exc:
        share_links.share_link_create(version=version, user=world.delegate, days=days)
    assert exc.value.extra["field"] == "days"


def test_only_the_basin_managers_create_links(link) -> None:  # type: ignore[no-untyped-def]
    world, version, _ = link
    for user in (world.other_delegate, world.mayor):
        with pytest.raises(ShareError):
            share_links.share_link_create(version=version, user=user)
