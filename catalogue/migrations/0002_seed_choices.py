"""The fixed lists of the catalogue: modalities, pillars, target publics, implantation concepts.

Codes are the values used in the CSV / XLSX import (`presentiel|distance`); labels are French.
"""

from django.db import migrations

CHOICES = {
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
    "Concept": [
        ("clef_en_main", "Clef en main"),
        ("fab_id", "Fab ID (tiers-lieu)"),
        ("progressif", "Progressif"),
    ],
}


def seed(apps, schema_editor):
    for model_name, items in CHOICES.items():
        model = apps.get_model("catalogue", model_name)
        for order, (code, label) in enumerate(items, start=1):
            model.objects.update_or_create(code=code, defaults={"label": label, "order": order})


def unseed(apps, schema_editor):
    for model_name, items in CHOICES.items():
        model = apps.get_model("catalogue", model_name)
        model.objects.filter(code__in=[code for code, _ in items]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_catalogue")]

    operations = [migrations.RunPython(seed, unseed)]
