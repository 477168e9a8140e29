"""The shared diagnostic (issue 13, ADR 0014): what a delegate shares with the local actors.

- `Organisation`: the structure a partner account belongs to (mairie, EPCI, Mission locale,
  France Travail agency, the Région's services, a lycée, a consular chamber). Such accounts have
  the role « mairie / EPCI / partenaire » and the same rules as a mayor's office.
- `SharedVersion`: one finished diagnostic run of a basin shared as it was — the run (immutable
  once done) plus a frozen copy of its key figures, of the catalogue gap and of the
  recommendation at the time of sharing, with the delegate's message. What the recipients read
  never changes under them; a newer run is shared as a new version.
- `ShareRecipient`: one account a version is shared with (read marker, revocation). The
  basin-level `BasinShare` stays the access grant to the basin (ADR 0014): sharing a version
  ensures it, revoking it revokes every version of the basin for that account.
- `ShareComment`: a comment on a section of a shared version (threaded by `parent`).
- `Notification`: an in-app notice for a delegate (new comment, new contribution).
- `ShareLink` / `ShareLinkView`: a read-only link to one version for people without an account,
  stored hashed, expiring and revocable, each view logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .basins import Basin
from .limits import NOTE_MAX_LENGTH
from .runs import DiagnosticRun


class Organisation(models.Model):
    """A partner structure of the programme (issue 18: typed partners): its accounts read,
    comment and contribute to shared diagnostics (issue 13), its contacts (`contacts`,
    `diagnostics.models.partners.OrganisationContact`) are who the delegate calls, and the
    recommendation's constraints count the lycées and shared places located in a basin.

    `region`: the region it works in (a delegate manages the partners of their regions; none =
    national partner, e.g. an OPCO or La Poste's head office, managed by national admins);
    `commune`: where it is, which places it in the basins containing that commune."""

    class Kind(models.TextChoices):
        MAIRIE = "mairie", "Mairie"
        EPCI = "epci", "EPCI (intercommunalité)"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        FRANCE_TRAVAIL = "france_travail", "Agence France Travail"
        REGION = "region", "Services de la Région"
        DEPARTEMENT = "departement", "Département (conventions d'insertion)"
        PLIE = "plie", "PLIE (plan local pour l'insertion et l'emploi)"
        OPCO = "opco", "OPCO (opérateur de compétences)"
        LYCEE = "lycee", "Lycée"
        CHAMBER = "chambre_consulaire", "Chambre consulaire (CCI, CMA, agriculture)"
        LA_POSTE = "la_poste", "La Poste"
        TIERS_LIEU = "tiers_lieu", "Tiers-lieu"
        MAISON_EMPLOI = "maison_emploi", "Maison de l'emploi"

    # What the recommendation's constraints count (implantations.selectors.recommendation).
    LYCEES = (Kind.LYCEE,)
    SHARED_PLACES = (Kind.MISSION_LOCALE, Kind.TIERS_LIEU, Kind.MAISON_EMPLOI)

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        "diagnostics.Region",
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text="Vide : partenaire national (géré par l'administration nationale).",
    )
    commune = models.ForeignKey(
        "diagnostics.Commune",
        verbose_name="commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Où se trouve la structure : la place dans les bassins qui contiennent la commune.",
    )
    address = models.CharField("adresse", max_length=300, blank=True)
    website = models.URLField("site internet", blank=True)
    notes = models.TextField("notes", max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "organisation partenaire"
        verbose_name_plural = "organisations partenaires"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class SharedVersion(models.Model):
    """A finished run of a basin shared as it was (see the module docstring).

    `key_figures`: [{label, value, note}] as shown at sharing time; `gap`: the catalogue gap
    document (None when the catalogue could not compute one, `gap_note` says why);
    `recommendation`: the recommendation document (None without one, `recommendation_note`)."""

    basin = models.ForeignKey(
        Basin, verbose_name="bassin", on_delete=models.CASCADE, related_name="shared_versions"
    )
    run = models.ForeignKey(
        DiagnosticRun,
        verbose_name="diagnostic partagé",
        on_delete=models.PROTECT,
        related_name="shared_versions",
    )
    message = models.TextField("message du délégué", blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="partagé par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("partagé le", auto_now_add=True)
    key_figures = models.JSONField("chiffres clés figés", default=list, blank=True)
    gap = models.JSONField("écart au catalogue figé", null=True, blank=True)
    gap_note = models.CharField(max_length=300, blank=True)
    recommendation = models.JSONField("recommandation figée", null=True, blank=True)
    recommendation_note = models.CharField(max_length=300, blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ShareRecipient",
        through_fields=("version", "user"),
        related_name="received_versions",
        blank=True,
    )

    class Meta:
        verbose_name = "version partagée"
        verbose_name_plural = "versions partagées"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["basin", "-created_at"], name="shared_version_basin")]

    def __str__(self) -> str:
        return f"Version n° {self.pk} — {self.basin} (diagnostic n° {self.run_id})"

    @property
    def concept(self) -> str:
        return str((self.recommendation or {}).get("shown_concept") or "")


class ShareRecipient(models.Model):
    """One account a version is shared with; `revoked_at` set: the account no longer reads it."""

    version = models.ForeignKey(SharedVersion, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField("lu le", null=True, blank=True)
    revoked_at = models.DateTimeField("retiré le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "destinataire"
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="share_recipient_unique")
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="share_recipient_user")]

    def __str__(self) -> str:
        return f"{self.version_id} → {self.user_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ShareComment(models.Model):
    """A comment on a section of a shared version; `parent` makes a thread (one level shown
    nested per reply). `body` is plain text, always escaped when shown."""

    version = models.ForeignKey(SharedVersion, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField("section", max_length=40)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField("commentaire", max_length=4000)
    created_at = models.DateTimeField("écrit le", auto_now_add=True)
    edited_at = models.DateTimeField("modifié le", null=True, blank=True)
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)

    class Meta:
        verbose_name = "commentaire"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["version", "section"], name="share_comment_section")]

    def __str__(self) -> str:
        return f"Commentaire n° {self.pk} ({self.section})"


class Notification(models.Model):
    """An in-app notice (a comment or a contribution to look at); also sent by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    basin = models.ForeignKey(Basin, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    text = models.CharField(max_length=400)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user")]

    def __str__(self) -> str:
        return self.text


class ShareLink(models.Model):
    """A read-only link to one version for people without an account. Only the SHA-256 of the
    token is stored: the link is shown once, at creation."""

    version = models.ForeignKey(SharedVersion, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField("pour qui", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("retiré le", null=True, blank=True)

    class Meta:
        verbose_name = "lien de lecture"
        verbose_name_plural = "liens de lecture"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Lien n° {self.pk} — version {self.version_id}"


class ShareLinkView(models.Model):
    """One opening of a read-only link (the address is stored hashed)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(auto_now_add=True)
    client_hash = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "consultation d'un lien"
        ordering = ["-viewed_at", "-id"]

    def __str__(self) -> str:
        return (
            f"Lien n° {self.link_id} ouvert le {timezone.localtime(self.viewed_at):%d/%m/%Y %H:%M}"
        )
