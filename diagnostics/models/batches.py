"""National batches (issue 16): every basin of a zoning diagnosed as one unit of work.

- `DiagnosticBatch`: one request « every zone d'emploi (of a region) » with its progress. The
  runs it covers are ordinary `DiagnosticRun` rows (same data key, same report, same exports);
  the batch only groups them (`DiagnosticBatchItem`, one per basin) so that the page, the API
  and the command show one progress (done / failed / remaining, ETA) and one failure list.
- `SharedReference`: what every basin's run of the same data reads and none owns — France-wide,
  regional and size-band references, zone populations and regions, the peers of each zoning —
  computed once per data vintages (`key`) and stored, so that a batch computes them once and a
  lone run afterwards reuses them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .basins import Basin, BasinSource
from .runs import DiagnosticRun
from .territories import Region


class DiagnosticBatch(models.Model):
    """Every basin of a zoning (optionally of one region) diagnosed with the data in force."""

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        RUNNING = "running", "en cours"
        DONE = "done", "terminé"
        PARTIAL = "partial", "terminé avec des échecs"

    ZONINGS = (BasinSource.ZONE_EMPLOI, BasinSource.BASSIN_BMO, BasinSource.EPCI)

    zoning = models.CharField(
        "zonage", max_length=16, choices=[(z.value, z.label) for z in ZONINGS]
    )
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : toute la France.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    data_key = models.CharField(
        "empreinte des données", max_length=64, db_index=True,
        help_text="SHA-256 des empreintes des diagnostics du lot.",
    )  # fmt: skip
    registered = models.PositiveIntegerField("bassins de référence enregistrés", default=0)
    chunk_size = models.PositiveIntegerField("bassins par tâche", default=0)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("démarré le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "lot de diagnostics"
        verbose_name_plural = "lots de diagnostics"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        scope = self.region.name if self.region_id and self.region else "France"
        return f"Lot n° {self.pk} — {self.get_zoning_display()}, {scope}"


class DiagnosticBatchItem(models.Model):
    """One basin of a batch and the run that computes it (its status is the run's)."""

    batch = models.ForeignKey(DiagnosticBatch, on_delete=models.CASCADE, related_name="items")
    basin = models.ForeignKey(Basin, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(
        DiagnosticRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "bassin du lot"
        verbose_name_plural = "bassins du lot"
        constraints = [
            models.UniqueConstraint(fields=["batch", "basin"], name="batch_item_one_per_basin")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} / {self.basin_id}"


class SharedReference(models.Model):
    """References shared by every run of the same data (see the module docstring).

    `payload` is the pickled `analytics.references.EngineReferences`, followed by an HMAC of it
    keyed by the SECRET_KEY: a row that was not written by this application is refused, never
    unpickled (`diagnostics.services.national`)."""

    key = models.CharField("empreinte des données", max_length=64, unique=True)
    engine_version = models.CharField("version du moteur", max_length=20)
    payload = models.BinaryField("références")
    size_bytes = models.PositiveIntegerField("taille (octets)", default=0)
    compute_seconds = models.FloatField("durée du calcul (s)", default=0.0)
    created_at = models.DateTimeField("calculé le", auto_now_add=True)

    class Meta:
        verbose_name = "références partagées"
        verbose_name_plural = "références partagées"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Références {self.key[:12]}…"


class AtlasEntry(models.Model):
    """A basin's atlas figures (`analytics.atlas.atlas_values`) from its latest diagnostic of a
    national batch: the atlas reads these few numbers, never the runs' whole documents."""

    basin = models.OneToOneField(Basin, on_delete=models.CASCADE, related_name="atlas_entry")
    run = models.ForeignKey(DiagnosticRun, on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField("indicateurs", default=dict)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "bassin de l'atlas"
        verbose_name_plural = "bassins de l'atlas"

    def __str__(self) -> str:
        return f"Atlas — {self.basin_id}"
