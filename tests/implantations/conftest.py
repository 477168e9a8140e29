"""Fixtures of the implantations tests."""

from __future__ import annotations

import datetime as dt

import pytest

from diagnostics.models import BasinShare, Role
from implantations.selectors import followup as followup_selectors
from implantations.services import projects as project_services
from tests.factories.basins import BasinFactory, make_commune, make_region, make_user

FOLLOWUP_TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def followup_world(monkeypatch):
    """A turnkey project of 2024 (year 0) on a basin of the Grand Est shared with a mayor; the
    date pinned to 15 June 2026 (years 0 to 2 have begun)."""
    monkeypatch.setattr(followup_selectors, "today", lambda: FOLLOWUP_TODAY)
    monkeypatch.setattr(project_services, "_today", lambda: FOLLOWUP_TODAY)
    region = make_region("44", "Grand Est")
    other = make_region("27", "Bourgogne-Franche-Comté")
    town = make_commune("52121", name="Chaumont", population=42_000, region=region)
    basin = BasinFactory(name="Bassin de Chaumont", region=region, communes=[town])
    delegate = make_user("delegue-ge", regions=[region])
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=basin, user=mayor, shared_by=delegate)
    project = project_services.project_create(
        basin=basin,
        user=delegate,
        name="Cnam à Chaumont",
        concept="turnkey",
        start_year=2024,
        study_started_on=dt.date(2024, 1, 8),
    )
    return {
        "basin": basin,
        "project": project,
        "delegate": delegate,
        "other_delegate": make_user("delegue-bfc", regions=[other]),
        "mayor": mayor,
    }
