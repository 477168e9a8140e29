"""Serializers of the gap API (`GET /api/v1/basins/{id}/gap/`)."""

from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers

from catalogue.analytics.columns import COMPONENTS

MAX_WEIGHT = 1000.0


def parse_weights(text: str) -> dict[str, float]:
    """`c_projects:0.5,c_difficulty:0.5` → {"c_projects": 0.5, "c_difficulty": 0.5}.

    Raises ValueError (French, naming the parameter) for an unknown component, a component
    given twice, a value that is not a finite number (nan, inf, 1e400), negative, or above
    MAX_WEIGHT (weights are relative: only their ratios count)."""
    weights: dict[str, float] = {}
    prefix = "Paramètre « weights » : "
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition(":")
        if not sep:
            name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if name not in COMPONENTS:
            raise ValueError(
                f"{prefix}Composante inconnue : « {name} » (possibles : {', '.join(COMPONENTS)})."
            )
        if name in weights:
            raise ValueError(f"{prefix}la composante {name} est donnée deux fois.")
        try:
            number = float(value.replace(",", "."))
        except ValueError as exc:
            raise ValueError(f"{prefix}Poids invalide pour {name} : « {value} ».") from exc
        if not math.isfinite(number):
            raise ValueError(f"{prefix}poids de {name} : « {value} » n'est pas un nombre fini.")
        if number < 0:
            raise ValueError(f"{prefix}le poids de {name} est négatif ({value}).")
        if number > MAX_WEIGHT:
            raise ValueError(
                f"{prefix}le poids de {name} doit valoir au plus {MAX_WEIGHT:.0f} "
                f"(reçu : {value}) ; seuls les rapports entre poids comptent."
            )
        weights[name] = number
    return weights


class GapFilterSerializer(serializers.Serializer):
    """?concept=fab_id&public=decrocheurs&weights=c_projects:0.5,c_tension:0.5 — all optional."""

    concept = serializers.CharField(
        required=False, allow_blank=True, help_text="Code de concept (clef_en_main, fab_id…)."
    )
    public = serializers.CharField(
        required=False, allow_blank=True, help_text="Code de public (decrocheurs, salaries…)."
    )
    weights = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Poids des composantes, ex. c_projects:0.5,c_difficulty:0.5 (les autres à 0).",
    )
    reconversion_boost = serializers.FloatField(
        required=False,
        min_value=0.0,
        max_value=1.0,
        help_text=(
            "Bonus des parcours de reconversion, 0 à 1 (0,2 : score × 1,2) ; 0 par défaut "
            "(pas de bonus)."
        ),
    )

    def validate_weights(self, value: str) -> dict[str, float] | None:
        if not value:
            return None
        try:
            weights = parse_weights(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if not weights or sum(weights.values()) <= 0:
            raise serializers.ValidationError(
                "Paramètre « weights » : les poids doivent être positifs, de somme non nulle."
            )
        return weights


class GapLineSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="Vide : parcours non classé.")
    path_id = serializers.IntegerField()
    path_code = serializers.CharField()
    title = serializers.CharField()
    sector = serializers.CharField()
    concepts = serializers.ListField(child=serializers.CharField())
    publics = serializers.ListField(child=serializers.CharField())
    purposes = serializers.ListField(
        child=serializers.CharField(), help_text="Finalités (professionnalisation, reconversion…)."
    )
    level = serializers.IntegerField(allow_null=True, help_text="Niveau 3 (infra-bac) à 7.")
    rncp_code = serializers.CharField(help_text="Code RNCP ou RS, vide sans code.")
    cpf_eligible = serializers.BooleanField()
    modalities = serializers.ListField(child=serializers.CharField())
    duration_hours = serializers.IntegerField(allow_null=True)
    rolling_entries = serializers.BooleanField(help_text="Entrées et sorties permanentes.")
    score = serializers.FloatField(
        allow_null=True, help_text="0 à 100, × (1 + bonus) pour un parcours de reconversion."
    )
    reconversion_boosted = serializers.BooleanField()
    demand_score = serializers.FloatField(allow_null=True)
    coverage = serializers.FloatField(allow_null=True)
    c_projects = serializers.FloatField(allow_null=True)
    c_difficulty = serializers.FloatField(allow_null=True)
    c_trend = serializers.FloatField(allow_null=True)
    c_job_seekers = serializers.FloatField(allow_null=True)
    c_tension = serializers.FloatField(allow_null=True)
    last_year = serializers.IntegerField(allow_null=True)
    projects = serializers.FloatField(allow_null=True)
    difficult = serializers.FloatField(allow_null=True)
    difficulty_rate = serializers.FloatField(allow_null=True)
    seasonal_rate = serializers.FloatField(allow_null=True)
    masked_cells = serializers.IntegerField(allow_null=True)
    first_year = serializers.IntegerField(allow_null=True)
    projects_first = serializers.FloatField(allow_null=True)
    trend = serializers.FloatField(allow_null=True)
    trend_break = serializers.BooleanField()
    metiers_matched = serializers.IntegerField()
    metiers_in_tension = serializers.IntegerField()
    metiers_durable = serializers.IntegerField()
    rome_matched = serializers.IntegerField()
    tension_year = serializers.IntegerField(allow_null=True)
    job_seekers = serializers.IntegerField(allow_null=True)
    tension = serializers.FloatField(allow_null=True)
    working_conditions = serializers.FloatField(allow_null=True)
    non_durable_employment = serializers.FloatField(allow_null=True)
    places = serializers.IntegerField()
    offers = serializers.IntegerField()
    not_the_lever = serializers.BooleanField()
    not_the_lever_reasons = serializers.ListField(child=serializers.CharField())
    excluded_reason = serializers.CharField(allow_null=True)
    explanation = serializers.CharField()


class SupplySerializer(serializers.Serializer):
    title = serializers.CharField()
    provider = serializers.CharField()
    places = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]
    path_code = serializers.CharField(allow_null=True)
    origin = serializers.CharField()


class GapOutputSerializer(serializers.Serializer):
    basin = serializers.DictField()
    diagnostic = serializers.DictField()
    filters = serializers.DictField()
    estimated = serializers.BooleanField()
    parameters = serializers.DictField()
    method = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    ranked = serializers.IntegerField()
    lines = GapLineSerializer(many=True)
    local_supply = SupplySerializer(many=True)
    illustrative_catalogue = serializers.BooleanField()

    def to_representation(self, instance: Any) -> Any:
        return instance  # the document is already JSON-safe (gap_document)
