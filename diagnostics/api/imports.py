"""Import door of the API (issue 14): `POST /api/v1/imports/` with a file and its kind → 202
and the batch URL; the batch's status, progress and row-level report are polled.

The same form (`ImportUploadForm`: extension, size, kind allowed for the role) and the same
service (`import_dataset`: safety checks, sha256 dedupe, validation of every row, all or
nothing, versioning) as the import page; processed by the Celery task after commit."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from diagnostics.api.base import ApiViewMixin
from diagnostics.api.territories import StrictOrderingFilter
from diagnostics.forms.imports import OPTION_PREFIX, ImportUploadForm
from diagnostics.importers.registry import import_options, kind_choices
from diagnostics.models import DatasetKind, ImportBatch, Role, Scope, User
from diagnostics.permissions import RolePermission
from diagnostics.selectors.imports import import_batch_list, import_kinds_for
from diagnostics.services.import_requests import import_dataset

IMPORT_ROLES = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)


class CanImport(RolePermission):
    roles = IMPORT_ROLES


class ImportOutputSerializer(serializers.ModelSerializer):
    running = serializers.BooleanField(source="is_running")
    urls = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "kind_detected",
            "file_name",
            "file_size",
            "status",
            "running",
            "progress_percent",
            "progress_step",
            "vintage",
            "period",
            "nomenclature",
            "options",
            "rows_read",
            "rows_written",
            "rows_rejected",
            "errors_total",
            "error_message",
            "created_at",
            "started_at",
            "finished_at",
            "supersedes",
            "urls",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_urls(self, batch: ImportBatch) -> dict[str, str]:
        request = self.context["request"]
        return {
            "self": request.build_absolute_uri(reverse("api-import-detail", args=[batch.pk])),
            "report": request.build_absolute_uri(reverse("api-import-report", args=[batch.pk])),
            "page": request.build_absolute_uri(reverse("import-detail", args=[batch.pk])),
        }


class ImportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DatasetKind.choices)
    status = django_filters.ChoiceFilter(choices=ImportBatch.Status.choices)

    class Meta:
        model = ImportBatch
        fields = ["kind", "status"]


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Le fichier tel que publié (.xlsx ou .csv).")
    kind = serializers.ChoiceField(
        choices=DatasetKind.choices,
        required=False,
        help_text="Type de données ; absent : détecté dans le fichier (rôles qui importent tout).",
    )
    vintage = serializers.CharField(required=False, allow_blank=True, max_length=100)
    options = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        help_text="Options de lecture de l'importeur (clés de la page Imports).",
    )


class ImportListApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanImport]
    write_scope = Scope.IMPORTS_WRITE
    serializer_class = ImportOutputSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_class = ImportFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["id", "created_at", "finished_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[ImportBatch]:
        if self.request.method not in SAFE_METHODS:
            return ImportBatch.objects.none()
        return import_batch_list(user=self.request.user).defer("error_report", "notes")

    @extend_schema(
        operation_id="import_list",
        responses={200: ImportOutputSerializer(many=True)},
        summary="Imports visibles par l'appelant",
    )
    def get(self, request: Request) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="import_create",
        summary="Déposer un fichier de données (asynchrone)",
        description=(
            "Mêmes contrôles que la page Imports : chaque ligne est validée avant toute écriture, "
            "une seule ligne en erreur et rien n'est enregistré (rapport ligne, colonne, valeur, "
            "règle). Le même fichier déjà importé renvoie son lot. Réponse 202 avec l'URL du lot "
            "(en-tête Location) à interroger jusqu'à la fin (`running` faux)."
        ),
        request={"multipart/form-data": ImportInputSerializer},
        responses={202: ImportOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        ImportInputSerializer(data=request.data).is_valid(raise_exception=True)
        allowed = import_kinds_for(user)
        kinds = [(k, label) for k, label in kind_choices() if k in allowed]
        option_specs = import_options([k for k, _ in kinds])
        known_options = {key for _, key, _ in option_specs}
        wanted_options = request.data.getlist("options") if hasattr(request.data, "getlist") else []
        unknown = sorted(set(wanted_options) - known_options)
        if unknown:
            raise exceptions.ValidationError(
                {
                    "options": [
                        f"Option inconnue : {', '.join(unknown)} (possibles : "
                        f"{', '.join(sorted(known_options)) or 'aucune'})."
                    ]
                }
            )
        body: Any = request.data
        data = {
            "kind": body.get("kind") or "",
            "vintage": body.get("vintage") or "",
            **{f"{OPTION_PREFIX}{key}": "on" for key in wanted_options},
        }
        form = ImportUploadForm(
            data,
            request.FILES,
            kinds=kinds,
            allow_auto=set(allowed) == set(DatasetKind.values),
            options=option_specs,
        )
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            )
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="import-api-") as tmp:
            path = Path(tmp) / "upload"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            batch = import_dataset(
                kind=form.cleaned_data["kind"] or None,
                path=path,
                file_name=upload.name,
                vintage=form.cleaned_data["vintage"] or None,
                user=user,
                sync=False,
                options=form.chosen_options(),
            )
        batch.refresh_from_db()  # processed on commit when tasks run in-process
        out = ImportOutputSerializer(batch, context={"request": request}).data
        return Response(
            out, status=status.HTTP_202_ACCEPTED, headers={"Location": out["urls"]["self"]}
        )


def visible_batch(request: Request, pk: int) -> ImportBatch:
    batch = import_batch_list(user=request.user).filter(pk=pk).first()
    if batch is None:
        raise exceptions.NotFound(f"Import n° {pk} introuvable.")
    return batch


class ImportDetailApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanImport]
    serializer_class = ImportOutputSerializer
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(operation_id="import_detail", summary="État et progression d'un import")
    def get(self, request: Request, pk: int) -> Response:
        batch = visible_batch(request, pk)
        self.last_modified = batch.finished_at or batch.started_at or batch.created_at
        return Response(self.get_serializer(batch).data)


class ReportLineSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True,
        help_text="Ligne du fichier (CSV : ligne physique, en-tête = 1 ; XLSX : n° de ligne).",
    )
    column = serializers.CharField(allow_blank=True)
    value = serializers.JSONField(allow_null=True)
    message = serializers.CharField()


class ImportReportApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanImport]
    queryset = ImportBatch.objects.none()  # the lines come from the batch's report
    serializer_class = ReportLineSerializer

    @extend_schema(
        operation_id="import_report",
        responses={200: ReportLineSerializer(many=True)},
        summary="Rapport ligne par ligne d'un import refusé (ligne, colonne, valeur, message)",
    )
    def get(self, request: Request, pk: int) -> Response:
        batch = visible_batch(request, pk)
        self.last_modified = batch.finished_at or batch.created_at
        lines = [
            {
                "row": item.get("line"),
                "column": str(item.get("column") or ""),
                "value": item.get("value"),
                "message": str(item.get("rule") or ""),
            }
            for item in batch.error_report or []
        ]
        page = self.paginate_queryset(cast(Any, lines))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
