"""The stored recommendations of the hand-made world, pinned field by field (scores,
contributions, normalisation and explanation texts, constraints, sensitivity, stored profile).

Written before the criteria were declared in one place (ADR 0010) and kept green since: a
refactor of the engine must not change a stored recommendation. The golden file was produced
by the code as it was; regenerate it (`PIN_RECOMMENDATIONS=write`) only for a deliberate change
of the engine, and say so in the commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from implantations.services.recommendation import recommendation_compute, scoring_profile_ensure
from tests.implantations.recommendation_world import (
    FAB_ID_SPEC,
    PROGRESSIVE_SPEC,
    TURNKEY_SPEC,
    build_basin,
)

pytestmark = [pytest.mark.django_db]

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "recommendations.json"
# Ids and timestamps differ from one database to the next; everything else is pinned.
# The partners' vintage reads « saisi le <today> »: today's date becomes a placeholder.
VOLATILE = {
    "id",
    "created_at",
    "finished_at",
    "batch",
    "imported_at",
    "basin_id",
    "run_id",
    "profile_id",
}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, str):
        return value.replace(timezone.localdate().strftime("%d/%m/%Y"), "<today>")
    return value


def _world() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in (TURNKEY_SPEC, FAB_ID_SPEC, PROGRESSIVE_SPEC):
        recommendation = recommendation_compute(basin=build_basin(spec))
        out[spec.name] = {
            "concept": recommendation.concept,
            "label": recommendation.label,
            "robustness": recommendation.robustness,
            "scores": recommendation.scores,
            "document": _stable(recommendation.document),
        }
    out["stored_profile"] = scoring_profile_ensure().parameters
    return out


def test_recommendations_of_the_hand_made_world_are_unchanged() -> None:
    actual = json.loads(json.dumps(_world()))

    if os.environ.get("PIN_RECOMMENDATIONS") == "write":
        GOLDEN.write_text(json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text())

    assert actual.keys() == expected.keys()
    for name in expected:
        assert actual[name] == expected[name], name


@pytest.mark.django_db(False)
def test_pinned_world_covers_three_concepts_and_every_criterion() -> None:
    expected = json.loads(GOLDEN.read_text())

    assert {expected[s.name]["concept"] for s in (TURNKEY_SPEC, FAB_ID_SPEC, PROGRESSIVE_SPEC)} == {
        "turnkey",
        "fab_id",
        "progressive",
    }
    for spec in (TURNKEY_SPEC, FAB_ID_SPEC, PROGRESSIVE_SPEC):
        assert len(expected[spec.name]["document"]["criteria"]) == 21
