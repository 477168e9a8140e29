"""The comparison page without its two runs: how to compare, never a 400.

`/diagnostics/compare/` without `a` and `b` (or with only one of them) lists the basins the user
may read that have at least two finished diagnostics; once a basin is known (`?basin=<pk>` or
the basin of `a`), its finished runs to pick A and B from.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from diagnostics.models import DiagnosticRun, User
from diagnostics.params import int_param
from diagnostics.selectors.access import basin_list_for


def compare_picker(request: HttpRequest, *, message: str = "") -> HttpResponse:
    """The runs to pick from (200). `message`: what was wrong with the parameters, if any."""
    user: User = request.user  # type: ignore[assignment]
    basins = basin_list_for(user)
    pk_a = int_param(request.GET, "a")
    basin_pk = int_param(request.GET, "basin")
    if basin_pk is None and pk_a is not None:
        basin_pk = (
            DiagnosticRun.objects.filter(pk=pk_a, basin__in=basins)
            .values_list("basin_id", flat=True)
            .first()
        )
    basin = basins.filter(pk=basin_pk).first() if basin_pk is not None else None
    context: dict[str, object] = {"picker": True, "message": message, "basin": basin}
    if basin is not None:
        runs = list(
            DiagnosticRun.objects.filter(basin=basin, status=DiagnosticRun.Status.DONE)
            .defer("results", "tables")
            .order_by("-finished_at", "-id")
        )
        selected_a = (
            pk_a if any(r.pk == pk_a for r in runs) else (runs[1].pk if len(runs) > 1 else None)
        )
        selected_b = int_param(request.GET, "b")
        if not any(r.pk == selected_b for r in runs):
            selected_b = next((r.pk for r in runs if r.pk != selected_a), None)
        context.update({"runs": runs, "selected_a": selected_a, "selected_b": selected_b})
    else:
        context["basins"] = list(
            basins.annotate(
                done_runs=Count(
                    "diagnostic_runs", filter=Q(diagnostic_runs__status=DiagnosticRun.Status.DONE)
                )
            )
            .filter(done_runs__gte=1)
            .select_related("region")
            .defer("geometry")
            .order_by("region__name", "name")
        )
    return render(request, "diagnostics/diagnostic_compare_pick.html", context)
