"""Whether the database holds the demo's invented labour-market figures."""

from __future__ import annotations

from diagnostics.analytics.synthetic_file_common import DEMO_OPTION
from diagnostics.models import ImportBatch


def demo_data_present() -> bool:
    """True when a finished import batch comes from the demo generator (its options carry
    `DEMO_OPTION`): every page then says that the figures are invented."""
    return ImportBatch.objects.filter(
        status=ImportBatch.Status.DONE, **{f"options__{DEMO_OPTION}": True}
    ).exists()
