"""Serializers of the implantations API: the recommendation of a basin."""

from __future__ import annotations

from rest_framework import serializers

CONCEPTS = [("turnkey", "Clef en main"), ("fab_id", "Fab ID"), ("progressive", "Progressif")]


class ScoresSerializer(serializers.Serializer):
    turnkey = serializers.FloatField(allow_null=True)
    fab_id = serializers.FloatField(allow_null=True)
    progressive = serializers.FloatField(allow_null=True)


class ConstraintSerializer(serializers.Serializer):
    concept = serializers.ChoiceField(choices=CONCEPTS)
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    passed = serializers.BooleanField()
    reason = serializers.CharField()


class PerConceptSerializer(serializers.Serializer):
    turnkey = serializers.FloatField(allow_null=True)
    fab_id = serializers.FloatField(allow_null=True)
    progressive = serializers.FloatField(allow_null=True)


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    pillar = serializers.CharField()
    pillar_label = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField()
    raw = serializers.FloatField(allow_null=True, help_text="Valeur brute ; null : manquante.")
    normalised = serializers.FloatField(allow_null=True, help_text="Score normalisé (0 à 1).")
    missing = serializers.BooleanField()
    normalisation = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    source_label = serializers.CharField()
    vintage = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    estimated = serializers.BooleanField()
    weights = PerConceptSerializer()
    contributions = PerConceptSerializer(help_text="Points apportés au score (sur 100).")


class SourceDropSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    concept = serializers.ChoiceField(choices=CONCEPTS, allow_null=True)
    holds = serializers.BooleanField()


class SensitivitySerializer(serializers.Serializer):
    draws = serializers.IntegerField()
    spread = serializers.FloatField()
    seed = serializers.IntegerField()
    robustness = serializers.FloatField()
    winner_shares = serializers.DictField(child=serializers.FloatField())
    drops = SourceDropSerializer(many=True)
    holds_on_every_drop = serializers.BooleanField()


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    finished_at = serializers.CharField(allow_null=True)
    engine_version = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    batch = serializers.IntegerField()
    file_name = serializers.CharField()
    vintage = serializers.CharField(allow_blank=True)
    period = serializers.CharField(allow_blank=True)


class BasinRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    population = serializers.IntegerField()


class MissingCriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    source = serializers.CharField()  # type: ignore[assignment]
    source_label = serializers.CharField()
    weight = serializers.FloatField(help_text="Poids du critère (points) pour ce concept.")
    how = serializers.CharField(help_text="Comment obtenir la donnée.")


class VerdictSerializer(serializers.Serializer):
    score = serializers.FloatField(
        allow_null=True, help_text="Score arrondi (1 décimale) ; null : données insuffisantes."
    )
    conclusive = serializers.BooleanField()
    known_share = serializers.FloatField(help_text="Part des poids sur des données connues.")
    missing = MissingCriterionSerializer(many=True)
    reason = serializers.CharField(allow_null=True)


class VerdictsSerializer(serializers.Serializer):
    turnkey = VerdictSerializer()
    fab_id = VerdictSerializer()
    progressive = VerdictSerializer()


class RecommendationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.CharField()
    basin = BasinRefSerializer()
    concept = serializers.ChoiceField(
        choices=CONCEPTS, allow_null=True, help_text="null : aucun concept recommandable."
    )
    concept_label = serializers.CharField(allow_null=True)
    label = serializers.ChoiceField(choices=[("robuste", "robuste"), ("fragile", "fragile")])  # type: ignore[assignment]
    robustness = serializers.FloatField(help_text="Part des tirages où la recommandation tient.")
    scores = ScoresSerializer(help_text="null : données insuffisantes (voir verdicts).")
    coverage = PerConceptSerializer()
    conclusive = serializers.BooleanField(
        help_text="Vrai quand les trois scores reposent sur assez de données connues."
    )
    min_known_share = serializers.FloatField(
        help_text="Part minimale des poids sur des données connues pour qu'un score s'affiche."
    )
    verdicts = VerdictsSerializer()
    missing = MissingCriterionSerializer(many=True, help_text="Critères manquants, du plus lourd.")
    constraints = ConstraintSerializer(many=True)
    criteria = CriterionSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField())
    sensitivity = SensitivitySerializer()
    profile = ProfileSerializer()
    diagnostic_run = RunSerializer(allow_null=True)
    sources = SourceSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    page_url = serializers.CharField()
