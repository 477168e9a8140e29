"""`manage.py basin_create`: text and JSON output, errors on stderr with a non-zero exit."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diagnostics.management.commands.basin_create import Command
from diagnostics.models import Basin
from tests.factories.basins import CnamSiteFactory, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def t() -> Territory:
    return Territory()


def test_basin_create_command_json(t: Territory) -> None:
    CnamSiteFactory.create(name="Cnam Nord", latitude=49.05, longitude=2.05)
    out = StringIO()

    call_command(
        "basin_create", "--name", "Chaumont", "--zone-emploi", "4404", "--json", stdout=out
    )

    data = json.loads(out.getvalue())
    basin = Basin.objects.get()
    assert data["id"] == basin.pk
    assert data["name"] == "Chaumont"
    assert data["population"] == 29_999
    assert data["communes"] == 4
    assert data["main_town"] == {"code": "52121", "name": "Chaumont", "population": 20_000}
    assert data["regions"] == [{"code": "44", "name": "Grand Est"}]
    assert data["spans_regions"] is False
    # 29,999 known + Euffigneix without population: could reach 30,000, not decidable.
    assert data["eligibility"]["population_ok"] is None
    assert data["eligibility"]["main_town_ok"] is True
    assert data["eligibility"]["nearest_site"] == "Cnam Nord"
    assert data["eligibility"]["nearest_site_km"] == 111.2


def test_basin_create_command_epci_and_main_town_text(t: Territory) -> None:
    out = StringIO()

    call_command(
        "basin_create",
        "--name",
        "Deux EPCI",
        "--epci",
        "200000001",
        "200000002",
        "--main-town",
        "52001",
        stdout=out,
    )

    text = out.getvalue()
    assert "Bassin « Deux EPCI » enregistré" in text
    assert "Population : 29\u202f999 habitants" in text
    assert "Communes : 3" in text
    assert "Ville principale : Brottes (52001)" in text
    assert "site Cnam le plus proche : inconnue" in text


def test_basin_create_command_spanning_regions_json(t: Territory) -> None:
    out = StringIO()

    call_command("basin_create", "--name", "BMO", "--bassin-bmo", "4418", "--json", stdout=out)

    data = json.loads(out.getvalue())
    assert data["population"] == 28_000
    assert data["spans_regions"] is True
    assert [r["code"] for r in data["regions"]] == ["27", "44"]


def test_basin_create_command_unknown_codes_raise(t: Territory) -> None:
    with pytest.raises(CommandError, match=r"Codes commune inconnus : 99998, 99999\."):
        call_command("basin_create", "--name", "X", "--communes", "52121", "99998", "99999")

    assert Basin.objects.count() == 0


def test_basin_create_command_exit_code_and_stderr(t: Territory, capsys) -> None:  # type: ignore[no-untyped-def]
    command = Command()

    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "basin_create", "--name", "X", "--zone-emploi", "0000"])

    assert exited.value.code == 1
    assert "Zone d'emploi inconnue : 0000." in capsys.readouterr().err


def test_basin_create_command_needs_exactly_one_source(t: Territory) -> None:
    with pytest.raises(CommandError):
        call_command("basin_create", "--name", "X", "--zone-emploi", "4404", "--bassin-bmo", "4418")
