"""CSV exports of the follow-up and evaluation (issue 18): a project's follow-up by year, its
variances to the business model, and the programme summary's sites; the same scope and rows as
the pages (`views.evaluation`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from diagnostics.exports import table_csv
from diagnostics.models import User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_READERS, role_required
from implantations.analytics import evaluation as ev
from implantations.analytics import evaluation_flags as evf
from implantations.analytics import evaluation_outcomes as evo
from implantations.selectors import followup as sel
from implantations.views.evaluation import site_rows, variance_rows
from implantations.views.projects import project_readable

FOLLOWUP_EXPORT_COLUMNS = [
    "year", "calendar_year", "planned_learners", *ev.COUNT_FIELDS, "completion_rate",
    "certification_rate", "job_rate", "positive_rate", "rates_note", "source", "updated_at",
]  # fmt: skip
FOLLOWUP_EXPORT_LABELS = [
    "Année du projet", "Année civile", "Apprenants prévus", "Inscrits", "Parcours achevés",
    "Certifiés", "En emploi à 6 mois", "En formation à 6 mois", "En recherche d'emploi à 6 mois",
    "Situation inconnue à 6 mois", "Taux d'achèvement", "Taux de certification",
    "En emploi à 6 mois (taux)", "Sorties positives (taux)", "Taux non calculés",
    "Origine de la saisie", "Mis à jour le",
]  # fmt: skip


def _rate_cell(rates: list[evo.Rate], code: str) -> Any:
    rate = next((r for r in rates if r.code == code), None)
    return None if rate is None or rate.value is None else round(rate.value, 4)


def _csv_attachment(payload: dict[str, Any], filename: str) -> HttpResponse:
    """The table `payload` as a CSV file to download under `filename`."""
    response = HttpResponse(table_csv(payload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rates_note(rates: list[evo.Rate]) -> str:
    return " ; ".join(f"{r.label} : {r.reason}" for r in rates if r.value is None and r.reason)


@role_required(*BASIN_READERS)
@require_GET
def project_followup_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.project_evaluation(project_readable(request, pk))
    project = evaluation.project
    rows = []
    for y in evaluation.entered_years:
        f = y.followup
        assert f is not None
        rows.append(
            [
                y.year, y.calendar_year, y.planned_learners,
                *(getattr(f, name) for name in ev.COUNT_FIELDS),
                _rate_cell(y.rates, "completion"), _rate_cell(y.rates, "certification"),
                _rate_cell(y.rates, "job"), _rate_cell(y.rates, "positive"),
                _rates_note(y.rates), f.get_source_display(),
                timezone.localtime(f.updated_at).isoformat(timespec="minutes"),
            ]
        )  # fmt: skip
    payload = {
        "title": f"Suivi des apprenants — {project.name}",
        "columns": FOLLOWUP_EXPORT_COLUMNS,
        "labels": FOLLOWUP_EXPORT_LABELS,
        "rows": rows,
    }
    return _csv_attachment(payload, f"suivi-projet-{project.pk}.csv")


@role_required(*BASIN_READERS)
@require_GET
def project_variances_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.project_evaluation(project_readable(request, pk))
    project = evaluation.project
    rows = []
    for y in evaluation.entered_years:
        f = y.followup
        assert f is not None
        for record in variance_rows(y.variances):
            explanation = (
                getattr(f, ev.explanation_field(record["line"]))
                if record["line"] in ev.LINES
                else ""
            )
            rows.append(
                [
                    y.year, y.calendar_year, record["label"], record["kind"], record["planned"],
                    record["actual"], record["variance"],
                    None if record["pct"] is None else round(record["pct"] / 100, 4),
                    "oui" if record["explanation_required"] else "non", explanation,
                ]
            )  # fmt: skip
    payload = {
        "title": f"Écarts au modèle économique — {project.name}",
        "columns": [
            "year", "calendar_year", "line", "kind", "planned", "actual", "variance",
            "variance_share", "explanation_required", "explanation",
        ],
        "labels": [
            "Année du projet", "Année civile", "Poste", "Nature", "Prévu (€)", "Réel (€)",
            "Écart (€)", "Écart (part du prévu)", "Explication requise", "Explication",
        ],
        "rows": rows,
    }  # fmt: skip
    return _csv_attachment(payload, f"ecarts-projet-{project.pk}.csv")


@role_required(*BASIN_READERS)
@require_GET
def evaluation_summary_export(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    calendar_year = int_param(request.GET, "annee", minimum=2000, maximum=2100)
    programme = sel.programme_evaluation(user, calendar_year=calendar_year)
    rows = []
    for row in site_rows(programme):
        project = row["project"]
        rows.append(
            [
                project.pk, project.name, project.basin.name, project.basin.region.name,
                project.get_status_display(), row["years_entered"], row["planned"],
                row["enrolled"], ", ".join(evf.FLAG_LABELS[c] for c in row["flag_codes"]),
                " | ".join(f.detail for f in row["flags"]),
            ]
        )  # fmt: skip
    payload = {
        "title": "Évaluation du programme : sites",
        "columns": [
            "project", "name", "basin", "region", "status", "years_entered", "planned_learners",
            "enrolled", "flags", "flag_details",
        ],
        "labels": [
            "N° du projet", "Projet", "Bassin", "Région", "Statut", "Années suivies",
            "Apprenants prévus (années suivies)", "Inscrits (années suivies)", "Signalements",
            "Détail des signalements",
        ],
        "rows": rows,
    }  # fmt: skip
    return _csv_attachment(payload, "evaluation-programme.csv")
