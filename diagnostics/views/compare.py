"""The comparison of two runs of the same basin (`?a=<pk>&b=<pk>`): their headline indicators
year by year, the import batches, tensions and parameters that differ.

Without its two runs it is never a 400:
`/diagnostics/compare/` without `a` and `b` (or with only one of them) lists the basins the user
may read that have at least two finished diagnostics; once a basin is known (`?basin=<pk>` or
the basin of `a`), its finished runs to pick A and B from.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diagnostics.analytics.common import format_number
from diagnostics.models import DiagnosticRun, User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_READERS, role_required
from diagnostics.selectors import diagnostic_report
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors.access import basin_list_for
from diagnostics.views.diagnostics import visible_run


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


def _compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Year by year, the headline indicators of two documents and their difference."""
    indicators = [
        ("bmo_projects", "Projets de recrutement", 0, False),
        ("bmo_difficulty_rate", "Taux de difficulté", 2, True),
        ("bmo_masked_cells", "Cellules BMO secrètes", 0, False),
        ("unemployment_rate", "Taux de chômage annuel moyen (%)", 1, False),
        ("job_seekers", "Demandeurs d'emploi (moyenne annuelle)", 0, False),
    ]
    years_a, years_b = a.get("years") or {}, b.get("years") or {}
    rows = []
    for year in sorted(set(years_a) | set(years_b), key=int, reverse=True):
        for key, label, decimals, share in indicators:
            va, vb = (years_a.get(year) or {}).get(key), (years_b.get(year) or {}).get(key)
            if va is None and vb is None:
                continue

            def show(v: Any, decimals: int = decimals, share: bool = share) -> str:
                if v is None:
                    return "—"
                return (
                    f"{format_number(v * 100, decimals=decimals)}\u202f%"
                    if share
                    else format_number(v, decimals=decimals)
                )

            diff = None if va is None or vb is None else vb - va
            rows.append(
                {
                    "year": year,
                    "label": label,
                    "a": show(va),
                    "b": show(vb),
                    "diff": "—"
                    if diff is None
                    else (
                        "=" if abs(diff) < 1e-9 else ("+" if diff > 0 else "−") + show(abs(diff))
                    ),
                    "changed": diff is not None
                    and abs(diff) > 1e-9
                    or (va is None) != (vb is None),
                }
            )
    return rows


@role_required(*BASIN_READERS)
@require_GET
def diagnostic_compare(request: HttpRequest) -> HttpResponse:
    """Two runs of the same basin side by side (?a=<pk>&b=<pk>), with their differences."""
    pk_a, pk_b = int_param(request.GET, "a"), int_param(request.GET, "b")
    if pk_a is None or pk_b is None:
        # No dead end: without its two runs the page shows the runs to pick from.
        given = any(request.GET.get(k) for k in ("a", "b"))
        return compare_picker(
            request, message="Choisissez les deux diagnostics à comparer." if given else ""
        )
    run_a = visible_run(request, pk_a, documents=())
    run_b = visible_run(request, pk_b, documents=())
    if run_a.basin_id != run_b.basin_id:
        return render(
            request,
            "diagnostics/diagnostic_compare.html",
            {"error": "Les deux diagnostics doivent porter sur le même bassin."},
            status=400,
        )
    if not (run_a.is_done and run_b.is_done):
        return render(
            request,
            "diagnostics/diagnostic_compare.html",
            {"error": "Seuls deux diagnostics terminés peuvent être comparés."},
            status=400,
        )
    if (run_a.finished_at, run_a.pk) > (run_b.finished_at, run_b.pk):
        run_a, run_b = run_b, run_a  # the older on the left
    runs = selectors.diagnostic_runs_with_batches(
        DiagnosticRun.objects.filter(pk__in=[run_a.pk, run_b.pk]).defer("tables")
    )
    by_pk = {r.pk: r for r in runs}
    run_a, run_b = by_pk[run_a.pk], by_pk[run_b.pk]
    batches_a, batches_b = set(run_a.batches.all()), set(run_b.batches.all())
    doc_a, doc_b = run_a.results or {}, run_b.results or {}
    tension_a = {t["code"]: t for t in doc_a.get("tension_metiers") or []}
    tension_b = {t["code"]: t for t in doc_b.get("tension_metiers") or []}
    params_changed = [
        (name, run_a.parameters.get(name), run_b.parameters.get(name))
        for name in sorted(set(run_a.parameters) | set(run_b.parameters))
        if run_a.parameters.get(name) != run_b.parameters.get(name)
    ]
    return render(
        request,
        "diagnostics/diagnostic_compare.html",
        {
            "run_a": run_a,
            "run_b": run_b,
            "basin": run_a.basin,
            "figures_a": diagnostic_report.diagnostic_key_figures(doc_a),
            "figures_b": {f.label: f for f in diagnostic_report.diagnostic_key_figures(doc_b)},
            "rows": _compare_rows(doc_a, doc_b),
            "batches_removed": sorted(batches_a - batches_b, key=lambda b: (b.kind, b.vintage)),
            "batches_added": sorted(batches_b - batches_a, key=lambda b: (b.kind, b.vintage)),
            "batches_common": sorted(batches_a & batches_b, key=lambda b: (b.kind, b.vintage)),
            "tension_new": [tension_b[c] for c in sorted(set(tension_b) - set(tension_a))],
            "tension_gone": [tension_a[c] for c in sorted(set(tension_a) - set(tension_b))],
            "params_changed": params_changed,
            "engine_changed": run_a.engine_version != run_b.engine_version,
        },
    )
