"""Serializers of the diagnostics API (issue 4: basin indicators)."""

from __future__ import annotations

from rest_framework import serializers

SOURCE_CHOICES = [
    ("bmo", "Besoins en main-d'œuvre (BMO)"),
    ("chomage_ze", "Taux de chômage par zone d'emploi"),
    ("defm", "Demandeurs d'emploi"),
    ("tensions", "Tensions publiées par métier et bassin BMO (Dares, France Travail)"),
    (
        "prospective",
        "Prospective : métiers saturés, passerelles, remplacement, projections, secteurs",
    ),
]


class BasinIndicatorsFilterSerializer(serializers.Serializer):
    """?year=2025&source=bmo — both optional."""

    year = serializers.IntegerField(
        required=False, min_value=1990, max_value=2100, help_text="Année (ex. 2025)."
    )
    # Named as the query parameter (it shadows Field.source, hence the ignore).
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=SOURCE_CHOICES, required=False, help_text="Limiter à une source."
    )


class BasinSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    population = serializers.IntegerField()
    communes = serializers.IntegerField()
    region_code = serializers.CharField(allow_null=True)


class RunSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    finished_at = serializers.DateTimeField()
    engine_version = serializers.CharField()
    data_key = serializers.CharField()
    newer_data_available = serializers.BooleanField(
        help_text="Des imports plus récents sont en vigueur : un nouveau diagnostic est possible."
    )
    report_url = serializers.CharField()


class YearIndicatorsSerializer(serializers.Serializer):
    population = serializers.IntegerField(allow_null=True)
    bmo_projects = serializers.IntegerField(allow_null=True, required=False)
    bmo_difficult = serializers.IntegerField(allow_null=True, required=False)
    bmo_seasonal = serializers.IntegerField(allow_null=True, required=False)
    bmo_difficulty_rate = serializers.FloatField(allow_null=True, required=False)
    bmo_seasonal_rate = serializers.FloatField(allow_null=True, required=False)
    bmo_projects_per_1000 = serializers.FloatField(allow_null=True, required=False)
    bmo_masked_cells = serializers.IntegerField(allow_null=True, required=False)
    bmo_estimated = serializers.BooleanField(allow_null=True, required=False)
    bmo_coverage = serializers.FloatField(allow_null=True, required=False)
    job_seekers = serializers.IntegerField(allow_null=True, required=False)
    job_seekers_months = serializers.IntegerField(allow_null=True, required=False)
    job_seekers_estimated = serializers.BooleanField(allow_null=True, required=False)
    unemployment_rate = serializers.FloatField(allow_null=True, required=False)
    unemployment_quarters = serializers.IntegerField(allow_null=True, required=False)
    unemployment_estimated = serializers.BooleanField(allow_null=True, required=False)


class UnemploymentPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Trimestre, ex. 2023-T3.")
    rate = serializers.FloatField(allow_null=True)
    estimated = serializers.BooleanField(allow_null=True)
    coverage = serializers.FloatField(allow_null=True, required=False)
    region_rate = serializers.FloatField(allow_null=True, required=False)
    france_rate = serializers.FloatField(allow_null=True, required=False)


class JobSeekersPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Mois, ex. 2024-09.")
    value = serializers.IntegerField(allow_null=True)
    estimated = serializers.BooleanField(allow_null=True)
    coverage = serializers.FloatField(allow_null=True, required=False)
    year_on_year = serializers.FloatField(allow_null=True, required=False)
    masked_communes = serializers.IntegerField(allow_null=True, required=False)


class TensionMetierSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    family = serializers.CharField(allow_null=True, required=False)
    projects = serializers.IntegerField(allow_null=True)
    difficult = serializers.IntegerField(allow_null=True, required=False)
    difficulty_rate = serializers.FloatField(allow_null=True)
    durable = serializers.BooleanField()
    years_in_tension = serializers.IntegerField(required=False)
    estimated = serializers.BooleanField(required=False)


def _factor(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        allow_null=True,
        min_value=1,
        max_value=5,
        help_text=f"{label} (1 à 5) ; null : case vide ou facteur non publié par le millésime.",
    )


class TensionFactorsSerializer(serializers.Serializer):
    """The six DARES factors of the tension, keys pinned (docs/tensions.md)."""

    hiring_intensity = _factor("Intensité des embauches")
    labour_shortage = _factor("Manque de main-d'œuvre disponible")
    non_durable_employment = _factor("Non-durabilité de l'emploi")
    working_conditions = _factor("Conditions de travail contraignantes")
    geographic_mismatch = _factor("Inadéquation géographique")
    training_job_link = _factor("Lien formation-emploi")


class TensionPublishedSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="Millésime (2019, 2021).")
    bassin_bmo = serializers.CharField(help_text="Code du bassin BMO de la ligne publiée.")
    rome = serializers.CharField(help_text="Code ROME du métier.")
    label = serializers.CharField(allow_null=True, help_text="Libellé ROME.")  # type: ignore[assignment]
    tension = serializers.IntegerField(
        allow_null=True, help_text="Indicateur de tension publié (1 à 5)."
    )
    factors = TensionFactorsSerializer()
    offers = serializers.FloatField(allow_null=True, help_text="Offres d'emploi enregistrées.")
    job_seekers_abc = serializers.FloatField(
        allow_null=True, help_text="Demandeurs d'emploi des catégories A, B, C."
    )


class TensionBassinSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    whole = serializers.BooleanField(
        help_text="Toutes les communes du bassin BMO sont dans le bassin."
    )
    zone_share = serializers.FloatField(
        help_text="Part de la population du bassin BMO dans le bassin."
    )
    basin_share = serializers.FloatField(
        help_text="Part de la population du bassin dans ce bassin BMO."
    )


class TensionsPublishedInfoSerializer(serializers.Serializer):
    available = serializers.BooleanField()
    bassins = TensionBassinSerializer(many=True)
    whole_bassins = serializers.BooleanField(
        help_text="Le bassin est la réunion exacte de ces bassins BMO ; sinon les valeurs sont "
        "celles des bassins BMO entiers, non réparties."
    )
    years = serializers.ListField(child=serializers.IntegerField())
    factors_published = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Par millésime, les facteurs publiés.",
    )
    note = serializers.CharField(allow_blank=True)
    # Named as the document key (it shadows Field.source, hence the ignore).
    source = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    message = serializers.CharField(allow_blank=True)


class ProspectiveSerializer(serializers.Serializer):
    """The prospective section (issue 17); each part states its rule, its data limits and, for
    the estimates, « estimated »."""

    bassins = serializers.ListField(
        child=serializers.DictField(), help_text="Bassins BMO du bassin et leur recouvrement."
    )
    whole_bassins = serializers.BooleanField()
    saturated = serializers.JSONField(
        help_text="Métiers saturés (règle, seuils, métiers classés par excédent de demandeurs)."
    )
    bridges = serializers.JSONField(
        help_text="Passerelles des métiers saturés vers les métiers en tension (même domaine "
        "professionnel ROME), demandeurs concernés, limites des données."
    )
    replacement = serializers.JSONField(
        help_text="Part des 55-64 ans parmi les 20-64 ans : bassin (estimé), région, France."
    )
    projections = serializers.JSONField(
        help_text="Projections avec intervalle à 80 % et erreur des projections passées ; la "
        "raison quand une série est trop courte."
    )
    sectors = serializers.JSONField(
        help_text="Évolution des projets par famille BMO, demandeurs par section NAF."
    )
    parameters = serializers.DictField(help_text="Seuils de la section (paramètres du diagnostic).")


class BasinIndicatorsOutputSerializer(serializers.Serializer):
    basin = BasinSummarySerializer()
    run = RunSummarySerializer()
    years = serializers.DictField(
        child=YearIndicatorsSerializer(), help_text="Indicateurs par année (clé : l'année)."
    )
    unemployment = UnemploymentPointSerializer(many=True, required=False)
    job_seekers = JobSeekersPointSerializer(many=True, required=False)
    tension_metiers = TensionMetierSerializer(many=True, required=False)
    tensions_published = TensionPublishedSerializer(
        many=True,
        required=False,
        help_text="Tension publiée et ses facteurs, une entrée par ligne publiée des bassins BMO "
        "du bassin.",
    )
    tensions_published_info = TensionsPublishedInfoSerializer(required=False)
    prospective = ProspectiveSerializer(required=False)
    sources = serializers.DictField(
        child=serializers.DictField(), help_text="Sources et millésimes."
    )
    warnings = serializers.ListField(child=serializers.CharField())
