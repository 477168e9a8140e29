"""A new version of the scoring profile carrying the `reconversion_bridges` criterion (issue
17): saturated métiers bridging to métiers in tension raise the case for the progressive and
Fab ID concepts.

The profile in force is copied and receives the criterion's declared entry; the points it
takes come from the same criteria as in the declarations (fab_id: unemployment_rate −2,
job_seekers_per_1000 −3; progressive: employed_adults −5), never below 0, so a profile an
administrator had tuned keeps its other choices. Nothing happens when the profile in force
already has the criterion (a fresh database, whose version 1 is seeded from the declarations).
Earlier versions stay as they were: the recommendations computed with them keep their profile.
"""

from django.db import migrations

from implantations.analytics.criteria import CRITERIA_BY_CODE

CODE = "reconversion_bridges"
TAKEN = {
    "fab_id": {"unemployment_rate": 2, "job_seekers_per_1000": 3},
    "progressive": {"employed_adults": 5},
}


def profile_with_criterion(parameters):
    out = {**parameters, "criteria": {k: dict(v) for k, v in parameters["criteria"].items()}}
    for concept, taken in TAKEN.items():
        for code, points in taken.items():
            entry = out["criteria"].get(code)
            if entry is None:
                continue
            weights = dict(entry["weights"])
            weights[concept] = max(0, weights.get(concept, 0) - points)
            entry["weights"] = weights
    out["criteria"][CODE] = CRITERIA_BY_CODE[CODE].default_entry()
    return out


def add_version(apps, schema_editor):
    ScoringProfile = apps.get_model("implantations", "ScoringProfile")
    current = ScoringProfile.objects.order_by("-version").first()
    if current is None or CODE in (current.parameters or {}).get("criteria", {}):
        return
    ScoringProfile.objects.create(
        version=current.version + 1,
        name=current.name,
        parameters=profile_with_criterion(current.parameters),
        change_note=(
            "Critère « passerelles de reconversion » (demandeurs de métiers saturés proches d'un "
            "métier en tension) : 5 points pour Fab ID (pris au chômage et aux demandeurs) et "
            "5 pour le progressif (pris aux actifs de 25 à 54 ans) ; issue 17."
        ),
    )


def remove_version(apps, schema_editor):
    ScoringProfile = apps.get_model("implantations", "ScoringProfile")
    current = ScoringProfile.objects.order_by("-version").first()
    if (
        current is not None
        and current.version > 1
        and CODE in (current.parameters or {}).get("criteria", {})
        and not current.recommendations.exists()
    ):
        current.delete()


class Migration(migrations.Migration):
    dependencies = [("implantations", "0008_basin_shares_to_versions")]

    operations = [migrations.RunPython(add_version, remove_version)]
