"""The report of a done diagnostic run: its stored tables as frames, the key figures with their
trends, the charts and the maps (with the geometries they draw)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.models import (
    Basin,
    Commune,
    DiagnosticRun,
    ZoneEmploi,
)

# The report's sections with its figures, in page order (anchor, title): the report page's summary
# starts with them, and a shared version's comments attach to them.
REPORT_FIGURE_SECTIONS: list[tuple[str, str]] = [
    ("chiffres-cles", "Chiffres clés"),
    ("tensions-publiees", "Tensions publiées par métier (Dares)"),
    ("recrutements", "Besoins de recrutement (BMO)"),
    ("tension", "Métiers en tension"),
    ("chomage", "Chômage"),
    ("demandeurs", "Demandeurs d'emploi"),
    ("cartes", "Cartes"),
    ("comparaisons", "Comparaisons"),
]

# --- Frames behind the maps -------------------------------------------------------------------


def commune_geometries(codes: Iterable[str]) -> dict[str, Any]:
    return dict(
        Commune.objects.filter(code__in=list(codes), geometry__isnull=False).values_list(
            "code", "geometry"
        )
    )


def zone_emploi_geometries(codes: Iterable[str]) -> dict[str, Any]:
    return dict(
        ZoneEmploi.objects.filter(code__in=list(codes), geometry__isnull=False).values_list(
            "code", "geometry"
        )
    )


def basin_geometries(ids: Iterable[int]) -> dict[str, Any]:
    return {
        str(pk): geometry
        for pk, geometry in Basin.objects.filter(
            pk__in=list(ids), geometry__isnull=False
        ).values_list("pk", "geometry")
    }


# --- The report: key figures, tables, charts and maps of a done run ---------------------------


def table_frame(run: DiagnosticRun, name: str) -> pd.DataFrame | None:
    """A stored table of the run as a frame (None when the run has no such table)."""
    payload = (run.tables or {}).get(name)
    if not payload:
        return None
    return pd.DataFrame(payload["rows"], columns=payload["columns"])


def _fr(value: float, decimals: int = 0) -> str:
    from diagnostics.analytics.common import format_number

    return format_number(float(value), decimals=decimals)


def _signed(value: float, decimals: int = 0, suffix: str = "") -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{_fr(abs(value), decimals)}{suffix}"


@dataclass(frozen=True)
class Trend:
    arrow: str  # ▲ ▼ =
    text: str
    direction: str  # "up", "down", "flat"
    tone: str = "neutral"  # "good", "bad", "neutral": how the change reads for the basin


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    unit: str = ""
    period: str = ""
    trend: Trend | None = None
    estimated: bool = False
    note: str = ""
    anchor: str = ""


def _trend(
    new: float | None,
    old: float | None,
    *,
    since: str,
    decimals: int = 0,
    points: bool = False,
    relative: bool = True,
    lower_is_better: bool | None = None,
) -> Trend | None:
    if new is None or old is None:
        return None
    change = new - old
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    tone = "neutral"
    if lower_is_better is not None and direction != "flat":
        tone = "good" if (direction == "down") == lower_is_better else "bad"
    arrow = {"up": "▲", "down": "▼", "flat": "="}[direction]
    if points:
        text = f"{_signed(change, decimals, NBSP + 'pt')} {since}"
    else:
        text = _signed(change, decimals)
        if relative and old:
            text += f" ({_signed(change / old * 100, 1, NNBSP + '%')})"
        text += f" {since}"
    return Trend(arrow=arrow, text=text, direction=direction, tone=tone)


def diagnostic_key_figures(document: dict[str, Any]) -> list[KeyFigure]:
    """The headline figures of a report with their change over the previous period."""
    figures: list[KeyFigure] = []
    basin = document.get("basin") or {}
    figures.append(
        KeyFigure(
            label="Population",
            value=_fr(basin.get("population") or 0),
            unit="habitants",
            note=f"{_fr(basin.get('communes') or 0)} communes",
            anchor="methode",
        )
    )
    years = document.get("years") or {}
    bmo_years = sorted(int(y) for y, v in years.items() if v.get("bmo_projects") is not None)
    if bmo_years:
        last, previous = bmo_years[-1], (bmo_years[-2] if len(bmo_years) > 1 else None)
        entry = years[str(last)]
        old = years[str(previous)] if previous else {}
        coverage = entry.get("bmo_coverage")
        masked = int(entry.get("bmo_masked_cells") or 0)
        note = (
            f"{_fr(masked)} cellule{'s' if masked > 1 else ''} secrète{'s' if masked > 1 else ''} "
            f"non comptée{'s' if masked > 1 else ''}"
        )
        if entry.get("bmo_estimated") and coverage is not None:
            note += f" · estimé, couverture {_fr(coverage * 100, 0)} %"
        figures.append(
            KeyFigure(
                label="Projets de recrutement",
                value=_fr(entry["bmo_projects"]),
                period=f"BMO {last}",
                trend=_trend(
                    entry["bmo_projects"], old.get("bmo_projects"), since=f"depuis {previous}"
                ),
                estimated=bool(entry.get("bmo_estimated")),
                note=note,
                anchor="recrutements",
            )
        )
        rate, old_rate = entry.get("bmo_difficulty_rate"), old.get("bmo_difficulty_rate")
        if rate is not None:
            figures.append(
                KeyFigure(
                    label="Recrutements jugés difficiles",
                    value=_fr(rate * 100, 1),
                    unit="%",
                    period=f"BMO {last}",
                    trend=_trend(
                        rate * 100,
                        old_rate * 100 if old_rate is not None else None,
                        since=f"depuis {previous}",
                        decimals=1,
                        points=True,
                        lower_is_better=True,
                    ),
                    estimated=bool(entry.get("bmo_estimated")),
                    note="Σ projets difficiles / Σ projets",
                    anchor="recrutements",
                )
            )
    series = [u for u in document.get("unemployment") or [] if u.get("rate") is not None]
    if series:
        last_u = series[-1]
        by_period = {u["period"]: u for u in series}
        year, _, quarter = str(last_u["period"]).partition("-")
        year_before = f"{int(year) - 1}-{quarter}" if year.isdigit() else ""
        before = by_period.get(year_before)
        region = last_u.get("region_rate")
        figures.append(
            KeyFigure(
                label="Taux de chômage",
                value=_fr(last_u["rate"], 1),
                unit="%",
                period=str(last_u["period"]),
                trend=_trend(
                    last_u["rate"],
                    before["rate"] if before else None,
                    since="sur un an",
                    decimals=1,
                    points=True,
                    lower_is_better=True,
                ),
                estimated=bool(last_u.get("estimated")),
                note=(f"région {_fr(region, 1)} %" if region is not None else "")
                + (
                    f" · France {_fr(last_u['france_rate'], 1)} %"
                    if last_u.get("france_rate") is not None
                    else ""
                ),
                anchor="chomage",
            )
        )
    seekers = [s for s in document.get("job_seekers") or [] if s.get("value") is not None]
    if seekers:
        last_s = seekers[-1]
        by_period = {s["period"]: s for s in seekers}
        year, _, month = str(last_s["period"]).partition("-")
        before = by_period.get(f"{int(year) - 1}-{month}") if year.isdigit() else None
        coverage = last_s.get("coverage")
        figures.append(
            KeyFigure(
                label="Demandeurs d'emploi (A, B, C)",
                value=_fr(last_s["value"]),
                period=_month_label(str(last_s["period"])),
                trend=_trend(
                    last_s["value"],
                    before["value"] if before else None,
                    since="sur un an",
                    lower_is_better=True,
                ),
                estimated=bool(last_s.get("estimated")),
                note=(
                    f"estimé, communes publiées : {_fr(coverage * 100, 0)} % de la population"
                    if last_s.get("estimated") and coverage is not None
                    else ""
                ),
                anchor="demandeurs",
            )
        )
    tension = document.get("tension_metiers") or []
    if document.get("bmo"):
        durable = sum(1 for t in tension if t.get("durable"))
        figures.append(
            KeyFigure(
                label="Métiers en tension",
                value=_fr(len(tension)),
                period=f"BMO {bmo_years[-1]}" if bmo_years else "",
                note=f"dont {_fr(durable)} en tension durable",
                anchor="tension",
            )
        )
    return figures


NBSP = "\u00a0"
NNBSP = "\u202f"
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def _month_label(period: str) -> str:
    year, _, month = period.partition("-")
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return f"{MONTHS_FR[int(month) - 1]} {year}"
    return period


def _figure_json(figure: Any) -> dict[str, Any]:
    return json.loads(figure.to_json())


def diagnostic_charts(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The report's charts as plotly JSON, drawn from the run's stored tables."""
    from diagnostics.analytics import charts

    out: dict[str, dict[str, Any]] = {}
    bmo_years = table_frame(run, "bmo_years")
    if bmo_years is not None and len(bmo_years):
        out["projects"] = _figure_json(charts.projects_figure(bmo_years))
    for name, measure, title in (
        ("top_metiers_projects", c.PROJECTS, "Métiers les plus recherchés"),
        ("top_metiers_difficult", c.DIFFICULT, "Métiers aux recrutements difficiles"),
    ):
        frame = table_frame(run, name)
        if frame is not None and len(frame):
            if c.ESTIMATED not in frame.columns:
                estimated = bool((run.results or {}).get("bmo", {}).get("estimated"))
                frame = frame.assign(**{c.ESTIMATED: estimated})
            figure = charts.top_metiers_figure(frame, measure=measure, title=title)
            # Room for the value printed after the longest bar (plotly clips it otherwise).
            known = pd.to_numeric(frame[measure], errors="coerce").dropna()
            figure.update_traces(cliponaxis=False)
            if len(known):
                figure.update_xaxes(range=[0, float(known.max()) * 1.15])
            out[name] = _figure_json(figure)
    unemployment = table_frame(run, "unemployment")
    if unemployment is not None and len(unemployment):
        out["unemployment"] = _figure_json(charts.unemployment_figure(unemployment))
    seekers = table_frame(run, "job_seekers")
    if seekers is not None and len(seekers):
        out["job_seekers"] = _figure_json(charts.job_seekers_figure(seekers))
    return out


def diagnostic_maps(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The two choropleths: the basin's communes (job seekers per 1,000 inhabitants where
    published, else population) and the region's basins (or zones d'emploi) by unemployment
    rate. Geometries are read now; the values are the run's. Without polygons (overseas), the
    figure says so and the tables below still hold every value."""
    from diagnostics.analytics import choropleth

    out: dict[str, dict[str, Any]] = {}
    maps = (run.results or {}).get("maps") or {}
    communes = table_frame(run, "communes_map")
    if communes is not None and len(communes):
        geometries = commune_geometries(communes[c.COMMUNE_CODE])
        by_seekers = maps.get("communes_value") == "job_seekers_per_1000"
        frame = communes.assign(
            code=communes[c.COMMUNE_CODE],
            geometry=communes[c.COMMUNE_CODE].map(geometries),
            _value=communes["job_seekers_per_1000" if by_seekers else c.POPULATION],
        )
        out["communes"] = _figure_json(
            choropleth.choropleth_figure(
                frame,
                value="_value",
                value_title="Demandeurs pour 1 000 hab." if by_seekers else "Population",
                decimals=1 if by_seekers else 0,
                height=480,
            )
        )
    region = table_frame(run, "region_map")
    if region is not None and len(region):
        if str(region["kind"].iloc[0]) == "basin":
            geometries = basin_geometries(int(code) for code in region["code"])
        else:
            geometries = zone_emploi_geometries(region["code"])
        frame = region.assign(geometry=region["code"].map(geometries))
        figure = choropleth.choropleth_figure(
            frame,
            value="unemployment_rate",
            value_title="Taux de chômage (%)",
            decimals=1,
            height=480,
        )
        _outline_current(figure, frame)
        out["region"] = _figure_json(figure)
    return out


def _outline_current(figure: Any, frame: pd.DataFrame) -> None:
    """Draw the outline of the diagnosed basin (or of its zones) over the region map."""
    import shapely
    from shapely.geometry import shape

    from diagnostics.analytics import charts, choropleth

    current = frame[frame["current"].fillna(False).astype(bool) & frame["geometry"].notna()]
    if current.empty:
        return
    geometry = shapely.union_all([shape(g) for g in current["geometry"]])
    minx, miny, maxx, maxy = geometry.bounds
    simplified = shapely.simplify(geometry, max(maxx - minx, maxy - miny) / 400)
    xs, ys = choropleth.polygon_rings(simplified if not simplified.is_empty else geometry)
    figure.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": charts.RED_MARIANNE, "width": 2.5},
        name="Bassin du diagnostic",
        hoverinfo="skip",
        showlegend=True,
    )
