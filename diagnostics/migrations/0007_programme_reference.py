"""CnamSite and ProgrammeSettings move from implantations to diagnostics (ADR 0010).

State only: the tables keep their names (`db_table`), no row is touched. The content types are
relabelled so that permissions already granted on these models stay attached to them.
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("cnamsite", "programmesettings")


def relabel_content_types(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="implantations", new="diagnostics")


def backwards(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="diagnostics", new="implantations")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("diagnostics", "0006_diagnostic_runs"),
        ("implantations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ProgrammeSettings",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("basin_population_min", models.PositiveIntegerField(default=30000, verbose_name="population minimale du bassin")),
                        ("basin_population_max", models.PositiveIntegerField(default=100000, verbose_name="population maximale du bassin")),
                        ("main_town_population_min", models.PositiveIntegerField(default=10000, verbose_name="population minimale de la ville principale (ville moyenne)")),
                        ("main_town_population_max", models.PositiveIntegerField(default=100000, verbose_name="population maximale de la ville principale (ville moyenne)")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "paramètres du programme",
                        "verbose_name_plural": "paramètres du programme",
                        "db_table": "implantations_programmesettings",
                    },
                ),
                migrations.CreateModel(
                    name="CnamSite",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="nom")),
                        ("kind", models.CharField(choices=[("centre_regional", "Centre régional"), ("centre", "Centre d'enseignement"), ("coeur_territoires", "Site « Au cœur des territoires »")], default="centre", max_length=32, verbose_name="type")),
                        ("latitude", models.FloatField()),
                        ("longitude", models.FloatField()),
                        ("active", models.BooleanField(default=True, verbose_name="en activité")),
                        ("commune", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="diagnostics.commune")),
                    ],
                    options={
                        "verbose_name": "site Cnam",
                        "verbose_name_plural": "sites Cnam",
                        "ordering": ["name"],
                        "db_table": "implantations_cnamsite",
                    },
                ),
                migrations.AlterField(
                    model_name="basin",
                    name="nearest_site",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="diagnostics.cnamsite"),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
