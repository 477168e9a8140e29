"""Follow-up of implantation projects (writes, issue 18): one year entered by the delegate
(form, API) or several years imported from the CSV template.

The rules of a year are those of `implantations.analytics.evaluation.followup_check` (counts ≥ 0,
completed ≤ enrolled, certified ≤ completed, outcomes ≤ completed, a variance beyond the
threshold explained), plus: the year is one of the project's (0 to 5) and has begun. A refused
entry raises `FollowupError` (French messages per field, or per row and column for a file) and
writes nothing. A year written again replaces the former one; django-simple-history keeps it.
The enrolled of a year become the project's actual learners of that year (`ProjectYear`), so
that the project page and the evaluation tell the same figure.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.importers.contract import LINE, ImportFileError
from diagnostics.importers.csv_reading import read_csv_sniffed
from diagnostics.models import User
from diagnostics.selectors.access import basin_is_manageable
from implantations.analytics import evaluation as ev
from implantations.models import FollowupSource, ImplantationProject, ProjectFollowup, ProjectYear
from implantations.models.projects import PROJECT_YEARS
from implantations.selectors import followup as sel
from implantations.selectors.followup import followup_thresholds, project_plan

MAX_CSV_BYTES = 1_000_000
EXPLANATION_MAX = 2000


class FollowupError(ApplicationError):
    """A follow-up entry or import refused. `extra`: {"field": first field or None,
    "errors": {field: message}} for one year, {"rows": [{row, column, value, message}]} for a
    file."""

    code = "followup_error"


# --- CSV template ------------------------------------------------------------------------------
YEAR_COLUMN = "annee"
COMMENT_COLUMN = "commentaire"
CSV_COLUMNS: dict[str, str] = {
    ev.ENROLLED: "inscrits",
    ev.COMPLETED: "parcours_acheves",
    ev.CERTIFIED: "certifies",
    ev.OUTCOME_JOB: "emploi_6_mois",
    ev.OUTCOME_TRAINING: "formation_6_mois",
    ev.OUTCOME_SEEKING: "recherche_emploi_6_mois",
    ev.OUTCOME_UNKNOWN: "situation_inconnue_6_mois",
    ev.TUITION: "recettes_formation_cpf",
    ev.PUBLIC_AID: "aides_publiques",
    ev.OTHER_REVENUES: "autres_recettes",
    ev.STAFF: "couts_personnel",
    ev.PREMISES: "couts_locaux",
    ev.OTHER_COSTS: "autres_couts",
    **{ev.explanation_field(line): f"explication_{name}" for line, name in (
        (ev.TUITION, "recettes_formation_cpf"),
        (ev.PUBLIC_AID, "aides_publiques"),
        (ev.OTHER_REVENUES, "autres_recettes"),
        (ev.STAFF, "couts_personnel"),
        (ev.PREMISES, "couts_locaux"),
        (ev.OTHER_COSTS, "autres_couts"),
    )},
}  # fmt: skip
CSV_HEADER = [YEAR_COLUMN, *CSV_COLUMNS.values(), COMMENT_COLUMN]
TEXT_FIELDS = {ev.explanation_field(line) for line in ev.FINANCE_FIELDS}


def followup_template_csv(project: ImplantationProject) -> bytes:
    """The CSV template of a project (UTF-8 with BOM, `;`): the header, then one line per year
    already begun with its current figures (empty cells where nothing is entered)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    current = {f.year: f for f in project.followups.all()}
    this_year = sel.today().year
    for year in PROJECT_YEARS:
        calendar = project.start_year + year
        if calendar > this_year:
            break
        item = current.get(year)
        cells: list[Any] = [calendar]
        for name in CSV_COLUMNS:
            value = getattr(item, name) if item is not None else None
            cells.append("" if value is None else value)
        cells.append(item.comment if item is not None else "")
        writer.writerow([_safe_cell(c) for c in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


# --- One year ------------------------------------------------------------------------------------
def _check_manageable(user: User | None, project: ImplantationProject) -> None:
    if user is None:
        return
    if not basin_is_manageable(user, project.basin_id):
        raise FollowupError(
            "Vous ne pouvez pas saisir le suivi de ce projet.",
            code="forbidden",
            extra={"field": None, "errors": {}},
        )


def _year_problem(project: ImplantationProject, year: Any) -> str | None:
    if not isinstance(year, int) or isinstance(year, bool) or year not in PROJECT_YEARS:
        return (
            f"Année « {year} » hors du projet : années 0 à 5 ({project.start_year} à "
            f"{project.start_year + 5})."
        )
    calendar = project.start_year + year
    if calendar > sel.today().year:
        return (
            f"Année {year} ({calendar}) : elle n'a pas commencé, son suivi ne peut pas être saisi."
        )
    return None


def _plan_of(project: ImplantationProject) -> dict[int, dict[str, float]]:
    plan, _ = project_plan(project)
    return {
        int(r[ev.YEAR]): {line: float(r[line]) for line in ev.FINANCE_FIELDS}
        for r in plan.to_dict("records")
    }


def _clean_text(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in TEXT_FIELDS:
        out[name] = str(out.get(name) or "").strip()[:EXPLANATION_MAX]
    return out


def _write(
    project: ImplantationProject,
    year: int,
    values: Mapping[str, Any],
    *,
    comment: str,
    user: User | None,
    source: str,
) -> ProjectFollowup:
    item = ProjectFollowup.objects.select_for_update().filter(project=project, year=year).first()
    if item is None:
        item = ProjectFollowup(project=project, year=year)
    for name in (*ev.COUNT_FIELDS, *ev.FINANCE_FIELDS, *TEXT_FIELDS):
        value = values.get(name)
        setattr(item, name, "" if name in TEXT_FIELDS and value is None else value)
    item.comment = (comment or "").strip()[:EXPLANATION_MAX]
    item.source = source
    item.entered_by = user
    item.save()
    # The enrolled are the year's actual learners (one figure on every page).
    ProjectYear.objects.update_or_create(
        project=project, year=year, defaults={"actual_learners": item.enrolled}
    )
    return item


def followup_year_save(
    *,
    project: ImplantationProject,
    year: int,
    values: Mapping[str, Any],
    comment: str = "",
    user: User | None = None,
    source: str = FollowupSource.FORM,
) -> ProjectFollowup:
    """Write one year of a project's follow-up (replacing the former one), or raise
    FollowupError listing every problem per field (nothing written)."""
    _check_manageable(user, project)
    problem = _year_problem(project, year)
    if problem:
        raise FollowupError(
            problem, code="invalid_year", extra={"field": "year", "errors": {"year": problem}}
        )
    values = _clean_text(values)
    thresholds = followup_thresholds()
    errors = ev.followup_check(
        values, plan=_plan_of(project)[year], explain_share=thresholds.explain_share
    )
    if errors:
        first = next(iter(errors))
        raise FollowupError(
            " ".join(errors.values()),
            code="invalid_followup",
            extra={"field": first, "errors": errors},
        )
    with transaction.atomic():
        item = _write(project, year, values, comment=comment, user=user, source=source)
        ImplantationProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    return item


# --- CSV import -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowProblem:
    row: int | None  # line in the file (header = 1)
    column: str
    value: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class ImportResult:
    years: list[int]  # project years written
    replaced: list[int]  # of which already entered before


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _parse_number(text: str, *, amount: bool) -> int:
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    cleaned = cleaned.removesuffix("€")
    try:
        number = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError("nombre attendu") from exc
    if not number.is_finite():
        raise ValueError("nombre attendu")
    if amount:
        return int(number.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if number != number.to_integral_value():
        raise ValueError("nombre entier attendu")
    return int(number)


def _read_rows(content: bytes, filename: str) -> Any:
    if len(content) > MAX_CSV_BYTES:
        raise FollowupError(
            f"Le fichier « {filename} » dépasse {MAX_CSV_BYTES // 1000} ko : un fichier de suivi "
            "tient en quelques lignes.",
            code="file_too_large",
            extra={"rows": []},
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "suivi.csv"
        path.write_bytes(content)
        try:
            frame, _ = read_csv_sniffed(path, display_name=filename)
        except ImportFileError as exc:
            raise FollowupError(exc.message, code="unreadable_file", extra={"rows": []}) from exc
    frame.columns = [str(c).strip().lower().lstrip("\ufeff") for c in frame.columns]
    missing = [c for c in CSV_HEADER if c not in frame.columns and c != COMMENT_COLUMN]
    if missing:
        raise FollowupError(
            f"Colonnes absentes du fichier « {filename} » : {', '.join(missing)} (téléchargez le "
            "modèle CSV).",
            code="missing_columns",
            extra={"rows": [RowProblem(1, c, None, "colonne absente").as_dict() for c in missing]},
        )
    unknown = [c for c in frame.columns if c not in CSV_HEADER and c != LINE]
    if unknown:
        raise FollowupError(
            f"Colonnes inconnues dans « {filename} » : {', '.join(unknown)} (colonnes du modèle : "
            f"{', '.join(CSV_HEADER)}).",
            code="unknown_columns",
            extra={"rows": [RowProblem(1, c, None, "colonne inconnue").as_dict() for c in unknown]},
        )
    if len(frame) == 0:
        raise FollowupError(
            f"Le fichier « {filename} » ne contient aucune ligne de données.",
            code="empty_file",
            extra={"rows": []},
        )
    return frame


def followup_import(
    *,
    project: ImplantationProject,
    content: bytes,
    filename: str = "suivi.csv",
    user: User | None = None,
) -> ImportResult:
    """Import the CSV template of a project: every line is one year (column `annee`, the
    calendar year). All lines are checked first — each problem with its line, column, value
    and message —, then all are written in one transaction, or none. A year already entered
    is replaced (its history keeps the former figures)."""
    _check_manageable(user, project)
    frame = _read_rows(content, filename)
    plan = _plan_of(project)
    thresholds = followup_thresholds()
    problems: list[RowProblem] = []
    parsed: list[tuple[int, dict[str, Any], str]] = []
    seen: dict[int, int] = {}
    for record in frame.to_dict("records"):
        line = int(record[LINE])
        raw_year = record.get(YEAR_COLUMN)
        year: int | None = None
        if _missing(raw_year):
            problems.append(RowProblem(line, YEAR_COLUMN, None, "année manquante"))
        else:
            try:
                calendar = _parse_number(str(raw_year), amount=False)
            except ValueError:
                problems.append(
                    RowProblem(line, YEAR_COLUMN, raw_year, "année attendue (ex. 2025)")
                )
            else:
                problem = _year_problem(project, calendar - project.start_year)
                if problem:
                    problems.append(RowProblem(line, YEAR_COLUMN, raw_year, problem))
                elif calendar - project.start_year in seen:
                    problems.append(
                        RowProblem(
                            line,
                            YEAR_COLUMN,
                            raw_year,
                            f"année {calendar} en double (déjà ligne {seen[calendar - project.start_year]})",
                        )
                    )
                else:
                    year = calendar - project.start_year
                    seen[year] = line
        values: dict[str, Any] = {}
        row_ok = True
        for name, column in CSV_COLUMNS.items():
            raw = record.get(column)
            if _missing(raw):
                values[name] = None
                continue
            if name in TEXT_FIELDS:
                values[name] = str(raw)
                continue
            try:
                values[name] = _parse_number(str(raw), amount=name in ev.FINANCE_FIELDS)
            except ValueError as exc:
                problems.append(RowProblem(line, column, raw, str(exc)))
                row_ok = False
        if not row_ok or year is None:
            continue
        values = _clean_text(values)
        errors = ev.followup_check(values, plan=plan[year], explain_share=thresholds.explain_share)
        for name, message in errors.items():
            column = CSV_COLUMNS.get(name, name)
            problems.append(RowProblem(line, column, record.get(column), message))
        if not errors:
            comment = record.get(COMMENT_COLUMN)
            parsed.append((year, values, "" if _missing(comment) else str(comment)))
    if problems:
        raise FollowupError(
            f"{len(problems)} problème{'s' if len(problems) > 1 else ''} dans « {filename} » : "
            "rien n'a été importé.",
            code="invalid_rows",
            extra={"rows": [p.as_dict() for p in problems]},
        )
    existing = set(ProjectFollowup.objects.filter(project=project).values_list("year", flat=True))
    with transaction.atomic():
        for year, values, comment in parsed:
            _write(project, year, values, comment=comment, user=user, source=FollowupSource.CSV)
        ImplantationProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    years = sorted(y for y, _, _ in parsed)
    return ImportResult(years=years, replaced=[y for y in years if y in existing])
