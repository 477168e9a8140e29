"""Security review, extra: password spraying (one password tried over many usernames from one
address) is throttled. django-axes locks a client address after AXES_FAILURE_LIMIT failures,
whatever the usernames, as well as a username + address pair; another address is not locked."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories.basins import make_user

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.7"  # documentation range (RFC 5737): never a real client
OTHER = "198.51.100.20"


def _login(client, username: str, password: str, ip: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_lockout_parameters_cover_the_address_alone():
    assert "ip_address" in settings.AXES_LOCKOUT_PARAMETERS
    assert ["username", "ip_address"] in settings.AXES_LOCKOUT_PARAMETERS


def test_one_password_over_many_usernames_locks_the_address(client):
    limit = settings.AXES_FAILURE_LIMIT
    victim = make_user("delegue-victime")
    victim.set_password("le-bon-mot-de-passe-2026")
    victim.save()

    # One failure per username: no username+address pair reaches the limit.
    answers = [_login(client, f"compte-{i}", "Printemps2026!", SPRAYER) for i in range(limit)]
    locked = _login(client, victim.username, "le-bon-mot-de-passe-2026", SPRAYER)
    elsewhere = _login(client, victim.username, "le-bon-mot-de-passe-2026", OTHER)

    assert [a.status_code for a in answers[:-1]] == [200] * (limit - 1)  # form again
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion infructueuses" in locked.content.decode()
    assert elsewhere.status_code == 302  # the right password from another address
