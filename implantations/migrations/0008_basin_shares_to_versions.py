"""Existing basin shares become shares of the basin's latest finished diagnostic (ADR 0014).

Each `BasinShare` stays (it is the access grant to the basin); when the basin has a finished
run, that run is shared as a version with the account, so that what the mayor's office read
until now stays what it reads, pinned. The gap and the recommendation were not frozen at the
time: the version says so rather than showing today's figures as yesterday's.
"""

from django.db import migrations

NOTE = "Version créée lors de la mise à jour de la plateforme : non figée à l'époque du partage."


def forwards(apps, schema_editor):
    BasinShare = apps.get_model("diagnostics", "BasinShare")
    DiagnosticRun = apps.get_model("diagnostics", "DiagnosticRun")
    SharedVersion = apps.get_model("diagnostics", "SharedVersion")
    ShareRecipient = apps.get_model("diagnostics", "ShareRecipient")
    for share in BasinShare.objects.order_by("pk"):
        run = (
            DiagnosticRun.objects.filter(basin_id=share.basin_id, status="done")
            .order_by("-finished_at", "-id")
            .first()
        )
        if run is None:
            continue
        version = SharedVersion.objects.filter(run=run).order_by("pk").first()
        if version is None:
            version = SharedVersion.objects.create(
                basin_id=share.basin_id,
                run=run,
                message="",
                shared_by_id=share.shared_by_id,
                key_figures=[],
                gap=None,
                gap_note=NOTE,
                recommendation=None,
                recommendation_note=NOTE,
            )
        ShareRecipient.objects.get_or_create(version=version, user_id=share.user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("diagnostics", "0011_shared_versions"),
        ("implantations", "0007_contributions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
