"""Catalogue pages: the catalogue with its filters, a path, the gap of a basin (« Parcours
prioritaires ») and the local supply recorded on a basin.

Who: the catalogue and a path for national admins, regional delegates and catalogue admins;
the gap for the readers of the basin (national admins, the delegates of its region, the
mayors' offices it is shared with: another basin is a 404); the local supply for those who
manage the basin.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.analytics import columns as g
from catalogue.analytics.gap_params import GapParams
from catalogue.analytics.gap_records import components_of
from catalogue.forms import LocalOfferForm
from catalogue.models import Concept, TargetPublic, TrainingPath
from catalogue.selectors.catalogue import (
    choice_labels,
    filter_choices,
    local_offer_list,
    occupation_labels,
    path_list,
)
from catalogue.selectors.gap import GapError, basin_gap
from catalogue.services.catalogue import CatalogueError, local_offer_create, local_offer_delete
from diagnostics.models import User
from diagnostics.params import InvalidParameter, float_param, page_param
from diagnostics.permissions import (
    BASIN_MANAGERS,
    BASIN_READERS,
    CATALOGUE_MANAGERS,
    CATALOGUE_READERS,
    has_role,
    role_required,
)
from diagnostics.selectors.access import basin_is_manageable, basin_list_for, basin_manageable_for
from diagnostics.selectors.diagnostics import diagnostic_latest_done_stamp
from diagnostics.selectors.page_cache import FRAGMENT_SECONDS, cached, fragment_key
from diagnostics.views.home import shared_redirect

FILTERS = (
    "q",
    "sector",
    "level",
    "modality",
    "pillar",
    "public",
    "concept",
    "cpf",
    "purpose",
    "rncp",
    "rolling",
)
PAGE_SIZE = 100


@role_required(*CATALOGUE_READERS)
@require_GET
def catalogue_home(request: HttpRequest) -> HttpResponse:
    filters = {name: (request.GET.get(name) or "").strip() for name in FILTERS}
    levels = {str(value) for value in TrainingPath.Level.values}
    if filters["level"] not in ("", "sans", *levels):
        raise InvalidParameter(
            f"Paramètre « level » : un niveau ({', '.join(sorted(levels))}) ou « sans » est "
            f"attendu, pas « {filters['level'][:40]} »."
        )
    paths = path_list(**filters)  # type: ignore[arg-type]
    page = Paginator(paths, PAGE_SIZE).get_page(page_param(request.GET))
    total = TrainingPath.objects.filter(status=TrainingPath.Status.ACTIVE).count()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalogue/home.html",
        {
            "page_obj": page,
            "filters": filters,
            "active_filters": any(filters.values()),
            "choices": filter_choices(),
            "total": total,
            "query": query.urlencode(),
            "illustrative": TrainingPath.objects.filter(illustrative=True).exists(),
            "can_manage": has_role(request.user, CATALOGUE_MANAGERS) and request.user.is_staff,
            # The list's fragment (issue 15): the catalogue's state, the filters and the page.
            "list_key": fragment_key(
                "catalogue-list", sorted(filters.items()), page.number, query.urlencode()
            ),
            "fragment_seconds": FRAGMENT_SECONDS,
        },
    )


def can_open_paths(user: Any) -> bool:
    """Whether `user` may open a path's page (`path_detail`): elsewhere a path is plain text."""
    return user is not None and has_role(user, CATALOGUE_READERS)


@role_required(*CATALOGUE_READERS)
@require_GET
def path_detail(request: HttpRequest, pk: int) -> HttpResponse:
    path = get_object_or_404(
        TrainingPath.objects.select_related("sector").prefetch_related(
            "modalities", "purposes", "pillars", "publics", "concepts"
        ),
        pk=pk,
    )
    labels = occupation_labels(bmo_codes=path.bmo_codes, rome_codes=path.rome_codes)
    history = list(path.history.select_related("history_user").order_by("-history_date")[:10])
    return render(
        request,
        "catalogue/path_detail.html",
        {
            "path": path,
            "bmo": [(code, labels.get(code, "")) for code in path.bmo_codes],
            "rome": [(code, labels.get(code, "")) for code in path.rome_codes],
            "history": history,
            "can_manage": has_role(request.user, CATALOGUE_MANAGERS) and request.user.is_staff,
        },
    )


@role_required(*BASIN_READERS)
@require_GET
def basin_gap_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basin = get_object_or_404(basin_list_for(user), pk=pk)
    if user.is_mayor_viewer:
        return shared_redirect(request, basin.pk)
    concept = (request.GET.get("concept") or "").strip()
    public = (request.GET.get("public") or "").strip()
    boost = float_param(request.GET, "bonus_reconversion", minimum=0.0, maximum=1.0)
    context: dict[str, Any] = {
        "basin": basin,
        "reconversion_boost": boost,
        "concept": concept,
        "public": public,
        "concepts": list(Concept.objects.order_by("order").values_list("code", "label")),
        "publics": list(TargetPublic.objects.order_by("order").values_list("code", "label")),
        "can_manage": basin_is_manageable(user, basin.pk),
        "can_open_paths": can_open_paths(user),
        "report": None,
        "error": "",
    }
    latest = diagnostic_latest_done_stamp(basin.pk)

    def build() -> dict[str, Any]:
        report = basin_gap(
            basin, concept=concept, public=public, params=GapParams(reconversion_boost=boost or 0.0)
        )
        gap = gap_context(report, light=True)
        table = {"user": user, "can_open_paths": context["can_open_paths"], "left_out_open": True}
        gap["gap_table_html"] = render_to_string("catalogue/gap_table.html", {**gap, **table})
        return gap

    try:
        if latest is None:
            build()  # the French error of a basin without a done diagnostic
        # The gap of the latest run, the catalogue and the data in force, and its table: computed
        # once per state of those, filters and role (issue 15, `page_cache`), never per user.
        key = fragment_key(
            "gap",
            basin.pk,
            str(basin.updated_at),
            latest,
            concept,
            public,
            boost,
            user.role,
            user.is_superuser,
        )
        gap = cached(key, build)
        context.update(gap)
        context["gap_table_html"] = mark_safe(gap["gap_table_html"])  # noqa: S308 - our template
    except GapError as exc:
        context["error"] = exc.message
    return render(request, "catalogue/gap.html", context)


def _report_summary(report: Any) -> SimpleNamespace:
    """What the templates read of a GapReport, small enough to cache (no frames, no runs)."""
    return SimpleNamespace(
        run=SimpleNamespace(pk=report.run.pk, finished_at=report.run.finished_at),
        basin=SimpleNamespace(pk=report.basin.pk),
        result=SimpleNamespace(lines=SimpleNamespace(empty=report.result.lines.empty)),
        concept=report.concept,
        public=report.public,
        estimated=report.estimated,
        supply=list(report.supply),
    )


def gap_context(report: Any, *, light: bool = False) -> dict[str, Any]:
    """Context of `catalogue/gap_table.html` (the gap page and the report section); `light`:
    the report as `_report_summary` (for the cache)."""
    weights = report.result.params.weights
    concepts = choice_labels(Concept)
    publics = choice_labels(TargetPublic)
    lines = []
    for record in report.records:
        record["components"] = list(components_of(record, weights))
        record["concept_labels"] = [concepts.get(c, c) for c in record[g.CONCEPTS]]
        record["public_labels"] = [publics.get(c, c) for c in record[g.PUBLICS]]
        lines.append(record)
    left_out = [line for line in lines if line[g.RANK] is None]
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in left_out:
        groups.setdefault(line[g.EXCLUDED_REASON] or "", []).append(line)
    return {
        "report": _report_summary(report) if light else report,
        "ranked": [line for line in lines if line[g.RANK] is not None],
        "left_out": left_out,
        "left_out_groups": sorted(groups.items(), key=lambda item: -len(item[1])),
        "method": report.result.method,
        "warnings": report.result.warnings,
    }


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def local_offers(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basin = get_object_or_404(basin_manageable_for(user), pk=pk)
    form = LocalOfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            local_offer_create(
                basin_id=basin.pk,
                user=user,
                path=data["path"],
                title=data["title"],
                provider=data["provider"],
                is_cnam=data["is_cnam"],
                places_per_year=data["places_per_year"],
                bmo_codes=data["bmo_codes"],
                rome_codes=data["rome_codes"],
                source=data["source"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        except CatalogueError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Offre locale enregistrée.")
            return redirect("catalogue-local-offers", pk=basin.pk)
    return render(
        request,
        "catalogue/local_offers.html",
        {"basin": basin, "offers": local_offer_list(basin), "form": form},
    )


@role_required(*BASIN_MANAGERS)
@require_POST
def local_offer_remove(request: HttpRequest, pk: int, offer_pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basin = get_object_or_404(basin_manageable_for(user), pk=pk)
    try:
        local_offer_delete(offer_id=offer_pk, basin_id=basin.pk, user=user)
    except CatalogueError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Offre locale supprimée.")
    return redirect("catalogue-local-offers", pk=basin.pk)
