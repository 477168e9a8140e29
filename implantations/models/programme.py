"""Targets of the programme « Au cœur des territoires » (issue 18), set by the national admins
and read by the programme dashboard, each change kept.

The programme's own figures (shared/seeds: about a hundred new sites within three years, a first
batch of about thirty) are the default targets (`implantations.services.programme.
programme_targets_default`); a target row refines them per calendar year, and optionally per
region and per concept. Figures are cumulative at the end of the year: `sites_planned` projects
launched (study started), `sites_open` sites open (opening or self-financing reached).

The bounds of the programme that basin eligibility reads (basin and main-town populations) stay
in `diagnostics.ProgrammeSettings`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .projects import Concept

TARGET_YEAR_MIN = 2015
TARGET_YEAR_MAX = 2050


class ProgrammeTarget(models.Model):
    """Cumulative targets at the end of `year` for a scope: the whole programme (no region, no
    concept), a region, a concept, or a region and a concept."""

    year = models.PositiveSmallIntegerField(
        "année",
        validators=[MinValueValidator(TARGET_YEAR_MIN), MaxValueValidator(TARGET_YEAR_MAX)],
    )
    region = models.ForeignKey(
        "diagnostics.Region",
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : tout le programme.",
    )
    concept = models.CharField(
        "concept", max_length=16, choices=Concept.choices, blank=True, help_text="Vide : tous."
    )
    sites_planned = models.PositiveIntegerField("projets lancés (cumul)", default=0)
    sites_open = models.PositiveIntegerField("sites ouverts (cumul)", default=0)
    note = models.CharField("source ou remarque", max_length=300, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "objectif du programme"
        verbose_name_plural = "objectifs du programme"
        ordering = ["year", "region_id", "concept"]
        constraints = [
            # NULL regions are distinct in a unique index: the national rows get their own.
            models.UniqueConstraint(
                fields=["year", "region", "concept"],
                condition=Q(region__isnull=False),
                name="programme_target_unique_regional",
            ),
            models.UniqueConstraint(
                fields=["year", "concept"],
                condition=Q(region__isnull=True),
                name="programme_target_unique_national",
            ),
            models.CheckConstraint(
                condition=Q(sites_open__lte=models.F("sites_planned")),
                name="programme_target_open_within_planned",
            ),
        ]

    def __str__(self) -> str:
        return f"Objectif {self.year} — {self.scope_label}"

    @property
    def scope_label(self) -> str:
        region = self.region.name if self.region_id else "programme national"  # type: ignore[union-attr]
        return f"{region}, {self.get_concept_display()}" if self.concept else region


class ProgrammeTargetChange(models.Model):
    """One change of a target: what (scope and field), old → new, who and when. Kept when the
    target is deleted (the scope is copied)."""

    class Action(models.TextChoices):
        CREATE = "creation", "Création"
        UPDATE = "modification", "Modification"
        DELETE = "suppression", "Suppression"

    target = models.ForeignKey(
        ProgrammeTarget,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    action = models.CharField("action", max_length=16, choices=Action.choices)
    year = models.PositiveSmallIntegerField("année")
    region = models.ForeignKey(
        "diagnostics.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concept = models.CharField("concept", max_length=16, choices=Concept.choices, blank=True)
    field = models.CharField("champ", max_length=32)
    old_value = models.CharField("ancienne valeur", max_length=300, blank=True)
    new_value = models.CharField("nouvelle valeur", max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "modification d'un objectif"
        verbose_name_plural = "modifications des objectifs"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.field} : {self.old_value or '—'} → {self.new_value or '—'}"
