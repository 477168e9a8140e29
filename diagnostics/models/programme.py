"""Reference data of the programme that basin eligibility reads: the Cnam sites and the
programme bounds. They were declared in `implantations` until ADR 0010; their tables keep the
`implantations_` names (state-only move, no data touched).
"""

from django.db import models


class CnamSite(models.Model):
    """An existing Cnam site (regional centre, associated centre or « Au cœur des territoires »
    site), maintained by administrators: the distance of a basin to the nearest one is part of
    its eligibility."""

    class Kind(models.TextChoices):
        REGIONAL_CENTRE = "centre_regional", "Centre régional"
        CENTRE = "centre", "Centre d'enseignement"
        COEUR_TERRITOIRES = "coeur_territoires", "Site « Au cœur des territoires »"

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=32, choices=Kind.choices, default=Kind.CENTRE)
    commune = models.ForeignKey(
        "diagnostics.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    active = models.BooleanField("en activité", default=True)

    class Meta:
        db_table = "implantations_cnamsite"
        verbose_name = "site Cnam"
        verbose_name_plural = "sites Cnam"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeSettings(models.Model):
    """Bounds of the programme, edited by administrators (one row)."""

    basin_population_min = models.PositiveIntegerField(
        "population minimale du bassin", default=30_000
    )
    basin_population_max = models.PositiveIntegerField(
        "population maximale du bassin", default=100_000
    )
    main_town_population_min = models.PositiveIntegerField(
        "population minimale de la ville principale (ville moyenne)", default=10_000
    )
    main_town_population_max = models.PositiveIntegerField(
        "population maximale de la ville principale (ville moyenne)", default=100_000
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "implantations_programmesettings"
        verbose_name = "paramètres du programme"
        verbose_name_plural = "paramètres du programme"

    def __str__(self) -> str:
        return "Paramètres du programme"

    @classmethod
    def current(cls) -> "ProgrammeSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
