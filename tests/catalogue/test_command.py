import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.catalogue.scenario import build_scenario
from tests.factories.catalogue import make_basin

pytestmark = pytest.mark.django_db


def test_gap_command_json() -> None:
    scenario = build_scenario()
    out = StringIO()

    call_command("gap", "--basin", str(scenario.basin.pk), "--json", stdout=out)

    data = json.loads(out.getvalue())
    assert [(line["path_code"], line["rank"]) for line in data["lines"]] == [
        ("CPT-01", 1),
        ("NUM-02", 2),
        ("ORI-01", None),
    ]
    assert data["lines"][1]["score"] == 49.0


def test_gap_command_text_explains_each_line() -> None:
    scenario = build_scenario()
    out = StringIO()

    call_command("gap", "--basin", str(scenario.basin.pk), stdout=out)

    text = out.getvalue()
    assert "  1. Comptable assistant (CPT-01) — score 56,0" in text
    assert "composantes : projets 0,50, difficulté 0,60, évolution 0,75" in text
    assert "couverture locale 20 %" in text
    assert "Parcours non classés (1) :" in text
    assert "Méthode : Score d'écart = 100 × score de demande" in text


def test_gap_command_errors() -> None:
    basin = make_basin()

    with pytest.raises(CommandError, match="Bassin n° 999999 introuvable."):
        call_command("gap", "--basin", "999999")
    with pytest.raises(CommandError, match="Aucun diagnostic terminé"):
        call_command("gap", "--basin", str(basin.pk))
    with pytest.raises(CommandError, match="Composante inconnue"):
        call_command("gap", "--basin", str(basin.pk), "--weights", "x:1")
