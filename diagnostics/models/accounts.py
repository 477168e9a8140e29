from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    NATIONAL_ADMIN = "admin_national", "Administrateur national"
    REGIONAL_DELEGATE = "delegue_regional", "Délégué régional"
    CATALOGUE_ADMIN = "admin_catalogue", "Administrateur du catalogue"
    MAYOR_VIEWER = "mairie", "Mairie, EPCI ou partenaire local"
    API_CLIENT = "client_api", "Client API"


class User(AbstractUser):
    """A person (or an API client) of the platform.

    What a user may see follows from `role`: a national admin sees everything, a regional delegate
    the basins of `regions`, a mayor's office or a local partner (Mission locale, France Travail,
    lycée…, tied to its `partner_organisation`) only what was shared with it, an API client the
    indicators of `regions`. A catalogue admin curates the catalogue and the reference settings.
    """

    role = models.CharField("rôle", max_length=32, choices=Role.choices, default=Role.MAYOR_VIEWER)
    regions = models.ManyToManyField(
        "diagnostics.Region",
        verbose_name="régions",
        blank=True,
        related_name="users",
        help_text="Régions suivies (délégués régionaux, clients API).",
    )
    organisation = models.CharField("organisation", max_length=200, blank=True)
    partner_organisation = models.ForeignKey(
        "diagnostics.Organisation",
        verbose_name="organisation partenaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="Mairie, EPCI, Mission locale, agence France Travail, Région, lycée ou chambre "
        "consulaire d'un compte partenaire (rôle mairie / partenaire).",
    )

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"

    @property
    def is_national_admin(self) -> bool:
        return self.is_superuser or self.role == Role.NATIONAL_ADMIN

    @property
    def is_regional_delegate(self) -> bool:
        return self.role == Role.REGIONAL_DELEGATE

    @property
    def is_catalogue_admin(self) -> bool:
        return self.role == Role.CATALOGUE_ADMIN

    @property
    def is_mayor_viewer(self) -> bool:
        return self.role == Role.MAYOR_VIEWER

    @property
    def is_api_client(self) -> bool:
        return self.role == Role.API_CLIENT

    @property
    def organisation_label(self) -> str:
        """The structure the account speaks for, as shown next to its comments."""
        if self.partner_organisation_id:
            return self.partner_organisation.name  # type: ignore[union-attr]
        return self.organisation

    @property
    def can_manage_basins(self) -> bool:
        """May register, edit and share basins (in the regions they follow)."""
        return self.is_national_admin or self.is_regional_delegate
