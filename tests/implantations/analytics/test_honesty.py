"""Honesty rules, pure: one rounding rule, no score on too little known data, no ineligible
candidate ranked. Every expected value below is worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from implantations.analytics import honesty as h
from implantations.analytics import planning_columns as pc


# --- One rounding rule ------------------------------------------------------------------------
def test_round_figure_is_half_up_where_binary_floats_round_down() -> None:
    # 56.05 is stored as 56.04999…: Python's format gives 56.0, the page's floatformat 56.1.
    assert f"{56.05:.1f}" == "56.0"
    assert h.round_figure(56.05) == 56.1
    assert h.round_figure(0.125, 2) == 0.13
    assert h.round_figure(-2.25) == -2.3
    assert h.round_figure(None) is None
    assert h.round_figure(float("nan")) is None


def test_format_figure_is_french() -> None:
    assert h.format_figure(56.05) == "56,1"
    assert h.format_figure(1234.56) == "1\u202f234,6"
    assert h.format_figure(72517, 0) == "72\u202f517"
    assert h.format_figure(-0.04) == "0,0"  # no « −0,0 »
    assert h.format_figure(-3) == "−3,0"
    assert h.format_figure(None) == "—"


def test_chart_text_uses_the_same_rule_as_the_pages() -> None:
    from implantations.analytics import charts

    assert charts._fr(56.05) == h.format_figure(56.05) == "56,1"


# --- Recommendation scores --------------------------------------------------------------------
def _criterion(code: str, *, missing: bool, weights: dict[str, float], source: str) -> dict:
    return {
        "code": code,
        "label": code.replace("_", " "),
        "missing": missing,
        "source": source,
        "source_label": source.upper(),
        "weights": weights,
    }


# turnkey: weights 60 known + 40 missing → 60 % known: conclusive (exactly the threshold);
# fab_id: 10 known + 90 missing → 10 %: not conclusive; progressive: no weight known.
DOCUMENT = {
    "concept": "turnkey",
    "concept_label": "Clef en main",
    "scores": {"turnkey": 56.05, "fab_id": 55.2, "progressive": None},
    "coverage": {"turnkey": 0.6, "fab_id": 0.1, "progressive": 0.0},
    "eligible": {"turnkey": True, "fab_id": False, "progressive": False},
    "reasons": ["Clef en main : score 56,1 sur 100."],
    "criteria": [
        _criterion(
            "distance",
            missing=False,
            weights={"turnkey": 60, "fab_id": 10, "progressive": 0},
            source="referential",
        ),
        _criterion(
            "bmo_projects",
            missing=True,
            weights={"turnkey": 40, "fab_id": 30, "progressive": 50},
            source="bmo",
        ),
        _criterion(
            "shared_places",
            missing=True,
            weights={"turnkey": 0, "fab_id": 60, "progressive": 50},
            source="hosts",
        ),
    ],
}


def test_score_verdicts_hide_a_score_on_less_than_the_threshold() -> None:
    verdicts = h.score_verdicts(DOCUMENT)

    assert verdicts["turnkey"]["conclusive"] is True
    assert verdicts["turnkey"]["score"] == 56.1
    assert verdicts["fab_id"]["conclusive"] is False
    assert verdicts["fab_id"]["score"] is None
    assert verdicts["fab_id"]["reason"] == (
        "10 % des poids reposent sur des données connues (minimum : 60 %)"
    )
    # What is missing, heaviest first, with how to get it.
    assert [m["code"] for m in verdicts["fab_id"]["missing"]] == ["shared_places", "bmo_projects"]
    assert verdicts["fab_id"]["missing"][1]["how"].startswith("importer l'enquête Besoins")
    # A criterion without weight for a concept is not « missing » for it.
    assert [m["code"] for m in verdicts["turnkey"]["missing"]] == ["bmo_projects"]
    assert verdicts["progressive"]["score"] is None


def test_threshold_is_a_setting() -> None:
    assert h.MIN_KNOWN_WEIGHT_SHARE == 0.6
    assert h.score_verdicts(DOCUMENT, min_share=0.05)["fab_id"]["score"] == 55.2
    assert h.score_verdicts(DOCUMENT, min_share=0.7)["turnkey"]["score"] is None


def test_honest_document_keeps_a_concept_when_every_eligible_score_is_conclusive() -> None:
    doc = h.honest_document(DOCUMENT)

    assert doc["concept"] == "turnkey"
    assert doc["scores"] == {"turnkey": 56.1, "fab_id": None, "progressive": None}
    assert doc["conclusive"] is False  # not all three
    assert [m["code"] for m in doc["missing"]] == ["shared_places", "bmo_projects"]
    # The stored document is untouched.
    assert DOCUMENT["scores"]["fab_id"] == 55.2  # type: ignore[index]


def test_honest_document_withholds_a_concept_that_cannot_be_compared() -> None:
    document = {**DOCUMENT, "eligible": {"turnkey": True, "fab_id": True, "progressive": False}}

    doc = h.honest_document(document)

    assert doc["concept"] is None and doc["concept_label"] is None
    assert doc["withheld_concept"] == "turnkey"
    assert doc["reasons"] == [
        "Aucune recommandation ferme : données insuffisantes pour comparer les concepts qui "
        "remplissent leur condition (fab_id : 10 % des poids connus ; minimum : 60 %)."
    ]


# --- Planning ---------------------------------------------------------------------------------
def _fit_frame() -> pd.DataFrame:
    """Four candidates after `programme_fit` (only the columns the rule reads)."""
    return pd.DataFrame(
        {
            pc.CANDIDATE_ID: ["A", "B", "C", "D"],
            pc.POPULATION: [50_000, 60_000, 150_000, 40_000],
            pc.MAIN_TOWN_POPULATION: [20_000, 30_000, 60_000, 15_000],
            pc.POPULATION_SCORE: [1.0, 1.0, 100_000 / 150_000, 1.0],
            pc.MAIN_TOWN_SCORE: [1.0, 1.0, 1.0, 1.0],
            # A: the three need indicators; B: none (« source du besoin = aucune donnée »);
            # C: all (but ineligible); D: unemployment only.
            pc.UNEMPLOYMENT_SCORE: [1.0, None, 0.5, 0.0],
            pc.PROJECTS_SCORE: [0.0, None, 1.0, None],
            pc.DIFFICULTY_SCORE: [1.0, None, 0.5, None],
            pc.ACCESS_SCORE: [0.4, 1.0, 1.0, 1.0],
            pc.ELIGIBLE: pd.array([True, True, False, True], dtype="boolean"),
            pc.FIT: [71.3, 97.9, 80.0, 65.0],
            pc.RANK: [3, 1, 2, 4],
        }
    )


def test_planning_standing_ranks_only_eligible_candidates_on_enough_data() -> None:
    out = h.planning_standing(_fit_frame())

    # Known shares (weights 0.3 / 0.5 / 0.2, need 1/1/1):
    #   A 0.3 + 0.5 + 0.2 = 1; B 0.3 + 0 + 0.2 = 0.5 (< 0.6);
    #   C 1 (ineligible); D 0.3 + 0.5 × 1/3 + 0.2 = 0.6667.
    assert out[pc.CANDIDATE_ID].tolist() == ["A", "D", "B", "C"]
    assert out[h.KNOWN_SHARE].tolist() == pytest.approx([1.0, 2 / 3, 0.5, 1.0])
    assert out[h.STANDING].tolist() == [h.RANKED, h.RANKED, h.INSUFFICIENT, h.UNRANKED_INELIGIBLE]
    assert out[pc.RANK].tolist()[:2] == [1, 2]
    assert out[pc.RANK].isna().tolist() == [False, False, True, True]
    # B's 97.9 was computed on half its weights: not shown, not selectable.
    assert pd.isna(out.loc[2, pc.FIT]) and out.loc[2, h.FIT_COMPUTED] == 97.9  # type: ignore[arg-type]
    assert str(out.loc[2, h.STANDING_REASON]).startswith(
        "données insuffisantes : 50 % des poids reposent sur des données connues (minimum : 60 %)"
        " ; manquent : taux de chômage, projets de recrutement, difficultés de recrutement"
    )
    # C keeps its fit, shown apart with why.
    assert out.loc[3, pc.FIT] == 80.0
    assert out.loc[3, h.STANDING_REASON] == (
        "hors des critères d'éligibilité : population du bassin 150\u202f000 hab. hors des "
        "bornes (30\u202f000 à 100\u202f000)"
    )


def test_choice_reason_uses_the_rounded_figures() -> None:
    # The engine wrote its reason from the unrounded 56.0451 (« 56,0 »); the card shows 56,1.
    document = {**DOCUMENT, "reasons": ["Clef en main : score 56,0 sur 100."]}

    doc = h.honest_document(document)

    assert doc["reasons"][0] == (
        "Clef en main : score 56,1 sur 100 ; condition non remplie : Fab ID (tiers-lieu), "
        "Progressif."
    )
