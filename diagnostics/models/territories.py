"""Territorial reference data: régions, départements, communes and the zonings built on them.

The commune (INSEE code, COG vintage) is the atomic unit. Zones d'emploi 2020 and bassins BMO are
two official zonings that do not nest; EPCI are intercommunalities. Geometries are GeoJSON
(WGS84, as published) with their bounding box, computed with shapely/geopandas.
"""

from django.db import models


class GeometryMixin(models.Model):
    geometry = models.JSONField("géométrie (GeoJSON, WGS84)", null=True, blank=True)
    bbox_min_lon = models.FloatField(null=True, blank=True)
    bbox_min_lat = models.FloatField(null=True, blank=True)
    bbox_max_lon = models.FloatField(null=True, blank=True)
    bbox_max_lat = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.bbox_min_lon is None:
            return None
        return (self.bbox_min_lon, self.bbox_min_lat, self.bbox_max_lon, self.bbox_max_lat)  # type: ignore[return-value]

    def set_bbox(self, bounds: tuple[float, float, float, float] | None) -> None:
        if bounds is None:
            self.bbox_min_lon = self.bbox_min_lat = self.bbox_max_lon = self.bbox_max_lat = None
        else:
            self.bbox_min_lon, self.bbox_min_lat, self.bbox_max_lon, self.bbox_max_lat = bounds


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """An intercommunality (EPCI à fiscalité propre), identified by its SIREN."""

    code = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    nature = models.CharField("nature", max_length=4, blank=True, help_text="CC, CA, CU, ME")

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ZoneEmploi(GeometryMixin):
    """INSEE zone d'emploi 2020 (306 zones; polygons for the 287 metropolitan ones)."""

    code = models.CharField("code ZE2020", max_length=4, primary_key=True)
    name = models.CharField("nom", max_length=100)
    geometry_repaired = models.BooleanField("géométrie réparée", default=False)

    class Meta:
        verbose_name = "zone d'emploi"
        verbose_name_plural = "zones d'emploi"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class BassinBmo(models.Model):
    """France Travail bassin d'emploi used by the BMO survey (~405 bassins)."""

    code = models.CharField("code bassin BMO", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="bassins_bmo"
    )

    class Meta:
        verbose_name = "bassin BMO"
        verbose_name_plural = "bassins BMO"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(GeometryMixin):
    """A commune of the COG. Its geometry, when no official polygon was loaded, is the Voronoi
    cell of its centre clipped to its zone d'emploi (`geometry_approximate`)."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=200, db_index=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )
    population = models.PositiveIntegerField("population légale", null=True, blank=True)
    population_vintage = models.PositiveSmallIntegerField(
        "millésime population", null=True, blank=True
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    cog_vintage = models.PositiveSmallIntegerField("millésime COG", null=True, blank=True)
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    zone_emploi = models.ForeignKey(
        ZoneEmploi, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    bassin_bmo = models.ForeignKey(
        BassinBmo, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    geometry_approximate = models.BooleanField("géométrie approchée", default=False)

    class Meta:
        verbose_name = "commune"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CommuneCodeChange(models.Model):
    """INSEE table de passage: an old commune code (merged commune) and the code it became.

    A commune that was split again (commune rétablie) has one row per current code, so the
    natural key is (old_code, new_code, year), not (old_code, year)."""

    old_code = models.CharField("ancien code", max_length=5)
    new_code = models.CharField("code courant", max_length=5, db_index=True)
    year = models.PositiveSmallIntegerField("millésime")

    class Meta:
        verbose_name = "changement de code commune"
        verbose_name_plural = "changements de code commune"
        constraints = [
            models.UniqueConstraint(
                fields=["old_code", "new_code", "year"], name="unique_code_change_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code} ({self.year})"


class TerritoryLoad(models.Model):
    """One dataset of a `load_territories` run: what was read, from which file, and how it went."""

    class Status(models.TextChoices):
        DONE = "done", "chargé"
        MISSING = "missing", "fichier absent"
        FAILED = "failed", "refusé"

    dataset = models.CharField("jeu de données", max_length=64)
    source_file = models.CharField("fichier", max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    rows = models.PositiveIntegerField("lignes chargées", default=0)
    details = models.JSONField("détails", default=dict, blank=True)
    message = models.TextField(blank=True)
    started_at = models.DateTimeField()
    duration_s = models.FloatField("durée (s)", default=0)

    class Meta:
        verbose_name = "chargement de référentiel"
        verbose_name_plural = "chargements de référentiels"
        ordering = ["-started_at", "dataset"]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.get_status_display()})"
