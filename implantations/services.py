"""Writes on the programme's reference settings (Cnam sites, bounds)."""

from django.db import transaction


def programme_reference_changed() -> None:
    """The Cnam sites or the programme bounds changed: every basin's eligibility and distance to
    the nearest site must follow. Enqueued after commit; geometries are kept."""
    from diagnostics.tasks import basins_refresh_all

    transaction.on_commit(lambda: basins_refresh_all.delay(geometry=False))
