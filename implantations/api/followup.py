"""Follow-up and evaluation of implantation projects over the API v1 (issue 18).

- `GET /api/v1/projects/<pk>/followup/`: the evaluation of each project year (learners, outcome
  rates with their denominators — `null` with a reason under the minimum number of learners —,
  planned against actual revenues and costs, variances, explanations) and the site's flags.
- `POST` on the same URL: one year entered (token scope `projects:write`; the basin's managers
  only); the rules of the pages, a 400 naming each field in error, nothing written.
- `GET /api/v1/evaluation/`: the programme summary of the caller's scope.

Read like the project's basin (`project_list_for`): another region's project is a 404."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin
from diagnostics.models import Scope, User
from diagnostics.params import InvalidParameter, int_param
from diagnostics.permissions import CanReadBasins
from implantations.analytics import evaluation as ev
from implantations.analytics import evaluation_outcomes as evo
from implantations.models import FollowupSource, ImplantationProject
from implantations.selectors import followup as sel
from implantations.selectors.projects import project_list_for, project_manageable_for
from implantations.services import followup as services


def _num(value: Any, decimals: int = 2) -> float | None:
    return (
        None if value is None or value is pd.NA or pd.isna(value) else round(float(value), decimals)
    )


def _rates(rates: list[evo.Rate]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in rates]


def _thresholds(t: ev.Thresholds) -> dict[str, Any]:
    return {
        "late_enrolment_share": t.late_enrolment_share,
        "opening_grace_days": t.opening_grace_days,
        "overrun_share": t.overrun_share,
        "explain_share": t.explain_share,
        "min_learners": t.min_learners,
    }


def year_output(y: sel.YearEvaluation) -> dict[str, Any]:
    f = y.followup
    variances = []
    for record in y.variances.to_dict("records"):
        line = record[ev.LINE]
        variances.append(
            {
                "line": line,
                "label": record[ev.LABEL],
                "kind": record[ev.KIND],
                "planned": _num(record[ev.PLANNED]),
                "actual": _num(record[ev.ACTUAL]),
                "variance": _num(record[ev.VARIANCE]),
                "variance_share": _num(record[ev.VARIANCE_SHARE], 4),
                "explanation_required": bool(record[ev.EXPLANATION_REQUIRED]),
                "explanation": getattr(f, ev.explanation_field(line))
                if f is not None and line in ev.LINES
                else "",
            }
        )
    return {
        "year": y.year,
        "calendar_year": y.calendar_year,
        "planned_learners": y.planned_learners,
        "entered": f is not None,
        "counts": {name: getattr(f, name) for name in ev.COUNT_FIELDS} if f is not None else None,
        "rates": _rates(y.rates),
        "variances": variances,
        "comment": f.comment if f is not None else "",
        "source": f.source if f is not None else None,
        "updated_at": f.updated_at.isoformat() if f is not None else None,
    }


def _project_or_404(user: User, pk: int) -> ImplantationProject:
    project = project_list_for(user).filter(pk=pk).first()
    if project is None:
        raise exceptions.NotFound(f"Projet n° {pk} introuvable.")
    return project


class FollowupInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="Année du projet, 0 (mise en place) à 5.")
    enrolled = serializers.IntegerField()
    completed = serializers.IntegerField(required=False, allow_null=True)
    certified = serializers.IntegerField(required=False, allow_null=True)
    outcome_job = serializers.IntegerField(required=False, allow_null=True)
    outcome_training = serializers.IntegerField(required=False, allow_null=True)
    outcome_seeking = serializers.IntegerField(required=False, allow_null=True)
    outcome_unknown = serializers.IntegerField(required=False, allow_null=True)
    revenue_tuition = serializers.IntegerField(required=False, allow_null=True)
    revenue_public_aid = serializers.IntegerField(required=False, allow_null=True)
    revenue_other = serializers.IntegerField(required=False, allow_null=True)
    cost_staff = serializers.IntegerField(required=False, allow_null=True)
    cost_premises = serializers.IntegerField(required=False, allow_null=True)
    cost_other = serializers.IntegerField(required=False, allow_null=True)
    explanation_revenue_tuition = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    explanation_revenue_public_aid = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    explanation_revenue_other = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    explanation_cost_staff = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    explanation_cost_premises = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    explanation_cost_other = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ProjectFollowupApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    write_scope = Scope.PROJECTS_WRITE
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(
        operation_id="project_followup",
        summary="Évaluation annuelle d'un projet : apprenants, taux, écarts au plan, signalements",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: int) -> Response:
        project = _project_or_404(cast(User, request.user), pk)
        evaluation = sel.project_evaluation(project)
        self.last_modified = evaluation.project.updated_at
        return Response(
            {
                "project": project.pk,
                "name": project.name,
                "plan_source": evaluation.plan_source,
                "thresholds": _thresholds(evaluation.thresholds),
                "flags": [f.as_dict() for f in evaluation.flags],
                "years": [year_output(y) for y in evaluation.years],
            }
        )

    @extend_schema(
        operation_id="project_followup_write",
        summary="Saisir le suivi d'une année d'un projet (remplace la saisie précédente)",
        request=FollowupInputSerializer,
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        project = _project_or_404(user, pk)
        if not project_manageable_for(user).filter(pk=project.pk).exists():
            raise exceptions.PermissionDenied(
                "Seuls les délégués de la région du projet saisissent son suivi."
            )
        data = FollowupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        year = values.pop("year")
        comment = values.pop("comment", "")
        existed = project.followups.filter(year=year).exists()
        try:
            services.followup_year_save(
                project=project,
                year=year,
                values=values,
                comment=comment,
                user=user,
                source=FollowupSource.API,
            )
        except services.FollowupError as exc:
            if exc.code == "forbidden":
                raise exceptions.PermissionDenied(exc.message) from exc
            errors = exc.extra.get("errors") or {}
            raise exceptions.ValidationError(
                {name: [message] for name, message in errors.items()}
                or {"non_field_errors": [exc.message]}
            ) from exc
        evaluation = sel.project_evaluation(project)
        current = evaluation.year(year)
        assert current is not None
        return Response(
            {**year_output(current), "flags": [f.as_dict() for f in evaluation.flags]},
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class EvaluationSummaryApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    query_params_allowed: frozenset[str] = frozenset({"year"})

    @extend_schema(
        operation_id="evaluation_summary",
        summary="Synthèse de l'évaluation des sites du périmètre de l'appelant",
        parameters=[
            OpenApiParameter(
                "year", int, description="Année civile (défaut : toutes les années suivies)."
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        try:
            year = int_param(request.query_params, "year", minimum=2000, maximum=2100)
        except InvalidParameter as exc:
            raise exceptions.ValidationError({"year": [exc.message]}) from exc
        programme = sel.programme_evaluation(cast(User, request.user), calendar_year=year)
        return Response(
            {
                "year": year,
                "thresholds": _thresholds(programme.thresholds),
                "counts": programme.counts,
                "rates": _rates(programme.rates),
                "planned_learners": programme.planned_learners,
                "planned_costs": round(programme.planned_costs, 2),
                "actual_costs": None
                if programme.actual_costs is None
                else round(programme.actual_costs, 2),
                "sites": [
                    {
                        "project": s.project.pk,
                        "name": s.project.name,
                        "basin": s.project.basin_id,
                        "region": s.project.basin.region_id,
                        "status": s.project.status,
                        "years_entered": [y.year for y in s.entered_years],
                        "flags": [f.as_dict() for f in s.flags],
                    }
                    for s in programme.sites
                ],
            }
        )
