"""Reconversion-oriented paths in the gap (issue 17): where saturated métiers of the basin bridge
to métiers in tension, the paths that lead to those métiers in tension and are aimed at job
seekers weigh more.

A path is **reconversion-oriented** when
- one of its ROME codes is a métier in tension to which at least one saturated métier of the
  basin's bassins BMO bridges (the diagnostic run's table `prospective_bridge_targets`, rows
  with job seekers concerned), and
- its purposes (issue 18) include « reconversion »; a path whose purposes are not filled in
  falls back on its target publics including job seekers (`demandeurs_emploi`).
Its score is then multiplied by (1 + `bonus`) (capped at 100) and the line says why; the
paths are ranked again with the gap's own rule (not flagged first, by score, then code).
A path flagged « la formation n'est pas le levier » keeps its flag and its place after the
others: a bridge does not make training the lever.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from diagnostics.analytics.columns import (
    JOB_SEEKERS_CONCERNED,
    TARGET_ROME_CODE,
    TARGET_ROME_LABEL,
)
from diagnostics.analytics.common import format_number, require_columns

from .columns import (
    EXCLUDED_REASON,
    EXPLANATION,
    FLAGGED,
    PATH_CODE,
    PUBLICS,
    PURPOSES,
    RANK,
    ROME_CODES,
    SCORE,
)
from .gap import gap_ranked

RECONVERSION_BONUS = 0.2
RECONVERSION_PUBLIC = "demandeurs_emploi"
RECONVERSION_PURPOSE = "reconversion"
RECONVERSION = "reconversion"
RECONVERSION_TARGETS = "reconversion_targets"
RECONVERSION_JOB_SEEKERS = "reconversion_job_seekers"
SCORE_BEFORE = "score_before_reconversion"
RECONVERSION_COLUMNS = [RECONVERSION, RECONVERSION_TARGETS, RECONVERSION_JOB_SEEKERS, SCORE_BEFORE]


def _codes(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        return tuple(v for v in value.split("|") if v)
    return tuple(str(v) for v in value)


def reconversion_rule(*, bonus: float) -> str:
    return (
        "Parcours orientés reconversion : un parcours est compté comme orienté reconversion "
        "lorsqu'un de ses codes ROME est un métier en tension vers lequel mène au moins une "
        "passerelle depuis un métier saturé du bassin, et que ses finalités comprennent la "
        "reconversion (à défaut de finalités renseignées, que ses publics comprennent les "
        "demandeurs d'emploi). Son score est alors majoré de "
        f"{format_number(bonus * 100)} % (plafonné à 100)."
    )


def reconversion_boost(
    lines: pd.DataFrame,
    targets: pd.DataFrame | None,
    *,
    paths: pd.DataFrame,
    bonus: float = RECONVERSION_BONUS,
) -> pd.DataFrame:
    """The gap lines with the reconversion columns (RECONVERSION_COLUMNS) and the boosted
    scores, ranked again.

    Input: `lines` (the gap's GAP_COLUMNS: rank, path_code, publics… score, not_the_lever,
    excluded_reason, explanation); `paths`: the catalogue's paths (path_code, rome_codes, as
    given to the gap); `targets`: the run's
    `prospective_bridge_targets` (target_rome_code, target_rome_label, job_seekers_concerned),
    None or empty when the run has none (the lines then come back with reconversion False)."""
    require_columns(
        lines,
        [RANK, PATH_CODE, PUBLICS, SCORE, FLAGGED, EXCLUDED_REASON, EXPLANATION],
        what="les lignes de l'écart",
    )
    require_columns(paths, [PATH_CODE, ROME_CODES], what="les parcours")
    romes = {
        str(code): _codes(value)
        for code, value in zip(paths[PATH_CODE], paths[ROME_CODES], strict=True)
    }
    out = lines.copy()
    concerned: dict[str, float] = {}
    labels: dict[str, str] = {}
    if targets is not None and len(targets):
        require_columns(targets, [TARGET_ROME_CODE, JOB_SEEKERS_CONCERNED], what="les passerelles")
        bridged = targets[pd.to_numeric(targets[JOB_SEEKERS_CONCERNED]).fillna(0) > 0]
        sums = (
            pd.to_numeric(bridged[JOB_SEEKERS_CONCERNED])
            .groupby(bridged[TARGET_ROME_CODE].astype(str))
            .sum()
        )
        concerned = {str(k): float(v) for k, v in sums.items()}
        if TARGET_ROME_LABEL in bridged.columns:
            labels = dict(
                zip(
                    bridged[TARGET_ROME_CODE].astype(str),
                    bridged[TARGET_ROME_LABEL].astype(str),
                    strict=True,
                )
            )
    flags, found, seekers, before, scores, explanations = [], [], [], [], [], []
    for row in out.to_dict("records"):
        codes = [code for code in romes.get(str(row[PATH_CODE]), ()) if code in concerned]
        purposes = _codes(row.get(PURPOSES))
        aimed = (
            RECONVERSION_PURPOSE in purposes
            if purposes
            else RECONVERSION_PUBLIC in _codes(row[PUBLICS])
        )
        score = row[SCORE]
        known = score is not None and not pd.isna(score)
        is_reconversion = bool(codes) and aimed and pd.isna(row[EXCLUDED_REASON])
        flags.append(is_reconversion)
        found.append(tuple(codes))
        seekers.append(sum(concerned[code] for code in codes) if codes else 0.0)
        before.append(score)
        text = row[EXPLANATION]
        if is_reconversion and known:
            scores.append(min(100.0, float(score) * (1 + bonus)))
            names = ", ".join(labels.get(code) or code for code in codes)
            text = (
                f"{text} Orienté reconversion : mène à {names}, métier(s) en tension vers lequel "
                f"des demandeurs de métiers saturés proches (environ "
                f"{format_number(seekers[-1])}) pourraient se reconvertir ; score majoré de "
                f"{format_number(bonus * 100)} %."
            )
        else:
            scores.append(score)
        explanations.append(text)
    out[RECONVERSION] = flags
    out[RECONVERSION_TARGETS] = pd.Series(found, index=out.index, dtype=object)
    out[RECONVERSION_JOB_SEEKERS] = pd.array(seekers, dtype="Float64")
    out[SCORE_BEFORE] = pd.array(before, dtype="Float64")
    out[SCORE] = pd.array(scores, dtype="Float64")
    out[EXPLANATION] = explanations
    return gap_ranked(out).reset_index(drop=True)
