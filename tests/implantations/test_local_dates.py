"""Dates shown to French readers are Paris dates: a moment stored at 23:30 UTC on 6 December 2026
is 00:30 on the 7th in Paris (stored datetimes are UTC; `timezone.localtime` converts them).
Formatting the stored value directly printed the UTC day, one day early between 23:00 (22:00 in
summer) and midnight UTC — the stored recommendation's « saisi le » among them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from diagnostics.models import ShareLinkView
from implantations.models import BasinPartnership
from implantations.services.recommendation import recommendation_compute
from tests.implantations.recommendation_world import FAB_ID_SPEC, build_basin

LATE_UTC = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_partners_entered_late_in_the_utc_day_show_the_paris_date() -> None:
    basin = build_basin(FAB_ID_SPEC)
    assert BasinPartnership.objects.filter(basin=basin).update(updated_at=LATE_UTC) == 1

    document = json.dumps(recommendation_compute(basin=basin).document, ensure_ascii=False)

    assert "saisi le 07/12/2026" in document
    assert "saisi le 06/12/2026" not in document


def test_share_link_view_names_its_paris_time() -> None:
    view = ShareLinkView(link_id=3, viewed_at=LATE_UTC)

    assert str(view) == "Lien n° 3 ouvert le 07/12/2026 00:30"


def test_an_audit_event_reads_in_paris_time() -> None:
    from diagnostics.models import AuditEvent

    event = AuditEvent(at=LATE_UTC, username="delegue-44", action="login", target_label="-")

    assert str(event).startswith("2026-12-07 00:30 delegue-44 login")
