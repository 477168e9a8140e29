"""The programme dashboard (issue 18) on a hand-built programme: two regions, basins at each
stage, projects at each status, targets; its counts, its scope per role, its exports, and the
targets' editor with its history."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any, cast

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import Basin, DiagnosticRun, Region, Role, User
from diagnostics.services.accounts import user_create
from implantations.models import (
    ImplantationProject,
    ProgrammeTarget,
    ProgrammeTargetChange,
    Recommendation,
    ScoringProfile,
)
from implantations.selectors.programme_dashboard import programme_dashboard
from implantations.services.programme import (
    ProgrammeError,
    TargetInput,
    programme_target_delete,
    programme_target_save,
)
from tests.factories.basins import BasinFactory, make_commune

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


def _basin(name: str, region: Region, code: str, col: int, **extra: Any) -> Basin:
    town = make_commune(code, population=40_000, region=region, col=col, name=f"Ville {name}")
    return cast(Basin, BasinFactory(name=name, region=region, communes=[town], **extra))


def _diagnosed(basin: Basin) -> None:
    DiagnosticRun.objects.create(
        basin=basin, status=DiagnosticRun.Status.DONE, engine_version="t", data_key=f"k{basin.pk}"
    )


def _recommended(basin: Basin, concept: str = "fab_id") -> None:
    Recommendation.objects.create(
        basin=basin, profile=cast(ScoringProfile, ScoringProfile.current()), engine_version="t",
        input_key=f"r{basin.pk}", concept=concept, robustness=0.8, document={},
    )  # fmt: skip


def _project(basin: Basin, concept: str, status: str, started: str, opened: str | None) -> None:
    ImplantationProject.objects.create(
        basin=basin, name=f"Projet {basin.name}", concept=concept, status=status,
        start_year=int(started[:4]), study_started_on=dt.date.fromisoformat(started),
        opened_on=dt.date.fromisoformat(opened) if opened else None,
    )  # fmt: skip


@pytest.fixture
def world() -> dict[str, Any]:
    """Region 91: basins diagnosed (1), recommended (2, one without a finished diagnostic),
    projects at the study stage and open (opened 2025); region 92: a project self-financed
    (opened 2024), one with its convention; a reference basin diagnosed and a basin registered
    only, neither in the pipeline. Targets: programme 2026 (12 launched, 8 open), region 91
    2026 (6, 4)."""
    a = Region.objects.create(code="91", name="Région Alpha")
    b = Region.objects.create(code="92", name="Région Bêta")
    diagnosed = _basin("Diagnostiqué", a, "91001", 0)
    _diagnosed(diagnosed)
    recommended = _basin("Recommandé", a, "91002", 1)
    _diagnosed(recommended)
    _recommended(recommended)
    _recommended(_basin("Recommandé sans diagnostic", a, "91003", 2))
    study = _basin("Étude", a, "91004", 3)
    _diagnosed(study)
    _project(study, "turnkey", "etude", "2026-02-01", None)
    opened = _basin("Ouvert", a, "91005", 4)
    _project(opened, "fab_id", "ouverture", "2024-03-01", "2025-09-01")
    own = _basin("Auto-porté", b, "92001", 0)
    _project(own, "fab_id", "auto_portage", "2023-01-05", "2024-09-02")
    convention = _basin("Convention", b, "92002", 1)
    _project(convention, "progressive", "convention", "2025-05-05", None)
    reference = _basin("Zone de référence", a, "91006", 5, is_reference=True)
    _diagnosed(reference)
    _basin("Enregistré seulement", b, "92003", 2)
    ProgrammeTarget.objects.create(year=2026, sites_planned=12, sites_open=8)
    ProgrammeTarget.objects.create(year=2026, region=a, sites_planned=6, sites_open=4)
    return {
        "admin": user_create(username="p-admin", role=Role.NATIONAL_ADMIN),
        "delegate_a": user_create(username="p-del-a", role=Role.REGIONAL_DELEGATE, regions=["91"]),
        "delegate_b": user_create(username="p-del-b", role=Role.REGIONAL_DELEGATE, regions=["92"]),
        "mayor": user_create(username="p-mairie", role=Role.MAYOR_VIEWER),
    }


def _stages(dashboard: Any) -> dict[str, tuple[int, int]]:
    return {
        r["stage"]: (r["at_stage"], r["reached"]) for r in dashboard.pipeline.to_dict("records")
    }


def test_programme_dashboard_counts_of_the_whole_programme(world: dict[str, Any]) -> None:
    dashboard = programme_dashboard(world["admin"], today=TODAY, with_map=False)

    assert _stages(dashboard) == {
        "diagnostique": (1, 7),
        "recommande": (2, 6),
        "etude": (1, 4),
        "convention": (1, 3),
        "ouverture": (1, 2),
        "auto_portage": (1, 1),
    }
    assert dashboard.years == [2023, 2024, 2025, 2026]
    timeline = dashboard.timeline.set_index("year")
    assert timeline["planned_actual"].tolist() == [1, 2, 3, 4]
    assert timeline["open_actual"].tolist() == [0, 1, 2, 2]
    assert dashboard.final() == {
        "year": 2026, "planned_actual": 4, "open_actual": 2, "planned_target": 12,
        "open_target": 8,
    }  # fmt: skip
    by_region = dashboard.by_region.set_index("key")
    assert by_region.loc["91", "open_actual"] == 1 and by_region.loc["91", "open_target"] == 4
    assert by_region.loc["92", "open_actual"] == 1 and pd.isna(by_region.loc["92", "open_target"])  # type: ignore[arg-type]
    by_concept = dashboard.by_concept.set_index("key")
    assert by_concept["planned_actual"].to_dict() == {"turnkey": 1, "fab_id": 2, "progressive": 1}


def test_programme_dashboard_of_a_delegate_is_their_region(world: dict[str, Any]) -> None:
    dashboard = programme_dashboard(world["delegate_a"], today=TODAY, with_map=False)

    assert dashboard.region_code == "91"
    assert _stages(dashboard) == {
        "diagnostique": (1, 5),
        "recommande": (2, 4),
        "etude": (1, 2),
        "convention": (0, 1),
        "ouverture": (1, 1),
        "auto_portage": (0, 0),
    }
    assert dashboard.final()["open_target"] == 4
    assert dashboard.final()["planned_actual"] == 2


def _figure(page: str, element: str) -> dict[str, Any]:
    marker = f'<script id="{element}" type="application/json">'
    start = page.index(marker) + len(marker)
    return json.loads(page[start : page.index("</script>", start)])  # type: ignore[no-any-return]


def test_programme_page_scope_per_role(client: Client, world: dict[str, Any]) -> None:
    url = reverse("programme")
    client.force_login(world["admin"])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sites auto-portés" in text
    assert f"{reverse('programme-stage')}?etape=recommande" in text
    figure = _figure(text, "programme-map-data")
    statuses = sorted(
        t["name"] for t in figure["data"] if str(t.get("name", "")).startswith("Projet")
    )
    assert statuses == [
        "Projet : Auto-portage", "Projet : Convention", "Projet : Ouverture", "Projet : Étude",
    ]  # fmt: skip
    assert client.get(url, {"region": "92"}).status_code == 200

    client.force_login(world["delegate_b"])
    assert client.get(url).context["dashboard"].region_code == "92"
    assert client.get(url, {"region": "91"}).status_code == 404
    stage = client.get(reverse("programme-stage"), {"etape": "etude", "region": "91"})
    assert stage.status_code == 404

    client.force_login(world["mayor"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("programme-export", kwargs={"fmt": "csv"})).status_code == 404


def test_programme_stage_lists_the_items_of_the_stage(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["admin"])

    recommended = client.get(reverse("programme-stage"), {"etape": "recommande"})
    opened = client.get(reverse("programme-stage"), {"etape": "ouverture"})

    assert sorted(b.name for b in recommended.context["basins"]) == [
        "Recommandé", "Recommandé sans diagnostic",
    ]  # fmt: skip
    assert [p.name for p in opened.context["projects"]] == ["Projet Ouvert"]
    assert client.get(reverse("programme-stage"), {"etape": "ferme"}).status_code == 404
    assert client.get(reverse("programme-stage")).status_code == 404


def test_programme_exports_csv_and_xlsx(client: Client, world: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    client.force_login(world["delegate_a"])
    csv = client.get(reverse("programme-export", kwargs={"fmt": "csv"}))
    rows = csv.content.decode("utf-8-sig").strip().splitlines()
    assert rows[0].startswith("n° du projet;projet;bassin")
    assert len(rows) == 3  # the header and the two projects of region 91
    assert "Projet Ouvert" in csv.content.decode() and "Auto-porté" not in csv.content.decode()

    client.force_login(world["admin"])
    xlsx = client.get(reverse("programme-export", kwargs={"fmt": "xlsx"}))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:3] == [
        "Sites et projets", "Étapes du programme", "Objectifs et réalisé par année",
    ]  # fmt: skip
    timeline = list(book["Objectifs et réalisé par année"].values)
    assert timeline[-1] == (2026, 4, 12, 2, 8, 25.0)
    assert client.get(reverse("programme-export", kwargs={"fmt": "pdf"})).status_code == 404


# --- Targets ---------------------------------------------------------------------------------------
def test_programme_target_save_keeps_each_change(world: dict[str, Any]) -> None:
    admin: User = world["admin"]
    target = programme_target_save(
        data=TargetInput(year=2027, sites_planned=20, sites_open=10), user=admin
    )
    programme_target_save(
        data=TargetInput(year=2027, sites_planned=20, sites_open=15, note="comité"), user=admin
    )
    programme_target_delete(target_id=target.pk, user=admin)

    changes = [
        (c.action, c.field, c.old_value, c.new_value)
        for c in ProgrammeTargetChange.objects.filter(year=2027).order_by("id")
    ]
    assert changes == [
        ("creation", "sites_planned", "", "20"),
        ("creation", "sites_open", "", "10"),
        ("modification", "sites_open", "10", "15"),
        ("modification", "note", "", "comité"),
        ("suppression", "sites_planned", "20", ""),
        ("suppression", "sites_open", "15", ""),
    ]
    assert all(c.changed_by_id == admin.pk for c in ProgrammeTargetChange.objects.all())
    assert not ProgrammeTarget.objects.filter(year=2027).exists()


def test_programme_target_save_refuses_bad_values_and_other_roles(world: dict[str, Any]) -> None:
    with pytest.raises(ProgrammeError, match="Sites ouverts : pas plus que les projets lancés"):
        programme_target_save(
            data=TargetInput(year=2027, sites_planned=3, sites_open=5), user=world["admin"]
        )
    with pytest.raises(ProgrammeError, match="Région inconnue"):
        programme_target_save(
            data=TargetInput(year=2027, region="77", sites_planned=3, sites_open=1),
            user=world["admin"],
        )
    with pytest.raises(ProgrammeError, match="administration nationale"):
        programme_target_save(
            data=TargetInput(year=2027, sites_planned=3, sites_open=1), user=world["delegate_a"]
        )
    assert not ProgrammeTargetChange.objects.exists()


def test_programme_targets_page_answers_400_in_french(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["admin"])
    url = reverse("programme-targets")

    bad = client.post(url, {"year": "2026", "sites_planned": "2", "sites_open": "5"})
    typo = client.post(url, {"year": "deux mille", "sites_planned": "2", "sites_open": "1"})
    ok = client.post(url, {"year": "2026", "region": "91", "sites_planned": "7", "sites_open": "4"})

    assert bad.status_code == 400
    assert "Sites ouverts : pas plus que les projets lancés (5 &gt; 2)" in bad.content.decode()
    assert typo.status_code == 400
    assert "Saisissez un nombre entier" in typo.content.decode()
    assert ok.status_code == 302
    change = ProgrammeTargetChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("sites_planned", "6", "7")
    client.force_login(world["delegate_a"])
    assert client.get(url).status_code == 404
