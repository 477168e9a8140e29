"""Implantation projects: creation, concept reason, status transitions with their history,
planned against actual learners, and the pages (scoping, forms, nothing half-written)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from django.urls import reverse

from diagnostics.models import BasinShare, Role
from implantations.analytics import planning_followup as pfu
from implantations.models import (
    ImplantationProject,
    ProjectStatusChange,
    ProjectYear,
    Recommendation,
    ScoringProfile,
)
from implantations.services import project_partners
from implantations.services import projects as services
from tests.factories.basins import chaumont_with_delegates, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: TODAY)


@pytest.fixture
def world():
    basin, delegate, other_delegate = chaumont_with_delegates()
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    other_mayor = make_user("mairie-ailleurs", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=basin, user=mayor, shared_by=delegate)
    return {
        "basin": basin,
        "delegate": delegate,
        "other_delegate": other_delegate,
        "mayor": mayor,
        "other_mayor": other_mayor,
    }


def create(world, **kwargs) -> ImplantationProject:
    values = {
        "basin": world["basin"],
        "user": world["delegate"],
        "name": "Cnam à Chaumont",
        "concept": "turnkey",
        "start_year": 2024,
        "study_started_on": dt.date(2024, 1, 8),
    }
    values.update(kwargs)
    return services.project_create(**values)


def recommendation(basin, concept: str) -> Recommendation:
    profile = ScoringProfile.current()
    assert profile is not None  # seeded by migration (version 1)
    return Recommendation.objects.create(
        basin=basin,
        profile=profile,
        engine_version="test",
        input_key=f"test-{basin.pk}-{concept}",
        concept=concept,
        label="robuste",
        robustness=0.9,
        document={},
    )


# --- Creation -------------------------------------------------------------------------------------
def test_project_create_with_years_from_the_business_model_and_history(world):
    project = create(world)

    years = list(project.years.order_by("year").values_list("year", "planned_learners"))
    # Turnkey in the default business model: ramp to 80 learners in year 4 (AMI figure).
    assert years == [(0, 0), (1, 20), (2, 40), (3, 60), (4, 80), (5, 80)]
    assert project.status == "etude"
    history = list(project.status_changes.values_list("from_status", "to_status", "effective_on"))
    assert history == [("", "etude", dt.date(2024, 1, 8))]


def test_project_create_different_concept_needs_a_reason_and_writes_nothing(world):
    reco = recommendation(world["basin"], "fab_id")

    with pytest.raises(services.ProjectError) as caught:
        create(world, recommendation=reco, concept="turnkey")

    assert caught.value.extra["field"] == "concept_reason"
    assert "diffère du concept recommandé (Fab ID (tiers-lieu))" in caught.value.message
    assert ImplantationProject.objects.count() == 0
    assert ProjectYear.objects.count() == 0


def test_project_create_different_concept_with_a_reason(world):
    reco = recommendation(world["basin"], "fab_id")

    project = create(
        world, recommendation=reco, concept="turnkey", concept_reason="Le lycée Bouchardon porte"
    )

    assert project.recommendation == reco
    assert project.recommended_concept == "fab_id"
    assert project.concept_differs is True


def test_project_create_refused_to_another_regions_delegate(world):
    with pytest.raises(services.ProjectError, match="ne pouvez pas gérer"):
        create(world, user=world["other_delegate"])
    assert ImplantationProject.objects.count() == 0


def test_project_create_future_study_date_is_refused(world):
    with pytest.raises(services.ProjectError, match="dans le futur") as caught:
        create(world, study_started_on=dt.date(2026, 7, 1))
    assert caught.value.extra["field"] == "study_started_on"


def test_project_create_study_date_before_2000_is_refused(world):
    with pytest.raises(services.ProjectError) as caught:
        create(world, study_started_on=dt.date(1, 1, 1))

    assert caught.value.message == (
        "La date de lancement de l'étude (01/01/0001) est antérieure au 01/01/2000."
    )
    assert caught.value.extra["field"] == "study_started_on"
    assert ImplantationProject.objects.count() == 0
    assert create(world, study_started_on=dt.date(2000, 1, 1)).study_started_on.year == 2000


# --- Status -------------------------------------------------------------------------------------
def change(project, to_status, day, reason="", user=None):
    return services.project_status_change(
        project=project, to_status=to_status, effective_on=day, reason=reason, user=user
    )


def test_status_moves_forward_one_stage_at_a_time(world):
    project = create(world)

    change(project, "convention", dt.date(2024, 6, 1))
    change(project, "ouverture", dt.date(2024, 9, 2))

    project.refresh_from_db()
    assert project.status == "ouverture"
    assert project.convention_signed_on == dt.date(2024, 6, 1)
    assert project.opened_on == dt.date(2024, 9, 2)
    steps = list(project.status_changes.values_list("from_status", "to_status"))
    assert steps == [("", "etude"), ("etude", "convention"), ("convention", "ouverture")]


def test_status_cannot_skip_a_stage(world):
    project = create(world)

    with pytest.raises(services.ProjectError) as caught:
        change(project, "ouverture", dt.date(2024, 6, 1))

    assert "de « Étude » il passe à « Convention », pas directement à « Ouverture »" in str(
        caught.value
    )
    project.refresh_from_db()
    assert project.status == "etude"
    assert project.status_changes.count() == 1


def test_status_back_needs_a_reason_then_clears_the_later_dates(world):
    project = create(world)
    change(project, "convention", dt.date(2024, 6, 1))
    change(project, "ouverture", dt.date(2024, 9, 2))

    with pytest.raises(services.ProjectError, match="Indiquez pourquoi le projet revient"):
        change(project, "convention", dt.date(2024, 10, 1))
    change(project, "etude", dt.date(2024, 10, 1), reason="Les locaux prévus sont retirés.")

    project.refresh_from_db()
    assert project.status == "etude"
    assert (project.convention_signed_on, project.opened_on) == (None, None)
    last = project.status_changes.order_by("-id").first()
    assert (last.from_status, last.to_status, last.is_backward) == ("ouverture", "etude", True)
    assert last.reason == "Les locaux prévus sont retirés."


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2026, 6, 16), "est dans le futur"),
        (dt.date(2023, 12, 31), "précède celle de l'étape en cours « Étude » (08/01/2024)"),
    ],
)
def test_status_date_is_checked(world, day, message):
    project = create(world)

    with pytest.raises(services.ProjectError, match=re.escape(message)):
        change(project, "convention", day)
    assert ProjectStatusChange.objects.count() == 1


def test_status_same_stage_is_refused(world):
    project = create(world)
    with pytest.raises(services.ProjectError, match="déjà à l'étape « Étude »"):
        change(project, "etude", dt.date(2024, 2, 1), reason="x")


def test_status_concurrent_change_is_refused(world, monkeypatch):
    # Two delegates read the project at « étude »; the first moves it to « convention »; the
    # second, still seeing « étude », must not apply its own change on top.
    project = create(world)
    stale = ImplantationProject.objects.get(pk=project.pk)
    ImplantationProject.objects.filter(pk=project.pk).update(status="convention")
    monkeypatch.setattr(ImplantationProject.objects, "get", lambda **kwargs: stale)

    with pytest.raises(services.ProjectError, match="vient d'être modifié"):
        change(project, "convention", dt.date(2024, 6, 1))

    assert ProjectStatusChange.objects.filter(project=project).count() == 1


# --- Learners -----------------------------------------------------------------------------------
def rows(planned, actual):
    return [
        services.YearInput(year=y, planned=pl, actual=ac)
        for y, (pl, ac) in enumerate(zip(planned, actual, strict=True))
    ]


def test_years_update_and_followup_worked_by_hand(world):
    # Year 0 = 2024, so years 0-2 (2024-2026) can have an actual; 2027+ cannot yet.
    project = create(world)
    services.project_years_update(
        project=project,
        rows=rows([0, 20, 40, 60, 80, 80], [0, 18, 30, None, None, None]),
        user=world["delegate"],
    )

    followup = services.project_followup(project)

    # Year 0: nothing planned, none enrolled → conforme. Year 1: 18 − 20 = −2, −10 % → within
    # the ±10 % tolerance. Year 2: 30 − 40 = −10, −25 % → below the plan. Years 3-5: to enter.
    assert followup[pfu.GAP].tolist()[:3] == [0, -2, -10]
    assert followup[pfu.GAP_SHARE].iloc[2] == pytest.approx(-0.25)
    assert followup[pfu.FLAG].tolist() == [
        "conforme", "conforme", "en_retard", "a_saisir", "a_saisir", "a_saisir",
    ]  # fmt: skip
    totals = pfu.followup_totals(followup)
    assert (totals["planned"], totals["actual"], totals["gap"]) == (60, 48, -12)
    assert totals["gap_share"] == pytest.approx(-0.2)
    assert totals["planned_total"] == 280


def test_years_update_refuses_every_bad_row_and_writes_nothing(world):
    project = create(world)

    with pytest.raises(services.ProjectError) as caught:
        services.project_years_update(
            project=project,
            rows=rows([0, 20, -5, 60, 80, 80], [0, 18, 30, 61, None, None]),
            user=world["delegate"],
        )

    assert caught.value.extra["errors"] == [
        "Année 2 : effectif prévu manquant ou négatif.",
        "Année 3 (2027) : l'effectif réel d'une année qui n'a pas commencé ne peut pas être saisi.",
    ]
    assert (
        list(project.years.order_by("year").values_list("actual_learners", flat=True)) == [None] * 6
    )
    assert project.years.get(year=2).planned_learners == 40


def test_learners_followup_above_plan():
    frame = pd.DataFrame({"year": [1], "calendar_year": [2025], "planned": [85], "actual": [100]})
    out = pfu.learners_followup(frame)
    # +15 / 85 = +17.6 % > 10 %.
    assert out[pfu.FLAG].tolist() == ["en_avance"]
    assert out[pfu.GAP_SHARE].iloc[0] == pytest.approx(15 / 85)


def test_partners_and_members_replace(world):
    project = create(world)
    project_partners.project_partners_replace(
        project=project,
        partners=[
            {"name": "CA de Chaumont", "kind": "epci", "commitment": "locaux prêtés"},
            {"name": "", "kind": "autre"},
        ],
        user=world["delegate"],
    )
    project_partners.project_members_replace(
        project=project,
        members=[{"name": "Mme Martin", "organisation": "Ville de Chaumont", "function": "maire"}],
        user=world["delegate"],
    )
    assert list(project.partners.values_list("name", "kind")) == [("CA de Chaumont", "epci")]
    assert list(project.governance_members.values_list("name", flat=True)) == ["Mme Martin"]

    with pytest.raises(services.ProjectError, match="type inconnu « banque »"):
        project_partners.project_partners_replace(
            project=project, partners=[{"name": "X", "kind": "banque"}], user=world["delegate"]
        )
    assert project.partners.count() == 1


# --- Pages ------------------------------------------------------------------------------------
def test_followup_page_for_the_shared_mayor_highlights_the_gaps(world, client):
    project = create(world)
    services.project_years_update(
        project=project, rows=rows([0, 20, 40, 60, 80, 80], [0, 18, 30, None, None, None])
    )
    client.force_login(world["mayor"])

    response = client.get(reverse("project-detail", args=[project.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "en dessous du plan" in html
    assert "cnam-gap-behind" in html
    assert "Changer d'étape" not in html  # read only
    client.force_login(world["other_mayor"])
    assert client.get(reverse("project-detail", args=[project.pk])).status_code == 404


def test_status_form_moves_the_project_and_reports_errors(world, client):
    project = create(world)
    client.force_login(world["delegate"])
    url = reverse("project-status", args=[project.pk])

    response = client.post(
        url, {"to_status": "auto_portage", "effective_on": "2024-05-01"}, follow=True
    )
    assert "Un projet avance d&#x27;une étape à la fois" in response.content.decode()
    client.post(url, {"to_status": "convention", "effective_on": "2024-05-01"})

    project.refresh_from_db()
    assert project.status == "convention"
    assert project.convention_signed_on == dt.date(2024, 5, 1)


def test_learners_page_error_keeps_every_value(world, client):
    project = create(world)
    client.force_login(world["delegate"])
    data = {}
    for year, (planned, actual) in enumerate(
        zip([0, 20, 40, 60, 80, 80], [0, 18, 30, 70, "", ""], strict=True)
    ):
        data[f"planned_{year}"] = planned
        data[f"actual_{year}"] = actual
        data[f"comment_{year}"] = ""

    response = client.post(reverse("project-learners", args=[project.pk]), data)

    assert response.status_code == 200
    assert "Rien n'a été enregistré" in response.content.decode()
    assert "Année 3 (2027) : l&#x27;effectif réel" in response.content.decode()
    assert project.years.filter(actual_learners__isnull=False).count() == 0


def test_create_page_prefills_the_recommended_concept_and_saves_partners(world, client):
    recommendation(world["basin"], "fab_id")
    client.force_login(world["delegate"])
    url = reverse("project-create")

    page = client.get(url, {"basin": world["basin"].pk})
    assert page.context["form"].initial["concept"] == "fab_id"

    response = client.post(
        url,
        {
            "basin": world["basin"].pk,
            "name": "Fab ID de Chaumont",
            "concept": "fab_id",
            "start_year": 2025,
            "study_started_on": "2025-02-03",
            "governance_name": "Comité de pilotage",
            "partners-TOTAL_FORMS": 1,
            "partners-INITIAL_FORMS": 0,
            "partners-0-name": "Mission locale",
            "partners-0-kind": "emploi",
            "partners-0-commitment": "accueil",
            "members-TOTAL_FORMS": 0,
            "members-INITIAL_FORMS": 0,
        },
    )

    project = ImplantationProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("project-detail", args=[project.pk])
    assert project.recommended_concept == "fab_id"
    assert list(project.partners.values_list("name", flat=True)) == ["Mission locale"]
    assert project.years.get(year=1).planned_learners == 85
