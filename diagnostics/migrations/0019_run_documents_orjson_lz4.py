"""Diagnostic documents written by orjson (`models.stored_json`) and, on PostgreSQL, compressed
with lz4 instead of pglz: measured on the real data (issue 16), storing a run's document and
tables took the server 10.2 ms of CPU with pglz and 5.5 ms with lz4, for about the same size.
Rows already stored keep their compression until rewritten (a done run never is)."""

import logging

from django.db import DatabaseError, migrations, models, transaction

import diagnostics.models.stored_json

logger = logging.getLogger(__name__)

COLUMNS = ("results", "tables")


def _compression(method):
    def apply(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql" or connection.pg_version < 140000:
            return
        table = schema_editor.quote_name("diagnostics_diagnosticrun")
        sql = f"ALTER TABLE {table} " + ", ".join(
            f"ALTER COLUMN {schema_editor.quote_name(c)} SET COMPRESSION {method}" for c in COLUMNS
        )
        try:
            with transaction.atomic(using=connection.alias):
                schema_editor.execute(sql)
        except DatabaseError:  # a server built without lz4: pglz stays
            logger.warning("PostgreSQL sans lz4 : les documents restent compressés en pglz")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("diagnostics", "0018_pdf_job_business_model"),
    ]

    operations = [
        migrations.AlterField(
            model_name="diagnosticrun",
            name="results",
            field=models.JSONField(
                blank=True,
                decoder=diagnostics.models.stored_json.StoredJSONDecoder,
                encoder=diagnostics.models.stored_json.StoredJSONEncoder,
                null=True,
                verbose_name="résultats",
            ),
        ),
        migrations.AlterField(
            model_name="diagnosticrun",
            name="tables",
            field=models.JSONField(
                blank=True,
                decoder=diagnostics.models.stored_json.StoredJSONDecoder,
                encoder=diagnostics.models.stored_json.StoredJSONEncoder,
                null=True,
                verbose_name="tableaux",
            ),
        ),
        migrations.RunPython(_compression("lz4"), _compression("default"), elidable=True),
    ]
