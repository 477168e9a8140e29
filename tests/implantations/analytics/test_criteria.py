"""One declaration per criterion (implantations.analytics.criteria): the default profile, the
validation and the readers all come from CRITERIA."""

from __future__ import annotations

import importlib

import pytest

from implantations.analytics import criterion_asset_readers as ar
from implantations.analytics import criterion_readers as r
from implantations.analytics.criteria import (
    CONCEPTS,
    CRITERIA,
    KINDS,
    PILLARS,
    SOURCES,
    default_profile,
)
from implantations.analytics.criterion_inputs import AssetInputs, DiagnosticInputs
from implantations.analytics.profile import profile_errors
from implantations.analytics.raw_values import diagnostic_raw_values


def test_default_profile_weights_total_100_points_per_concept() -> None:
    profile = default_profile()

    totals = {k: sum(e["weights"][k] for e in profile["criteria"].values()) for k in CONCEPTS}

    # Worked out by hand from the declarations (e.g. turnkey: 14 + 10 + 4 + 10 + 3 + 3 + 5 + 15
    # + 8 + 2 + 6 + 4 + 6 + 8 + 2).
    assert totals == {"turnkey": 100, "fab_id": 100, "progressive": 100}
    assert profile_errors(profile) == []


def test_default_profile_is_derived_from_each_declaration() -> None:
    profile = default_profile()

    assert list(profile["criteria"]) == [c.code for c in CRITERIA]
    employed = profile["criteria"]["employed_adults"]
    assert employed["weights"] == {"turnkey": 5, "fab_id": 0, "progressive": 20}
    assert employed["indicators"][0] == "taux_emploi_25_54"
    assert employed["indicator_normalisation"]["part_25_54_ans"] == {
        "method": "minmax",
        "low": 32,
        "high": 40,
        "reverse": False,
    }
    assert "indicators" not in profile["criteria"]["population"]
    # A fresh mapping each time: editing one never changes the declarations.
    profile["criteria"]["population"]["weights"]["turnkey"] = 99
    assert default_profile()["criteria"]["population"]["weights"]["turnkey"] == 4


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: c.code)
def test_each_declaration_is_complete(criterion) -> None:  # type: ignore[no-untyped-def]
    assert criterion.pillar in PILLARS
    assert criterion.source in SOURCES
    assert criterion.kind in KINDS
    assert callable(criterion.read)
    assert (criterion.kind == "indicator") == bool(criterion.indicators)


def test_seed_migration_stores_the_declared_defaults() -> None:
    migration = importlib.import_module("implantations.migrations.0004_seed_scoring_profile")

    assert default_profile() == migration.PROFILE_V1


def test_bmo_trend_reader_is_the_mean_annual_rate() -> None:
    # 100 projects in 2023, 121 in 2025: (121 / 100) ** (1 / 2) - 1 = 10 % a year.
    inputs = DiagnosticInputs(
        {"years": {"2023": {"bmo_projects": 100}, "2025": {"bmo_projects": 121}}},
        population=50_000,
        vintages={"bmo": "2023, 2025"},
    )

    value = r.read_bmo_trend(inputs)

    assert value is not None
    assert value["raw"] == pytest.approx(10.0)
    assert value["note"] == "de 2023 à 2025"
    assert value["vintage"] == "2023, 2025"


def test_diagnostic_readers_leave_out_what_the_document_lacks() -> None:
    # One BMO year only: no trend; 121 projects for 50 000 inhabitants = 2.42 per 1 000.
    document = {
        "years": {"2025": {"bmo_projects": 121}},
        "unemployment": [{"period": "2024-T3", "rate": 8.0}, {"period": "2025-T3", "rate": 7.5}],
    }

    values = diagnostic_raw_values(document, population=50_000, vintages={})

    assert set(values) == {"bmo_projects_per_1000", "unemployment_rate", "unemployment_trend"}
    assert values["bmo_projects_per_1000"]["raw"] == pytest.approx(2.42)
    assert values["unemployment_trend"]["raw"] == pytest.approx(-0.5)
    assert values["unemployment_trend"]["note"] == "2024-T3 → 2025-T3"


def test_declared_hosts_are_missing_until_the_inventory_is_done() -> None:
    base = {
        "lycees_known": False,
        "vocational_lycees": 0,
        "lycees_unknown_flags": 0,
        "nearest_lycee_km": None,
        "shared_places": 0,
        "economic_hosts": 2,
        "epci_level": None,
        "letters": None,
        "premises_lent": None,
    }

    open_inventory = AssetInputs(**base, inventory_done=False)  # type: ignore[arg-type]
    done = AssetInputs(**base, inventory_done=True)  # type: ignore[arg-type]

    assert ar.read_shared_places(open_inventory)["raw"] is None
    assert ar.read_shared_places(open_inventory)["note"] == "inventaire des structures non terminé"
    assert ar.read_shared_places(done)["raw"] == 0.0
    assert ar.read_economic_hosts(open_inventory)["raw"] == 2.0


def test_reconversion_bridges_reader_reads_the_prospective_section() -> None:
    document = {
        "prospective": {
            "bridges": {
                "available": True,
                "year": 2021,
                "bridged_job_seekers": 415.0,
                "bridged_saturated": 2,
                "bridged_per_1000": 4.36,
            }
        }
    }
    value = r.read_reconversion_bridges(DiagnosticInputs(document, 40_000, {"tensions": "2021"}))
    assert value is not None
    assert value["raw"] == 4.36
    assert value["source"] == "tensions" and value["vintage"] == "2021"
    assert value["note"].startswith("415 demandeurs de 2 métier(s) saturé(s)")
    # An older run (no prospective section) or no tension data: missing, never 0.
    assert r.read_reconversion_bridges(DiagnosticInputs({}, 40_000)) is None
    empty = {"prospective": {"bridges": {"available": False}}}
    assert r.read_reconversion_bridges(DiagnosticInputs(empty, 40_000)) is None


def test_reconversion_bridges_weights_favour_progressive_and_fab_id() -> None:
    entry = default_profile()["criteria"]["reconversion_bridges"]
    assert entry["weights"] == {"turnkey": 0, "fab_id": 5, "progressive": 5}
    assert entry["normalisation"] == {"method": "minmax", "low": 0, "high": 8, "reverse": False}


def test_profile_migration_turns_the_previous_defaults_into_the_new_ones() -> None:
    migration = importlib.import_module(
        "implantations.migrations.0009_scoring_profile_reconversion"
    )
    previous = default_profile()
    del previous["criteria"]["reconversion_bridges"]
    # The weights as they were before the criterion: fab_id 12 and 10, progressive 25.
    previous["criteria"]["unemployment_rate"]["weights"]["fab_id"] = 12
    previous["criteria"]["job_seekers_per_1000"]["weights"]["fab_id"] = 10
    previous["criteria"]["employed_adults"]["weights"]["progressive"] = 25
    assert profile_errors(previous) != []  # the old profile lacks the new criterion

    upgraded = migration.profile_with_criterion(previous)

    assert upgraded == default_profile()
    assert profile_errors(upgraded) == []
