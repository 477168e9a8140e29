"""CnamSite and ProgrammeSettings now belong to diagnostics (see diagnostics 0007): state only,
the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("diagnostics", "0007_programme_reference"),
        ("implantations", "0005_project_recommendation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CnamSite"),
                migrations.DeleteModel(name="ProgrammeSettings"),
            ],
        ),
    ]
