"""Saturated métiers, métiers in tension and bridges of many bassins BMO in one pass (issue 16).

Every figure of `saturation` and `bridges` is a figure of one bassin BMO (as published, never
apportioned): a basin's saturated métiers, targets and bridges are the rows of its bassins.
`saturation_pool` computes them once for every bassin of the tension rows given (all of
France for a chunk of a national batch; a lone run gives its own bassins' rows: a pool of
one); `SaturationPool.for_bassins` hands a basin the rows of its bassins.

Why it is the lone run's figures to the bit: the steps are row-wise (the rule, the referential's
labels and domains), keyed by bassin (the bridges join a saturated métier to a target of the
same bassin; a target's count and sum are over its own bassin's bridges, in the same order),
and every sort is stable: keeping the rows of some bassins of a sorted frame gives the frame
those rows would have been sorted into.

Input: the TENSION frame (`saturation.INPUT_COLUMNS`) and ROME_REFERENTIAL. Output frames:
`named` (`saturated_metiers` + `with_referential`), `targets` (`tension_targets`), `pairs`
(`bridges`, BRIDGE_COLUMNS) and `per_target` (`bridge_targets`, TARGET_COLUMNS).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import bridges as br
from . import saturation as sat
from .columns import BASSIN_BMO_CODE, YEAR


@dataclass(frozen=True)
class SaturationPool:
    year: int
    named: pd.DataFrame
    targets: pd.DataFrame
    pairs: pd.DataFrame
    per_target: pd.DataFrame
    _positions: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)

    def for_bassins(self, bassins: Iterable[str]) -> dict[str, pd.DataFrame]:
        """{"named", "pairs", "per_target"}: the rows of `bassins`, in the pool's
        order, with a fresh 0..n-1 index (as a lone computation returns them)."""
        wanted = sorted({str(b) for b in bassins})
        out = {}
        for name in ("named", "pairs", "per_target"):
            frame: pd.DataFrame = getattr(self, name)
            index = self._positions[name]
            parts = [index[b] for b in wanted if b in index]
            rows = np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.intp)
            out[name] = frame.take(rows).reset_index(drop=True)
        return out


def _positions(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    if frame.empty:
        return {}
    groups = frame.groupby(frame[BASSIN_BMO_CODE].astype(str), sort=False).indices
    return {str(k): np.asarray(v) for k, v in groups.items()}


def saturation_pool(
    tension: pd.DataFrame,
    *,
    year: int,
    referential: pd.DataFrame,
    min_ratio: float = sat.SATURATION_MIN_RATIO,
    max_tension: int = sat.SATURATION_MAX_TENSION,
    min_job_seekers: int = sat.SATURATION_MIN_JOB_SEEKERS,
    min_tension: int = br.BRIDGE_MIN_TENSION,
) -> SaturationPool:
    """The saturated métiers and bridges of every bassin of `tension` in `year` (see the
    module docstring). `year`: the last year of the basin's bassins (a pool serves the basins
    whose last year it is)."""
    rows = tension[tension[YEAR].astype("int64") == int(year)]
    bassins = sorted({str(b) for b in rows[BASSIN_BMO_CODE]})
    found = sat.saturated_metiers(
        rows,
        bassins=bassins,
        min_ratio=min_ratio,
        max_tension=max_tension,
        min_job_seekers=min_job_seekers,
    )
    named = sat.with_referential(found, referential)
    targets = br.tension_targets(rows, bassins=bassins, year=year, min_tension=min_tension)
    pairs = br.bridges(named, targets, referential=referential)
    per_target = br.bridge_targets(targets, pairs, referential=referential)
    return SaturationPool(
        year=int(year),
        named=named,
        targets=targets,
        pairs=pairs,
        per_target=per_target,
        _positions={
            "named": _positions(named),
            "pairs": _positions(pairs),
            "per_target": _positions(per_target),
        },
    )
