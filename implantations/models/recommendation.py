"""Scoring profiles, recommendations and business-model scenarios.

- `ScoringProfile`: the weights, normalisations and sensitivity settings of the recommendation
  (`implantations.analytics.scoring`), versioned: a change is a new version, a version once
  saved is never edited (the admin saves a change as a new version), and the profile in force
  is the latest version. Seeded with `profile.DEFAULT_PROFILE` (version 1).
- `Recommendation`: one computed recommendation of a basin, with the profile version, the
  diagnostic run and the import batches it used, its inputs and its full document. Two
  computations with the same inputs (`input_key`) give one row.
- `BusinessScenario`: a saved set of business-model assumptions for a basin and a concept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

CONCEPT_CHOICES = [
    ("turnkey", "Clef en main"),
    ("fab_id", "Fab ID (tiers-lieu)"),
    ("progressive", "Progressif"),
]


class ScoringProfile(models.Model):
    """A version of the scoring settings (see the module docstring); `parameters` follows
    `profile.DEFAULT_PROFILE` and is validated by `profile.profile_errors`."""

    version = models.PositiveIntegerField("version", unique=True)
    name = models.CharField("nom", max_length=120, default="Profil de notation")
    parameters = models.JSONField("paramètres")
    change_note = models.TextField(
        "motif de la modification", blank=True, help_text="Ce qui change et pourquoi."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "profil de notation"
        verbose_name_plural = "profils de notation"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} — version {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A version is immutable: a change is saved as a new version (see the admin).
        if self.pk and ScoringProfile.objects.filter(pk=self.pk).exists():
            raise ValueError(
                f"La version {self.version} du profil de notation ne peut plus être modifiée : "
                "enregistrez une nouvelle version."
            )
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> ScoringProfile | None:
        return cls.objects.order_by("-version").first()


class Recommendation(models.Model):
    """A recommendation of a basin (see the module docstring). `document` is the JSON of
    `recommend --json` (concept, scores, constraints, criteria, robustness, sensitivity,
    sources); `inputs` the raw values and assets it was computed from."""

    basin = models.ForeignKey(
        "diagnostics.Basin",
        verbose_name="bassin",
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    profile = models.ForeignKey(
        ScoringProfile,
        verbose_name="profil de notation",
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    diagnostic_run = models.ForeignKey(
        "diagnostics.DiagnosticRun",
        verbose_name="diagnostic utilisé",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    batches = models.ManyToManyField(
        "diagnostics.ImportBatch", verbose_name="imports utilisés", related_name="+", blank=True
    )
    engine_version = models.CharField("version du moteur", max_length=20)
    input_key = models.CharField(
        "empreinte des entrées",
        max_length=64,
        unique=True,
        help_text="SHA-256 du bassin, du profil, du diagnostic et des valeurs d'entrée.",
    )
    concept = models.CharField(
        "concept recommandé", max_length=16, choices=CONCEPT_CHOICES, blank=True
    )
    label = models.CharField("robustesse", max_length=16, blank=True)
    robustness = models.FloatField("part des tirages où la recommandation tient")
    scores = models.JSONField("scores", default=dict)
    inputs = models.JSONField("entrées", default=dict)
    document = models.JSONField("résultat")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="calculée pour",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("calculée le", auto_now_add=True)

    class Meta:
        verbose_name = "recommandation"
        verbose_name_plural = "recommandations"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["basin", "-created_at"], name="recommendation_basin")]

    def __str__(self) -> str:
        return f"Recommandation n° {self.pk} — {self.basin_id} : {self.concept or 'aucun'}"

    @property
    def shown_concept(self) -> str:
        """The concept as the pages show it (docs/honesty.md): empty when withheld because a
        concept passing its conditions has too little known data to be compared."""
        from implantations.analytics.honesty import honest_document

        return str(honest_document(self.document or {}).get("concept") or "")


class BusinessScenario(models.Model):
    """Saved business-model assumptions ({code: value}, only those changed from the defaults)
    of a concept for a basin, with the summary computed when saved."""

    basin = models.ForeignKey(
        "diagnostics.Basin",
        verbose_name="bassin",
        on_delete=models.CASCADE,
        related_name="business_scenarios",
    )
    concept = models.CharField("concept", max_length=16, choices=CONCEPT_CHOICES)
    name = models.CharField("nom du scénario", max_length=120)
    assumptions = models.JSONField("hypothèses modifiées", default=dict, blank=True)
    summary = models.JSONField("résumé", default=dict, blank=True)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "scénario de modèle économique"
        verbose_name_plural = "scénarios de modèle économique"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_concept_display()})"
