"""python manage.py diagnostic_run --basin ID [--sync] [--json]."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from diagnostics.models import DiagnosticRun
from diagnostics.services import diagnostic_document
from tests.factories.diagnostic_runs import diagnostic_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]


def test_sync_json_prints_the_document():
    world = diagnostic_world()
    out = StringIO()

    call_command("diagnostic_run", "--basin", str(world.basin.pk), "--sync", "--json", stdout=out)

    doc = json.loads(out.getvalue())
    assert doc["basin"]["id"] == world.basin.pk and doc["basin"]["population"] == 16_000
    assert doc["years"]["2025"]["bmo_projects"] == 150
    assert doc["years"]["2025"]["bmo_masked_cells"] == 1
    assert doc["unemployment"][-1]["period"] == "2024-T1"
    assert isinstance(doc["tension_metiers"], list)
    assert DiagnosticRun.objects.get().status == "done"


def test_without_json_prints_a_summary_and_reuses_the_run():
    world = diagnostic_world()
    first, second = StringIO(), StringIO()

    call_command("diagnostic_run", "--basin", str(world.basin.pk), "--sync", stdout=first)
    call_command("diagnostic_run", "--basin", str(world.basin.pk), "--sync", stdout=second)

    run = DiagnosticRun.objects.get()
    assert f"Diagnostic n° {run.pk} du bassin « Bassin 4418 » : terminé" in first.getvalue()
    assert f"Diagnostic n° {run.pk}" in second.getvalue()


def test_parameters_and_their_errors():
    world = diagnostic_world()

    call_command(
        "diagnostic_run", "--basin", str(world.basin.pk), "--sync", "--param", "top_n=3",
        stdout=StringIO(),
    )  # fmt: skip
    assert DiagnosticRun.objects.get().parameters["top_n"] == 3
    with pytest.raises(CommandError, match="Paramètre « top_n » : écrivez NOM=VALEUR"):
        call_command("diagnostic_run", "--basin", str(world.basin.pk), "--param", "top_n")
    with pytest.raises(CommandError, match="Paramètre\\(s\\) inconnu\\(s\\) : couleur"):
        call_command("diagnostic_run", "--basin", str(world.basin.pk), "--param", "couleur=bleu")


def test_unknown_basin_and_failed_run_exit_non_zero(monkeypatch):
    with pytest.raises(CommandError, match="Bassin n° 4242 introuvable"):
        call_command("diagnostic_run", "--basin", "4242")
    world = diagnostic_world(sources=())

    def broken(**kwargs):
        raise RuntimeError("moteur en panne")

    monkeypatch.setattr(diagnostic_document, "basin_diagnostic", broken)
    err = StringIO()
    with pytest.raises(CommandError, match="Le diagnostic a échoué"):
        call_command("diagnostic_run", "--basin", str(world.basin.pk), "--sync", stderr=err)
    assert "moteur en panne" in err.getvalue()
