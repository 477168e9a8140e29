"""Cached fragments filled before anyone asks (issue 15, « Load held »).

A run's report costs 0.5–0.8 s of CPU to render the first time (`report_html`), held by the
web worker that serves it while its other requests wait. Filled ahead, no reader pays for it:

- after a run is computed, the worker sends `diagnostics.tasks.pages_warm` (by name, after
  commit, `diagnostics.dispatch`; setting PAGES_WARM_AFTER_RUN), which renders the run's
  report as each kind of reader sees it;
- `manage.py warm_pages` does it for the latest run of every basin and every shared version,
  once the data is loaded or after a deployment (an import changes every key,
  `page_cache.data_version`).

A fragment is rendered by the very function the page calls, for a representative account of
each reach (a national admin; a regional delegate per set of regions; each recipient of a
shared version): the keys are the pages' own, and a fragment is only what that account may see.
Another app adds its fragments by naming its warmer in the setting PAGE_WARMERS (the shared
versions live in `implantations`, which `diagnostics` does not import).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils.module_loading import import_string

from diagnostics.models import Basin, DiagnosticRun, Role, User
from diagnostics.selectors import page_cache
from diagnostics.selectors.diagnostics import diagnostic_run_outline
from diagnostics.selectors.national import basin_list_exclude_reference
from diagnostics.views.diagnostics import detail_flags, detail_report_html, detail_runs


def reader_request(user: User) -> HttpRequest:
    """A GET as `user`, for what a fragment reads of its request (the user and its role)."""
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    return request


def staff_readers() -> list[User]:
    """One active account per reach among those who read runs on their own pages: a national
    admin (superusers count), and a regional delegate per set of regions. Two delegates of the
    same regions see the same fragments (`diagnostic_run_scoped`, `basin_is_manageable`)."""
    readers: dict[tuple[str, ...], User] = {}
    accounts = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role__in=[Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE]))
        .prefetch_related("regions")
        .order_by("pk")
    )
    for user in accounts:
        reach = (
            ("national",)
            if user.is_national_admin
            else ("regions", *sorted(r.code for r in user.regions.all()))
        )
        readers.setdefault(reach, user)
    return list(readers.values())


def latest_run_ids(*, references: bool = False) -> list[int]:
    """The latest done run of every basin listed on the pages, and of the reference basins of
    the national batches (read from the atlas: thousands of runs) when `references`."""
    latest = (
        DiagnosticRun.objects.filter(basin=OuterRef("pk"), status=DiagnosticRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .values("pk")[:1]
    )
    runs = (
        basin_list_exclude_reference(Basin.objects.all(), include=references)
        .annotate(latest=Subquery(latest))
        .exclude(latest=None)
        .values_list("latest", flat=True)
    )
    return sorted(runs)


def run_reports_warm(*, run_ids: Iterable[int], readers: Iterable[User]) -> int:
    """The report of /diagnostics/<id>/ for each run and reader that may open it. Returns the
    number of fragments rendered (those already cached cost a key, not a render)."""
    builds = page_cache.fragments_built()
    for user in readers:
        request = reader_request(user)
        for run_id in run_ids:
            visible = detail_runs(user, run_id)
            run = diagnostic_run_outline(visible)
            if run is None or not run.is_done:
                continue
            detail_report_html(request, run, visible, flags=detail_flags(user, run.basin))
    return page_cache.fragments_built() - builds


def diagnostic_reports_warm(*, run_id: int | None = None, references: bool = False) -> int:
    """The warmer of `diagnostics` (PAGE_WARMERS): the run `run_id`, or the latest run of
    every basin (`references`: reference basins too)."""
    run_ids = [run_id] if run_id is not None else latest_run_ids(references=references)
    return run_reports_warm(run_ids=run_ids, readers=staff_readers())


def pages_warm(*, run_id: int | None = None, references: bool = False) -> dict[str, int]:
    """Every warmer of PAGE_WARMERS for the run `run_id` (None: everything they fill; with
    `references`, the national batches' runs too). Returns the fragments rendered by each."""
    return {
        path: int(import_string(path)(run_id=run_id, references=references))
        for path in getattr(settings, "PAGE_WARMERS", ())
    }
