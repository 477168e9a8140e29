"""Personal API tokens (issue 14): named, scoped, expiring, stored hashed.

A token is shown once, when it is created: `cnt_<prefix>_<secret>`. Only the prefix (to find
the row) and the SHA-256 of the whole token are stored. The secret has 256 bits of entropy, so a
fast hash is enough (no password stretching: nothing to brute-force) and lookups stay one
indexed query per request.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from .accounts import Role

TOKEN_PREFIX = "cnt_"


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_split(key: str) -> tuple[str, str] | None:
    """`cnt_<prefix>_<secret>` → (prefix, secret); None when the shape is wrong."""
    if len(key) == 40 and all(c in "0123456789abcdef" for c in key):
        return key[:8], key  # a key of the former DRF tokens, migrated hashed (0010)
    if not key.startswith(TOKEN_PREFIX):
        return None
    prefix, sep, secret = key[len(TOKEN_PREFIX) :].partition("_")
    if not sep or len(prefix) != 8 or len(secret) < 20:
        return None
    return prefix, secret


class Scope(models.TextChoices):
    INDICATORS_READ = "indicators:read", "Lecture (territoires, bassins, indicateurs, catalogue)"
    BASINS_WRITE = "basins:write", "Création et modification de bassins"
    RUNS_WRITE = "runs:write", "Demande de diagnostics et de planifications"
    IMPORTS_WRITE = "imports:write", "Dépôt de fichiers de données"
    CATALOGUE_WRITE = "catalogue:write", "Modification du catalogue"
    SHARES_WRITE = "shares:write", "Partages, commentaires et contributions"
    PROJECTS_WRITE = (
        "projects:write",
        "Projets d'implantation : suivi annuel, financements, abondement CPF, services",
    )
    PARTNERS_WRITE = "partners:write", "Partenaires typés et leurs contacts"


# What a token of each role may carry: never more than the role may do on the pages.
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.NATIONAL_ADMIN: tuple(Scope.values),
    Role.REGIONAL_DELEGATE: (
        Scope.INDICATORS_READ,
        Scope.BASINS_WRITE,
        Scope.RUNS_WRITE,
        Scope.IMPORTS_WRITE,
        Scope.SHARES_WRITE,
        Scope.PROJECTS_WRITE,
        Scope.PARTNERS_WRITE,
    ),
    Role.CATALOGUE_ADMIN: (Scope.INDICATORS_READ, Scope.IMPORTS_WRITE, Scope.CATALOGUE_WRITE),
    # A mayor's office or partner comments and proposes contributions on what is shared with it.
    Role.MAYOR_VIEWER: (Scope.INDICATORS_READ, Scope.SHARES_WRITE),
    Role.API_CLIENT: (Scope.INDICATORS_READ,),
}


class ApiToken(models.Model):
    """A personal API token of a user: name, scopes, expiry, last use; the secret is hashed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="utilisateur",
    )
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField("préfixe", max_length=12, unique=True)
    key_hash = models.CharField("empreinte SHA-256", max_length=64)
    scopes = models.JSONField("portées", default=list)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_unique_active_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (cnt_{self.prefix}_…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "révoqué"
        if self.is_expired:
            return "expiré"
        return "actif"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
