"""Dataset import pages: list of batches, upload form, batch detail with its progress and its
error report (page, JSON progress, CSV download), and the indicator CSV template.

Who: national admins and regional delegates (every kind), catalogue admins (ROME and FAP only,
see diagnostics.selectors.imports). Others get a 403, anonymous visitors the login page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diagnostics.errors import ApplicationError
from diagnostics.forms.imports import ImportUploadForm
from diagnostics.importers import indicator as indicator_importer
from diagnostics.importers.registry import import_options, kind_choices
from diagnostics.models import DatasetKind, ImportBatch, Role, User
from diagnostics.params import page_param
from diagnostics.permissions import role_required
from diagnostics.selectors.imports import (
    REPORT_PAGE_SIZE,
    import_batch_list,
    import_batch_notes,
    import_batch_option_labels,
    import_batch_progress,
    import_batch_retry_allowed,
    import_kinds_for,
    import_report_csv,
    import_report_page,
)

IMPORT_ROLES = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)
BATCHES_PER_PAGE = 30


@role_required(*IMPORT_ROLES)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("type") or None
    allowed = import_kinds_for(request.user)
    if kind not in allowed:
        kind = None
    page = Paginator(import_batch_list(user=request.user, kind=kind), BATCHES_PER_PAGE).get_page(
        page_param(request.GET)
    )
    kinds = [(k, label) for k, label in DatasetKind.choices if k in allowed]
    return render(
        request,
        "diagnostics/import_list.html",
        {"page": page, "batches": page.object_list, "kinds": kinds, "kind": kind or ""},
    )


@role_required(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_create(request: HttpRequest) -> HttpResponse:
    from diagnostics.services.import_requests import import_dataset

    allowed = import_kinds_for(request.user)
    kinds = [(k, label) for k, label in kind_choices() if k in allowed]
    # Detection could pick a kind the user may not import: catalogue admins choose explicitly.
    allow_auto = set(allowed) == set(DatasetKind.values)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        kinds=kinds,
        allow_auto=allow_auto,
        options=import_options([k for k, _ in kinds]),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = form.chosen_options()
        try:
            with tempfile.TemporaryDirectory(prefix="import-") as tmp:
                path = Path(tmp) / "upload"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                batch = import_dataset(
                    kind=form.cleaned_data["kind"] or None,
                    path=path,
                    file_name=upload.name,
                    vintage=form.cleaned_data["vintage"] or None,
                    user=cast(User, request.user),
                    sync=False,
                    options=options,
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            if exc.code == "storage_error":
                status = 503
        except OSError as exc:  # the temporary copy itself: disk full, /tmp not writable
            form.add_error(
                None,
                "Le fichier n'a pas pu être enregistré sur le serveur (espace disque plein ou "
                f"dossier temporaire non accessible en écriture : {exc.strerror or exc}) : rien "
                "n'a été importé. Réessayez plus tard ou prévenez l'administrateur.",
            )
            status = 503
        else:
            return redirect("import-detail", pk=batch.pk)
    return render(
        request,
        "diagnostics/import_form.html",
        {
            "form": form,
            "kinds": kinds,
            "indicator_allowed": "indicator" in allowed,
            "max_mb": settings.IMPORT_MAX_FILE_MB,
            "columns": indicator_importer.TEMPLATE_HEADER,
        },
        status=status,
    )


def _visible_batch(request: HttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(import_batch_list(user=request.user), pk=pk)


@role_required(*IMPORT_ROLES)
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    errors = import_report_page(batch)
    return render(
        request,
        "diagnostics/import_detail.html",
        {
            "batch": batch,
            "errors": errors,
            "errors_shown": len(errors),
            "report_page_size": REPORT_PAGE_SIZE,
            "progress": import_batch_progress(batch),
            "notes": import_batch_notes(batch),
            "options": import_batch_option_labels(batch),
            "superseded_by": list(batch.superseded_by.all().only("pk", "created_at", "status")),
            "can_retry": import_batch_retry_allowed(batch=batch, user=request.user),
        },
    )


@role_required(*IMPORT_ROLES)
@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """« Relancer l'import »: the same kept file as a new batch, processed like an upload."""
    from diagnostics.services.import_requests import import_batch_retry

    batch = _visible_batch(request, pk)
    user = cast(User, request.user)
    if batch.kind and batch.kind not in import_kinds_for(user):
        raise PermissionDenied("Votre rôle ne permet pas d'importer ce type de données.")
    asked_at = timezone.now()
    try:
        new = import_batch_retry(batch_id=batch.pk, user=user, sync=False)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("import-detail", pk=batch.pk)
    if new.created_at < asked_at:  # the service returned a batch of the same file
        messages.info(
            request,
            f"Ce fichier est déjà importé ou en cours d'import (import n° {new.pk}) : "
            "rien n'a été relancé.",
        )
    else:
        messages.success(request, f"Import relancé : nouvel import n° {new.pk}.")
    return redirect("import-detail", pk=new.pk)


@role_required(*IMPORT_ROLES)
@require_GET
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    batch = _visible_batch(request, pk)
    response = JsonResponse(import_batch_progress(batch))
    response["Cache-Control"] = "no-store"
    return response


@role_required(*IMPORT_ROLES)
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    response = HttpResponse(import_report_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rapport-import-{batch.pk}.csv"'
    return response


@role_required(*IMPORT_ROLES)
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        indicator_importer.template_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="modele-indicateur.csv"'
    return response
