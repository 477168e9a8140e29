"""Follow-up of an implantation project, one row per project year (issue 18): learners
(enrolled, completed, certified), their situation six months after (in job, in training,
job-seeking, unknown), the actual revenues and costs on the six lines of the plan, and the
explanation of each line off its plan.

Written by `implantations.services.followup` (form, CSV import, API): the rules live in the
pure `implantations.analytics.evaluation.followup_check`; the constraints below are the
database's last guard. Every change keeps its history (django-simple-history), so that a
re-import of the same year replaces it and the former figures stay readable.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class FollowupSource(models.TextChoices):
    FORM = "formulaire", "Saisie"
    CSV = "csv", "Import CSV"
    API = "api", "API"


def _amount(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(f"{label} (€)", null=True, blank=True)


def _explanation(label: str) -> models.TextField:
    return models.TextField(f"explication de l'écart : {label}", blank=True)


class ProjectFollowup(models.Model):
    """One year (0 = set-up year, to 5) of a project's follow-up. Amounts in whole euros,
    NULL while not entered."""

    project = models.ForeignKey(
        "implantations.ImplantationProject",
        on_delete=models.CASCADE,
        related_name="followups",
        verbose_name="projet",
    )
    year = models.PositiveSmallIntegerField("année du projet", validators=[MaxValueValidator(5)])
    enrolled = models.PositiveIntegerField("inscrits")
    completed = models.PositiveIntegerField("parcours achevés", null=True, blank=True)
    certified = models.PositiveIntegerField("certifiés", null=True, blank=True)
    outcome_job = models.PositiveIntegerField("en emploi à 6 mois", null=True, blank=True)
    outcome_training = models.PositiveIntegerField("en formation à 6 mois", null=True, blank=True)
    outcome_seeking = models.PositiveIntegerField(
        "en recherche d'emploi à 6 mois", null=True, blank=True
    )
    outcome_unknown = models.PositiveIntegerField(
        "situation inconnue à 6 mois", null=True, blank=True
    )
    revenue_tuition = _amount("formation : CPF et droits")
    revenue_public_aid = _amount("aides publiques")
    revenue_other = _amount("autres recettes")
    cost_staff = _amount("personnel")
    cost_premises = _amount("locaux")
    cost_other = _amount("autres coûts")
    explanation_revenue_tuition = _explanation("formation")
    explanation_revenue_public_aid = _explanation("aides publiques")
    explanation_revenue_other = _explanation("autres recettes")
    explanation_cost_staff = _explanation("personnel")
    explanation_cost_premises = _explanation("locaux")
    explanation_cost_other = _explanation("autres coûts")
    comment = models.TextField("commentaire", blank=True)
    source = models.CharField(
        "origine", max_length=16, choices=FollowupSource.choices, default=FollowupSource.FORM
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "suivi annuel du projet"
        verbose_name_plural = "suivis annuels des projets"
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="followup_project_year"),
            models.CheckConstraint(condition=Q(year__lte=5), name="followup_year_0_to_5"),
            models.CheckConstraint(
                condition=Q(completed__isnull=True) | Q(completed__lte=F("enrolled")),
                name="followup_completed_le_enrolled",
            ),
            models.CheckConstraint(
                condition=Q(certified__isnull=True)
                | (Q(completed__isnull=False) & Q(certified__lte=F("completed"))),
                name="followup_certified_le_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — suivi de l'année {self.year}"

    @property
    def calendar_year(self) -> int:
        return self.project.start_year + self.year
