"""INSEE population estimates by département, sex and 5-year age band (issue 17: replacement
needs). One row per year × département × sex × age band, as published; the « France » total
rows of the file are not stored (they are the sum of the départements)."""

from __future__ import annotations

from django.db import models

from .imports import FactManager, ImportBatch


class PopulationAgeFact(models.Model):
    """Estimated population on 1 January of `year` in a département, for one sex (or all:
    « ensemble ») and one age band [`age_min`, `age_min` + 4] (95 = 95 and over). NULL when
    the publisher gives no estimate (overseas bands above 90 in the 1990s)."""

    class Sex(models.TextChoices):
        ALL = "ensemble", "ensemble"
        MEN = "hommes", "hommes"
        WOMEN = "femmes", "femmes"

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="population_age_facts"
    )
    year = models.PositiveSmallIntegerField("année")
    departement_code = models.CharField("département", max_length=3)
    sex = models.CharField("sexe", max_length=8, choices=Sex.choices)
    age_min = models.PositiveSmallIntegerField("âge de début de la tranche")
    population = models.FloatField("population estimée", null=True, blank=True)

    objects = FactManager()

    class Meta:
        verbose_name = "population par âge (estimation)"
        verbose_name_plural = "populations par âge (estimations)"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "year", "departement_code", "sex", "age_min"],
                name="population_age_fact_unique_key",
            )
        ]
        indexes = [
            models.Index(fields=["departement_code", "year"], name="population_age_dep_year")
        ]

    def __str__(self) -> str:
        return f"{self.departement_code} {self.year} {self.sex} {self.age_min}+ = {self.population}"
