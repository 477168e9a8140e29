"""Rows located through an index of positions (`analytics.row_index`) are the rows of the
`isin` filter they replace: same rows, same order, same labels."""

import pandas as pd
import pytest

from diagnostics.analytics.row_index import row_index, rows_in


@pytest.fixture
def communes():
    return pd.DataFrame(
        {
            "commune_code": pd.array(["52004", "52001", "52003", "52002", None], dtype="str"),
            "departement_code": pd.array(["52", "52", "10", "52", "10"], dtype="str"),
            "population": pd.array([5, 1, 3, 2, None], dtype="Int64"),
        },
        index=[10, 11, 12, 13, 14],
    )


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("commune_code", ["52001", "52003"]),
        ("commune_code", {"52002", "99999"}),
        ("commune_code", []),
        ("departement_code", ["52"]),
        ("departement_code", ("10", "52")),
        ("departement_code", ["75"]),
    ],
)
def test_rows_in_through_the_index_equal_the_isin_filter(communes, column, values):
    expected = communes[communes[column].astype(str).isin({str(v) for v in values})]

    found = rows_in(communes, column, values, index=row_index(communes, column))

    pd.testing.assert_frame_equal(found, expected)


def test_rows_in_filters_when_the_index_is_of_another_frame(communes):
    index = row_index(communes.iloc[:3], "commune_code")

    found = rows_in(communes, "commune_code", ["52002"], index=index)

    assert found.index.tolist() == [13]
