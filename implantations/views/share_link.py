"""The read-only page of a link to a shared version, for people without an account (issue 13,
ADR 0014), and the rows of its long tables.

- `share_link_open`: the version's report, frozen gap and recommendation, nothing else (no
  comments, no exports, no navigation into the platform). Its long tables (over 25 rows) come
  closed and without their rows, as on the report page: 841 KB and 10,687 table cells for the
  demo's link before.
- `share_link_table`: the rows of one of them, fetched when the reader opens it (diagnostic.js),
  under the same link: checked as the page is (signature, expiry, revocation) and counted
  against the same per-address limit, but not logged as an opening.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from diagnostics.models import DiagnosticRun, SharedVersion, ShareLink
from diagnostics.selectors.access import diagnostic_run_scoped
from diagnostics.selectors.diagnostics import diagnostic_runs_with_batches
from diagnostics.services import share_links
from diagnostics.services.audit import client_ip
from diagnostics.views.diagnostic_tables import table_fragment
from implantations.views.sharing import version_context

# What a link's cached report names instead of its token (unsigned: it opens no link).
TOKEN_PLACEHOLDER = "jeton-du-lien"
# How a link shows the version's report: no exports, long tables fetched when opened, under
# the placeholder (one cached fragment per version, whatever the link; warmed ahead by
# `implantations.views.page_warm`).
LINK_FLAGS: dict[str, Any] = {
    "hide_exports": True,
    "lazy_tables": True,
    "link_token": TOKEN_PLACEHOLDER,
}


def link_report_context(version: SharedVersion, request: HttpRequest) -> dict[str, Any]:
    """The version's page context as a reader without an account sees it, its report the cached
    fragment under the placeholder."""
    return version_context(version, AnonymousUser(), request=request, flags=dict(LINK_FLAGS))


def _client_address(request: HttpRequest) -> str:
    # As the login throttling sees it (behind a proxy, not the proxy's address for everyone).
    return client_ip(request) or ""


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refused(request: HttpRequest, exc: share_links.LinkRefused) -> HttpResponse:
    status = 429 if exc.code == "rate_limited" else 404 if exc.code == "invalid" else 410
    return render(
        request, "implantations/share_link_refused.html", {"error": exc.message}, status=status
    )


def share_link_open(request: HttpRequest, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        link = share_links.share_link_open(
            token=token,
            address=_client_address(request),
            user_agent=str(request.META.get("HTTP_USER_AGENT") or ""),
        )
    except share_links.LinkRefused as exc:
        return _refused(request, exc)
    version = SharedVersion.objects.select_related("basin", "shared_by").get(pk=link.version_id)
    # The report is the version's cached fragment for a reader without an account, as the
    # shared version's page keeps its own (it was rendered again at every opening: 0.5–1.6 s).
    # The fragment names a placeholder, never the link's token (the database and the cache hold
    # no usable link): its tables' addresses get the token here.
    context = link_report_context(version, request)
    placeholder = reverse("share-link-open", args=[TOKEN_PLACEHOLDER])
    context["report_html"] = mark_safe(  # noqa: S308 - our fragment, one address changed
        context["report_html"].replace(placeholder, reverse("share-link-open", args=[token]))
    )
    context["link"] = link
    return _private(render(request, "implantations/share_link.html", context))


def share_link_table(request: HttpRequest, token: str, table: str) -> HttpResponse:
    """The HTML of table `table` of the link's version (diagnostics/diagnostic_table_body.html),
    scoped as the link's page is (to a reader without an account); 404 for an unknown table."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        link: ShareLink = share_links.share_link_read(token=token, address=_client_address(request))
    except share_links.LinkRefused as exc:
        return _refused(request, exc)
    full = diagnostic_runs_with_batches(
        DiagnosticRun.objects.filter(pk=link.version.run_id)
    ).first()
    if full is None or not full.is_done:
        raise Http404("Diagnostic introuvable.")
    reader: Any = AnonymousUser()  # scoped as the link's page is (`version_context`)
    run = diagnostic_run_scoped(full, user=reader)
    return _private(
        HttpResponse(table_fragment(full, run, table), content_type="text/html; charset=utf-8")
    )
