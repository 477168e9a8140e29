"""The reconversion boost of the gap and the path details carried to its lines (issue 18), on
the hand-made frames of test_gap, figures worked out by hand."""

import pytest

from catalogue.analytics import columns as g
from catalogue.analytics.gap import training_gap
from catalogue.analytics.gap_explain import gap_method
from catalogue.analytics.gap_params import GapParams
from catalogue.analytics.gap_records import gap_records
from tests.catalogue.analytics.test_gap import (
    bmo_frame,
    metier_tension_frame,
    paths_frame,
    rome_tension_frame,
    supply_frame,
)


def with_details():
    paths = paths_frame()
    # Soudage and the module DOC are reconversion paths; Vente is professionnalisation.
    paths[g.PURPOSES] = [
        ("professionnalisation",),
        ("reconversion", "professionnalisation"),
        ("professionnalisation",),
        ("reconversion",),
        (),
    ]
    paths[g.LEVEL] = [4, 3, 4, None, 7]
    paths[g.RNCP_CODE] = ["RNCP37098", "", "", "", "RS5000"]
    paths[g.CPF_ELIGIBLE] = [True, True, False, False, True]
    paths[g.MODALITIES] = [("presentiel",), ("alternance", "presentiel"), (), ("hybride",), ()]
    paths[g.DURATION_HOURS] = [600, 700, 1100, 70, 600]
    paths[g.ROLLING_ENTRIES] = [False, False, False, True, False]
    return paths


def gap(boost: float):
    return training_gap(
        with_details(),
        bmo=bmo_frame(),
        metier_tension=metier_tension_frame(),
        rome_tension=rome_tension_frame(),
        supply=supply_frame(),
        params=GapParams(reconversion_boost=boost),
    )


def by_code(result) -> dict:
    return {r[g.PATH_CODE]: r for r in gap_records(result.lines)}


def test_no_boost_by_default_keeps_the_hand_worked_ranking() -> None:
    lines = by_code(gap(0.0))

    # As in test_gap: Vente 52.5 first, Soudage 46 second; nobody boosted.
    assert (lines["COM-01"][g.RANK], lines["COM-01"][g.SCORE]) == (1, 52.5)
    assert (lines["IND-01"][g.RANK], lines["IND-01"][g.SCORE]) == (2, 46.0)
    assert not any(line[g.RECONVERSION_BOOSTED] for line in lines.values())
    assert GapParams().reconversion_boost == 0.0


def test_reconversion_boost_moves_the_reconversion_path_ahead() -> None:
    lines = by_code(gap(0.2))

    # Soudage (reconversion): 46 × 1.2 = 55.2 > Vente 52.5 (unchanged, not a reconversion path).
    assert (lines["IND-01"][g.RANK], lines["IND-01"][g.SCORE]) == (1, 55.2)
    assert (lines["COM-01"][g.RANK], lines["COM-01"][g.SCORE]) == (2, 52.5)
    assert lines["IND-01"][g.RECONVERSION_BOOSTED] is True
    assert lines["IND-01"][g.EXPLANATION].endswith(
        "Parcours de reconversion : score majoré de 20\u202f%."
    )
    # The module DOC is a reconversion path without occupation: left out, never boosted.
    assert lines["ORI-01"][g.RANK] is None
    assert lines["ORI-01"][g.RECONVERSION_BOOSTED] is False


def test_a_small_boost_is_not_enough() -> None:
    # 46 × 1.1 = 50.6 < 52.5: the ranking stays.
    lines = by_code(gap(0.1))
    assert (lines["IND-01"][g.RANK], lines["IND-01"][g.SCORE]) == (2, 50.6)


def test_lines_carry_the_path_details() -> None:
    lines = by_code(gap(0.0))

    assert lines["COM-01"][g.PURPOSES] == ["professionnalisation"]
    assert lines["COM-01"][g.RNCP_CODE] == "RNCP37098"
    assert (lines["IND-01"][g.LEVEL], lines["IND-01"][g.DURATION_HOURS]) == (3, 700)
    assert lines["IND-01"][g.MODALITIES] == ["alternance", "presentiel"]
    assert lines["HOT-01"][g.CPF_ELIGIBLE] is False
    assert lines["ORI-01"][g.LEVEL] is None
    assert lines["ORI-01"][g.ROLLING_ENTRIES] is True


def test_frames_without_details_get_the_defaults() -> None:
    result = training_gap(paths_frame(), bmo=bmo_frame())
    line = by_code(result)["COM-01"]
    assert (line[g.PURPOSES], line[g.RNCP_CODE], line[g.CPF_ELIGIBLE]) == ([], "", False)


@pytest.mark.parametrize("boost", [-0.1, 1.5, float("nan"), float("inf")])
def test_boost_out_of_range_is_refused_in_french(boost: float) -> None:
    with pytest.raises(ValueError, match="Le bonus reconversion doit être un nombre entre 0 et 1"):
        GapParams(reconversion_boost=boost)


def test_method_names_the_boost_only_when_set() -> None:
    assert "Bonus reconversion" not in gap_method(GapParams())
    assert "est multiplié par 1,20 (paramètre choisi" in gap_method(
        GapParams(reconversion_boost=0.2)
    )
