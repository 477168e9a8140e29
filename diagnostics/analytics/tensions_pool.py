"""The published tension indicators of many bassins BMO in one pass (issue 16).

A basin's published tensions are the rows of its bassins BMO, as published: every step of
`tensions_published` is row-wise (`published_tensions`, `published_tension_records`) or keyed
by bassin × ROME (`tension_vintages`), and every sort is stable on keys that name a row. So
`published_pool` computes them once for every bassin of the tension rows given (all of France
for a chunk of a national batch; a lone run gives its own bassins' rows: a pool of one), and
`PublishedPool.for_bassins` hands a basin the rows of its bassins — the frames and records a
lone computation gives, to the bit.

One exception, handled: the side-by-side table names the vintages present (« 2019 et 2021 »,
« 2021 seulement ») and has one column block per year of the frame it is given. A basin whose
bassins lack a year that others have gets its table computed from its own rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .columns import BASSIN_BMO_CODE, ROME_CODE, YEAR
from .tension_records import published_tension_records
from .tension_vintages import tension_vintages
from .tensions_published import published_tensions


@dataclass(frozen=True)
class PublishedPart:
    """A basin's share: `published` (PUBLISHED_COLUMNS), its `records` (one JSON entry per
    row, the basin's own copies), its `years` and `vintages` (`tension_vintages`, None when
    nothing is published)."""

    published: pd.DataFrame
    records: list[dict[str, Any]]
    years: list[int]
    vintages: pd.DataFrame | None


@dataclass(frozen=True)
class PublishedPool:
    published: pd.DataFrame
    records: list[dict[str, Any]]
    years: list[int]
    vintages: pd.DataFrame | None
    factors: Mapping[int, Sequence[str]]
    _published_at: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _vintages_at: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def for_bassins(self, bassins: Iterable[str]) -> PublishedPart:
        wanted = sorted({str(b) for b in bassins})
        rows = _rows(self._published_at, wanted)
        published = self.published.take(rows).reset_index(drop=True)
        records = [
            {**self.records[i], "factors": dict(self.records[i]["factors"])} for i in rows.tolist()
        ]
        years = sorted(int(y) for y in published[YEAR].unique())
        if published.empty:
            vintages = None
        elif years == self.years and self.vintages is not None:
            vintages = self.vintages.take(_rows(self._vintages_at, wanted)).reset_index(drop=True)
        else:
            vintages = tension_vintages(published, factors=self.factors)
        return PublishedPart(published=published, records=records, years=years, vintages=vintages)


def _rows(index: Mapping[str, np.ndarray], wanted: Sequence[str]) -> np.ndarray:
    parts = [index[b] for b in wanted if b in index]
    return np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.intp)


def _positions(frame: pd.DataFrame | None) -> dict[str, np.ndarray]:
    if frame is None or frame.empty:
        return {}
    groups = frame.groupby(frame[BASSIN_BMO_CODE].astype(str), sort=False).indices
    return {str(k): np.asarray(v) for k, v in groups.items()}


def published_pool(
    tension: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    factors: Mapping[int, Sequence[str]],
) -> PublishedPool:
    """Published tensions, their records and the vintages side by side of every bassin of
    `tension` (TENSION frame, `tensions_published.INPUT_COLUMNS`); `labels`: ROME code →
    label (at least the codes of `tension`); `factors`: `tensions_published.factors_published`
    of the whole tension frame."""
    bassins = sorted({str(b) for b in tension[BASSIN_BMO_CODE]})
    published = published_tensions(tension, bassins=bassins, labels=labels)
    records = published_tension_records(published)
    years = sorted(int(y) for y in published[YEAR].unique())
    vintages = tension_vintages(published, factors=factors) if len(published) else None
    return PublishedPool(
        published=published,
        records=records,
        years=years,
        vintages=vintages,
        factors=factors,
        _published_at=_positions(published),
        _vintages_at=_positions(vintages),
    )


def rome_codes(tension: pd.DataFrame) -> list[str]:
    """The ROME codes of a tension frame (whose labels the pool needs)."""
    return sorted({str(code) for code in tension[ROME_CODE]})
