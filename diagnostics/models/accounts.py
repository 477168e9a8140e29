from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    NATIONAL_ADMIN = "admin_national", "Administrateur national"
    REGIONAL_DELEGATE = "delegue_regional", "Délégué régional"
    CATALOGUE_ADMIN = "admin_catalogue", "Administrateur du catalogue"
    MAYOR_VIEWER = "mairie", "Mairie / EPCI (lecture des diagnostics partagés)"
    API_CLIENT = "client_api", "Client API"


class User(AbstractUser):
    """A person (or an API client) of the platform.

    What a user may see follows from `role`: a national admin sees everything, a regional delegate
    the basins of `regions`, a mayor's office only what was shared with it, an API client the
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
    def can_manage_basins(self) -> bool:
        """May register, edit and share basins (in the regions they follow)."""
        return self.is_national_admin or self.is_regional_delegate
