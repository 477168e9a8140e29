"""Pages of the shared diagnostic (issue 13, ADR 0014).

- `basin_shares` (the basin's managers): share a finished run as a version with partner
  accounts and a message, revoke it for one account or all, open and revoke read-only links.
- `shared_version_detail` (whoever reads the version): the report as it was, the frozen gap
  and recommendation, « ce qui a changé » since the previous version, comments per section.
- `shared_version_comment`: write, edit, delete a comment (POST).
- `shared_version_pdf`, `shared_version_comments_export`: the version's PDF (with its
  comments) and its comments as CSV.
The read-only page of a link, for people without an account: `views.share_link`.
Another region's version, or one not shared with the account (or revoked), is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from diagnostics.errors import ApplicationError
from diagnostics.exports import table_csv
from diagnostics.models import DiagnosticRun, PdfJob, SharedVersion, ShareLink, User
from diagnostics.params import id_or_none
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from diagnostics.selectors import sharing as share_selectors
from diagnostics.selectors.access import (
    basin_is_manageable,
    basin_manageable_for,
    diagnostic_run_scoped,
)
from diagnostics.selectors.diagnostics import diagnostic_run_outline, diagnostic_runs_with_batches
from diagnostics.services import comments as comment_services
from diagnostics.services import share_links
from diagnostics.services import sharing as share_services
from diagnostics.services.pdf_jobs import pdf_job_request
from diagnostics.views import diagnostics as report_views
from diagnostics.views.diagnostic_report import report_context, report_html
from implantations.forms.sharing import CommentForm, ShareLinkForm, ShareVersionForm
from implantations.selectors import sharing as selectors
from implantations.services.sharing import shared_version_create

PINNED_GAP_TEMPLATE = "implantations/shared_gap_block.html"


def _runs_choices(basin_id: int) -> list[tuple[int, str]]:
    runs = (
        DiagnosticRun.objects.filter(basin_id=basin_id, status=DiagnosticRun.Status.DONE)
        .defer("results", "tables")
        .order_by("-finished_at", "-pk")[:20]
    )
    return [
        (
            r.pk,
            f"n° {r.pk} du {timezone.localtime(r.finished_at):%d/%m/%Y à %H:%M}"
            if r.finished_at
            else f"n° {r.pk}",
        )
        for r in runs
    ]


@role_required(*BASIN_MANAGERS)
def basin_shares(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basin = get_object_or_404(basin_manageable_for(user).select_related("region"), pk=pk)
    runs = _runs_choices(basin.pk)
    form = ShareVersionForm(runs=runs, initial={"run": runs[0][0] if runs else None})
    new_link = None
    if request.method == "POST":
        action = request.POST.get("action", "share")
        try:
            if action == "share":
                form = ShareVersionForm(request.POST, runs=runs)
                if form.is_valid():
                    run = DiagnosticRun.objects.select_related("basin").get(
                        pk=form.cleaned_data["run"], basin=basin
                    )
                    version = shared_version_create(
                        run=run,
                        user=user,
                        recipients=[form.cleaned_data["recipients"]],
                        message=form.cleaned_data["message"],
                    )
                    messages.success(
                        request, f"Diagnostic n° {run.pk} partagé (version n° {version.pk})."
                    )
                    return redirect("basin-shares", pk=basin.pk)
            elif action in ("revoke", "link", "link_revoke"):
                version = get_object_or_404(
                    SharedVersion.objects.filter(basin=basin),
                    pk=id_or_none(request.POST.get("version")),
                )
                if action == "revoke":
                    recipient = id_or_none(request.POST.get("recipient"))
                    count = share_services.share_recipient_revoke(
                        version=version, user=user, recipient_id=recipient
                    )
                    messages.success(
                        request, f"Partage retiré ({count} compte{'s' if count > 1 else ''})."
                    )
                    return redirect("basin-shares", pk=basin.pk)
                if action == "link":
                    link_form = ShareLinkForm(request.POST)
                    if not link_form.is_valid():
                        raise share_services.ShareError(
                            "Durée de validité du lien : un nombre de jours entre 1 et 90."
                        )
                    created = share_links.share_link_create(
                        version=version,
                        user=user,
                        days=link_form.cleaned_data["days"],
                        label=link_form.cleaned_data["label"],
                    )
                    new_link = request.build_absolute_uri(
                        reverse("share-link-open", args=[created.token])
                    )
                else:
                    link = get_object_or_404(
                        ShareLink.objects.filter(version=version),
                        pk=id_or_none(request.POST.get("link")),
                    )
                    share_links.share_link_revoke(link=link, user=user)
                    messages.success(request, "Le lien est retiré : il ne s'ouvre plus.")
                    return redirect("basin-shares", pk=basin.pk)
            else:
                messages.error(request, f"Action inconnue : « {action} ».")
        except ApplicationError as exc:
            field = (exc.extra or {}).get("field")
            if action == "share" and field in form.fields:
                form.add_error(field, exc.message)
            else:
                messages.error(request, exc.message)
    versions = share_selectors.shared_versions_of_basin(user, basin)
    return render(
        request,
        "implantations/basin_shares.html",
        {
            "basin": basin,
            "form": form,
            "runs": runs,
            "link_form": ShareLinkForm(),
            "new_link": new_link,
            "versions": [
                {
                    "version": v,
                    "recipients": share_selectors.shared_version_recipients(v),
                    "links": list(v.links.order_by("-created_at")),
                }
                for v in versions
            ],
        },
        status=400 if request.method == "POST" and new_link is None else 200,
    )


def _readable_version(request: HttpRequest, pk: int) -> SharedVersion:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(
        share_selectors.shared_version_list_for(user).select_related(
            "basin", "basin__region", "shared_by"
        ),
        pk=pk,
    )


def version_context(
    version: SharedVersion,
    user: Any,
    *,
    for_print: bool = False,
    request: HttpRequest | None = None,
    flags: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report of the version's run (scoped to `user`: the region map keeps only the basins
    `user` reads), its frozen gap and recommendation. With `request` (the page), the report is
    the cached fragment `report_html` (`diagnostic_report.report_html`) instead of its context,
    rendered with `flags` besides the version's (a link's page: no exports)."""
    runs = diagnostic_runs_with_batches(DiagnosticRun.objects.filter(pk=version.run_id))
    # The page's report is a cached fragment: it reads the run's outline only.
    full = diagnostic_run_outline(runs) if request is not None else runs.first()
    if full is None:
        raise Http404("Diagnostic introuvable.")
    run = diagnostic_run_scoped(full, user=user)
    context: dict[str, Any] = {
        "run": run,
        "basin": version.basin,
        "version": version,
        "key_figures_frozen": selectors.version_key_figures(version),
        "pinned_gap_template": PINNED_GAP_TEMPLATE,
        "pinned_recommendation": selectors.recommendation_view(version.recommendation),
    }
    if request is not None:
        # A version never changes: its id keys its frozen gap in the fragment.
        context["report_html"] = report_html(
            request,
            full,
            run,
            flags={
                "pinned_gap_template": PINNED_GAP_TEMPLATE,
                "version_id": version.pk,
                **(flags or {}),
            },
            full=lambda: diagnostic_run_scoped(runs.get(), user=user),
            extra=lambda: {"version": version, "pinned_gap": selectors.gap_view(version.gap)},
        )
        return context
    context.update(report_context(run, for_print=for_print))
    context["pinned_gap"] = selectors.gap_view(version.gap)
    return context


@role_required(*BASIN_READERS)
@require_GET
def shared_version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    version = _readable_version(request, pk)
    versions = share_selectors.shared_versions_of_basin(user, version.basin)
    older = next(
        (v for v in versions if (v.created_at, v.pk) < (version.created_at, version.pk)), None
    )
    changes = None
    if older is not None:
        version.key_figures = selectors.version_key_figures(version)
        older.key_figures = selectors.version_key_figures(older)
        changes = share_selectors.version_changes(version, older)
    if user.is_mayor_viewer:
        share_services.shared_version_mark_read(version=version, user=user)
    can_manage = basin_is_manageable(user, version.basin_id)
    context = version_context(version, user, request=request)
    context.update(
        {
            "versions": versions,
            "changes": changes,
            "comment_groups": comment_groups(version),
            "comment_sections": share_selectors.COMMENT_SECTIONS,
            "comment_form": CommentForm(),
            "can_manage": can_manage,
            "can_contribute": user.is_mayor_viewer,
            "edit_minutes": int(comment_services.EDIT_DELAY.total_seconds() // 60),
            "recipients": share_selectors.shared_version_recipients(version) if can_manage else [],
        }
    )
    return render(request, "implantations/shared_version.html", context)


@role_required(*BASIN_READERS)
@require_POST
def shared_version_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Write (`action=create`: section, body, parent), edit (`edit`: comment, body) or delete
    (`delete`: comment) a comment. A version not (or no longer) shared with the account: 404."""
    user: User = request.user  # type: ignore[assignment]
    version = _readable_version(request, pk)
    action = request.POST.get("action", "create")
    anchor = ""
    try:
        if action == "create":
            form = CommentForm(request.POST)
            if not form.is_valid():
                raise share_services.ShareError(
                    "Commentaire incomplet : choisissez la section et écrivez votre texte "
                    "(4 000 caractères au plus)."
                )
            comment = comment_services.share_comment_create(
                version_id=version.pk,
                user=user,
                section=form.cleaned_data["section"],
                body=form.cleaned_data["body"],
                parent_id=form.cleaned_data.get("parent"),
            )
            messages.success(request, "Votre commentaire est publié.")
        elif action == "edit":
            comment = comment_services.share_comment_edit(
                comment_id=id_or_none(request.POST.get("comment")) or 0,
                user=user,
                body=request.POST.get("body", ""),
            )
            messages.success(request, "Votre commentaire est modifié.")
        elif action == "delete":
            comment = comment_services.share_comment_delete(
                comment_id=id_or_none(request.POST.get("comment")) or 0, user=user
            )
            messages.success(request, "Votre commentaire est supprimé.")
        else:
            raise share_services.ShareError(f"Action inconnue : « {action} ».")
        anchor = f"#commentaire-{comment.pk}"
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("shared-version-detail", args=[version.pk]) + "#commentaires")
    return redirect(reverse("shared-version-detail", args=[version.pk]) + anchor)


def comment_groups(version: SharedVersion) -> list[tuple[str, str, list[Any]]]:
    """(section key, title, threads) of the sections that have comments, in report order."""
    threads = share_selectors.comment_threads(version)
    return [
        (key, title, threads[key])
        for key, title in share_selectors.COMMENT_SECTIONS
        if threads.get(key)
    ]


def _file_name(version: SharedVersion, extension: str) -> str:
    return f"version-partagee-{version.pk}-{slugify(version.basin.name) or 'bassin'}.{extension}"


@role_required(*BASIN_READERS)
@require_GET
def shared_version_comments_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = _readable_version(request, pk)
    threads = share_selectors.comment_threads(version)
    rows = []
    for section, title in share_selectors.COMMENT_SECTIONS:
        for thread in threads.get(section, []):
            for c in [thread.comment, *thread.replies]:
                author = c.author
                rows.append(
                    [
                        c.pk,
                        title,
                        c.parent_id,
                        (author.get_full_name() or author.get_username()) if author else "—",
                        author.organisation_label if author else "",
                        c.created_at.isoformat(timespec="minutes"),
                        "commentaire supprimé" if c.deleted_at else c.body,
                    ]
                )
    payload = {
        "title": f"Commentaires de la version partagée n° {version.pk}",
        "columns": ["id", "section", "parent", "author", "organisation", "created_at", "body"],
        "labels": ["N°", "Section", "Réponse à", "Auteur", "Organisation", "Date", "Commentaire"],
        "rows": rows,
    }
    response = HttpResponse(table_csv(payload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(version, "csv")}"'
    return response


@role_required(*BASIN_READERS)
@require_GET
def shared_version_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF link of a version: printed in the reader's scope, handed to a PDF job."""
    user: User = request.user  # type: ignore[assignment]
    version = _readable_version(request, pk)
    if not DiagnosticRun.objects.filter(
        pk=version.run_id, status=DiagnosticRun.Status.DONE
    ).exists():
        raise Http404("Ce diagnostic n'est pas terminé : pas de rapport à imprimer.")
    context = version_context(version, user, for_print=True)
    context.update(
        {
            "comment_groups": comment_groups(version),
            "read_only": True,
            **report_views.print_assets(),
        }
    )
    html = render_to_string("implantations/shared_version_print.html", context, request=request)
    job = pdf_job_request(
        user=user,
        kind=PdfJob.Kind.SHARED_VERSION,
        run=context["run"],
        version=version,
        html=html,
        title=f"Version partagée n° {version.pk} — {version.basin.name}",
        file_name=_file_name(version, "pdf"),
    )
    return redirect("pdf-job-detail", pk=job.pk)
