"""Typed partners over the API v1 (issue 18): list (filters: kind, region, q) and detail for
national admins and delegates, in the scope of the pages (`organisation_list_for`: another
region's partner is a 404); create and replace with the `partners:write` scope (a delegate
writes the partners of their regions). Contacts are personal data: never shown to other
roles."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from diagnostics.api.base import ApiViewMixin
from diagnostics.models import Organisation, Scope, User
from diagnostics.models.limits import NOTE_MAX_LENGTH
from diagnostics.permissions import CanManageBasins
from diagnostics.selectors import partners as sel
from diagnostics.services.partners import ContactInput, OrganisationInput, organisation_save


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class PartnerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    region = serializers.CharField(source="region_id", allow_null=True)
    commune = serializers.CharField(source="commune_id", allow_null=True)
    address = serializers.CharField()
    website = serializers.CharField()
    notes = serializers.CharField()
    contacts = ContactSerializer(many=True, source="contacts.all")
    updated_at = serializers.DateTimeField()


class PartnerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    region = serializers.CharField(
        max_length=3, required=False, allow_blank=True, default="",
        help_text="Code INSEE ; vide : partenaire national (administration nationale).",
    )  # fmt: skip
    commune = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    website = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    contacts = ContactSerializer(many=True, required=False, default=list)

    def to_input(self) -> OrganisationInput:
        data: dict[str, Any] = self.validated_data
        return OrganisationInput(
            name=data["name"],
            kind=data["kind"],
            region=data["region"],
            commune_code=data["commune"],
            address=data["address"],
            website=data["website"],
            notes=data["notes"],
            contacts=[ContactInput(**c) for c in data["contacts"]],
        )


def _out(organisation: Organisation) -> dict[str, Any]:
    fresh = (
        Organisation.objects.select_related("region", "commune")
        .prefetch_related("contacts")
        .get(pk=organisation.pk)
    )
    return cast(dict[str, Any], PartnerOutputSerializer(fresh).data)


class PartnerListApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanManageBasins]
    serializer_class = PartnerOutputSerializer
    write_scope = Scope.PARTNERS_WRITE
    extra_query_params = ("kind", "region", "q")

    def get_queryset(self) -> Any:
        return sel.organisation_list_for(cast(User, self.request.user))

    @extend_schema(
        operation_id="partner_list",
        summary="Partenaires typés (et leurs contacts) du périmètre de l'appelant",
        parameters=[
            OpenApiParameter("kind", str, description="Type (mission_locale, opco, lycee…)."),
            OpenApiParameter("region", str, description="Code de région, ou « national »."),
            OpenApiParameter("q", str, description="Nom, commune ou contact."),
        ],
        responses={200: PartnerOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind", "")
        if kind and kind not in Organisation.Kind.values:
            raise exceptions.ValidationError(
                {
                    "kind": [
                        f"Type inconnu (types possibles : {', '.join(Organisation.Kind.values)})."
                    ]
                }
            )
        organisations = sel.organisation_filter(
            self.get_queryset(),
            kind=kind,
            region=request.query_params.get("region", "")[:20],
            q=request.query_params.get("q", "")[:100],
        )
        page = self.paginate_queryset(organisations)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="partner_create",
        summary="Ajouter un partenaire typé avec ses contacts (portée partners:write)",
        request=PartnerInputSerializer,
        responses={201: PartnerOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = PartnerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisation_save(data=data.to_input(), user=cast(User, request.user))
        return Response(_out(organisation), status=status.HTTP_201_CREATED)


class PartnerDetailApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanManageBasins]
    serializer_class = PartnerOutputSerializer
    write_scope = Scope.PARTNERS_WRITE
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(operation_id="partner_detail", summary="Un partenaire typé et ses contacts")
    def get(self, request: Request, pk: int) -> Response:
        organisation = sel.organisation_list_for(cast(User, request.user)).filter(pk=pk).first()
        if organisation is None:
            raise exceptions.NotFound(f"Partenaire n° {pk} introuvable.")
        return Response(_out(organisation))

    @extend_schema(
        operation_id="partner_replace",
        summary="Remplacer un partenaire et ses contacts (portée partners:write)",
        request=PartnerInputSerializer,
        responses={200: PartnerOutputSerializer},
    )
    def put(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        organisation = sel.organisation_manageable_for(user).filter(pk=pk).first()
        if organisation is None:
            raise exceptions.NotFound(f"Partenaire n° {pk} introuvable.")
        data = PartnerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisation_save(data=data.to_input(), user=user, organisation=organisation)
        return Response(_out(organisation))
