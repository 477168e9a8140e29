"""The programme dashboard (issue 18) put together for a user and a scope: pipeline, timeline
against the targets, breakdowns by concept and by region, the map, and the tables of the
exports. Reads only (`implantations.selectors.programme` + pure analytics)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils import timezone

from diagnostics.models import Region, User
from implantations.analytics import programme as pg
from implantations.analytics import programme_charts as pc
from implantations.models import Concept, ProjectStatus
from implantations.selectors import programme as sel

STATUS_LABELS = dict(ProjectStatus.choices)
CONCEPT_LABELS = dict(Concept.choices)


@dataclass
class ProgrammeDashboard:
    region: Region | None
    regions: list[Region]
    years: list[int]
    target_year: int
    pipeline: pd.DataFrame
    timeline: pd.DataFrame
    by_concept: pd.DataFrame
    by_region: pd.DataFrame
    projects: pd.DataFrame
    targets_set: bool
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def region_code(self) -> str:
        return self.region.code if self.region else ""

    def final(self) -> dict[str, Any]:
        """The scope's figures at the end of the target year."""
        row = self.timeline[self.timeline[pg.YEAR] == self.target_year].iloc[0]
        return {
            "year": self.target_year,
            "planned_actual": int(row[pg.PLANNED_ACTUAL]),
            "open_actual": int(row[pg.OPEN_ACTUAL]),
            "planned_target": None
            if pd.isna(row[pg.PLANNED_TARGET])
            else int(row[pg.PLANNED_TARGET]),
            "open_target": None if pd.isna(row[pg.OPEN_TARGET]) else int(row[pg.OPEN_TARGET]),
        }


def _years(projects: pd.DataFrame, targets: pd.DataFrame, today: dt.date) -> list[int]:
    years = {today.year}
    years.update(int(y) for y in targets[pg.YEAR])
    started = pd.to_datetime(projects[pg.STUDY_STARTED_ON]).dropna()
    years.update(int(d.year) for d in started)
    return list(range(min(years), max(years) + 1))


def programme_dashboard(
    user: User, *, region: str | None = None, today: dt.date | None = None, with_map: bool = True
) -> ProgrammeDashboard:
    """The dashboard of `user` for one of their regions or their whole scope (a delegate's
    whole scope is their regions; the caller checks that `region` is one of them)."""
    today = today or timezone.localdate()
    regions = list(sel.programme_regions_for(user))
    if not user.is_national_admin and not region and regions:
        # A delegate's dashboard is one region at a time: their targets are regional.
        region = regions[0].code
    scope_region = next((r for r in regions if r.code == region), None) if region else None
    basins = sel.programme_basins_frame(user, region=region)
    projects = sel.programme_projects_frame(user, region=region)
    targets = sel.programme_targets_frame()
    years = _years(projects, targets, today)
    code = region or ""
    timeline = pg.programme_timeline(projects, targets, years=years, region=code)
    scope_targets = targets[targets[pg.REGION_CODE] == code] if code else targets
    target_years = sorted(int(y) for y in scope_targets[pg.YEAR])
    target_year = target_years[-1] if target_years else today.year
    if target_year not in years:  # pragma: no cover - years span every target year
        target_year = years[-1]
    by_concept = pg.programme_breakdown(
        projects, targets, by=pg.CONCEPT, keys=list(Concept.values), year=target_year, region=code
    )
    region_keys = [r.code for r in regions] if not region else [region]
    # A national admin's breakdown by region lists the regions that have a project or a target.
    if user.is_national_admin and not region:
        wanted = set(projects[pg.REGION_CODE]) | {c for c in targets[pg.REGION_CODE] if c}
        region_keys = [r.code for r in regions if r.code in wanted]
    by_region = pg.programme_breakdown(
        projects, targets, by=pg.REGION_CODE, keys=region_keys, year=target_year
    )
    dashboard = ProgrammeDashboard(
        region=scope_region,
        regions=regions,
        years=years,
        target_year=target_year,
        pipeline=pg.pipeline_counts(basins, projects),
        timeline=timeline,
        by_concept=by_concept,
        by_region=by_region,
        projects=projects,
        targets_set=bool(target_years),
    )
    dashboard.figures["timeline"] = json.loads(pc.programme_timeline_figure(timeline).to_json())
    if with_map:
        dashboard.figures["map"] = json.loads(
            pc.programme_map_figure(
                _map_projects(projects),
                sel.programme_sites_frame(region=region),
                sel.programme_outlines_frame(region=region),
                status_labels=STATUS_LABELS,
            ).to_json()
        )
    return dashboard


def _map_projects(projects: pd.DataFrame) -> pd.DataFrame:
    details = [
        f"{basin} ({region}) — {CONCEPT_LABELS.get(concept, concept)}"
        for basin, region, concept in zip(
            projects[pg.BASIN_NAME], projects[pg.REGION_NAME], projects[pg.CONCEPT], strict=True
        )
    ]
    return projects.assign(detail=details)[pc.MAP_PROJECT_COLUMNS]


# --- Export tables (payloads of diagnostics.exports) ----------------------------------------------
def _date(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _pct(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value) * 100, 1)


def programme_export_tables(dashboard: ProgrammeDashboard) -> list[tuple[str, dict[str, Any]]]:
    """The dashboard's tables as export payloads ({title, columns, labels, rows}): the sites,
    the pipeline, the timeline against the targets, by concept and by region."""
    projects = dashboard.projects.sort_values([pg.REGION_NAME, pg.BASIN_NAME, pg.NAME])
    sites = {
        "title": "Sites et projets",
        "columns": ["project_id", "name", "basin", "region_code", "region", "concept", "status",
                    "study_started_on", "opened_on", "latitude", "longitude"],
        "labels": ["n° du projet", "projet", "bassin", "code région", "région", "concept", "étape",
                   "étude lancée le", "ouvert le", "latitude", "longitude"],
        "rows": [
            [int(r[pg.PROJECT_ID]), r[pg.NAME], r[pg.BASIN_NAME], r[pg.REGION_CODE],
             r[pg.REGION_NAME], CONCEPT_LABELS.get(r[pg.CONCEPT], r[pg.CONCEPT]),
             STATUS_LABELS.get(r[pg.STATUS], r[pg.STATUS]), _date(r[pg.STUDY_STARTED_ON]),
             _date(r[pg.OPENED_ON]),
             None if pd.isna(r[pg.LATITUDE]) else float(r[pg.LATITUDE]),
             None if pd.isna(r[pg.LONGITUDE]) else float(r[pg.LONGITUDE])]
            for r in projects.to_dict("records")
        ],
    }  # fmt: skip
    pipeline = {
        "title": "Étapes du programme",
        "columns": ["stage", "label", "at_stage", "reached"],
        "labels": ["code", "étape", "à cette étape", "cette étape ou au-delà"],
        "rows": [
            [r[pg.STAGE], r[pg.LABEL], int(r[pg.AT_STAGE]), int(r[pg.REACHED])]
            for r in dashboard.pipeline.to_dict("records")
        ],
    }
    timeline = {
        "title": "Objectifs et réalisé par année",
        "columns": ["year", "planned_actual", "planned_target", "open_actual", "open_target",
                    "open_share"],
        "labels": ["fin de l'année", "projets lancés (cumul)", "objectif de projets lancés",
                   "sites ouverts (cumul)", "objectif de sites ouverts",
                   "sites ouverts / objectif (%)"],
        "rows": [
            [int(r[pg.YEAR]), int(r[pg.PLANNED_ACTUAL]), _int(r[pg.PLANNED_TARGET]),
             int(r[pg.OPEN_ACTUAL]), _int(r[pg.OPEN_TARGET]), _pct(r[pg.OPEN_SHARE])]
            for r in dashboard.timeline.to_dict("records")
        ],
    }  # fmt: skip
    names = {r.code: r.name for r in dashboard.regions}
    tables = [("sites", sites), ("etapes", pipeline), ("chronologie", timeline)]
    for key, frame, title, label in (
        ("concepts", dashboard.by_concept, f"Par concept (fin {dashboard.target_year})", "concept"),
        ("regions", dashboard.by_region, f"Par région (fin {dashboard.target_year})", "région"),
    ):
        tables.append(
            (
                key,
                {
                    "title": title,
                    "columns": ["key", "planned_actual", "planned_target", "open_actual",
                                "open_target", "open_share"],
                    "labels": [label, "projets lancés", "objectif de projets lancés",
                               "sites ouverts", "objectif de sites ouverts",
                               "sites ouverts / objectif (%)"],
                    "rows": [
                        [CONCEPT_LABELS.get(r[pg.KEY]) or names.get(r[pg.KEY], r[pg.KEY]),
                         int(r[pg.PLANNED_ACTUAL]), _int(r[pg.PLANNED_TARGET]),
                         int(r[pg.OPEN_ACTUAL]), _int(r[pg.OPEN_TARGET]), _pct(r[pg.OPEN_SHARE])]
                        for r in frame.to_dict("records")
                    ],
                },
            )
        )  # fmt: skip
    return tables
