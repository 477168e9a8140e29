"""Contributions from the territory (issue 13): proposals, impossible values, the delegate's
decision feeding the recommendation (before / after), history, no lost update."""

from __future__ import annotations

import datetime as dt

import pytest

from diagnostics.models import Notification
from implantations.models import BasinPartnership, Contribution, HostStructure
from implantations.selectors.sharing import constraint_lifts, contribution_history
from implantations.services.contributions import (
    ContributionError,
    ContributionInput,
    contribution_decide,
    contribution_edit,
    contribution_propose,
)
from implantations.services.sharing import shared_version_create
from tests.factories.sharing import done_run, sharing_world

pytestmark = pytest.mark.django_db


def premises(**extra: object) -> ContributionInput:
    values: dict[str, object] = {
        "kind": "locaux",
        "title": "Salle de l'ancienne poste",
        "surface_m2": 120,
        "available_from": dt.date(2027, 1, 4),
        "source": "Délibération du conseil municipal du 12/11/2026",
        "contact": "Service urbanisme, 03 25 00 00 00",
    }
    values.update(extra)
    return ContributionInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    w = sharing_world()
    w.version = shared_version_create(
        run=done_run(w), user=w.delegate, recipients=["mairie-chaumont", "ml-chaumont"]
    )
    return w


def test_partner_proposes_premises_and_the_delegates_are_told(world) -> None:  # type: ignore[no-untyped-def]
    contribution = contribution_propose(
        basin=world.basin, user=world.mayor, data=premises(), shared_version_id=world.version.pk
    )
    assert contribution.status == Contribution.Status.PENDING
    assert contribution.shared_version_id == world.version.pk
    assert contribution.version == 1
    note = Notification.objects.get(user=world.delegate)
    assert "propose « Salle de l'ancienne poste » (Locaux)" in note.text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"surface_m2": -20}, "surface_m2", "Surface impossible : -20 m²"),
        ({"surface_m2": None}, "surface_m2", "surface"),
        ({"surface_m2": "douze"}, "surface_m2", "n'est pas un nombre"),
        (
            {"kind": "employeur", "headcount": 16_001, "surface_m2": None},
            "headcount",
            "plus que la population du bassin (16000)",
        ),
        ({"kind": "employeur", "headcount": 0}, "headcount", "au moins 1"),
        ({"kind": "partenaire"}, "partner_kind", "type de partenaire"),
        ({"kind": "cofinancement", "amount_eur": -5}, "amount_eur", "Montant impossible"),
        ({"source": "  "}, "source", "source"),
        ({"contact": ""}, "contact", "contact"),
        ({"kind": "potion"}, "kind", "Type de contribution inconnu"),
        (
            {"available_from": dt.date(9999, 12, 31)},
            "available_from",
            "La date de disponibilité (31/12/9999) est postérieure au 31/12/2100.",
        ),
    ],
)
def test_impossible_contribution_values_are_refused_naming_the_field(
    world, change, field, words
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ContributionError) as exc:
        contribution_propose(basin=world.basin, user=world.mayor, data=premises(**change))
    assert exc.value.extra["field"] == field
    assert words in exc.value.message
    assert Contribution.objects.count() == 0


def test_only_accounts_the_basin_is_shared_with_propose(world) -> None:  # type: ignore[no-untyped-def]
    for user in (world.other_mayor, world.delegate, world.other_delegate):
        with pytest.raises(ContributionError) as exc:
            contribution_propose(basin=world.basin, user=user, data=premises())
        assert exc.value.code == "forbidden"


def test_accepted_premises_lift_the_fab_id_constraint_and_keep_before_and_after(world) -> None:  # type: ignore[no-untyped-def]
    contribution = contribution_propose(basin=world.basin, user=world.mayor, data=premises())
    done = contribution_decide(
        contribution_id=contribution.pk, basin=world.basin, user=world.delegate,
        expected_version=1, accept=True, note="Vérifié avec la mairie",
    )  # fmt: skip

    assert done.status == Contribution.Status.ACCEPTED and done.version == 2
    partnership = BasinPartnership.objects.get(basin=world.basin)
    assert partnership.town_lends_premises is True
    assert (
        "Salle de l'ancienne poste, 120 m², disponibles dès le 04/01/2027"
        in partnership.premises_note
    )
    assert done.recommendation_before is not None and done.recommendation_after is not None
    before = {c["code"]: c["passed"] for c in done.recommendation_before.document["constraints"]}
    after = {c["code"]: c["passed"] for c in done.recommendation_after.document["constraints"]}
    assert before["shared_place"] is False and after["shared_place"] is True
    lifts = constraint_lifts(
        done.recommendation_before.document, done.recommendation_after.document, [done]
    )
    assert [
        (lift["constraint"]["code"], [c.pk for c in lift["contributions"]]) for lift in lifts
    ] == [("shared_place", [done.pk])]
    # The version shared before keeps the recommendation it had.
    world.version.refresh_from_db()
    frozen = {c["code"]: c["passed"] for c in world.version.recommendation["constraints"]}
    assert frozen["shared_place"] is False
    history = contribution_history(done)
    assert [h["what"] for h in history] == ["proposée", "acceptée"]
    assert history[0]["who"] == "Claire Maire" and history[1]["who"] == world.delegate.username
    assert {c["field"] for c in history[1]["changes"]} >= {"status", "decided_by"}


def test_accepted_lycee_partner_becomes_a_confirmed_host(world) -> None:  # type: ignore[no-untyped-def]
    contribution = contribution_propose(
        basin=world.basin, user=world.partner,
        data=premises(kind="partenaire", partner_kind="lycee", title="Lycée Eiffel", surface_m2=None),
    )  # fmt: skip
    done = contribution_decide(
        contribution_id=contribution.pk, basin=world.basin, user=world.delegate,
        expected_version=1, accept=True,
    )  # fmt: skip
    host = HostStructure.objects.get(basin=world.basin, name="Lycée Eiffel")
    assert host.confirmed and host.is_vocational_lycee and done.host_structure_id == host.pk
    assert done.recommendation_after is not None
    after = {c["code"]: c["passed"] for c in done.recommendation_after.document["constraints"]}
    assert after["lycee_partner"] is True


def test_two_delegates_editing_the_same_contribution_lose_no_update(world) -> None:  # type: ignore[no-untyped-def]
    from tests.factories.basins import make_user

    second = make_user("delegue-44-bis", regions=[world.base.region])
    contribution = contribution_propose(basin=world.basin, user=world.mayor, data=premises())

    # Both opened the page at version 1; the first saves a correction.
    contribution_edit(
        contribution_id=contribution.pk, basin=world.basin, user=world.delegate,
        expected_version=1, data=premises(surface_m2=150),
    )  # fmt: skip
    with pytest.raises(ContributionError) as exc:
        contribution_edit(
            contribution_id=contribution.pk, basin=world.basin, user=second,
            expected_version=1, data=premises(surface_m2=90),
        )  # fmt: skip
    assert exc.value.code == "conflict"
    assert "modifiée entre-temps par delegue-44" in exc.value.message
    with pytest.raises(ContributionError):
        contribution_decide(
            contribution_id=contribution.pk, basin=world.basin, user=second,
            expected_version=1, accept=False,
        )  # fmt: skip
    current = Contribution.objects.get(pk=contribution.pk)
    assert current.surface_m2 == 150 and current.version == 2
    assert current.status == Contribution.Status.PENDING


def test_decline_and_decided_contributions_cannot_change(world) -> None:  # type: ignore[no-untyped-def]
    contribution = contribution_propose(basin=world.basin, user=world.mayor, data=premises())
    done = contribution_decide(
        contribution_id=contribution.pk, basin=world.basin, user=world.delegate,
        expected_version=1, accept=False, note="Locaux trop petits",
    )  # fmt: skip
    assert done.status == Contribution.Status.DECLINED
    assert not BasinPartnership.objects.filter(basin=world.basin, town_lends_premises=True).exists()
    with pytest.raises(ContributionError) as exc:
        contribution_decide(
            contribution_id=contribution.pk, basin=world.basin, user=world.delegate,
            expected_version=2, accept=True,
        )  # fmt: skip
    assert exc.value.code == "decided"
    with pytest.raises(ContributionError) as exc:
        contribution_decide(
            contribution_id=contribution.pk, basin=world.basin, user=world.other_delegate,
            expected_version=3, accept=True,
        )  # fmt: skip
    assert exc.value.code == "forbidden"
