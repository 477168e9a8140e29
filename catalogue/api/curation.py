"""Catalogue writes over the API v1 (issue 14, `catalogue:write`, national and catalogue admins):
sectors and paths created, edited (PATCH: only the fields given), deleted (as in the admin: the
record goes, its history stays), the occupations linked to a path, and the history of changes.

Validated by the admin's forms (`catalogue.forms.SectorForm`, `TrainingPathForm`: formats,
uniqueness, occupation codes against the imported referentials); a refusal is a 400 naming
each field in French, nothing written."""

from __future__ import annotations

from typing import Any, cast

from django.forms.models import model_to_dict
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.forms import SectorForm, TrainingPathForm
from catalogue.models import Sector, TrainingPath
from catalogue.selectors.catalogue import occupation_labels
from catalogue.services import curation
from diagnostics.models import User
from diagnostics.models.limits import NOTE_MAX_LENGTH

CODE_LIST = serializers.ListField(child=serializers.CharField(max_length=32), max_length=200)


class SectorInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, required=False)
    name = serializers.CharField(max_length=150, required=False)
    description = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True
    )
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    illustrative = serializers.BooleanField(required=False)


class PathInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, required=False)
    title = serializers.CharField(max_length=200, required=False)
    sector = serializers.CharField(max_length=20, required=False, help_text="Code de la filière.")
    status = serializers.ChoiceField(choices=TrainingPath.Status.choices, required=False)
    illustrative = serializers.BooleanField(required=False)
    certification_type = serializers.ChoiceField(
        choices=TrainingPath.CertificationType.choices, required=False
    )
    rncp_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    level = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=9)
    duration_hours = serializers.IntegerField(required=False, min_value=0, max_value=100_000)
    modalities = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=20
    )
    purposes = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=20
    )
    rolling_entries = serializers.BooleanField(required=False)
    pillars = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=20
    )
    publics = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=20
    )
    concepts = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=20
    )
    cpf_eligible = serializers.BooleanField(required=False)
    prerequisites = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True
    )
    description = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True
    )
    bmo_codes = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=200
    )
    rome_codes = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=200
    )


class OccupationInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=8, help_text="Code métier BMO (FAP) ou code ROME.")
    nomenclature = serializers.ChoiceField(choices=[("bmo", "FAP / BMO"), ("rome", "ROME 4.0")])


class OccupationSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    nomenclature = serializers.ChoiceField(choices=[("bmo", "FAP / BMO"), ("rome", "ROME 4.0")])


HISTORY_KINDS = [("+", "création"), ("~", "modification"), ("-", "suppression")]


class HistoryEntrySerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=HISTORY_KINDS)
    user = serializers.CharField(allow_null=True)
    changes = serializers.ListField(child=serializers.CharField())


def path_occupations(path: TrainingPath) -> list[dict[str, Any]]:
    labels = occupation_labels(bmo_codes=path.bmo_codes, rome_codes=path.rome_codes)
    return [{"code": c, "label": labels.get(c), "nomenclature": "bmo"} for c in path.bmo_codes] + [
        {"code": c, "label": labels.get(c), "nomenclature": "rome"} for c in path.rome_codes
    ]


def history_entries(instance: Any) -> list[dict[str, Any]]:
    """The latest 50 changes of a record: when, what kind, by whom, which fields."""
    records = list(instance.history.select_related("history_user").order_by("-history_date")[:50])
    entries = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        changes = (
            [c.field for c in record.diff_against(previous).changes] if previous is not None else []
        )
        entries.append(
            {
                "date": record.history_date,
                "kind": record.history_type,
                "user": record.history_user.get_username() if record.history_user else None,
                "changes": changes,
            }
        )
    return entries


def form_errors(form: Any) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {
            ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in form.errors.items()
        }
    )


def _form_data(model_form: Any, instance: Any, given: dict[str, Any]) -> dict[str, Any]:
    """The form's data: the record's current values (a new record: the model's defaults, as
    the admin's blank form shows them), then the fields given."""
    fields = model_form._meta.fields
    data: dict[str, Any] = {}
    if instance is None:
        for name in fields:
            field = model_form._meta.model._meta.get_field(name)
            if field.has_default() and not field.many_to_many:
                data[name] = field.get_default()
    else:
        for name, value in model_to_dict(instance, fields=fields).items():
            if isinstance(value, list) and value and hasattr(value[0], "pk"):
                value = [item.pk for item in value]
            data[name] = value
    data.update(given)
    for name in ("bmo_codes", "rome_codes"):
        if isinstance(data.get(name), list):
            data[name] = " | ".join(str(code) for code in data[name])
    if data.get("level") is None:
        data["level"] = ""
    return {k: v for k, v in data.items() if v is not None or k == "level"}


class SectorWriteMixin:
    """create / partial_update / destroy / history of a sector."""

    @extend_schema(
        operation_id="catalogue_sector_create",
        summary="Créer une filière (catalogue:write)",
        request=SectorInputSerializer,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, None)

    @extend_schema(
        operation_id="catalogue_sector_update",
        summary="Modifier une filière (catalogue:write)",
        request=SectorInputSerializer,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, cast(Any, self).get_object())

    def _save(self, request: Request, sector: Sector | None) -> Response:
        given = SectorInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if sector is not None and not given.validated_data:
            raise exceptions.ValidationError({"non_field_errors": ["Rien à modifier."]})
        form = SectorForm(
            _form_data(SectorForm, sector, dict(given.validated_data)), instance=sector
        )
        if not form.is_valid():
            raise form_errors(form)
        saved = curation.catalogue_form_save(form=form, user=cast(User, request.user))
        out = cast(Any, self).get_serializer(saved).data
        return Response(out, status=status.HTTP_201_CREATED if sector is None else 200)

    @extend_schema(
        operation_id="catalogue_sector_delete",
        summary="Supprimer une filière sans parcours (catalogue:write)",
        responses={204: OpenApiResponse(description="Supprimée.")},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        curation.catalogue_delete(
            instance=cast(Any, self).get_object(), user=cast(User, request.user)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="catalogue_sector_history",
        summary="Historique d'une filière",
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, code: str) -> Response:
        sector = cast(Any, self).get_object()
        return Response(HistoryEntrySerializer(history_entries(sector), many=True).data)


class PathWriteMixin:
    """create / partial_update / destroy / occupations / history of a path."""

    def _save(self, request: Request, path: TrainingPath | None) -> Response:
        given = PathInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        if path is not None and not values:
            raise exceptions.ValidationError({"non_field_errors": ["Rien à modifier."]})
        if "sector" in values:
            sector = Sector.objects.filter(code=values["sector"].strip().upper()).first()
            if sector is None:
                raise exceptions.ValidationError(
                    {"sector": [f"Filière inconnue : « {values['sector'][:20]} »."]}
                )
            values["sector"] = sector.pk
        form = TrainingPathForm(_form_data(TrainingPathForm, path, values), instance=path)
        if not form.is_valid():
            raise form_errors(form)
        saved = curation.catalogue_form_save(form=form, user=cast(User, request.user))
        view = cast(Any, self)
        saved = view.get_queryset().get(pk=saved.pk)
        out = view.get_serializer_class()(saved, context=view.get_serializer_context()).data
        return Response(out, status=status.HTTP_201_CREATED if path is None else 200)

    @extend_schema(
        operation_id="catalogue_path_create",
        summary="Créer un parcours (catalogue:write)",
        request=PathInputSerializer,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, None)

    @extend_schema(
        operation_id="catalogue_path_update",
        summary="Modifier un parcours (catalogue:write) : seuls les champs donnés",
        request=PathInputSerializer,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, cast(Any, self).get_object())

    @extend_schema(
        operation_id="catalogue_path_delete",
        summary="Supprimer un parcours (catalogue:write ; son historique reste)",
        description="Comme dans l'administration ; pour le retirer de l'offre sans le "
        "supprimer, passez son statut à « archive ».",
        responses={204: OpenApiResponse(description="Supprimé.")},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        curation.catalogue_delete(
            instance=cast(Any, self).get_object(), user=cast(User, request.user)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="catalogue_path_occupations",
        summary="Métiers (BMO et ROME) liés à un parcours",
        responses={200: OccupationSerializer(many=True)},
        methods=["GET"],
    )
    @extend_schema(
        operation_id="catalogue_path_occupation_add",
        summary="Lier un métier à un parcours (catalogue:write)",
        request=OccupationInputSerializer,
        responses={201: OccupationSerializer(many=True), 200: OccupationSerializer(many=True)},
        methods=["POST"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def occupations(self, request: Request, code: str) -> Response:
        path = cast(Any, self).get_object()
        if request.method == "POST":
            given = OccupationInputSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            added = curation.path_occupation_add(
                path=path,
                nomenclature=given.validated_data["nomenclature"],
                code=given.validated_data["code"],
                user=cast(User, request.user),
            )
            body = OccupationSerializer(path_occupations(path), many=True).data
            return Response(body, status=status.HTTP_201_CREATED if added else 200)
        return Response(OccupationSerializer(path_occupations(path), many=True).data)

    @extend_schema(
        operation_id="catalogue_path_occupation_remove",
        summary="Délier un métier d'un parcours (catalogue:write)",
        responses={204: OpenApiResponse(description="Délié.")},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"occupations/(?P<occupation>[0-9A-Za-z]{1,8})",
        pagination_class=None,
        filter_backends=[],
    )
    def occupation_remove(self, request: Request, code: str, occupation: str) -> Response:
        path = cast(Any, self).get_object()
        if not curation.path_occupation_remove(
            path=path, code=occupation, user=cast(User, request.user)
        ):
            raise exceptions.NotFound(f"Le métier « {occupation} » n'est pas lié à ce parcours.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="catalogue_path_history",
        summary="Historique d'un parcours (qui a changé quoi, quand)",
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, code: str) -> Response:
        path = cast(Any, self).get_object()
        return Response(HistoryEntrySerializer(history_entries(path), many=True).data)
