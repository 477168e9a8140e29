"""The business model's two exports, CSV and PDF: the same parameters and the same scope as the
page (`views.business_model.business_model_state`); a mayor's office is sent to its shared
versions; bad parameters are a French 400 naming the field. The PDF is a job
(`diagnostics.services.pdf_jobs`) whose page shows its progress and the file."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from diagnostics.analytics.common import format_number
from diagnostics.exports import table_csv
from diagnostics.models import PdfJob, User
from diagnostics.permissions import BASIN_READERS, role_required
from diagnostics.services.pdf_jobs import pdf_job_request
from diagnostics.views.home import shared_redirect
from implantations.analytics import business_model as bm
from implantations.analytics import business_model_assumptions as bma
from implantations.analytics import criteria
from implantations.analytics import funding as fd
from implantations.analytics.site_services import TIME_UNITS
from implantations.views.business_model import (
    BusinessModelState,
    business_model_context,
    business_model_state,
    year_rows,
)
from implantations.views.recommendation import readable_basin


def export_file_name(state: BusinessModelState, extension: str) -> str:
    who = slugify(state.project.name if state.project else state.basin.name) or "bassin"
    return f"modele-economique-{state.concept}-{who}.{extension}"


def export_title(state: BusinessModelState) -> str:
    title = f"Modèle économique {criteria.CONCEPT_LABELS[state.concept]} — {state.basin.name}"
    if state.project is not None:
        title += f" — projet « {state.project.name} »"
    return title


# --- Exports ----------------------------------------------------------------------------------
def business_model_table(state: BusinessModelState) -> dict[str, Any]:
    """One table (section, line, years 0-5, total, detail) for the CSV."""
    model = state.model
    rows: list[list[Any]] = []

    def money(values: Any) -> list[Any]:
        return [round(float(v), 2) for v in values]

    for row in year_rows(model):
        values = [float(v) for v in row["values"]]
        total = round(sum(values), 2) if row["money"] else ""
        rows.append(["Modèle économique", row["label"], *money(values), total, ""])
    rows.append(
        [
            "Modèle économique",
            "Aide publique retenue",
            *[""] * 6,
            round(model.public_aid_total, 2),
            "somme de la répartition par financeur"
            if model.aid_from_split
            else "besoin calculé (somme des déficits)",
        ]
    )
    rows.append(
        [
            "Modèle économique",
            f"Apprenants nécessaires à l'équilibre en année {bm.CRUISING_YEAR}",
            *[""] * 6,
            model.learners_needed if model.learners_needed is not None else "inatteignable",
            f"équilibre atteint en année {model.break_even_year}"
            if model.break_even_year is not None
            else "équilibre non atteint en 5 ans",
        ]
    )
    for line in model.funding_lines:
        per_year = [line.amount if y in line.years else 0.0 for y in bma.YEARS]
        detail = line.years_label
        if line.conditions:
            detail += f" ; conditions : {line.conditions}"
        label = fd.FUNDER_LABELS[line.funder] + (f" — {line.name}" if line.name else "")
        rows.append(["Financements par financeur", label, *money(per_year), line.total, detail])
    effect = state.topup_effect
    if effect is not None and effect.after.topup is not None:
        t = effect.after.topup
        detail = (
            f"{state.topup_source} ; taux {format_number(t.rate * 100, decimals=1)} % du reste à "
            f"charge, plafond {format_number(t.ceiling)} € par apprenant, "
            f"{t.learners} apprenants par an, prix du parcours {format_number(t.path_price)} €"
        )
        gain = effect.revenue_gain
        rows.append(["Abondement CPF", "Gain de recettes (€)", *gain, round(sum(gain), 2), detail])
        rows.append(
            [
                "Abondement CPF",
                "Apprenants abondés",
                *effect.topped_learners,
                "",
                f"par apprenant : {format_number(effect.after.topup_per_learner)} €",
            ]
        )
        for when, m in (("sans", effect.before), ("avec", effect.after)):
            rows.append(
                [
                    "Abondement CPF",
                    f"Équilibre {when} abondement",
                    *[""] * 6,
                    m.break_even_year if m.break_even_year is not None else "non atteint",
                    f"apprenants nécessaires en année {bm.CRUISING_YEAR} : "
                    + (
                        str(m.learners_needed) if m.learners_needed is not None else "inatteignable"
                    ),
                ]
            )
    staff_cost = float(model.assumptions["staff_cost"].value)  # type: ignore[arg-type]
    for s in model.services:
        rows.append(
            [
                "Services",
                s.label,
                0.0,
                *[round(s.cost(staff_cost), 2)] * 5,
                round(s.cost(staff_cost) * 5, 2),
                f"{format_number(s.staff_time, decimals=2)} {TIME_UNITS[s.time_unit]} "
                f"({format_number(s.fte, decimals=2)} ETP) ; {format_number(s.reach)} personnes "
                f"reçues par an, conversion {format_number(s.conversion * 100, decimals=1)} % → "
                f"{format_number(s.learners, decimals=1)} apprenants ; recettes "
                f"{format_number(s.revenue)} € par an ; chiffres : {s.figures_source}",
            ]
        )
    return {
        "title": export_title(state),
        "columns": ["section", "line", *[f"year_{y}" for y in bma.YEARS], "total", "detail"],
        "labels": ["Section", "Ligne", *[f"Année {y}" for y in bma.YEARS], "Total", "Détail"],
        "rows": rows,
    }


def _export_state(request: HttpRequest, pk: int) -> BusinessModelState | HttpResponse:
    """What both exports start from: the business model the page shows for this reader (same
    parameters, same scope: another region's basin is a 404), or the answer instead of it (a
    mayor's office is sent to its shared versions, as on the page; bad parameters are a 400)."""
    user: User = request.user  # type: ignore[assignment]
    basin = readable_basin(request, pk)
    if user.is_mayor_viewer:
        return shared_redirect(request, basin.pk)
    state = business_model_state(request, basin, user)
    if state.bad_request:
        return HttpResponse(
            "Paramètres invalides : " + _errors_text(state), status=400, content_type="text/plain"
        )
    return state


@role_required(*BASIN_READERS)
@require_GET
def business_model_csv(request: HttpRequest, pk: int) -> HttpResponse:
    state = _export_state(request, pk)
    if isinstance(state, HttpResponse):
        return state
    response = HttpResponse(
        table_csv(business_model_table(state)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_file_name(state, "csv")}"'
    return response


def _errors_text(state: BusinessModelState) -> str:
    parts = []
    for form in (state.form, state.topup_form):
        if form.is_bound:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else name
                parts.append(f"{label} : {' '.join(str(e) for e in errors)}")
    return " ; ".join(parts)


@role_required(*BASIN_READERS)
@require_GET
def business_model_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF link: prints the business model the page shows (same parameters, same scope) and
    hands it to a PDF job (`diagnostics.services.pdf_jobs`), whose page shows its progress and
    the file; in the embedded default it is rendered at once, inside this request."""
    from diagnostics.views import diagnostics as report_views

    state = _export_state(request, pk)
    if isinstance(state, HttpResponse):
        return state
    context = business_model_context(state)
    context.update(
        {
            "css_dsfr": report_views._static_uri("dsfr/dist/dsfr.min.css"),
            "css_page": report_views._static_uri("cnam/business_model.css"),
        }
    )
    html = render_to_string("implantations/business_model_print.html", context, request=request)
    job = pdf_job_request(
        user=cast(User, request.user),
        kind=PdfJob.Kind.BUSINESS_MODEL,
        basin=state.basin,
        page_query=request.GET.urlencode(),
        html=html,
        title=export_title(state),
        file_name=export_file_name(state, "pdf"),
    )
    return redirect("pdf-job-detail", pk=job.pk)
