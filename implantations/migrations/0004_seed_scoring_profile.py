"""Seed version 1 of the scoring profile: the default weights, normalisations and sensitivity
settings justified in docs/adr/0008-recommendation-scoring.md.

The parameters come from the criteria declarations (`implantations.analytics.criteria`, the one
place a criterion is declared, ADR 0010). They must stay what version 1 was: the test
tests/implantations/services/test_recommendation_pinned.py pins them, and a change of a default
is a new profile version (a new data migration), never an edit of version 1.
"""

from django.db import migrations

from implantations.analytics.criteria import default_profile

PROFILE_V1 = default_profile()


def seed(apps, schema_editor):
    ScoringProfile = apps.get_model("implantations", "ScoringProfile")
    if not ScoringProfile.objects.filter(version=1).exists():
        ScoringProfile.objects.create(
            version=1,
            name="Profil par défaut",
            parameters=PROFILE_V1,
            change_note="Version initiale (ADR 0008).",
        )


def unseed(apps, schema_editor):
    ScoringProfile = apps.get_model("implantations", "ScoringProfile")
    ScoringProfile.objects.filter(version=1, recommendations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("implantations", "0003_recommendation_assets")]

    operations = [migrations.RunPython(seed, unseed)]
