"""Reconversion-oriented paths in the gap (catalogue.analytics.reconversion): hand-made lines."""

from __future__ import annotations

import pandas as pd
import pytest

from catalogue.analytics import reconversion as rc
from catalogue.analytics.columns import (
    EXCLUDED_REASON,
    EXPLANATION,
    FLAGGED,
    PATH_CODE,
    PUBLICS,
    RANK,
    ROME_CODES,
    SCORE,
)
from diagnostics.analytics import columns as c

ROMES = [("K1302",), ("K1302", "D1502"), ("N1101",), ("K1302",), ("K1302",)]


def paths() -> pd.DataFrame:
    return pd.DataFrame({PATH_CODE: ["A", "B", "C", "D", "E"], ROME_CODES: ROMES})


def lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            RANK: pd.array([1, 2, 3, 4, pd.NA], dtype="Int64"),
            PATH_CODE: ["A", "B", "C", "D", "E"],
            PUBLICS: [
                ("salaries",),
                ("demandeurs_emploi",),
                ("demandeurs_emploi", "salaries"),
                ("demandeurs_emploi",),
                ("demandeurs_emploi",),
            ],
            SCORE: pd.array([60.0, 50.0, 45.0, 90.0, None], dtype="Float64"),
            FLAGGED: [False, False, False, True, False],
            EXCLUDED_REASON: [None, None, None, None, "aucun projet"],
            EXPLANATION: ["a.", "b.", "c.", "d.", "e."],
        }
    )


def targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.TARGET_ROME_CODE: ["K1302", "D1502", "N1101"],
            c.TARGET_ROME_LABEL: ["Assistance auprès d'adultes", "Gestion de rayon", "Magasinage"],
            c.JOB_SEEKERS_CONCERNED: [263.0, 152.0, 0.0],
        }
    )


def test_reconversion_paths_are_boosted_and_ranked_again():
    out = rc.reconversion_boost(lines(), targets(), paths=paths(), bonus=0.2)
    by_code = out.set_index(PATH_CODE)
    # A: no job seekers in its publics; C: its target has no bridge (0 concerned); E: left out.
    assert by_code[rc.RECONVERSION].to_dict() == {
        "B": True,
        "A": False,
        "C": False,
        "D": True,
        "E": False,
    }
    # B: 50 × 1.2 = 60, ties with A (60) and comes after it by code; D stays last (flagged).
    assert by_code.loc["B", SCORE] == pytest.approx(60.0)
    assert by_code.loc["D", SCORE] == pytest.approx(100.0)  # 90 × 1.2 = 108, capped at 100
    assert by_code.loc["B", rc.SCORE_BEFORE] == 50.0
    assert by_code.loc["B", rc.RECONVERSION_JOB_SEEKERS] == 263.0 + 152.0
    assert by_code.loc["B", rc.RECONVERSION_TARGETS] == ("K1302", "D1502")
    assert out[PATH_CODE].tolist() == ["A", "B", "C", "D", "E"]
    assert out[RANK].tolist()[:4] == [1, 2, 3, 4] and pd.isna(out[RANK].iloc[4])
    assert "Orienté reconversion" in by_code.loc["B", EXPLANATION]
    assert "majoré de 20 %" in by_code.loc["B", EXPLANATION]


def test_bonus_changes_the_order():
    out = rc.reconversion_boost(lines(), targets(), paths=paths(), bonus=0.5)  # B: 75 > A: 60
    assert out[PATH_CODE].tolist()[:2] == ["B", "A"]


def test_no_bridge_table_leaves_the_gap_as_it_was():
    out = rc.reconversion_boost(lines(), None, paths=paths())
    assert not out[rc.RECONVERSION].any()
    assert out[SCORE].tolist()[:4] == [60.0, 50.0, 45.0, 90.0]
    assert out[EXPLANATION].tolist() == ["a.", "b.", "c.", "d.", "e."]
