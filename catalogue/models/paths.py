"""The training catalogue (issue 5): sectors (filières), training paths (parcours) and the local
supply recorded on a basin (paths already delivered in or near it).

Multi-valued attributes of a path — modalities, pillars, target publics, implantation concepts —
are small reference tables (code as primary key, seeded by migration) linked many-to-many, so
that pages, admin filters and the CSV / XLSX import filter them in the database. The
occupations a path leads to are two lists of codes (BMO métier codes, FAP 2021 based, and ROME
4.0 codes): their formats are checked here, their existence in the imported referentials by
`catalogue.selectors.catalogue.occupation_code_errors` (forms, imports and the fixture loader call it).
Every change of a sector, a path (with its many-to-many links) or a local offer is kept by
django-simple-history.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from diagnostics.models.limits import NOTE_MAX_LENGTH

# BMO métier codes are FAP 2021 "228" codes (`A0X40`, `G0A41`); the 2023 survey still used the
# older FAP 2009-based codes (`L1Z60`), same shape with a `Z` in third position.
BMO_CODE_RE = re.compile(r"^[A-Z][0-9A-Z][A-Z][0-9]{2}$")
ROME_CODE_RE = re.compile(r"^[A-Z][0-9]{4}$")
RNCP_CODE_RE = re.compile(r"^(RNCP|RS)[0-9]{1,6}$")
PATH_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


def normalise_codes(value: Any) -> list[str]:
    """A list of codes from a list or a string (separators: `|`, `,`, `;`, spaces), upper-cased,
    deduplicated, in the order given."""
    if value is None:
        return []
    items = re.split(r"[|,;\s]+", value) if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        code = str(item).strip().upper()
        if code and code not in out:
            out.append(code)
    return out


def code_format_errors(codes: list[str], *, pattern: re.Pattern[str], example: str) -> list[str]:
    bad = [code for code in codes if not pattern.match(code)]
    if not bad:
        return []
    return [f"Format invalide : {', '.join(bad)} (attendu par exemple « {example} »)."]


# The fixed lists (code, French label), in display order. Seeded by migration 0002 (which keeps
# its own copy, as migrations must) and brought back by `catalogue_choices_ensure` — a flushed
# database (transactional tests) loses the rows a data migration wrote.
CHOICES: dict[str, list[tuple[str, str]]] = {
    "Modality": [
        ("presentiel", "Présentiel"),
        ("hybride", "Hybride"),
        ("alternance", "Alternance"),
        ("distance", "À distance"),
    ],
    "Pillar": [
        ("alternance", "Alternance"),
        ("pst", "Promotion supérieure du travail (jour ou soir)"),
        ("formation_continue", "Formation continue"),
        ("ardan", "Ardan (nouvelles activités en TPE-PME)"),
    ],
    "TargetPublic": [
        ("decrocheurs", "Jeunes décrocheurs"),
        ("demandeurs_emploi", "Demandeurs d'emploi"),
        ("salaries", "Salariés"),
        ("entrepreneurs", "Entrepreneurs"),
        ("bacheliers_pro", "Bacheliers professionnels"),
    ],
    "Purpose": [
        ("professionnalisation", "Professionnalisation"),
        ("montee_competences", "Montée en compétences"),
        ("remise_niveau", "Remise à niveau"),
        ("reconversion", "Reconversion"),
        ("vae", "VAE (validation des acquis de l'expérience)"),
        ("bootcamp", "Boot-camp"),
    ],
    "Concept": [
        ("clef_en_main", "Clef en main"),
        ("fab_id", "Fab ID (tiers-lieu)"),
        ("progressif", "Progressif"),
    ],
}


class ChoiceItem(models.Model):
    """A value of a fixed list (code, French label, display order), seeded by migration."""

    code = models.CharField("code", max_length=32, primary_key=True)
    label = models.CharField("libellé", max_length=100)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label


class Modality(ChoiceItem):
    class Meta(ChoiceItem.Meta):
        verbose_name = "modalité"
        verbose_name_plural = "modalités"


class Pillar(ChoiceItem):
    """One of the four pillars of the turnkey concept (alternance, promotion supérieure du
    travail, formation continue, Ardan)."""

    class Meta(ChoiceItem.Meta):
        verbose_name = "pilier"
        verbose_name_plural = "piliers"


class TargetPublic(ChoiceItem):
    class Meta(ChoiceItem.Meta):
        verbose_name = "public visé"
        verbose_name_plural = "publics visés"


class Purpose(ChoiceItem):
    """What a path is for (professionnalisation, montée en compétences, remise à niveau,
    reconversion, VAE, boot-camp): a path may serve several purposes."""

    class Meta(ChoiceItem.Meta):
        verbose_name = "finalité"
        verbose_name_plural = "finalités"


class Concept(ChoiceItem):
    """An implantation concept able to deliver a path (clef en main, Fab ID, progressif)."""

    class Meta(ChoiceItem.Meta):
        verbose_name = "concept d'implantation"
        verbose_name_plural = "concepts d'implantation"


class Sector(models.Model):
    """A sector (filière) of the catalogue: entrepreneurship, digital, industry…"""

    code = models.CharField(
        "code",
        max_length=20,
        unique=True,
        validators=[RegexValidator(PATH_CODE_RE, "Code : majuscules, chiffres et tirets.")],
    )
    name = models.CharField("nom", max_length=150)
    description = models.TextField("description", max_length=NOTE_MAX_LENGTH, blank=True)
    order = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    illustrative = models.BooleanField(
        "illustratif",
        default=False,
        help_text="Donnée d'exemple du catalogue illustratif, pas une offre officielle.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "filière"
        verbose_name_plural = "filières"
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="catalogue_sector_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingPath(models.Model):
    """A training path of the catalogue: what it certifies, at which level, how it is
    delivered, for whom, and the occupations it leads to.

    `bmo_codes` and `rome_codes` are lists of codes (see the module docstring). A path without
    any occupation is allowed (an orientation module, the Passe numérique): the gap analysis
    keeps it but leaves it out of the ranking and says why. `illustrative` marks the rows of
    the illustrative fixture: no official RNCP code is ever invented for them.
    """

    class CertificationType(models.TextChoices):
        NATIONAL_DIPLOMA = "diplome_national", "Diplôme national"
        RNCP_TITLE = "titre_rncp", "Titre RNCP"
        CERTIFICATION = "certification", "Certification (répertoire spécifique)"
        SKILLS_CERTIFICATE = "certificat_competence", "Certificat de compétence"
        MODULE = "module", "Module non certifiant"

    class Level(models.IntegerChoices):
        LEVEL_3 = 3, "Niveau 3 (infra-bac : CAP, BEP)"
        LEVEL_4 = 4, "Niveau 4 (bac)"
        LEVEL_5 = 5, "Niveau 5 (bac + 2)"
        LEVEL_6 = 6, "Niveau 6 (bac + 3 / bac + 4)"
        LEVEL_7 = 7, "Niveau 7 (bac + 5)"

    class Status(models.TextChoices):
        ACTIVE = "actif", "Actif"
        ARCHIVED = "archive", "Archivé"

    code = models.CharField(
        "code",
        max_length=20,
        unique=True,
        validators=[RegexValidator(PATH_CODE_RE, "Code : majuscules, chiffres et tirets.")],
        help_text="Identifiant court et stable (ex. NUM-02), utilisé par les imports.",
    )
    title = models.CharField("intitulé", max_length=200)
    sector = models.ForeignKey(
        Sector, verbose_name="filière", on_delete=models.PROTECT, related_name="paths"
    )
    certification_type = models.CharField(
        "type de certification", max_length=32, choices=CertificationType.choices
    )
    rncp_code = models.CharField(
        "code RNCP / RS",
        max_length=12,
        blank=True,
        validators=[RegexValidator(RNCP_CODE_RE, "Code attendu : RNCP12345 ou RS1234.")],
        help_text="Seulement quand la certification en a un ; ne jamais en inventer.",
    )
    level = models.PositiveSmallIntegerField(
        "niveau (cadre national)",
        choices=Level.choices,
        null=True,
        blank=True,
        help_text="Vide pour un module sans niveau de certification.",
    )
    duration_hours = models.PositiveIntegerField(
        "durée (heures)", validators=[MinValueValidator(1)]
    )
    modalities = models.ManyToManyField(Modality, verbose_name="modalités", related_name="+")
    purposes = models.ManyToManyField(
        Purpose, verbose_name="finalités", blank=True, related_name="+"
    )
    rolling_entries = models.BooleanField(
        "entrées et sorties permanentes",
        default=False,
        help_text="Entrées possibles tout au long de l'année (boot-camp, parcours modulaire).",
    )
    pillars = models.ManyToManyField(Pillar, verbose_name="piliers", blank=True, related_name="+")
    publics = models.ManyToManyField(
        TargetPublic, verbose_name="publics visés", blank=True, related_name="+"
    )
    concepts = models.ManyToManyField(
        Concept, verbose_name="concepts d'implantation", blank=True, related_name="+"
    )
    cpf_eligible = models.BooleanField("éligible au CPF", default=True)
    prerequisites = models.TextField("prérequis", max_length=NOTE_MAX_LENGTH, blank=True)
    description = models.TextField("présentation", max_length=NOTE_MAX_LENGTH, blank=True)
    bmo_codes = models.JSONField(
        "métiers BMO (FAP 2021)",
        default=list,
        blank=True,
        help_text="Codes métier BMO, séparés par « | » (ex. L1X60|L1Z60).",
    )
    rome_codes = models.JSONField(
        "codes ROME 4.0",
        default=list,
        blank=True,
        help_text="Codes ROME, séparés par « | » (ex. M1203|M1507).",
    )
    status = models.CharField(
        "statut", max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    illustrative = models.BooleanField(
        "illustratif",
        default=False,
        help_text="Donnée d'exemple du catalogue illustratif, pas une offre officielle.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    history = HistoricalRecords(m2m_fields=[modalities, purposes, pillars, publics, concepts])

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["sector__order", "sector__name", "title"]
        constraints = [
            models.UniqueConstraint(
                Lower("title"),
                name="catalogue_path_unique_title",
                violation_error_message="Un parcours porte déjà cet intitulé.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def has_occupations(self) -> bool:
        return bool(self.bmo_codes or self.rome_codes)

    def clean(self) -> None:
        """Formats only (the referentials are checked by `occupation_code_errors`)."""
        self.bmo_codes = normalise_codes(self.bmo_codes)
        self.rome_codes = normalise_codes(self.rome_codes)
        self.title = (self.title or "").strip()
        self.code = (self.code or "").strip().upper()
        errors: dict[str, list[str]] = {}
        bmo = code_format_errors(self.bmo_codes, pattern=BMO_CODE_RE, example="L1X60")
        rome = code_format_errors(self.rome_codes, pattern=ROME_CODE_RE, example="M1203")
        if bmo:
            errors["bmo_codes"] = bmo
        if rome:
            errors["rome_codes"] = rome
        if self.rncp_code and self.certification_type == self.CertificationType.MODULE:
            errors["rncp_code"] = ["Un module non certifiant n'a pas de code RNCP ni RS."]
        if errors:
            raise ValidationError(errors)


class LocalOffer(models.Model):
    """A training already delivered in or near a basin, by the Cnam or by another provider: the
    local supply the gap analysis subtracts from the demand.

    Either a path of the catalogue (`path`) or a free title with its own occupations; an offer
    of a path without its own codes takes the path's occupations.
    """

    basin = models.ForeignKey(
        "diagnostics.Basin",
        verbose_name="bassin",
        on_delete=models.CASCADE,
        related_name="local_offers",
    )
    path = models.ForeignKey(
        TrainingPath,
        verbose_name="parcours du catalogue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="local_offers",
    )
    title = models.CharField(
        "intitulé",
        max_length=200,
        blank=True,
        help_text="Pour une formation hors catalogue (sinon, l'intitulé du parcours).",
    )
    provider = models.CharField("organisme", max_length=200)
    is_cnam = models.BooleanField("délivrée par le Cnam", default=False)
    bmo_codes = models.JSONField("métiers BMO", default=list, blank=True)
    rome_codes = models.JSONField("codes ROME", default=list, blank=True)
    places_per_year = models.PositiveIntegerField("places par an")
    source = models.CharField("source", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("saisie le", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "offre locale de formation"
        verbose_name_plural = "offres locales de formation"
        ordering = ["basin_id", "title", "id"]

    def __str__(self) -> str:
        return f"{self.display_title} — {self.provider}"

    @property
    def display_title(self) -> str:
        return self.title or (self.path.title if self.path_id and self.path else "")

    def clean(self) -> None:
        self.bmo_codes = normalise_codes(self.bmo_codes)
        self.rome_codes = normalise_codes(self.rome_codes)
        self.title = (self.title or "").strip()
        errors: dict[str, list[str]] = {}
        if not self.path_id and not self.title:
            errors["title"] = ["Choisissez un parcours du catalogue ou saisissez un intitulé."]
        if not self.path_id and not (self.bmo_codes or self.rome_codes) and self.title:
            errors["bmo_codes"] = [
                "Une formation hors catalogue doit indiquer au moins un métier (BMO ou ROME) "
                "pour être rapprochée des besoins."
            ]
        bmo = code_format_errors(self.bmo_codes, pattern=BMO_CODE_RE, example="L1X60")
        rome = code_format_errors(self.rome_codes, pattern=ROME_CODE_RE, example="M1203")
        if bmo:
            errors.setdefault("bmo_codes", []).extend(bmo)
        if rome:
            errors["rome_codes"] = rome
        if errors:
            raise ValidationError(errors)
