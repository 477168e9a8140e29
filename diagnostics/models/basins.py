"""Employment basins registered by regional delegates: a named set of communes."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from .territories import Commune, GeometryMixin, Region


class BasinSource(models.TextChoices):
    ZONE_EMPLOI = "zone_emploi", "Zone d'emploi INSEE 2020"
    BASSIN_BMO = "bassin_bmo", "Bassin BMO France Travail"
    EPCI = "epci", "EPCI"
    COMMUNES = "communes", "Liste de communes"


class GeometryStatus(models.TextChoices):
    PENDING = "pending", "en calcul"
    READY = "ready", "prête"
    NONE = "none", "indisponible"


class Basin(GeometryMixin):
    """An employment basin: the territory a diagnostic and an implantation are about.

    `region` is the region that owns the basin (that of its main town); `regions` lists every
    region it touches, and `spans_regions` flags a basin over a regional border (allowed).
    `population`, the geometry and the eligibility fields are derived from the communes and the
    programme settings by `basin_refresh`.
    """

    name = models.CharField("nom", max_length=150)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="basins")
    regions = models.ManyToManyField(Region, related_name="touching_basins", blank=True)
    source_kind = models.CharField(
        "construit à partir de", max_length=16, choices=BasinSource.choices
    )
    source_codes = models.JSONField("codes source", default=list, blank=True)
    communes = models.ManyToManyField(Commune, related_name="basins")
    main_town = models.ForeignKey(
        Commune,
        verbose_name="ville principale",
        on_delete=models.PROTECT,
        related_name="main_town_of",
        null=True,
        blank=True,
    )
    population = models.PositiveIntegerField("population", default=0)
    communes_count = models.PositiveIntegerField("nombre de communes", default=0)
    communes_without_population = models.PositiveIntegerField(default=0)
    spans_regions = models.BooleanField("à cheval sur plusieurs régions", default=False)
    geometry_status = models.CharField(
        max_length=16, choices=GeometryStatus.choices, default=GeometryStatus.PENDING
    )
    geometry_note = models.CharField("note sur la géométrie", max_length=300, blank=True)
    # Eligibility to the programme, computed with the programme settings in force.
    eligible_population = models.BooleanField(null=True)
    eligible_main_town = models.BooleanField(null=True)
    nearest_site = models.ForeignKey(
        "diagnostics.CnamSite",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nearest_site_km = models.FloatField(
        "distance au site Cnam le plus proche (km)", null=True, blank=True
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # « Bassin de référence »: one whole zone of an official zoning registered by a national
    # batch (issue 16). Public statistics (open data only, never shared nor edited); hidden from
    # the regional lists unless asked for.
    is_reference = models.BooleanField("bassin de référence", default=False, db_index=True)
    # Outbox of the geometry refresh (issue 15): when its task was last handed to the broker.
    refresh_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="BasinShare",
        through_fields=("basin", "user"),
        related_name="shared_basins",
        blank=True,
    )

    class Meta:
        verbose_name = "bassin"
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "region", name="unique_basin_name_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class BasinShare(models.Model):
    """A basin (and its diagnostics) shared with a mayor's office or an EPCI user."""

    basin = models.ForeignKey(Basin, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "partage"
        constraints = [models.UniqueConstraint(fields=["basin", "user"], name="unique_basin_share")]

    def __str__(self) -> str:
        return f"{self.basin} → {self.user}"


class BasinListDocument(models.Model):
    """A basin's document in the API's basin list (issue 14), kept so that a page is read as
    stored JSON instead of being written again for each reader and each page.

    A read cache that the read checks itself (`diagnostics.selectors.basin_documents`): a
    document is used only while the basin's `updated_at` is its `stamp`, its main town's name
    its `town` and the format (`key`: document version, time zone, URL paths) the current one;
    otherwise the row is written again and the document replaced. No write path has to keep it
    current: every change of what a document shows moves the basin's `updated_at` (`auto_now`)
    or the town's name. The document is stored without its `urls` (they name the request's
    scheme and host): `head` before them, `tail` after them; the read joins the three.
    No database constraint on `basin`: a document stored just after its basin was deleted is
    never read (its id would come back with another `updated_at`) and goes with it otherwise.
    """

    basin = models.OneToOneField(
        Basin,
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="list_document",
    )
    stamp = models.DateTimeField()
    key = models.CharField(max_length=40)
    town = models.CharField(max_length=200, blank=True)
    head = models.TextField()
    tail = models.TextField()

    class Meta:
        verbose_name = "document de la liste des bassins"

    def __str__(self) -> str:
        return f"document de la liste : bassin {self.basin_id}"
