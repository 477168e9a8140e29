"""Reference reads for the published tension indicators: ROME labels, bassin BMO names."""

from __future__ import annotations

from collections.abc import Iterable

from diagnostics.models import BassinBmo, RomeCode


def rome_labels(codes: Iterable[str]) -> dict[str, str]:
    """ROME code → label of the current ROME referential (codes it lacks are left out)."""
    return dict(
        RomeCode.objects.current()
        .filter(code__in=sorted(set(codes)))
        .order_by("code", "batch_id")  # the newest referential's label wins
        .values_list("code", "label")
    )


def bassin_bmo_names(codes: Iterable[str]) -> dict[str, str]:
    """Bassin BMO code → name."""
    return dict(BassinBmo.objects.filter(code__in=sorted(set(codes))).values_list("code", "name"))
