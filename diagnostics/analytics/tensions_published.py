"""The published DARES – France Travail tension indicator and its six factors, as published.

The files (« Les tensions sur le marché du travail », per métier ROME × bassin BMO) publish the
indicator (quintile 1–5) and, from 2021, its six factors, the DARES « causes » of the tension.
This module shows them as they are: no apportioning to the basin (the figures are the bassins
BMO's), no recomputation, a factor the vintage does not publish is « non publié », a blank cell
stays unknown (never 0, never guessed).

Input frame (TENSION, see `selectors.diagnostic_frames.tension_frame`): year, bassin_bmo_code,
rome_code, published_tension, the TENSION_FACTOR_COLUMNS, offers, job_seekers_abc.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .columns import (
    BASSIN_BMO_CODE,
    GEOGRAPHIC_MISMATCH,
    HIRING_INTENSITY,
    JOB_SEEKERS_ABC,
    LACK_OF_LABOUR,
    NON_DURABLE_EMPLOYMENT,
    OFFERS,
    PUBLISHED_TENSION,
    ROME_CODE,
    TRAINING_JOB_LINK,
    WORKING_CONDITIONS,
    YEAR,
)
from .common import format_number, require_columns

ROME_LABEL = "rome_label"
VINTAGES = "vintages"

# Analytics column → pinned key of the API / JSON `factors` object (docs/tensions.md).
# Order: the DARES publication's.
FACTOR_KEYS: dict[str, str] = {
    HIRING_INTENSITY: "hiring_intensity",
    LACK_OF_LABOUR: "labour_shortage",
    NON_DURABLE_EMPLOYMENT: "non_durable_employment",
    WORKING_CONDITIONS: "working_conditions",
    GEOGRAPHIC_MISMATCH: "geographic_mismatch",
    TRAINING_JOB_LINK: "training_job_link",
}
FACTOR_LABELS: dict[str, str] = {
    "hiring_intensity": "Intensité des embauches",
    "labour_shortage": "Manque de main-d'œuvre disponible",
    "non_durable_employment": "Non-durabilité de l'emploi",
    "working_conditions": "Conditions de travail contraignantes",
    "geographic_mismatch": "Inadéquation géographique",
    "training_job_link": "Lien formation-emploi",
}
TENSION_LABEL = "Indicateur de tension"
INDICATOR_KEYS = ["tension", *FACTOR_KEYS.values()]
INDICATOR_LABELS = {"tension": TENSION_LABEL, **FACTOR_LABELS}

NOT_PUBLISHED = "non publié"  # the vintage does not publish this factor
BLANK = "non renseigné"  # the file leaves the cell blank
ABSENT = "absent"  # the métier is not in this vintage for the bassin

INPUT_COLUMNS = [YEAR, BASSIN_BMO_CODE, ROME_CODE, PUBLISHED_TENSION]
PUBLISHED_COLUMNS = [
    YEAR,
    BASSIN_BMO_CODE,
    ROME_CODE,
    ROME_LABEL,
    PUBLISHED_TENSION,
    *FACTOR_KEYS,
    OFFERS,
    JOB_SEEKERS_ABC,
]


def factors_published(tension: pd.DataFrame) -> dict[int, list[str]]:
    """Per year, the factor keys the vintage publishes (at least one value anywhere in it).

    Input: the TENSION frame of every bassin (not only the basin's: a factor blank in a few
    bassins is published, a factor blank everywhere is not). Output: {year: [keys…]}, years
    sorted, keys in FACTOR_KEYS order."""
    require_columns(tension, [YEAR], what="les indicateurs de tension publiés")
    out: dict[int, list[str]] = {}
    for year, rows in tension.groupby(YEAR, sort=True):
        out[int(str(year))] = [
            key
            for column, key in FACTOR_KEYS.items()
            if column in rows.columns and bool(rows[column].notna().any())
        ]
    return out


def published_tensions(
    tension: pd.DataFrame, *, bassins: Sequence[str], labels: Mapping[str, str]
) -> pd.DataFrame:
    """The published rows of the given bassins BMO, as published.

    Input: the TENSION frame; `bassins`: bassin BMO codes; `labels`: ROME code → label (a code
    without label keeps an empty label). Output columns: PUBLISHED_COLUMNS (indicator and
    factors Int64, NA when blank or unpublished; offers and job seekers Float64), sorted by
    year, bassin_bmo_code, rome_code."""
    require_columns(tension, INPUT_COLUMNS, what="les indicateurs de tension publiés")
    rows = tension[tension[BASSIN_BMO_CODE].astype(str).isin([str(b) for b in bassins])]
    out = pd.DataFrame(
        {
            YEAR: rows[YEAR].astype("int64"),
            BASSIN_BMO_CODE: rows[BASSIN_BMO_CODE].astype(str),
            ROME_CODE: rows[ROME_CODE].astype(str),
        }
    )
    out[ROME_LABEL] = out[ROME_CODE].map(lambda code: labels.get(code, "")).astype(object)
    for column in [PUBLISHED_TENSION, *FACTOR_KEYS]:
        values = (
            pd.to_numeric(rows[column], errors="coerce")
            if column in rows.columns
            else pd.Series(pd.NA, index=rows.index, dtype="Float64")
        )
        out[column] = values.round().astype("Int64")
    for column in (OFFERS, JOB_SEEKERS_ABC):
        values = (
            pd.to_numeric(rows[column], errors="coerce")
            if column in rows.columns
            else pd.Series(pd.NA, index=rows.index)
        )
        out[column] = values.astype("Float64")
    return out.sort_values([YEAR, BASSIN_BMO_CODE, ROME_CODE], kind="mergesort").reset_index(
        drop=True
    )


def _int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _float(value: Any, decimals: int = 2) -> float | None:
    return None if pd.isna(value) else round(float(value), decimals)


def published_tension_records(published: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON entry per published row: {"year", "bassin_bmo", "rome", "label", "tension",
    "factors": {key: 1–5 or None}, "offers", "job_seekers_abc"} (None = unknown: blank cell or
    factor not published by the vintage, see `factors_published`). Input: `published_tensions`."""
    require_columns(published, PUBLISHED_COLUMNS, what="les indicateurs de tension publiés")
    records = []
    for values in published.to_dict("records"):
        records.append(
            {
                "year": int(values[YEAR]),
                "bassin_bmo": str(values[BASSIN_BMO_CODE]),
                "rome": str(values[ROME_CODE]),
                "label": values[ROME_LABEL] or None,
                "tension": _int(values[PUBLISHED_TENSION]),
                "factors": {key: _int(values[column]) for column, key in FACTOR_KEYS.items()},
                "offers": _float(values[OFFERS]),
                "job_seekers_abc": _float(values[JOB_SEEKERS_ABC]),
            }
        )
    return records


RECORD_COLUMNS = [
    "year",
    "bassin_bmo",
    "rome",
    "label",
    "tension",
    *FACTOR_KEYS.values(),
    "offers",
    "job_seekers_abc",
]


def published_tension_rows(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The records of `published_tension_records` as stored in a run's document: one list of
    values per record under the names of `RECORD_COLUMNS` ({"columns", "rows"}), a third of
    the size of the records (the names are written once, not in each of the ≈ 200 records of a
    basin). `published_tension_records_of` gives the records back."""
    return {
        "columns": list(RECORD_COLUMNS),
        "rows": [
            [
                r["year"],
                r["bassin_bmo"],
                r["rome"],
                r["label"],
                r["tension"],
                *(r["factors"][key] for key in FACTOR_KEYS.values()),
                r["offers"],
                r["job_seekers_abc"],
            ]
            for r in records
        ],
    }


def published_tension_records_of(stored: Any) -> list[dict[str, Any]]:
    """The records (shape of `published_tension_records`) of a run's document key
    `tensions_published`: the rows of `published_tension_rows`, or the list of records that
    runs stored before it (returned as it is)."""
    if not stored:
        return []
    if isinstance(stored, list):
        return stored
    index = {name: i for i, name in enumerate(stored["columns"])}
    factors = [(key, index[key]) for key in FACTOR_KEYS.values()]
    return [
        {
            "year": row[index["year"]],
            "bassin_bmo": row[index["bassin_bmo"]],
            "rome": row[index["rome"]],
            "label": row[index["label"]],
            "tension": row[index["tension"]],
            "factors": {key: row[i] for key, i in factors},
            "offers": row[index["offers"]],
            "job_seekers_abc": row[index["job_seekers_abc"]],
        }
        for row in stored["rows"]
    ]


def vintage_column(key: str, year: int) -> str:
    """Column of the side-by-side table: `tension_2021`, `hiring_intensity_2019`…"""
    return f"{key}_{year}"


def _vintages_text(years: Sequence[int], present: Sequence[int]) -> str:
    if len(present) == len(years):
        return "tous" if len(years) > 2 else " et ".join(str(y) for y in years)
    return " et ".join(str(y) for y in present) + " seulement"


def tension_vintages(
    published: pd.DataFrame, *, factors: Mapping[int, Sequence[str]]
) -> pd.DataFrame:
    """The vintages side by side, one row per bassin BMO × ROME present in any vintage.

    Input: `published_tensions`; `factors`: `factors_published` (a year missing there publishes
    no factor). Output columns: bassin_bmo_code, rome_code, rome_label, vintages (« 2019 et
    2021 », « 2021 seulement »…), then per year (ascending) and per indicator (tension, then
    the six factors) `vintage_column(key, year)`: the published 1–5 value (int), or the text
    « non publié » (factor not in this vintage), « absent » (métier not in this vintage for the
    bassin), « non renseigné » (blank cell). Sorted by the last year's tension (strongest
    first, absent last), then the earlier years', then bassin and ROME code."""
    require_columns(published, PUBLISHED_COLUMNS, what="les indicateurs de tension publiés")
    years = sorted(int(y) for y in published[YEAR].unique())
    keys = [BASSIN_BMO_CODE, ROME_CODE]
    base = (
        published.sort_values([*keys, YEAR], ascending=[True, True, False], kind="mergesort")
        .drop_duplicates(keys)[[*keys, ROME_LABEL]]
        .reset_index(drop=True)
    )
    present: dict[tuple[str, str], list[int]] = {}
    for bassin, rome, year in published[[*keys, YEAR]].itertuples(index=False):
        present.setdefault((bassin, rome), []).append(int(year))
    base[VINTAGES] = [
        _vintages_text(years, sorted(present[(b, r)]))
        for b, r in zip(base[BASSIN_BMO_CODE], base[ROME_CODE], strict=True)
    ]
    columns = {PUBLISHED_TENSION: "tension", **FACTOR_KEYS}
    sort_columns: list[str] = []
    index = pd.MultiIndex.from_frame(base[keys])
    for year in years:
        rows = published[published[YEAR] == year].set_index(keys)
        # Once per year, not per indicator: which rows the vintage has, and their values.
        found = index.isin(rows.index).tolist()
        aligned = rows[list(columns)].reindex(index)
        for column, key in columns.items():
            name = vintage_column(key, year)
            if key != "tension" and key not in factors.get(year, []):
                cells: list[Any] = [NOT_PUBLISHED if f else ABSENT for f in found]
            else:
                cells = [
                    (BLANK if pd.isna(v) else int(v)) if f else ABSENT
                    for v, f in zip(aligned[column].tolist(), found, strict=True)
                ]
            base[name] = pd.Series(cells, dtype=object)
            if key == "tension":
                sort_key = f"_sort_{year}"
                base[sort_key] = [-v if isinstance(v, int) else 1 for v in cells]
                sort_columns.insert(0, sort_key)
    base = base.sort_values([*sort_columns, *keys], kind="mergesort").reset_index(drop=True)
    return base.drop(columns=sort_columns)


def vintage_years(vintages: pd.DataFrame) -> list[int]:
    """The years of a `tension_vintages` frame (from its `tension_YYYY` columns)."""
    return sorted(int(c[-4:]) for c in vintages.columns if str(c).startswith("tension_"))


def _row_label(label: Any, rome: Any, bassin: Any, *, with_bassin: bool) -> str:
    text = str(label) if label and not pd.isna(label) else str(rome)
    text = text if len(text) <= 42 else text[:41].rstrip() + "…"
    return f"{text} ({rome}{', bassin ' + str(bassin) if with_bassin else ''})"


HEATMAP_SCALE = [
    [0.0, "#f5f5fe"],
    [0.25, "#cacafb"],
    [0.5, "#fcc0b0"],
    [0.75, "#f95c5e"],
    [1.0, "#c9191e"],
]


def tension_heatmap_figure(
    vintages: pd.DataFrame, *, max_rows: int = 40, row_height: int = 26
) -> go.Figure:
    """Heat-map of the published indicator and its factors, one panel per vintage side by side.

    Input: `tension_vintages` (its order is kept; the first `max_rows` rows are drawn). A cell
    with a 1–5 value is coloured and prints it; « non publié », « absent », « non renseigné »
    cells are left grey and print the word (never a colour for an unknown value)."""
    require_columns(vintages, [BASSIN_BMO_CODE, ROME_CODE, ROME_LABEL], what="la carte de chaleur")
    years = vintage_years(vintages)
    rows = vintages.head(max_rows)
    with_bassin = len(set(rows[BASSIN_BMO_CODE])) > 1
    y_labels = [
        _row_label(lab, rome, bassin, with_bassin=with_bassin)
        for lab, rome, bassin in zip(
            rows[ROME_LABEL], rows[ROME_CODE], rows[BASSIN_BMO_CODE], strict=True
        )
    ]
    x_labels = [INDICATOR_LABELS[k] for k in INDICATOR_KEYS]
    fig = make_subplots(
        rows=1,
        cols=max(len(years), 1),
        shared_yaxes=True,
        horizontal_spacing=0.02,
        subplot_titles=[f"Millésime {y}" for y in years] or [""],
    )
    for i, year in enumerate(years, start=1):
        z: list[list[float | None]] = []
        text: list[list[str]] = []
        for _, row in rows.iterrows():
            z_row: list[float | None] = []
            t_row: list[str] = []
            for key in INDICATOR_KEYS:
                value = row[vintage_column(key, year)]
                if (
                    isinstance(value, numbers.Real)
                    and not isinstance(value, bool)
                    and not pd.isna(float(value))
                ):
                    z_row.append(float(value))
                    t_row.append(format_number(float(value)))
                else:
                    z_row.append(None)
                    t_row.append(str(value))
            z.append(z_row)
            text.append(t_row)
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=x_labels,
                y=y_labels,
                text=text,
                texttemplate="%{text}",
                textfont={"size": 10},
                zmin=1,
                zmax=5,
                colorscale=HEATMAP_SCALE,
                showscale=i == len(years),
                colorbar={
                    "title": {"text": "1 = faible<br>5 = forte"},
                    "tickvals": [1, 2, 3, 4, 5],
                },
                xgap=2,
                ygap=2,
                hovertemplate=f"%{{y}}<br>%{{x}} {year} : %{{text}}<extra></extra>",
                name=str(year),
            ),
            row=1,
            col=i,
        )
        fig.update_xaxes(
            title_text="Indicateur et facteurs publiés (1 à 5)", tickangle=-40, row=1, col=i
        )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_yaxes(title_text="Métier (code ROME)", row=1, col=1)
    fig.update_layout(
        title={
            "text": "Tension publiée par métier et ses facteurs (Dares, France Travail)",
            "x": 0.01,
            "xanchor": "left",
        },
        height=max(320, 230 + row_height * len(rows)),
        margin={"l": 20, "r": 20, "t": 80, "b": 170},
        plot_bgcolor="#e5e5e5",
        paper_bgcolor="white",
        separators=", ",
        font={"family": "Marianne, Arial, sans-serif", "size": 12, "color": "#161616"},
        meta={"rows": len(rows), "total_rows": len(vintages)},
    )
    if not len(rows):
        fig.add_annotation(
            text="Aucun indicateur de tension publié",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
    return fig


def tension_heatmap_caption(vintages: pd.DataFrame, *, max_rows: int = 40) -> str:
    """The heat-map's text alternative (French): what it shows, the strongest tensions of the
    last vintage, and what is not published."""
    years = vintage_years(vintages)
    if not years or not len(vintages):
        return "Aucun indicateur de tension publié pour les bassins BMO du bassin."
    last = years[-1]
    column = vintage_column("tension", last)
    strongest = vintages[vintages[column].map(lambda v: v == 5)]
    names = list(
        dict.fromkeys(
            str(lab) if lab else str(rome)
            for lab, rome in zip(strongest[ROME_LABEL], strongest[ROME_CODE], strict=True)
        )
    )
    text = (
        f"Carte de chaleur : pour {format_number(len(vintages))} métier(s) × bassin(s) BMO, "
        f"l'indicateur de tension publié et ses six facteurs (échelle 1 à 5), millésimes "
        f"{' et '.join(str(y) for y in years)} côte à côte."
    )
    if len(vintages) > max_rows:
        text += f" Seuls les {max_rows} premiers sont dessinés ; le tableau les donne tous."
    text += (
        f" En {last}, {format_number(len(strongest))} métier(s) au niveau de tension le plus "
        "fort (5)"
        + (f" : {', '.join(names[:8])}{', etc' if len(names) > 8 else ''}." if names else ".")
    )
    unpublished = [
        y
        for y in years
        if all(
            vintages[vintage_column(k, y)].map(lambda v: v in (NOT_PUBLISHED, ABSENT)).all()
            for k in FACTOR_KEYS.values()
        )
    ]
    if unpublished:
        text += (
            " Les facteurs ne sont pas publiés en "
            + ", ".join(str(y) for y in unpublished)
            + " (cases « non publié »)."
        )
    return text
