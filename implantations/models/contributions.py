"""Contributions from the territory (issue 13): basin assets proposed by a mayor's office, an
EPCI or a local partner, which the basin's delegate accepts, edits or declines.

Accepted, a contribution becomes a basin asset that the recommendation reads:
- premises lent by the town → the basin partnership's « la commune prête des locaux »
  (Fab ID's shared-place constraint);
- a partner (Mission locale, France Services, tiers-lieu, Maison de l'emploi, lycée, campus,
  business hub, consular chamber) → a confirmed `HostStructure` (lycée partner, shared place or
  growth host constraints);
- an employer commitment → an `EmployerLetter` (its headcount);
- local co-funding → kept on the contribution and listed with the assets (the scoring has no
  co-funding criterion: it changes no score, and the page says so).

`version` is the optimistic lock: every decision or edit is a conditional UPDATE on the version
read, so two delegates editing the same contribution cannot overwrite each other (the second
gets a French error). Every change keeps its history (django-simple-history: who, when, what).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .assets import EmployerLetter, HostStructure


class Contribution(models.Model):
    class Kind(models.TextChoices):
        PREMISES = "locaux", "Locaux"
        PARTNER = "partenaire", "Partenaire local"
        EMPLOYER = "employeur", "Engagement d'employeur"
        COFUNDING = "cofinancement", "Cofinancement local"

    class Status(models.TextChoices):
        PENDING = "proposee", "proposée"
        ACCEPTED = "acceptee", "acceptée"
        DECLINED = "refusee", "refusée"

    # Partners a contribution may name: the host structures the recommendation reads.
    PARTNER_KINDS = [
        (HostStructure.Kind.MISSION_LOCALE, HostStructure.Kind.MISSION_LOCALE.label),
        (HostStructure.Kind.FRANCE_SERVICES, HostStructure.Kind.FRANCE_SERVICES.label),
        (HostStructure.Kind.TIERS_LIEU, HostStructure.Kind.TIERS_LIEU.label),
        (HostStructure.Kind.MAISON_EMPLOI, HostStructure.Kind.MAISON_EMPLOI.label),
        (HostStructure.Kind.LYCEE, "Lycée professionnel ou technologique"),
        (HostStructure.Kind.CAMPUS, HostStructure.Kind.CAMPUS.label),
        (HostStructure.Kind.BUSINESS_HUB, HostStructure.Kind.BUSINESS_HUB.label),
        (HostStructure.Kind.CHAMBER, HostStructure.Kind.CHAMBER.label),
    ]

    basin = models.ForeignKey(
        "diagnostics.Basin", on_delete=models.CASCADE, related_name="contributions"
    )
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    title = models.CharField("intitulé", max_length=200)
    partner_kind = models.CharField(
        "type de partenaire", max_length=32, choices=PARTNER_KINDS, blank=True
    )
    surface_m2 = models.PositiveIntegerField("surface (m²)", null=True, blank=True)
    available_from = models.DateField("disponible à partir du", null=True, blank=True)
    premises_can_grow = models.BooleanField(
        "locaux extensibles en années 2 et 3", null=True, blank=True
    )
    headcount = models.PositiveIntegerField(
        "apprenants ou recrutements annoncés", null=True, blank=True
    )
    sector = models.CharField("secteur", max_length=120, blank=True)
    amount_eur = models.PositiveIntegerField("montant (€)", null=True, blank=True)
    details = models.TextField("précisions", max_length=2000, blank=True)
    source = models.CharField(
        "source", max_length=300, help_text="D'où vient l'information (délibération, courrier…)."
    )
    contact = models.CharField(
        "contact",
        max_length=300,
        help_text="Qui joindre pour la vérifier (nom, téléphone, courriel).",
    )
    shared_version = models.ForeignKey(
        "diagnostics.SharedVersion",
        verbose_name="à partir de la version partagée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposée par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField("proposée le", auto_now_add=True)
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decision_note = models.CharField("motif", max_length=300, blank=True)
    host_structure = models.ForeignKey(
        HostStructure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    employer_letter = models.ForeignKey(
        EmployerLetter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recommendation_before = models.ForeignKey(
        "implantations.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recommendation_after = models.ForeignKey(
        "implantations.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField("version", default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contribution du territoire"
        verbose_name_plural = "contributions du territoire"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="partenaire") | ~Q(partner_kind=""),
                name="contribution_partner_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.title}"

    @property
    def constraint_code(self) -> str:
        """The hard constraint this contribution can lift once accepted ("" for none)."""
        if self.kind == self.Kind.PREMISES:
            return "shared_place"
        if self.kind == self.Kind.PARTNER:
            if self.partner_kind == HostStructure.Kind.LYCEE:
                return "lycee_partner"
            if self.partner_kind in HostStructure.SHARED_PLACES:
                return "shared_place"
            if self.partner_kind in HostStructure.ECONOMIC_HOSTS:
                return "growth_host"
        return ""
