"""Template helpers for the account pages."""

from datetime import timedelta

from django import template
from django.conf import settings

from diagnostics.selectors.accounts import DemoAccounts, demo_account_list

register = template.Library()


@register.simple_tag
def demo_accounts() -> list[DemoAccounts]:
    """The demo accounts to list on the login page; none outside the demo mode."""
    if not settings.DEMO:
        return []
    return demo_account_list()


@register.filter
def duration_fr(value: timedelta | None) -> str:
    """A lock-out delay in words: « 30 minutes », « 1 heure », « 1 h 30 »."""
    if not value:
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{rest} minute{'s' if rest > 1 else ''}"
    if rest == 0:
        return f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{hours} h {rest:02d}"
