"""Reading the security audit log (national admins only: see diagnostics.views.audit)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from diagnostics.models import AuditEvent


def audit_event_list(
    *,
    action: str = "",
    username: str = "",
    ip_address: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Entries newest first, filtered: exact action, username containing the text
    (case-insensitive), exact address, day bounds included (local time)."""
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-pk")
    if action:
        events = events.filter(action=action)
    if username:
        events = events.filter(username__icontains=username)
    if ip_address:
        events = events.filter(ip_address=ip_address)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
