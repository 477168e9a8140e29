"""PDF jobs a user may see: only their own, and only while they may still read what was printed
(a share withdrawn since, a run out of scope: 404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from diagnostics.models import PdfJob, User
from diagnostics.selectors.access import diagnostic_run_readable_for
from diagnostics.selectors.sharing import shared_version_list_for


def pdf_job_readable_for(user: User) -> QuerySet[PdfJob]:
    jobs = PdfJob.objects.filter(requested_by=user).select_related("run", "version")
    return jobs.filter(
        Q(kind=PdfJob.Kind.DIAGNOSTIC, run__in=diagnostic_run_readable_for(user))
        | Q(kind=PdfJob.Kind.SHARED_VERSION, version__in=shared_version_list_for(user))
    )
