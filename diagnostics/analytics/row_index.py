"""Rows of a frame by the values of one column, located through an index of positions built
once (issue 16): the commune crosswalk (35,000 rows) is filtered by a basin's communes or
départements several times per basin, and `Series.isin` scans the whole column every time.

    index = row_index(crosswalk, COMMUNE_CODE)      # once for a batch of basins
    rows = rows_in(crosswalk, COMMUNE_CODE, codes, index=index)

`rows_in` returns exactly `frame[frame[column].astype(str).isin({str(v) for v in values})]`:
the same rows, in the frame's order, with their index labels; without an index (a lone run,
for which building one costs more than it saves) it is that filter.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RowIndex:
    """The rows of a frame grouped by the text of one column (NA values left out): the rows
    of group g are `order[bounds[g]:bounds[g + 1]]`, ascending."""

    column: str
    length: int
    groups: dict[str, int]
    order: np.ndarray
    bounds: np.ndarray

    def of(self, values: Iterable[Any]) -> np.ndarray:
        """Ascending positions of the rows whose value is one of `values` (as text)."""
        found = sorted({self.groups[k] for k in {str(v) for v in values} if k in self.groups})
        if not found:
            return np.array([], dtype=np.intp)
        parts = [self.order[self.bounds[g] : self.bounds[g + 1]] for g in found]
        return np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]


def row_index(frame: pd.DataFrame, column: str) -> RowIndex:
    """The index of `frame`'s rows by the text of `column`."""
    codes, uniques = pd.factorize(frame[column].astype(str), use_na_sentinel=True)
    order = np.argsort(codes, kind="stable").astype(np.intp)
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    groups = dict(zip((str(u) for u in uniques.tolist()), range(len(uniques)), strict=True))
    return RowIndex(column=column, length=len(frame), groups=groups, order=order, bounds=bounds)


def index_key(column: str) -> tuple[str, str]:
    """The key of a frame's index by `column` in a batch's shared dict (`common.shared`)."""
    return ("row_index", column)


def batch_row_index(
    cache: dict[Hashable, Any] | None, frame: pd.DataFrame, column: str
) -> RowIndex | None:
    """The index a batch put in its shared dict for this very frame and column (`source`
    identity, as `common.shared` keeps it), else None."""
    found = (cache or {}).get(index_key(column))
    if found is None or found[0] is not frame:
        return None
    index: RowIndex = found[1]
    return index


def rows_in(
    frame: pd.DataFrame, column: str, values: Iterable[Any], *, index: RowIndex | None = None
) -> pd.DataFrame:
    """`frame[frame[column].astype(str).isin(values as text)]`, through `index` when given."""
    if index is None or index.length != len(frame) or index.column != column:
        wanted = {str(v) for v in values}
        return frame[frame[column].astype(str).isin(wanted)]
    return frame.take(index.of(values))
