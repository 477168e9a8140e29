"""PDF jobs a user may see: only their own, and only while they may still read what was printed
(a share withdrawn since, a run or a basin out of scope: 404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from diagnostics.models import PdfJob, User
from diagnostics.selectors.access import basin_live_list_for, diagnostic_run_readable_for
from diagnostics.selectors.sharing import shared_version_list_for


def pdf_job_readable_for(user: User) -> QuerySet[PdfJob]:
    jobs = PdfJob.objects.filter(requested_by=user).select_related("run", "version")
    readable = Q(kind=PdfJob.Kind.DIAGNOSTIC, run__in=diagnostic_run_readable_for(user)) | Q(
        kind=PdfJob.Kind.SHARED_VERSION, version__in=shared_version_list_for(user)
    )
    return jobs.filter(
        readable
        # The business model is a live read: never a mayor's office's (ADR 0014).
        | Q(kind=PdfJob.Kind.BUSINESS_MODEL, basin__in=basin_live_list_for(user))
    )
