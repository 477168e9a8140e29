from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    LOGIN = "login", "Connexion"
    LOGIN_FAILED = "login_failed", "Échec de connexion"
    LOCKOUT = "lockout", "Connexion verrouillée (trop d'échecs)"
    LOGOUT = "logout", "Déconnexion"
    USER_CREATE = "user_create", "Création de compte"
    ROLE_CHANGE = "role_change", "Changement de rôle ou de régions"
    SHARE = "share", "Partage d'un bassin"
    UNSHARE = "unshare", "Fin d'un partage"
    TOKEN_CREATE = "token_create", "Création d'un jeton d'API"
    TOKEN_REVOKE = "token_revoke", "Révocation d'un jeton d'API"
    IMPORT = "import", "Import de données"
    BASIN_DELETE = "basin_delete", "Suppression d'un bassin"
    RUN_DELETE = "run_delete", "Suppression d'un diagnostic"
    PROJECT_DELETE = "project_delete", "Suppression d'un projet d'implantation"
    AUDIT_PURGE = "audit_purge", "Purge du journal"
    BACKUP = "backup", "Sauvegarde de la base"
    RESTORE = "restore", "Restauration d'une sauvegarde"


class AuditEvent(models.Model):
    """One security-relevant action: who (account and the name typed, kept if the account is
    deleted), when, what (action and target), from where (client address).

    Written by `diagnostics.services.audit.audit_record` only; never edited. Kept
    AUDIT_RETENTION_DAYS days (`manage.py audit_purge`)."""

    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField("identifiant", max_length=150, blank=True, db_index=True)
    action = models.CharField("action", max_length=32, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField("type d'objet", max_length=64, blank=True)
    target_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    target_label = models.CharField("objet", max_length=255, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "événement du journal de sécurité"
        verbose_name_plural = "journal de sécurité"
        ordering = ("-at", "-pk")
        indexes = [models.Index(fields=("action", "-at"), name="audit_action_at")]

    def __str__(self) -> str:
        # Paris time, as every date shown (the stored datetime is UTC).
        at = timezone.localtime(self.at) if self.at else None
        return f"{at:%Y-%m-%d %H:%M} {self.username or '—'} {self.action} {self.target_label}"
