"""Diagnostic runs (issue 4): one computation of the longitudinal diagnostic of a basin.

A run records what it was computed from — the basin's composition, the import batches in force
(data vintages), the parameters and the engine version, hashed together into `data_key` — and
what came out: the document (`results`, shaped like `diagnostic_run --json`) and the tables
behind every figure (`tables`), from which the report page, the charts and the CSV / XLSX / PDF
exports are all rendered, so that they show exactly the same figures.

Lifecycle: pending → running → done | failed. Every transition is a conditional UPDATE (see
`diagnostics.services.diagnostics`); a done run is immutable. A pending run is the outbox of its
task (`dispatched_at`, see `diagnostics.services.outbox`); a running run is claimed by one worker
process (`claimed_by`) that proves it is alive (`heartbeat_at`, see `diagnostics.services.claims`). Two requests for the same basin
and data share one run: `data_key` is unique among the runs that are not failed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from .basins import Basin
from .imports import ImportBatch
from .stored_json import StoredJSONDecoder, StoredJSONEncoder


class DiagnosticRun(models.Model):
    """One diagnostic of a basin, computed from given data vintages (see the module docstring).

    `tables` maps a table name to {"title", "columns", "labels", "rows"} (JSON-safe values);
    `basin_snapshot` keeps the basin's name, population and commune count at the time of the
    run, so that an old report stays readable after the basin was edited.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "en file d'attente"
        RUNNING = "running", "en cours"
        DONE = "done", "terminé"
        FAILED = "failed", "échec"

    LIVE = (Status.PENDING, Status.RUNNING)

    basin = models.ForeignKey(
        Basin, verbose_name="bassin", on_delete=models.CASCADE, related_name="diagnostic_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    parameters = models.JSONField("paramètres", default=dict, blank=True)
    batches = models.ManyToManyField(
        ImportBatch, verbose_name="imports utilisés", related_name="diagnostic_runs", blank=True
    )
    engine_version = models.CharField("version du moteur", max_length=20)
    data_key = models.CharField(
        "empreinte des données",
        max_length=64,
        db_index=True,
        help_text="SHA-256 de la composition du bassin, des imports, des paramètres et de la "
        "version du moteur.",
    )
    basin_snapshot = models.JSONField("bassin au moment du calcul", default=dict, blank=True)

    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress_percent = models.PositiveSmallIntegerField("progression (%)", default=0)
    progress_step = models.CharField("étape", max_length=200, blank=True)
    error_message = models.TextField("message d'erreur", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("démarré le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    step_durations = models.JSONField("durée des étapes (s)", default=dict, blank=True)
    # Outbox and claim (issue 15): when the task was last handed to the broker (None: never,
    # e.g. the broker was down), which worker process computes it and when it last said so.
    dispatched_at = models.DateTimeField("envoyé à la file le", null=True, blank=True)
    claimed_by = models.CharField("calculé par", max_length=200, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)

    # Written and read by orjson (`stored_json`): about 350 kB of JSON per run.
    results = models.JSONField(
        "résultats", null=True, blank=True, encoder=StoredJSONEncoder, decoder=StoredJSONDecoder
    )
    tables = models.JSONField(
        "tableaux", null=True, blank=True, encoder=StoredJSONEncoder, decoder=StoredJSONDecoder
    )

    class Meta:
        verbose_name = "diagnostic"
        verbose_name_plural = "diagnostics"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two requests for the same basin and data give one run; a failed run does not
            # block a new attempt.
            models.UniqueConstraint(
                fields=["data_key"],
                condition=~Q(status="failed"),
                name="diagnostic_run_one_live_per_data_key",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="diagnostic_run_progress_max_100"
            ),
        ]
        indexes = [
            models.Index(fields=["basin", "status", "-created_at"], name="diagnostic_run_basin"),
        ]

    def __str__(self) -> str:
        return f"Diagnostic n° {self.pk} — {self.basin_snapshot.get('name') or self.basin_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A done run is immutable: its report and exports must stay what they were.
        if self.pk and DiagnosticRun.objects.filter(pk=self.pk, status=self.Status.DONE).exists():
            raise ValueError(f"Le diagnostic n° {self.pk} est terminé : il ne peut plus changer.")
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
