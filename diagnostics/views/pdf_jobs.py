"""The page of a PDF job (issue 15): its progress (« en file d'attente », « en cours », « prêt :
télécharger »), polled by `cnam/pdf_job.js` through a JSON status URL, the file once ready, and
« Relancer » when it failed. A job is its requester's only (another account: 404), and only while
they may still read what was printed. The jobs are created by the PDF links of the reports
(`diagnostic-pdf`, `shared-version-pdf`) and of the business model (`business-model-pdf`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from diagnostics.errors import ApplicationError
from diagnostics.models import PdfJob, User
from diagnostics.permissions import BASIN_READERS, role_required
from diagnostics.selectors.pdf_jobs import pdf_job_readable_for
from diagnostics.services.pdf_jobs import pdf_job_retry as pdf_job_retry_service


def _job(request: HttpRequest, pk: int) -> PdfJob:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(pdf_job_readable_for(user).defer("html", "pdf"), pk=pk)


def _back_url(job: PdfJob) -> str:
    if job.kind == PdfJob.Kind.SHARED_VERSION and job.version_id:
        return reverse("shared-version-detail", args=[job.version_id])
    if job.kind == PdfJob.Kind.BUSINESS_MODEL:
        page = reverse("business-model", args=[job.basin_id])
        return f"{page}?{job.page_query}" if job.page_query else page
    return reverse("diagnostic-detail", args=[job.run_id])


@role_required(*BASIN_READERS)
@require_GET
def pdf_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "diagnostics/pdf_job.html",
        {"job": job, "back_url": _back_url(job), "Status": PdfJob.Status},
    )


@role_required(*BASIN_READERS)
@require_GET
def pdf_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    response = JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": job.progress_percent,
            "step": job.progress_step,
            "error": job.error_message,
            "finished": not job.is_live,
            "file_url": reverse("pdf-job-file", args=[job.pk])
            if job.status == PdfJob.Status.DONE
            else None,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(*BASIN_READERS)
@require_GET
def pdf_job_file(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    job = get_object_or_404(pdf_job_readable_for(user).defer("html"), pk=pk)
    if job.status != PdfJob.Status.DONE or job.pdf is None:
        raise Http404("Ce rapport PDF n'est pas prêt.")
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response


@role_required(*BASIN_READERS)
@require_POST
def pdf_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        pdf_job_retry_service(job_id=job.pk, user=request.user)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("pdf-job-detail", pk=job.pk)
