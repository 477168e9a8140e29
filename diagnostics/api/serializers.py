"""Serializers of the diagnostics API (issue 4: basin indicators)."""

from __future__ import annotations

from rest_framework import serializers

SOURCE_CHOICES = [
    ("bmo", "Besoins en main-d'œuvre (BMO)"),
    ("chomage_ze", "Taux de chômage par zone d'emploi"),
    ("defm", "Demandeurs d'emploi"),
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


class BasinIndicatorsOutputSerializer(serializers.Serializer):
    basin = BasinSummarySerializer()
    run = RunSummarySerializer()
    years = serializers.DictField(
        child=YearIndicatorsSerializer(), help_text="Indicateurs par année (clé : l'année)."
    )
    unemployment = UnemploymentPointSerializer(many=True, required=False)
    job_seekers = JobSeekersPointSerializer(many=True, required=False)
    tension_metiers = TensionMetierSerializer(many=True, required=False)
    sources = serializers.DictField(
        child=serializers.DictField(), help_text="Sources et millésimes."
    )
    warnings = serializers.ListField(child=serializers.CharField())
