"""Facts and reference tables of the other official sources (issue 3): job seekers (DEFM) per
territory and month and per bassin × NAF section, DARES tension indicators per ROME × bassin, and
the ROME 4.0, FAP 2021 and lycée referentials.

Every row carries its `ImportBatch` (source file, vintage, nomenclature). As for the BMO facts, a
later batch of the same kind and vintage supersedes a batch but keeps it and its rows:
`Model.objects.current()` gives the rows of the batches in force. A value that is secret in the
file or cannot be trusted is NULL with a flag, never 0. Territories are referred to by their
codes (as the facts are published), indexed for per-basin queries.
"""

from __future__ import annotations

from django.db import models

from .imports import FactManager, GeoLevel, ImportBatch


class DefmFact(models.Model):
    """Job seekers registered at France Travail on the first day of `month` (catégories A, B, C)
    in a commune, a département or a région.

    `masked`: secret in the file. `ambiguous`: the file gives several different values for this
    territory and month (ADR 0005, update 2): unknown, never one of them nor their sum.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="defm_facts")
    level = models.CharField("niveau géographique", max_length=16, choices=GeoLevel.choices)
    code = models.CharField("code géographique", max_length=9)
    month = models.DateField("mois", help_text="Premier jour du mois.")
    category = models.CharField("catégories", max_length=8, default="ABC")
    job_seekers = models.IntegerField("demandeurs d'emploi", null=True, blank=True)
    masked = models.BooleanField("valeur secrète", default=False)
    ambiguous = models.BooleanField("valeurs contradictoires dans le fichier", default=False)

    objects = FactManager()

    class Meta:
        verbose_name = "demandeurs d'emploi par mois"
        verbose_name_plural = "demandeurs d'emploi par mois"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "level", "code", "month", "category"], name="defm_fact_unique_key"
            )
        ]
        indexes = [models.Index(fields=["level", "code", "month"], name="defm_fact_geo_month")]

    def __str__(self) -> str:
        return (
            f"DEFM {self.category} {self.level}:{self.code} {self.month:%Y-%m} = {self.job_seekers}"
        )


class DefmSecteurFact(models.Model):
    """Job seekers of a bassin BMO whose last employer was in a NAF rév. 2 section.

    `naf_section` is the section letter, "" for the publisher's « activité inconnue ».
    `bassin_known` is False for a line kept on a bassin code absent from the referential (older
    zoning, kept and counted: ADR 0005, update 2), "" being a line without a bassin.
    """

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="defm_secteur_facts"
    )
    bassin_code = models.CharField("code bassin BMO", max_length=5, blank=True)
    bassin_known = models.BooleanField("bassin du référentiel", default=True)
    naf_section = models.CharField("section NAF", max_length=1, blank=True)
    sector_label = models.CharField("secteur", max_length=200)
    job_seekers = models.IntegerField("demandeurs d'emploi", null=True, blank=True)

    objects = FactManager()

    class Meta:
        verbose_name = "demandeurs d'emploi par bassin et secteur"
        verbose_name_plural = "demandeurs d'emploi par bassin et secteur"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "bassin_code", "naf_section"], name="defm_secteur_fact_unique_key"
            )
        ]
        indexes = [models.Index(fields=["bassin_code"], name="defm_secteur_fact_bassin")]

    def __str__(self) -> str:
        return f"DEFM {self.bassin_code} {self.naf_section or '?'} = {self.job_seekers}"


class TensionFact(models.Model):
    """DARES / France Travail tension indicator of an occupation (ROME) in a bassin BMO, a year.

    `tension` and the complementary factors are published on a 1–5 scale (quintiles); NULL when
    not published (the 2019 layout has no factor) or blank in the file, and then named in
    `missing_indicators` (comma-separated field names). `job_offers` (offres d'emploi
    enregistrées) and `job_seekers_abc` (demandeurs A, B, C) are yearly averages.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="tension_facts")
    year = models.PositiveSmallIntegerField("année")
    rome_code = models.CharField("code ROME", max_length=5)
    bassin_code = models.CharField("code bassin BMO", max_length=5)
    bassin_known = models.BooleanField("bassin du référentiel", default=True)
    fap2009_code = models.CharField("famille professionnelle FAP 2009", max_length=5, blank=True)
    fap2009_label = models.CharField("libellé FAP 2009", max_length=200, blank=True)
    job_offers = models.FloatField("offres d'emploi enregistrées", null=True, blank=True)
    job_seekers_abc = models.FloatField("demandeurs d'emploi A, B, C", null=True, blank=True)
    tension = models.PositiveSmallIntegerField("indicateur de tension (1-5)", null=True, blank=True)
    hiring_intensity = models.PositiveSmallIntegerField(
        "intensité des embauches (1-5)", null=True, blank=True
    )
    labour_shortage = models.PositiveSmallIntegerField(
        "manque de main-d'œuvre disponible (1-5)", null=True, blank=True
    )
    non_durable_employment = models.PositiveSmallIntegerField(
        "non-durabilité de l'emploi (1-5)", null=True, blank=True
    )
    working_conditions = models.PositiveSmallIntegerField(
        "conditions de travail contraignantes (1-5)", null=True, blank=True
    )
    geographic_mismatch = models.PositiveSmallIntegerField(
        "inadéquation géographique (1-5)", null=True, blank=True
    )
    training_job_link = models.PositiveSmallIntegerField(
        "lien entre formation et emploi (1-5)", null=True, blank=True
    )
    missing_indicators = models.CharField(
        "indicateurs non publiés",
        max_length=200,
        blank=True,
        help_text="Noms des champs inconnus, séparés par des virgules.",
    )

    objects = FactManager()

    INDICATOR_FIELDS = (
        "tension", "hiring_intensity", "labour_shortage", "non_durable_employment",
        "working_conditions", "geographic_mismatch", "training_job_link",
    )  # fmt: skip

    class Meta:
        verbose_name = "tension par métier et bassin"
        verbose_name_plural = "tensions par métier et bassin"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "year", "rome_code", "bassin_code"], name="tension_fact_unique_key"
            )
        ]
        indexes = [
            models.Index(fields=["bassin_code", "year"], name="tension_fact_bassin_year"),
            models.Index(fields=["rome_code", "year"], name="tension_fact_rome_year"),
        ]

    def __str__(self) -> str:
        return f"Tension {self.year} {self.rome_code} {self.bassin_code} = {self.tension}"


class RomeCode(models.Model):
    """An occupation of the ROME 4.0 referential (a fiche or, since 4.0, a sub-fiche attached to
    its parent fiche). Grand domaine = the code's letter, domaine professionnel = its first three
    characters."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rome_codes")
    code = models.CharField("code ROME", max_length=5)
    label = models.CharField("libellé", max_length=200)
    parent_code = models.CharField("fiche parente", max_length=5)
    is_main_fiche = models.BooleanField("fiche principale", default=True)
    grand_domaine_code = models.CharField("grand domaine", max_length=1)
    domaine_code = models.CharField("domaine professionnel", max_length=3)
    code_ogr = models.CharField("code OGR", max_length=10, blank=True)
    code_fiche_metier = models.CharField("code fiche métier", max_length=10, blank=True)
    transition_eco = models.CharField("transition écologique", max_length=100, blank=True)
    transition_num = models.BooleanField("transition numérique", null=True, blank=True)
    transition_demo = models.BooleanField("transition démographique", null=True, blank=True)
    emploi_reglemente = models.BooleanField("emploi réglementé", null=True, blank=True)
    emploi_cadre = models.BooleanField("emploi cadre", null=True, blank=True)

    objects = FactManager()

    class Meta:
        verbose_name = "code ROME"
        verbose_name_plural = "codes ROME"
        constraints = [
            models.UniqueConstraint(fields=["batch", "code"], name="rome_code_unique_key")
        ]
        indexes = [models.Index(fields=["code"], name="rome_code_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class RomeAppellation(models.Model):
    """A job title (appellation) of the ROME referential and its occupation."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rome_appellations"
    )
    code_ogr = models.CharField("code OGR", max_length=10)
    rome_code = models.CharField("code ROME", max_length=5)
    label = models.CharField("appellation", max_length=250)
    short_label = models.CharField("appellation courte", max_length=250, blank=True)
    is_main = models.BooleanField("appellation principale", default=False)
    rarely_used = models.BooleanField("peu usitée", null=True, blank=True)

    objects = FactManager()

    class Meta:
        verbose_name = "appellation ROME"
        verbose_name_plural = "appellations ROME"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "code_ogr"], name="rome_appellation_unique_key"
            )
        ]
        indexes = [models.Index(fields=["rome_code"], name="rome_appellation_rome")]

    def __str__(self) -> str:
        return f"{self.label} ({self.rome_code})"


class RomeDomain(models.Model):
    """Label of a ROME grand domaine (`A`) or domaine professionnel (`A11`)."""

    class Level(models.TextChoices):
        GRAND_DOMAINE = "grand_domaine", "grand domaine"
        DOMAINE = "domaine", "domaine professionnel"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rome_domains")
    level = models.CharField("niveau", max_length=16, choices=Level.choices)
    code = models.CharField("code", max_length=3)
    label = models.CharField("libellé", max_length=200)

    objects = FactManager()

    class Meta:
        verbose_name = "domaine ROME"
        verbose_name_plural = "domaines ROME"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "level", "code"], name="rome_domain_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class FapCode(models.Model):
    """A family of the FAP 2021 nomenclature at one of its four levels (22, 86, 228, 341), with
    its parent code one level up. BMO métier codes are FAP 228 codes."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="fap_codes")
    level = models.PositiveSmallIntegerField("niveau (22, 86, 228 ou 341)")
    code = models.CharField("code FAP", max_length=6)
    label = models.CharField("intitulé", max_length=200)
    parent_code = models.CharField("code parent", max_length=6, blank=True)

    objects = FactManager()

    class Meta:
        verbose_name = "famille professionnelle FAP 2021"
        verbose_name_plural = "familles professionnelles FAP 2021"
        constraints = [
            models.UniqueConstraint(fields=["batch", "level", "code"], name="fap_code_unique_key")
        ]
        indexes = [models.Index(fields=["code"], name="fap_code_code")]

    def __str__(self) -> str:
        return f"FAP{self.level} {self.code} {self.label}"


class Lycee(models.Model):
    """A lycée of the annuaire de l'éducation, with its coordinates (WGS84).

    `voie_*`, `lycee_des_metiers`, `lycee_agricole` are the official flags, NULL when the layout
    imported does not publish them (reduced national extract). `vocational_guess_from_name` is
    NOT official: the reduced extract's guess from the name (« professionnel », « polyvalent »,
    « SEP »…), kept apart so that it is never taken for the official flag. `commune_known` is
    False for the overseas collectivities outside the COG communes.
    """

    class Layout(models.TextChoices):
        FULL = "officiel", "annuaire complet (indicateurs officiels)"
        REDUCED = "reduit", "extrait réduit (sans voie professionnelle)"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="lycees")
    uai = models.CharField("UAI", max_length=8)
    name = models.CharField("nom", max_length=200)
    other_names = models.CharField(
        "autres noms (établissement sur plusieurs lignes)", max_length=500, blank=True
    )
    layout = models.CharField("schéma du fichier", max_length=8, choices=Layout.choices)
    nature = models.CharField("nature", max_length=100, blank=True)
    sector = models.CharField(
        "secteur", max_length=6, blank=True, choices=[("public", "public"), ("prive", "privé")]
    )
    commune_code = models.CharField("code commune", max_length=5)
    commune_known = models.BooleanField("commune du référentiel", default=True)
    departement_code = models.CharField("département", max_length=3, blank=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    academy_code = models.CharField("académie", max_length=3, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    voie_generale = models.BooleanField("voie générale", null=True, blank=True)
    voie_technologique = models.BooleanField("voie technologique", null=True, blank=True)
    voie_professionnelle = models.BooleanField("voie professionnelle", null=True, blank=True)
    lycee_des_metiers = models.BooleanField("lycée des métiers", null=True, blank=True)
    lycee_agricole = models.BooleanField("lycée agricole", null=True, blank=True)
    students = models.PositiveIntegerField("nombre d'élèves", null=True, blank=True)
    vocational_guess_from_name = models.BooleanField(
        "voie professionnelle supposée d'après le nom (non officiel)", null=True, blank=True
    )

    objects = FactManager()

    class Meta:
        verbose_name = "lycée"
        verbose_name_plural = "lycées"
        constraints = [models.UniqueConstraint(fields=["batch", "uai"], name="lycee_unique_key")]
        indexes = [
            models.Index(fields=["commune_code"], name="lycee_commune"),
            models.Index(fields=["uai"], name="lycee_uai"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"
