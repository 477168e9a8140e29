"""Assets of a basin recorded by its delegates: the structures that could host a Cnam site and the
local partners. The recommendation reads them (hard constraints and host / partner criteria).

- `HostStructure`: a lycée (prefilled from the imported annuaire with its official flags, then
  confirmed by the delegate), a shared place (Mission Locale, France Services, tiers-lieu, Maison
  de l'emploi) or a host of the economic ecosystem (campus, business hub, chamber). Only
  confirmed structures count as partners; the distance to the main town is computed on save.
- `BasinPartnership` (one per basin): EPCI commitment, premises lent by the town, and whether
  the inventory of host structures is complete (so that « none » reads 0, not « unknown »).
- `EmployerLetter`: an employer's letter of intent (sector, number of learners or hires).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class HostStructure(models.Model):
    class Kind(models.TextChoices):
        LYCEE = "lycee", "Lycée"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        FRANCE_SERVICES = "france_services", "France Services"
        TIERS_LIEU = "tiers_lieu", "Tiers-lieu"
        MAISON_EMPLOI = "maison_emploi", "Maison de l'emploi"
        CAMPUS = "campus", "Campus ou établissement d'enseignement supérieur"
        BUSINESS_HUB = "pole_entreprises", "Pôle d'entreprises, pépinière"
        CHAMBER = "chambre_consulaire", "Chambre consulaire (CCI, CMA, agriculture)"

    class Origin(models.TextChoices):
        ANNUAIRE = "annuaire", "annuaire de l'éducation"
        DECLARED = "declare", "déclaré par le délégué"

    SHARED_PLACES = (Kind.MISSION_LOCALE, Kind.FRANCE_SERVICES, Kind.TIERS_LIEU, Kind.MAISON_EMPLOI)
    ECONOMIC_HOSTS = (Kind.CAMPUS, Kind.BUSINESS_HUB, Kind.CHAMBER)

    basin = models.ForeignKey(
        "diagnostics.Basin", on_delete=models.CASCADE, related_name="host_structures"
    )
    kind = models.CharField("type", max_length=32, choices=Kind.choices)
    name = models.CharField("nom", max_length=200)
    commune = models.ForeignKey(
        "diagnostics.Commune",
        verbose_name="commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    distance_km = models.FloatField(
        "distance à la ville principale (km)",
        null=True,
        blank=True,
        help_text="À vol d'oiseau, calculée à l'enregistrement.",
    )
    origin = models.CharField(
        "origine", max_length=16, choices=Origin.choices, default=Origin.DECLARED
    )
    uai = models.CharField("UAI", max_length=8, blank=True)
    voie_professionnelle = models.BooleanField("voie professionnelle", null=True, blank=True)
    voie_technologique = models.BooleanField("voie technologique", null=True, blank=True)
    flags_official = models.BooleanField(
        "voies d'après l'annuaire officiel",
        default=False,
        help_text="Faux : voies déclarées par le délégué (ou inconnues).",
    )
    confirmed = models.BooleanField(
        "partenaire confirmé",
        default=False,
        help_text="Le délégué a vérifié que la structure peut accueillir le Cnam.",
    )
    premises_can_grow = models.BooleanField(
        "locaux extensibles en années 2 et 3", null=True, blank=True
    )
    notes = models.CharField("remarques", max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "structure d'accueil"
        verbose_name_plural = "structures d'accueil"
        ordering = ["basin_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["basin", "uai"], condition=~Q(uai=""), name="host_structure_unique_uai"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_vocational_lycee(self) -> bool:
        return self.kind == self.Kind.LYCEE and bool(
            self.voie_professionnelle or self.voie_technologique
        )

    @property
    def flags_unknown(self) -> bool:
        return (
            self.kind == self.Kind.LYCEE
            and self.voie_professionnelle is None
            and self.voie_technologique is None
        )

    @property
    def is_shared_place(self) -> bool:
        return self.kind in self.SHARED_PLACES

    @property
    def is_economic_host(self) -> bool:
        return self.kind in self.ECONOMIC_HOSTS


class BasinPartnership(models.Model):
    """The basin's partners as recorded by its delegates (one row per basin)."""

    class EpciCommitment(models.TextChoices):
        UNKNOWN = "", "non renseigné"
        NONE = "aucun", "aucun engagement"
        INTERESTED = "interesse", "intéressé"
        COMMITTED = "engage", "engagé par délibération"
        SIGNED = "convention", "convention signée"

    basin = models.OneToOneField(
        "diagnostics.Basin", on_delete=models.CASCADE, related_name="partnership"
    )
    epci_commitment = models.CharField(
        "engagement de l'EPCI",
        max_length=16,
        choices=EpciCommitment.choices,
        blank=True,
        default=EpciCommitment.UNKNOWN,
    )
    town_lends_premises = models.BooleanField("la commune prête des locaux", null=True, blank=True)
    premises_note = models.CharField("locaux : précisions", max_length=300, blank=True)
    inventory_done = models.BooleanField(
        "inventaire des structures d'accueil terminé",
        default=False,
        help_text="Coché : un type de structure absent de la liste compte pour 0 (sinon "
        "« non renseigné »).",
    )
    letters_recorded = models.BooleanField(
        "lettres d'intention recensées",
        default=False,
        help_text="Coché : zéro lettre compte pour 0 (sinon « non renseigné »).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "partenariats du bassin"
        verbose_name_plural = "partenariats des bassins"

    def __str__(self) -> str:
        return f"Partenariats — {self.basin}"


class EmployerLetter(models.Model):
    """An employer's letter of intent: it would send learners or hire trained people."""

    basin = models.ForeignKey(
        "diagnostics.Basin", on_delete=models.CASCADE, related_name="employer_letters"
    )
    employer = models.CharField("employeur", max_length=200)
    sector = models.CharField("secteur", max_length=120, blank=True)
    learners = models.PositiveIntegerField(
        "apprenants ou recrutements annoncés", null=True, blank=True
    )
    received_on = models.DateField("reçue le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lettre d'intention d'employeur"
        verbose_name_plural = "lettres d'intention d'employeurs"
        ordering = ["basin_id", "employer"]

    def __str__(self) -> str:
        return f"{self.employer} ({self.basin})"
