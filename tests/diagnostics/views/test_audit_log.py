"""The audit log page: national admins only, filtered, paginated, 400 on bad filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import AuditAction, AuditEvent, Role
from diagnostics.services.audit import audit_record
from tests.factories.basins import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("admin-journal", role=Role.NATIONAL_ADMIN))
    return client


def test_page_lists_and_filters_by_action_user_and_date(admin_client):
    audit_record(action=AuditAction.LOGIN_FAILED, username="spray-1", ip_address="203.0.113.9")
    audit_record(action=AuditAction.LOGIN_FAILED, username="autre", ip_address="198.51.100.2")
    old = audit_record(action=AuditAction.SHARE, username="spray-ancien")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=10))

    page = admin_client.get(
        reverse("audit-log"), {"action": "login_failed", "utilisateur": "spray"}
    )
    recent = admin_client.get(
        reverse("audit-log"), {"du": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}
    )
    by_ip = admin_client.get(reverse("audit-log"), {"adresse": "198.51.100.2"})

    assert page.status_code == 200
    assert [e.username for e in page.context["events"]] == ["spray-1"]
    assert "spray-ancien" not in {e.username for e in recent.context["events"]}
    assert [e.username for e in by_ip.context["events"]] == ["autre"]


def test_page_paginates_by_fifty(admin_client):
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=AuditAction.LOGIN_FAILED, username=f"u{i}") for i in range(60)]
    )

    second = admin_client.get(reverse("audit-log"), {"page": "2", "action": "login_failed"})

    assert second.context["page"].paginator.count == 60
    assert len(second.context["events"]) == 10


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"du": "2026-13-45"}, "Du : "),
        ({"adresse": "pas-une-adresse"}, "Adresse IP : "),
        ({"action": "cafe"}, "Action : "),
        ({"du": "2026-05-02", "au": "2026-05-01"}, "La date de début est après la date de fin."),
        ({"tri": "x"}, "Paramètre inconnu : « tri »."),
    ],
)
def test_bad_filters_answer_400_in_french(admin_client, query, message):
    response = admin_client.get(reverse("audit-log"), query)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_other_roles_are_refused(client):
    client.force_login(make_user("delegue", role=Role.REGIONAL_DELEGATE))

    assert client.get(reverse("audit-log")).status_code == 403
