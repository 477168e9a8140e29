"""Dataset imports (issue 3): one `ImportBatch` per uploaded file, and the tidy fact tables of the
BMO survey, the INSEE unemployment rates and the generic indicators.

Facts carry their batch. A batch is immutable once done; a later successful batch of the same
kind and vintage marks it `superseded` but keeps it and its facts, so results computed from it keep
pointing to it. "Current" facts are those whose batch is `done` (`Fact.objects.current()`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DatasetKind(models.TextChoices):
    BMO = "bmo", "BMO — besoins en main-d'œuvre (France Travail)"
    CHOMAGE_ZE = "chomage_ze", "Taux de chômage par zone d'emploi (Insee)"
    DEFM = "defm", "Demandeurs d'emploi par commune (France Travail)"
    DEFM_SECTEUR = "defm_secteur", "Demandeurs d'emploi par bassin et secteur"
    TENSIONS = "tensions", "Tensions par métier et bassin (Dares)"
    LYCEES = "lycees", "Lycées (annuaire de l'éducation)"
    ROME = "rome", "Référentiel ROME 4.0"
    FAP = "fap", "Nomenclature FAP 2021"
    INDICATOR = "indicator", "Indicateur générique (CSV)"
    POPULATION_AGE = "population_age", "Population par département, sexe et âge (Insee)"


class ImportBatch(models.Model):
    """One uploaded file and what became of it: validated then written whole, or refused whole.

    `error_report` lists the row errors (dicts: line, column, value, rule), capped at
    `IMPORT_MAX_REPORTED_ERRORS`; `errors_total` always counts them all. `progress_percent` and
    `progress_step` are written while the batch runs so the page can show them.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "en file d'attente"
        VALIDATING = "validating", "en validation"
        REJECTED = "rejected", "refusé"
        IMPORTING = "importing", "en écriture"
        DONE = "done", "importé"
        FAILED = "failed", "échec"
        SUPERSEDED = "superseded", "remplacé"

    RUNNING = (Status.PENDING, Status.VALIDATING, Status.IMPORTING)

    kind = models.CharField(
        "type de données", max_length=32, choices=DatasetKind.choices, blank=True
    )
    kind_detected = models.BooleanField("type détecté dans le fichier", default=False)
    file_name = models.CharField("nom du fichier", max_length=255)
    file_path = models.CharField(
        "fichier conservé", max_length=500, blank=True, help_text="Relatif à MEDIA_ROOT."
    )
    file_size = models.BigIntegerField("taille (octets)", default=0)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    vintage = models.CharField("millésime", max_length=100, blank=True)
    vintage_detected = models.BooleanField("millésime détecté dans le fichier", default=False)
    period = models.CharField("période couverte", max_length=100, blank=True)
    nomenclature = models.CharField("version de nomenclature", max_length=100, blank=True)
    options = models.JSONField("options", default=dict, blank=True)

    rows_read = models.PositiveIntegerField("lignes lues", default=0)
    rows_written = models.PositiveIntegerField("lignes écrites", default=0)
    rows_rejected = models.PositiveIntegerField("lignes en erreur", default=0)
    errors_total = models.PositiveIntegerField("nombre d'erreurs", default=0)
    error_report = models.JSONField("rapport d'erreurs", default=list, blank=True)
    error_message = models.TextField("message d'erreur", blank=True)
    notes = models.JSONField("notes de lecture", default=dict, blank=True)

    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    started_at = models.DateTimeField("démarré le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    step_durations = models.JSONField("durée des étapes (s)", default=dict, blank=True)
    progress_percent = models.PositiveSmallIntegerField("progression (%)", default=0)
    progress_step = models.CharField("étape", max_length=200, blank=True)
    # Outbox and claim (issue 15), as on a diagnostic run.
    dispatched_at = models.DateTimeField("envoyé à la file le", null=True, blank=True)
    claimed_by = models.CharField("traité par", max_length=200, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)

    supersedes = models.ForeignKey(
        "self",
        verbose_name="remplace",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
    )

    class Meta:
        verbose_name = "import de données"
        verbose_name_plural = "imports de données"
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one current batch per kind and vintage: two concurrent imports of the same
            # vintage cannot both become current.
            models.UniqueConstraint(
                fields=["kind", "vintage"],
                condition=Q(status="done"),
                name="import_batch_one_done_per_kind_vintage",
            ),
            # One import per file at a time (issue 15): a file is queued, running or done in
            # at most one batch, whatever the number of concurrent uploads. A refused, failed
            # or superseded batch does not count (the file may be imported again).
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(status__in=["pending", "validating", "importing", "done"])
                & ~Q(sha256=""),
                name="import_batch_one_live_per_file",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="import_batch_kind_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or 'type inconnu'} — {self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class FactQuerySet(models.QuerySet):
    def current(self) -> FactQuerySet:
        """Facts of batches in force (done), not those of superseded ones."""
        return self.filter(batch__status=ImportBatch.Status.DONE)


FactManager = models.Manager.from_queryset(FactQuerySet)


class BmoFact(models.Model):
    """BMO survey cell: a bassin BMO (× département, for bassins spanning several) × métier.

    `met` recruitment projects, `xmet` judged difficult, `smet` seasonal. A cell under the
    secrecy threshold (`*` in the file) is NULL with its `*_masked` flag: never 0 or 1.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="bmo_facts")
    year = models.PositiveSmallIntegerField("année")
    bassin_code = models.CharField("code bassin BMO", max_length=5)
    bassin_name = models.CharField("nom du bassin", max_length=100, blank=True)
    departement_code = models.CharField("département", max_length=3, blank=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    metier_code = models.CharField("code métier BMO", max_length=8)
    metier_label = models.CharField("métier BMO", max_length=200, blank=True)
    famille_code = models.CharField("famille de métiers", max_length=4, blank=True)
    famille_label = models.CharField("libellé de la famille", max_length=100, blank=True)
    met = models.IntegerField("projets de recrutement", null=True, blank=True)
    xmet = models.IntegerField("projets jugés difficiles", null=True, blank=True)
    smet = models.IntegerField("projets saisonniers", null=True, blank=True)
    met_masked = models.BooleanField("met secret", default=False)
    xmet_masked = models.BooleanField("xmet secret", default=False)
    smet_masked = models.BooleanField("smet secret", default=False)

    objects = FactManager()

    class Meta:
        verbose_name = "cellule BMO"
        verbose_name_plural = "cellules BMO"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "bassin_code", "departement_code", "metier_code"],
                name="bmo_fact_unique_key",
            )
        ]
        indexes = [
            models.Index(fields=["bassin_code", "year"], name="bmo_fact_bassin_year"),
            models.Index(fields=["metier_code", "year"], name="bmo_fact_metier_year"),
        ]

    def __str__(self) -> str:
        return f"BMO {self.year} {self.bassin_code} {self.metier_code}"


class ChomageZeFact(models.Model):
    """INSEE localised unemployment rate (%, seasonally adjusted) of a zone d'emploi, a quarter."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="chomage_facts")
    zone_emploi_code = models.CharField("code ZE2020", max_length=4)
    period = models.CharField("trimestre", max_length=7, help_text="AAAA-Tn")
    year = models.PositiveSmallIntegerField("année")
    quarter = models.PositiveSmallIntegerField("trimestre")
    rate = models.FloatField("taux de chômage (%)")

    objects = FactManager()

    class Meta:
        verbose_name = "taux de chômage par zone d'emploi"
        verbose_name_plural = "taux de chômage par zone d'emploi"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "zone_emploi_code", "period"], name="chomage_fact_unique_key"
            )
        ]
        indexes = [
            models.Index(fields=["zone_emploi_code", "period"], name="chomage_fact_ze_period"),
        ]

    def __str__(self) -> str:
        return f"Chômage {self.zone_emploi_code} {self.period} : {self.rate} %"


class GeoLevel(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI"
    ZONE_EMPLOI = "zone_emploi", "Zone d'emploi"
    BASSIN_BMO = "bassin_bmo", "Bassin BMO"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"


class IndicatorFact(models.Model):
    """A value brought by users in the generic indicator CSV (NEET share, digital exclusion...):
    geographic level and code, period, indicator code, value, unit, source. A secret value is
    NULL with `masked`."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="indicator_facts")
    level = models.CharField("niveau géographique", max_length=16, choices=GeoLevel.choices)
    code = models.CharField("code géographique", max_length=9)
    period = models.CharField("période", max_length=20)
    indicator = models.CharField("indicateur", max_length=64)
    value = models.FloatField("valeur", null=True, blank=True)
    masked = models.BooleanField("valeur secrète", default=False)
    unit = models.CharField("unité", max_length=32, blank=True)
    source = models.CharField("source", max_length=200, blank=True)

    objects = FactManager()

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "level", "code", "period", "indicator"],
                name="indicator_fact_unique_key",
            )
        ]
        indexes = [
            models.Index(fields=["level", "code", "indicator"], name="indicator_fact_geo"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.level}:{self.code} {self.period} = {self.value}"
