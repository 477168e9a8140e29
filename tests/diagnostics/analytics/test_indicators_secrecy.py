"""Statistical secrecy: primary suppression and the secondary (difference) check."""

import pandas as pd
import pytest

from diagnostics.analytics.columns import (
    FIGURE_ID,
    PUBLISHED,
    REVEALED_UNITS,
    SUPPRESSED,
    SUPPRESSION_REASON,
    UNIT_CODE,
    VALUE,
    WEIGHT,
)
from diagnostics.analytics.secrecy import masked_count, secondary_suppression, suppress_small


def units(values: dict[str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {UNIT_CODE: list(values), VALUE: pd.array(list(values.values()), dtype="Int64")}
    )


def figures(rows: list[tuple[str, int, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[FIGURE_ID, VALUE, PUBLISHED])


def membership(pairs: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(figure, unit) for figure, members in pairs.items() for unit in members],
        columns=[FIGURE_ID, UNIT_CODE],
    )


def test_difference_between_nested_basins_revealing_a_masked_zone_is_suppressed():
    # Basin A = zones {1, 2}, basin B = zones {1}; zone 1 published (40), zone 2 masked (its
    # true value, 3, is inside A's total 43). A − B = 43 − 40 = 3 would reveal zone 2.
    result = secondary_suppression(
        units({"1": 40, "2": None}),
        figures([("A", 43, False), ("B", 40, True)]),
        membership({"A": ["1", "2"], "B": ["1"]}),
    )

    a, b = result.iloc[0], result.iloc[1]
    assert a[FIGURE_ID] == "A"
    assert bool(a[SUPPRESSED]) is True
    assert pd.isna(a[VALUE])
    assert a[REVEALED_UNITS] == "2"
    assert "valeur secrète de 2" in a[SUPPRESSION_REASON]
    assert "B" in a[SUPPRESSION_REASON]
    assert bool(b[SUPPRESSED]) is False
    assert b[VALUE] == 40


def test_two_masked_zones_in_one_total_are_safe_until_a_nested_figure_appears():
    # Zones 2, 3, 4 all masked. A = {2, 3, 4} hides three unknowns: safe on its own.
    cells = units({"2": None, "3": None, "4": None})
    alone = secondary_suppression(
        cells, figures([("A", 12, False)]), membership({"A": ["2", "3", "4"]})
    )
    assert alone[SUPPRESSED].tolist() == [False]

    # With B = {3, 4} already published, A − B = zone 2 alone → A is suppressed.
    nested = secondary_suppression(
        cells,
        figures([("A", 12, False), ("B", 8, True)]),
        membership({"A": ["2", "3", "4"], "B": ["3", "4"]}),
    )
    assert nested[SUPPRESSED].tolist() == [True, False]
    assert nested[REVEALED_UNITS].iloc[0] == "2"


def test_candidates_are_examined_in_order_and_kept_ones_count_as_public():
    cells = units({"2": None, "3": None, "4": None})

    result = secondary_suppression(
        cells,
        figures([("A", 12, False), ("B", 8, False)]),
        membership({"A": ["2", "3", "4"], "B": ["3", "4"]}),
    )

    # A goes first and is kept; B would then reveal zone 2 by A − B: B is suppressed.
    assert result[SUPPRESSED].tolist() == [False, True]
    assert "avec A" in result[SUPPRESSION_REASON].iloc[1]


def test_longer_chains_of_differences_are_caught():
    # P = {1, 2}, Q = {2, 3} published; candidate R = {1, 3}: P + Q − R = 2 × zone 2.
    result = secondary_suppression(
        units({"1": None, "2": None, "3": None}),
        figures([("P", 10, True), ("Q", 10, True), ("R", 10, False)]),
        membership({"P": ["1", "2"], "Q": ["2", "3"], "R": ["1", "3"]}),
    )

    r = result.set_index(FIGURE_ID).loc["R"]
    assert bool(r[SUPPRESSED]) is True
    # The three equations determine every zone.
    assert r[REVEALED_UNITS] == "1, 2, 3"


def test_weighted_figures_are_checked_too():
    # An apportioned figure: 0.5 × zone 2 + zone 1 (published) reveals zone 2 as well.
    members = membership({"A": ["1", "2"]}).assign(**{WEIGHT: [1.0, 0.5]})

    result = secondary_suppression(
        units({"1": 40, "2": None}), figures([("A", 41, False)]), members
    )

    assert result[SUPPRESSED].tolist() == [True]
    assert "composantes publiées" in result[SUPPRESSION_REASON].iloc[0]


def test_secondary_suppression_names_unknown_units():
    with pytest.raises(ValueError, match="Unités inconnues .* : 9"):
        secondary_suppression(
            units({"1": 40}), figures([("A", 43, False)]), membership({"A": ["1", "9"]})
        )


def test_suppress_small_blanks_values_under_the_threshold():
    table = pd.DataFrame(
        {
            "metier": ["M1", "M2", "M3", "M4"],
            "projects": pd.array([3.2, 0, 12, None], dtype="Float64"),
        }
    )

    result = suppress_small(table, columns=["projects"], threshold=5)

    # 3.2 < 5 is blanked; 0 reveals no one and is kept; NA stays NA.
    assert result["projects"].tolist()[1:3] == [0, 12]
    assert pd.isna(result["projects"].iloc[0])
    assert result[SUPPRESSED].tolist() == [True, False, False, False]
    assert result[SUPPRESSION_REASON].iloc[0] == "inférieur au seuil de diffusion (5)"
    assert pd.isna(result[SUPPRESSION_REASON].iloc[1])


def test_masked_count():
    assert masked_count(pd.Series([1, None, None], dtype="Int64")) == 2


@pytest.mark.parametrize("seed", range(40))
def test_newly_disclosed_is_what_secondary_suppression_reveals_with_every_unit_masked(seed):
    """The secrecy check by difference asks `newly_disclosed` directly, on the matrix of its
    atoms (services.diagnostic_secrecy.difference_guard): on random systems of 0/1 rows (the
    public figures, then one candidate), the units are those `secondary_suppression` names."""
    import numpy as np

    from diagnostics.analytics.secrecy import newly_disclosed

    rng = np.random.default_rng(seed)
    units = [f"a{i}" for i in range(int(rng.integers(2, 9)))]
    rows = rng.integers(0, 2, size=(int(rng.integers(2, 6)), len(units))).astype(float)
    rows[-1, int(rng.integers(len(units)))] = 1.0  # the candidate covers one atom at least
    ids = [f"public{i}" for i in range(len(rows) - 1)] + ["candidate"]
    checked = secondary_suppression(
        pd.DataFrame({UNIT_CODE: units, VALUE: [None] * len(units)}),
        pd.DataFrame(
            {FIGURE_ID: ids, VALUE: [0.0] * len(ids), PUBLISHED: [True] * (len(ids) - 1) + [False]}
        ),
        pd.DataFrame(
            [
                (f, u)
                for f, row in zip(ids, rows, strict=True)
                for u, x in zip(units, row, strict=True)
                if x
            ],
            columns=[FIGURE_ID, UNIT_CODE],
        ),
    )
    named = checked.set_index(FIGURE_ID).loc["candidate", REVEALED_UNITS]
    expected = [] if pd.isna(named) else str(named).split(", ")

    revealed = [units[j] for j in np.flatnonzero(newly_disclosed(rows[:-1], rows[-1]))]

    assert revealed == expected
