"""A run's document and tables are written and read by orjson (models.stored_json) with the
standard library's result, and compressed with lz4 on PostgreSQL (migration 0019)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.db import connection

from diagnostics.models import DiagnosticRun
from diagnostics.models.stored_json import StoredJSONDecoder, StoredJSONEncoder
from tests.factories.basins import BasinFactory


def test_encoder_writes_what_the_standard_library_reads_back_the_same():
    value = {
        "a": [1, 2.5, None, True, "é"],
        2023: {"x": 0.1},
        "n": np.int64(7),
        "f": np.float64(0.25),
    }

    text = json.dumps(value, cls=StoredJSONEncoder)

    assert json.loads(text) == {
        "a": [1, 2.5, None, True, "é"],
        "2023": {"x": 0.1},
        "n": 7,
        "f": 0.25,
    }


def test_encoder_writes_a_non_finite_number_as_null():
    assert json.dumps({"rate": float("nan")}, cls=StoredJSONEncoder) == '{"rate":null}'


def test_decoder_reads_the_nan_an_old_sqlite_row_may_hold():
    value = json.loads('{"rate": NaN, "n": [1, 2]}', cls=StoredJSONDecoder)

    assert np.isnan(value["rate"]) and value["n"] == [1, 2]
    assert json.loads('{"b": [0.1, "x"]}', cls=StoredJSONDecoder) == {"b": [0.1, "x"]}


@pytest.mark.django_db
def test_run_document_round_trips_through_the_database():
    document = {"years": {"2025": {"rate": 0.6148, "n": 3000}}, "list": [None, "Côte-d'Or"]}
    tables = {"t": {"columns": ["a"], "rows": [[1.5], [None]]}}
    run = DiagnosticRun.objects.create(
        basin=BasinFactory(), engine_version="test", data_key="k" * 64, status="done",
        results=document, tables=tables,
    )  # fmt: skip

    stored = DiagnosticRun.objects.get(pk=run.pk)

    assert stored.results == document
    assert stored.tables == tables


@pytest.mark.django_db
def test_run_documents_are_compressed_with_lz4_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("compression des colonnes : PostgreSQL seulement")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = 'diagnostics_diagnosticrun'::regclass "
            "AND attname IN ('results', 'tables') ORDER BY attname"
        )
        assert cursor.fetchall() == [("results", "l"), ("tables", "l")]
