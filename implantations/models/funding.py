"""What a project adds to its business model (issue 18): the public aid split by funder, the
CPF top-up scenarios of a local authority (one retained), and its services (reception,
orientation, support) when they differ from the concept's defaults.

The computations live in `implantations.analytics.funding` / `site_services` /
`business_model`; the writes in `implantations.services.funding` (all or nothing, French
errors naming the field).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from implantations.analytics import funding as fd
from implantations.analytics import site_services as ss

from .projects import ImplantationProject


class Funder(models.TextChoices):
    """The funders of an implantation's public aid (and the Cnam's own funds)."""

    REGION = fd.REGION, fd.FUNDER_LABELS[fd.REGION]
    STATE = fd.STATE, fd.FUNDER_LABELS[fd.STATE]
    EPCI = fd.EPCI, fd.FUNDER_LABELS[fd.EPCI]
    TOWN = fd.TOWN, fd.FUNDER_LABELS[fd.TOWN]
    FRANCE_TRAVAIL = fd.FRANCE_TRAVAIL, fd.FUNDER_LABELS[fd.FRANCE_TRAVAIL]
    OPCO = fd.OPCO, fd.FUNDER_LABELS[fd.OPCO]
    CNAM = fd.CNAM, fd.FUNDER_LABELS[fd.CNAM]
    OTHER = fd.OTHER, fd.FUNDER_LABELS[fd.OTHER]


class ProjectFundingLine(models.Model):
    """One funder's aid to a project: an amount a year over years `first_year`..`last_year` of
    the business model (0-5), with its conditions."""

    project = models.ForeignKey(
        ImplantationProject, on_delete=models.CASCADE, related_name="funding_lines"
    )
    funder = models.CharField("financeur", max_length=16, choices=Funder.choices)
    funder_name = models.CharField(
        "nom du financeur", max_length=200, blank=True, help_text="Ex. : Région Grand Est."
    )
    annual_amount = models.DecimalField("montant par an (€)", max_digits=12, decimal_places=2)
    first_year = models.PositiveSmallIntegerField(
        "première année", validators=[MaxValueValidator(5)]
    )
    last_year = models.PositiveSmallIntegerField(
        "dernière année", validators=[MaxValueValidator(5)]
    )
    conditions = models.TextField("conditions", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["project", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_amount__gt=0), name="funding_line_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(last_year__lte=5) & Q(first_year__lte=F("last_year")),
                name="funding_line_years_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} — {self.project}"

    def as_line(self) -> fd.FundingLine:
        return fd.FundingLine(
            funder=self.funder,
            amount=float(self.annual_amount),
            first_year=self.first_year,
            last_year=self.last_year,
            name=self.funder_name,
            conditions=self.conditions,
        )


class CpfTopUpScenario(models.Model):
    """A CPF top-up (« abondement ») by a local authority, simulated for a project: rate (% of
    the remaining cost), ceiling per learner, learners topped up a year, the path's price. At
    most one scenario per project is retained (it then enters the project's business model)."""

    project = models.ForeignKey(
        ImplantationProject, on_delete=models.CASCADE, related_name="topup_scenarios"
    )
    name = models.CharField("nom du scénario", max_length=120)
    authority = models.CharField("collectivité qui abonde", max_length=200, blank=True)
    rate_percent = models.DecimalField(
        "taux (% du reste à charge)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    ceiling = models.DecimalField("plafond par apprenant (€)", max_digits=10, decimal_places=2)
    learners = models.PositiveIntegerField("apprenants abondés par an")
    path_price = models.DecimalField("prix moyen du parcours (€)", max_digits=10, decimal_places=2)
    retained = models.BooleanField("retenu", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "scénario d'abondement CPF"
        verbose_name_plural = "scénarios d'abondement CPF"
        ordering = ["project", "-retained", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(retained=True), name="topup_one_retained"
            ),
            models.UniqueConstraint(fields=["project", "name"], name="topup_name_unique"),
            models.CheckConstraint(
                condition=Q(rate_percent__gte=0)
                & Q(rate_percent__lte=100)
                & Q(ceiling__gte=0)
                & Q(path_price__gte=0),
                name="topup_values_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.project})"

    def as_topup(self) -> fd.CpfTopUp:
        return fd.CpfTopUp(
            rate=float(self.rate_percent) / 100,
            ceiling=float(self.ceiling),
            learners=int(self.learners),
            path_price=float(self.path_price),
        )


class ProjectService(models.Model):
    """A service of the project (reception, orientation, support) whose figures differ from
    the concept's defaults (`implantations.analytics.site_services`)."""

    class Code(models.TextChoices):
        AIOA = ss.AIOA, ss.SERVICE_LABELS[ss.AIOA]
        SAS_DOC = ss.SAS_DOC, ss.SERVICE_LABELS[ss.SAS_DOC]
        ENROLMENT_EXAMS = ss.ENROLMENT_EXAMS, ss.SERVICE_LABELS[ss.ENROLMENT_EXAMS]
        FUNDING_ENGINEERING = ss.FUNDING_ENGINEERING, ss.SERVICE_LABELS[ss.FUNDING_ENGINEERING]

    class TimeUnit(models.TextChoices):
        FTE = ss.FTE, "ETP"
        HOURS = ss.HOURS, "heures par an"

    project = models.ForeignKey(
        ImplantationProject, on_delete=models.CASCADE, related_name="services"
    )
    code = models.CharField("service", max_length=24, choices=Code.choices)
    staff_time = models.DecimalField("temps de personnel", max_digits=8, decimal_places=2)
    time_unit = models.CharField(
        "unité", max_length=8, choices=TimeUnit.choices, default=TimeUnit.FTE
    )
    direct_cost = models.DecimalField(
        "coûts directs par an (€)", max_digits=10, decimal_places=2, default=0
    )
    revenue = models.DecimalField("recettes par an (€)", max_digits=10, decimal_places=2, default=0)
    reach = models.PositiveIntegerField("personnes reçues par an", default=0)
    conversion = models.DecimalField(
        "taux de conversion en apprenants",
        max_digits=4,
        decimal_places=3,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "service du projet"
        verbose_name_plural = "services du projet"
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="project_service_unique"),
            models.CheckConstraint(
                condition=Q(staff_time__gte=0)
                & Q(direct_cost__gte=0)
                & Q(revenue__gte=0)
                & Q(conversion__gte=0)
                & Q(conversion__lte=1),
                name="project_service_values_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} — {self.project}"

    def as_values(self) -> dict[str, object]:
        return {
            "staff_time": float(self.staff_time),
            "time_unit": self.time_unit,
            "direct_cost": float(self.direct_cost),
            "revenue": float(self.revenue),
            "reach": float(self.reach),
            "conversion": float(self.conversion),
        }
