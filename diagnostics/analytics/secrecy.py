"""Statistical secrecy: primary suppression under a threshold and the secondary-suppression
check that keeps a masked cell from being recovered by difference.

Masked source cells stay NA everywhere; totals of the engine add published cells only and
carry the number of cells they lack (see `bmo.bmo_totals`). Such totals never contain a masked
value, so no difference between them can reveal one. The danger comes from figures that DO
contain masked values — a total published by the source itself (a département count that
includes its masked communes, a user-imported indicator at two levels), or a figure computed
from such a total. `secondary_suppression` checks those figures against everything already
public and suppresses the ones that would let someone solve for a masked cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .columns import (
    FIGURE_ID,
    PUBLISHED,
    REVEALED_UNITS,
    SUPPRESSED,
    SUPPRESSION_REASON,
    UNIT_CODE,
    VALUE,
    WEIGHT,
)
from .common import list_examples, require_columns

BELOW_THRESHOLD = "inférieur au seuil de diffusion ({threshold})"


def masked_count(values: pd.Series) -> int:
    """Number of unknown (masked) values in a series."""
    return int(values.isna().sum())


def suppress_small(
    frame: pd.DataFrame,
    *,
    columns: Sequence[str],
    threshold: float,
    keep_zero: bool = True,
) -> pd.DataFrame:
    """Primary suppression: values of `columns` that are known and below `threshold` become NA.

    0 is kept when `keep_zero` (an absence reveals no one). Adds the columns suppressed
    (bool: any of `columns` was suppressed on the row) and suppression_reason (string, NA when
    nothing was suppressed; an existing reason is kept). Rows and order are unchanged.
    """
    require_columns(frame, columns, what="le tableau à protéger")
    out = frame.copy()
    suppressed = np.zeros(len(frame), dtype=bool)
    for column in columns:
        small = _small(frame[column], threshold, keep_zero=keep_zero)
        if small.any():
            out[column] = frame[column].mask(small)
            suppressed |= small
    any_suppressed = pd.Series(suppressed, index=frame.index)
    reason = BELOW_THRESHOLD.format(threshold=_format_threshold(threshold))
    previous_suppressed = (
        out[SUPPRESSED].fillna(False).astype(bool) if SUPPRESSED in out.columns else False
    )
    previous_reason = (
        out[SUPPRESSION_REASON].astype("string")
        if SUPPRESSION_REASON in out.columns
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    out[SUPPRESSED] = any_suppressed | previous_suppressed
    out[SUPPRESSION_REASON] = previous_reason.mask(any_suppressed & previous_reason.isna(), reason)
    return out


def _small(values: pd.Series, threshold: float, *, keep_zero: bool) -> np.ndarray:
    """Which values are known and below `threshold` (0 left out when `keep_zero`): numbers
    (numpy or nullable) compared as float64 arrays, anything else as numbers when it reads as
    one."""
    kind = getattr(values.dtype, "kind", "")
    if kind in ("i", "u", "f", "b") and not isinstance(values.dtype, pd.CategoricalDtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        small = ~np.isnan(numbers) & (numbers < threshold)
        if keep_zero:
            small &= numbers != 0
        return small
    numeric = pd.to_numeric(values, errors="coerce")
    flags = numeric.notna() & (numeric < threshold)
    if keep_zero:
        flags &= numeric != 0
    return flags.fillna(False).astype(bool).to_numpy()


def _format_threshold(threshold: float) -> str:
    return str(int(threshold)) if float(threshold).is_integer() else str(threshold)


def _disclosed(rows: np.ndarray, *, tolerance: float = 1e-9) -> np.ndarray:
    """Which unknowns are determined by the linear system `rows` · x = known values.

    Unknown j is determined exactly when the unit vector e_j lies in the row space of `rows`,
    i.e. when e_j is orthogonal to its null space: the j-th row of a null-space basis is 0.
    """
    n = rows.shape[1]
    if n == 0:
        return np.zeros(0, dtype=bool)
    if rows.shape[0] == 0:
        return np.zeros(n, dtype=bool)
    _, singular, vt = np.linalg.svd(rows, full_matrices=True)
    rank = int(np.sum(singular > tolerance * max(1.0, float(singular.max(initial=0.0)))))
    null_space = vt[rank:].T  # n × (n − rank)
    if null_space.shape[1] == 0:
        return np.ones(n, dtype=bool)
    return np.linalg.norm(null_space, axis=1) < 1e-7


def newly_disclosed(public: np.ndarray, candidate: np.ndarray) -> np.ndarray:
    """The unknowns that the row `candidate` determines together with the rows `public` and
    that `public` alone does not: what `secondary_suppression` reports as revealed by its one
    candidate figure when every unit is masked, without its frames (the secrecy check by
    difference asks it for a dozen systems per report, `services.diagnostic_secrecy`)."""
    rows = np.array([*public, candidate]).reshape(-1, candidate.shape[0])
    return _disclosed(rows) & ~_disclosed(public.reshape(-1, candidate.shape[0]))


def secondary_suppression(
    cells: pd.DataFrame, figures: pd.DataFrame, membership: pd.DataFrame
) -> pd.DataFrame:
    """Suppress the figures that would let a masked cell be recovered by subtraction.

    `cells`: unit_code, value — the source's units (zones, communes, bassin × métier cells),
    value NA for a masked unit (its true value is unknown to us and must stay so).
    `figures`: figure_id, value, published — totals over units that include the masked units'
    true values (a basin total, an overlapping basin's figure, a published aggregate).
    `published=True` rows are already public and cannot be withdrawn; the others are the
    candidates, examined in the frame's order, each kept only if it reveals no masked unit
    together with the public figures, the published cells and the candidates already kept.
    `membership`: figure_id, unit_code, and optionally weight (default 1): figure =
    Σ weight × unit value.

    A masked unit is revealed when its value follows by linear combination (sum, difference)
    of public figures once the published cells are subtracted: a total with a single masked
    component, two nested basins differing by one masked zone, and any longer chain.

    Output, one row per figure sorted by figure_id: figure_id, value (NA when suppressed),
    published, suppressed, suppression_reason (French, NA when kept), revealed_units (the
    masked units the figure would reveal, comma-separated, NA when kept).
    Raises ValueError for memberships naming unknown figures or units.
    """
    require_columns(cells, [UNIT_CODE, VALUE], what="les cellules sources")
    require_columns(figures, [FIGURE_ID, VALUE, PUBLISHED], what="les chiffres à diffuser")
    require_columns(membership, [FIGURE_ID, UNIT_CODE], what="la composition des chiffres")
    if cells[UNIT_CODE].duplicated().any():
        raise ValueError(
            "Cellules sources en double : "
            + list_examples(
                sorted(cells.loc[cells[UNIT_CODE].duplicated(), UNIT_CODE].astype(str).unique())
            )
        )
    if figures[FIGURE_ID].duplicated().any():
        raise ValueError(
            "Chiffres en double : "
            + list_examples(
                sorted(figures.loc[figures[FIGURE_ID].duplicated(), FIGURE_ID].astype(str).unique())
            )
        )
    unknown_units = sorted(
        set(membership[UNIT_CODE].astype(str)) - set(cells[UNIT_CODE].astype(str))
    )
    if unknown_units:
        raise ValueError(
            "Unités inconnues dans la composition des chiffres : " + list_examples(unknown_units)
        )
    unknown_figures = sorted(
        set(membership[FIGURE_ID].astype(str)) - set(figures[FIGURE_ID].astype(str))
    )
    if unknown_figures:
        raise ValueError(
            "Chiffres inconnus dans la composition : " + list_examples(unknown_figures)
        )

    masked = [str(u) for u in cells.loc[cells[VALUE].isna(), UNIT_CODE]]
    position = {unit: i for i, unit in enumerate(masked)}
    weights = (
        membership[WEIGHT].astype(float)
        if WEIGHT in membership.columns
        else pd.Series(1.0, index=membership.index)
    )
    vectors: dict[str, np.ndarray] = {}
    units_of: dict[str, set[str]] = {}
    for figure_id in figures[FIGURE_ID].astype(str):
        vectors[figure_id] = np.zeros(len(masked))
        units_of[figure_id] = set()
    for figure_id, unit, weight in zip(
        membership[FIGURE_ID].astype(str), membership[UNIT_CODE].astype(str), weights, strict=True
    ):
        units_of[figure_id].add(unit)
        if unit in position:
            vectors[figure_id][position[unit]] += weight

    public_ids = [
        str(f) for f, p in zip(figures[FIGURE_ID], figures[PUBLISHED], strict=True) if bool(p)
    ]
    public_rows = [vectors[f] for f in public_ids]
    already = _disclosed(np.array(public_rows).reshape(len(public_rows), len(masked)))

    suppressed: dict[str, tuple[str, str]] = {}
    for figure_id, is_public in zip(
        figures[FIGURE_ID].astype(str), figures[PUBLISHED], strict=True
    ):
        if bool(is_public):
            continue
        trial = np.array([*public_rows, vectors[figure_id]]).reshape(-1, len(masked))
        revealed = _disclosed(trial) & ~already
        if revealed.any():
            units = [masked[i] for i in np.flatnonzero(revealed)]
            partners = [f for f in public_ids if units_of[f] & units_of[figure_id]]
            alone = _disclosed(vectors[figure_id].reshape(1, -1))
            if (alone | ~revealed).all():
                with_whom = " par différence avec les composantes publiées"
                if partners:
                    with_whom += f" ou avec {', '.join(partners)}"
            else:
                with_whom = f" par différence avec {', '.join(partners)}"
            reason = (
                f"masqué : permettrait de retrouver{with_whom} la valeur secrète de "
                f"{', '.join(units)}"
            )
            suppressed[figure_id] = (reason, ", ".join(units))
        else:
            public_rows.append(vectors[figure_id])
            public_ids.append(figure_id)

    out = figures[[FIGURE_ID, VALUE, PUBLISHED]].copy()
    numeric = pd.to_numeric(out[VALUE])
    out[VALUE] = numeric.astype(
        "Int64" if pd.api.types.is_integer_dtype(numeric.dtype) else "Float64"
    )
    ids = out[FIGURE_ID].astype(str)
    is_suppressed = ids.isin(list(suppressed))
    out[VALUE] = out[VALUE].mask(is_suppressed)
    out[PUBLISHED] = out[PUBLISHED].astype(bool)
    out[SUPPRESSED] = is_suppressed.astype(bool)
    out[SUPPRESSION_REASON] = pd.array(
        [suppressed[i][0] if i in suppressed else None for i in ids], dtype="string"
    )
    out[REVEALED_UNITS] = pd.array(
        [suppressed[i][1] if i in suppressed else None for i in ids], dtype="string"
    )
    return out.sort_values(FIGURE_ID, kind="mergesort").reset_index(drop=True)
