"""The follow-up part of the demo (issue 18): a year of follow-up for the demo project — year 1,
behind its plan (« en retard »), with outcomes at six months, actual revenues and costs close to
the business model, and two lines off their plan, explained (tuition: fewer learners; premises:
accessibility works). Costs stay within the overrun threshold: one flag only.

The amounts are the plan's times fixed factors, so the demo stays coherent whatever the business
model's defaults become. Idempotent: a project whose year 1 is entered keeps it."""

from __future__ import annotations

import logging

from diagnostics.models import Basin, User
from implantations.analytics import evaluation as ev
from implantations.models import ImplantationProject, ProjectFollowup
from implantations.selectors.followup import followup_thresholds, project_plan
from implantations.services.followup import followup_year_save

logger = logging.getLogger(__name__)

DEMO_YEAR = 1
# Actual = plan × factor, per line.
FACTORS = {
    ev.TUITION: 0.87,
    ev.PUBLIC_AID: 0.99,
    ev.OTHER_REVENUES: 0.94,
    ev.STAFF: 1.03,
    ev.PREMISES: 1.30,
    ev.OTHER_COSTS: 0.95,
}
EXPLANATIONS = {
    ev.TUITION: "Moins d'inscrits que prévu à la rentrée (campagne d'information tardive) : "
    "moins de financements CPF et de droits.",
    ev.PUBLIC_AID: "Subvention versée au prorata des inscrits.",
    ev.OTHER_REVENUES: "Un projet Ardan reporté à l'année suivante.",
    ev.STAFF: "Recrutement d'un formateur vacataire supplémentaire.",
    ev.PREMISES: "Mise aux normes d'accessibilité de la salle du lycée (rampe, sanitaires), "
    "non prévue au plan ; dépense ponctuelle.",
    ev.OTHER_COSTS: "Frais de structure contenus.",
}
ENROLMENT_SHARE = 0.73  # under the « en retard » threshold (80 %)


def demo_followup_ensure(basin: Basin, project_name: str, user: User) -> str:
    """Year 1 of the demo project's follow-up, once; returns what was done (for the log)."""
    project = ImplantationProject.objects.filter(basin=basin, name=project_name).first()
    if project is None:
        return ""
    if ProjectFollowup.objects.filter(project=project, year=DEMO_YEAR).exists():
        return f"suivi de l'année {DEMO_YEAR} déjà saisi"
    planned = (
        project.years.filter(year=DEMO_YEAR).values_list("planned_learners", flat=True).first()
    )
    planned = int(planned or 15)
    enrolled = max(1, int(planned * ENROLMENT_SHARE + 0.5))
    completed = max(0, enrolled - 1)
    certified = max(0, completed - 2)
    job = int(completed * 0.5 + 0.5)
    training = min(2, completed - job)
    unknown = 1 if completed - job - training >= 1 else 0
    seeking = max(0, completed - job - training - unknown)
    plan, _ = project_plan(project)
    line_plan = plan[plan[ev.YEAR] == DEMO_YEAR].iloc[0]
    thresholds = followup_thresholds()
    values: dict[str, object] = {
        ev.ENROLLED: enrolled,
        ev.COMPLETED: completed,
        ev.CERTIFIED: certified,
        ev.OUTCOME_JOB: job,
        ev.OUTCOME_TRAINING: training,
        ev.OUTCOME_SEEKING: seeking,
        ev.OUTCOME_UNKNOWN: unknown,
    }
    for line, factor in FACTORS.items():
        planned_amount = float(line_plan[line])
        actual = int(planned_amount * factor + 0.5)
        values[line] = actual
        if ev.variance_needs_explanation(
            planned_amount, actual, explain_share=thresholds.explain_share
        ):
            values[ev.explanation_field(line)] = EXPLANATIONS[line]
    followup_year_save(
        project=project,
        year=DEMO_YEAR,
        values=values,
        comment="Première année de fonctionnement : démarrage plus lent que prévu, comité de "
        "pilotage du 12 mars 2026 (saisie de démonstration).",
        user=user,
    )
    return f"suivi de l'année {DEMO_YEAR} : {enrolled} inscrits pour {planned} prévus"
