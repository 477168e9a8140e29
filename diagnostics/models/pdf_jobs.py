"""PDF reports as background jobs (issue 15: « PDF rendering through a bounded pool or queue, a job
with progress »)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .basins import Basin
from .runs import DiagnosticRun
from .sharing import SharedVersion


class PdfJob(models.Model):
    """One PDF report asked for by one account: the page's HTML, printed in the requester's scope
    when asked (the same rules as the page), rendered by a worker through the bounded pool of
    Chromium (`services.pdf_pool`), then kept PDF_JOB_RETENTION_H hours. Only its requester sees
    it. The pending row is the outbox of its task; a worker claims it by owner and heartbeat, as
    a diagnostic run."""

    class Status(models.TextChoices):
        PENDING = "pending", "En file d'attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Prêt"
        FAILED = "failed", "Échec"

    class Kind(models.TextChoices):
        DIAGNOSTIC = "diagnostic", "Rapport du diagnostic"
        SHARED_VERSION = "shared_version", "Version partagée"
        BUSINESS_MODEL = "business_model", "Modèle économique"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.CASCADE,
        related_name="pdf_jobs",
    )
    kind = models.CharField("document", max_length=20, choices=Kind.choices)
    # The document printed: a diagnostic run (its report, or a shared version of it), or a
    # basin (its business model, printed with the page's parameters).
    run = models.ForeignKey(
        DiagnosticRun,
        verbose_name="diagnostic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pdf_jobs",
    )
    basin = models.ForeignKey(
        Basin,
        verbose_name="bassin",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pdf_jobs",
    )
    page_query = models.TextField(
        "paramètres de la page", blank=True, help_text="la page imprimée, pour y revenir"
    )
    version = models.ForeignKey(
        SharedVersion,
        verbose_name="version partagée",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pdf_jobs",
    )
    title = models.CharField("titre", max_length=300)
    file_name = models.CharField("nom du fichier", max_length=200)
    html = models.TextField("page à imprimer", blank=True)
    html_sha256 = models.CharField("empreinte de la page", max_length=64, db_index=True)
    pdf = models.BinaryField("PDF", null=True, blank=True)
    pdf_size = models.PositiveIntegerField("taille (octets)", default=0)

    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress_percent = models.PositiveSmallIntegerField("progression (%)", default=0)
    progress_step = models.CharField("étape", max_length=200, blank=True)
    error_message = models.TextField("message d'erreur", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("démarré le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    # Outbox and claim (issue 15), as on a diagnostic run.
    dispatched_at = models.DateTimeField("envoyé à la file le", null=True, blank=True)
    claimed_by = models.CharField("traité par", max_length=200, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)

    class Meta:
        verbose_name = "rapport PDF"
        verbose_name_plural = "rapports PDF"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="business_model", basin__isnull=False)
                | models.Q(kind__in=["diagnostic", "shared_version"], run__isnull=False),
                name="pdf_job_names_its_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
