"""National batches and the national atlas (issue 16).

- `/national/lots/`: the batches (national admins), and the form that launches one for a zoning
  (optionally a region); `/national/lots/<pk>/`: its progress (done / failed / remaining, ETA)
  and failures; the page refreshes itself while the batch runs.
- `/national/atlas/`: one indicator for every reference basin of a zoning on a map of France
  with the overseas insets, and the sortable table; « comparer » puts 2 to 5 basins side by side
  (`/national/atlas/comparer/`). Who sees it: `selectors.national` (national admins, delegates,
  API clients; never mayors' offices nor catalogue admins).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from diagnostics.analytics.atlas import ATLAS_INDICATORS, DEFAULT_INDICATOR, atlas_figure
from diagnostics.analytics.common import format_number
from diagnostics.errors import ApplicationError
from diagnostics.models import DiagnosticBatch, Region, Role, User
from diagnostics.permissions import role_required
from diagnostics.selectors import national as selectors
from diagnostics.services.national import national_batch_request
from diagnostics.services.national_progress import batch_progress

COMPARE_MIN, COMPARE_MAX = 2, 5


@role_required(Role.NATIONAL_ADMIN)
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponse:
    """The batches, and the launch form (POST: zoning, region)."""
    if request.method == "POST":
        zoning = selectors.ZONING_ALIASES.get(
            request.POST.get("zoning", ""), request.POST.get("zoning", "")
        )
        region_code = request.POST.get("region", "").strip()
        region = Region.objects.filter(code=region_code).first() if region_code else None
        if region_code and region is None:
            messages.error(request, f"Région « {region_code} » inconnue.")
            return redirect("national-batches")
        try:
            outcome = national_batch_request(
                zoning=zoning,
                region=region,
                user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("national-batches")
        messages.success(request, outcome.message)
        if outcome.batch is not None:
            return redirect("national-batch-detail", pk=outcome.batch.pk)
        return redirect("national-batches")
    batches = list(selectors.batch_list()[:30])
    return render(
        request,
        "diagnostics/national_batches.html",
        {
            "batches": [(b, batch_progress(b, failures_limit=0)) for b in batches],
            "zonings": list(selectors.ZONING_LABELS.items()),
            "regions": Region.objects.order_by("name"),
        },
    )


@role_required(Role.NATIONAL_ADMIN)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    batch = get_object_or_404(selectors.batch_list(), pk=pk)
    progress = batch_progress(batch)
    return render(
        request,
        "diagnostics/national_batch_detail.html",
        {
            "batch": batch,
            "progress": progress,
            "running": batch.status
            in (DiagnosticBatch.Status.PENDING, DiagnosticBatch.Status.RUNNING),
        },
    )


def _atlas_user(request: HttpRequest) -> User:
    from django.contrib.auth.views import redirect_to_login

    user: User = request.user  # type: ignore[assignment]
    if not user.is_authenticated:
        raise _LoginRequired(redirect_to_login(request.get_full_path()))
    if not selectors.atlas_allowed(user):
        raise PermissionDenied(
            "L'atlas national est réservé aux administrateurs nationaux, aux délégués régionaux "
            "et aux clients de l'API."
        )
    return user


class _LoginRequired(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _zoning(request: HttpRequest) -> str:
    value = request.GET.get("zonage", "zone_emploi")
    value = selectors.ZONING_ALIASES.get(value, value)
    return value if value in selectors.ZONING_LABELS else "zone_emploi"


def _cell(value: Any, decimals: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return format_number(float(value), decimals=decimals)


def atlas(request: HttpRequest) -> HttpResponse:
    try:
        user = _atlas_user(request)
    except _LoginRequired as exc:
        return exc.response
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    zoning = _zoning(request)
    indicator_code = request.GET.get("indicateur", DEFAULT_INDICATOR)
    if indicator_code not in ATLAS_INDICATORS:
        indicator_code = DEFAULT_INDICATOR
    indicator = ATLAS_INDICATORS[indicator_code]
    home = request.GET.get("region") or selectors.atlas_home_region(user)
    rows = selectors.atlas_rows(zoning=zoning, user=user)
    figure_json = None
    without_geometry = 0
    if len(rows):
        geometries = selectors.atlas_geometries([int(i) for i in rows["basin_id"]])
        frame = rows.assign(geometry=rows["basin_id"].map(geometries))
        figure = atlas_figure(
            frame,
            value=indicator_code,
            value_title=indicator.label + (f" ({indicator.unit})" if indicator.unit else ""),
            decimals=indicator.decimals,
            highlight_region=home,
        )
        figure_json = json.loads(figure.to_json())
        without_geometry = int((figure.layout.meta or {}).get("without_geometry", 0))
    periods = sorted({str(p) for p in rows.get(f"{indicator_code}_period", []) if p})
    # The population (the indicator, and a column of the table whatever the indicator) names
    # its vintage; the other indicators their periods.
    population_source = selectors.population_source() if len(rows) else ""
    if indicator_code == "population":
        source = population_source
    else:
        source = indicator.source
        if periods:
            source += f", période{'s' if len(periods) > 1 else ''} {', '.join(periods)}"
    table = [
        {
            "basin_id": int(r["basin_id"]),
            "code": r["code"],
            "name": r["name"],
            "region": r["region"],
            "home": home is not None and str(r["region_code"]) == str(home),
            "value": r[indicator_code],
            "text": _cell(r[indicator_code], indicator.decimals),
            "estimated": bool(r[f"{indicator_code}_estimated"]),
            "population": _cell(r["population"], 0),
            "population_sort": r["population"],
            "run_id": r["run_id"],
        }
        for r in rows.to_dict("records")
    ]
    return render(
        request,
        "diagnostics/national_atlas.html",
        {
            "zoning": zoning,
            "zoning_label": selectors.ZONING_LABELS[zoning],
            "zonings": list(selectors.ZONING_LABELS.items()),
            "indicator": indicator,
            "indicators": list(ATLAS_INDICATORS.values()),
            "home_region": Region.objects.filter(code=home).first() if home else None,
            "rows": table,
            "periods": periods,
            "source": source,
            "population_source": population_source,
            "estimated_any": any(r["estimated"] for r in table),
            "figures": {"atlas": figure_json} if figure_json else {},
            "without_geometry": without_geometry,
            "compare_min": COMPARE_MIN,
            "compare_max": COMPARE_MAX,
        },
    )


def atlas_compare(request: HttpRequest) -> HttpResponse:
    try:
        user = _atlas_user(request)
    except _LoginRequired as exc:
        return exc.response
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    zoning = _zoning(request)
    try:
        wanted = [int(v) for v in request.GET.getlist("b")]
    except ValueError:
        wanted = []
    rows = selectors.atlas_rows(zoning=zoning, user=user)
    chosen = rows[rows["basin_id"].isin(wanted)] if len(rows) else rows
    error = ""
    if not COMPARE_MIN <= len(chosen) <= COMPARE_MAX:
        error = (
            f"Choisissez de {COMPARE_MIN} à {COMPARE_MAX} bassins de l'atlas à comparer "
            f"({len(chosen)} choisi{'s' if len(chosen) > 1 else ''})."
        )
    basins = chosen.to_dict("records") if not error else []
    population_source = selectors.population_source() if basins else ""
    lines = [
        {
            "label": i.label + (f" ({i.unit})" if i.unit else ""),
            "source": population_source if i.code == "population" else i.source,
            "cells": [
                {
                    "text": _cell(b[i.code], i.decimals),
                    "period": b.get(f"{i.code}_period") or "",
                    "estimated": bool(b.get(f"{i.code}_estimated")),
                }
                for b in basins
            ],
        }
        for i in ATLAS_INDICATORS.values()
    ]
    return render(
        request,
        "diagnostics/national_atlas_compare.html",
        {
            "zoning": zoning,
            "zoning_label": selectors.ZONING_LABELS[zoning],
            "basins": basins,
            "lines": lines,
            "error": error,
        },
        status=400 if error and request.GET.getlist("b") else 200,
    )
