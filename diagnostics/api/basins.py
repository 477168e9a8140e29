"""Basins API (issue 14): list, detail, create from a zoning or a commune list, edit, delete.

Reads are scoped like the pages (`basin_list_for`: a basin the caller may not read is a 404);
writes need a basin manager's role, a token with `basins:write`, and a basin the caller manages
(`basin_manageable_for`: another region's basin is a 404)."""

from __future__ import annotations

from typing import Any, cast

import orjson
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
)
from rest_framework import exceptions, generics, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from diagnostics.api.base import ApiViewMixin
from diagnostics.api.basin_filters import BasinFilter, BasinFilterBackend, basin_filters_asked
from diagnostics.api.basin_rows import (
    RawPage,
    RawRows,
    basin_document_key,
    basin_document_parts,
    basin_documents,
    basin_list_values,
    basin_rows,
    finite_row,
)
from diagnostics.api.basin_serializers import (
    BasinCreateInputSerializer,
    BasinOutputSerializer,
    BasinUpdateInputSerializer,
)
from diagnostics.api.pagination import ApiPagination
from diagnostics.api.prerendered import PreRenderedJSON, prerendered_fast
from diagnostics.api.territories import StrictOrderingFilter, geometry_wanted
from diagnostics.models import Basin, Scope, User
from diagnostics.permissions import BASIN_MANAGERS, RolePermission
from diagnostics.permissions import CanReadBasins as _CanReadBasins
from diagnostics.selectors.access import basin_list_for, basin_manageable_for
from diagnostics.selectors.basin_documents import (
    basin_documents_page,
    basin_documents_page_in_scope,
    document_join,
    json_inside,
)
from diagnostics.selectors.basin_json import basin_json_documents
from diagnostics.selectors.basin_list_cache import (
    basin_list_page_cached,
    basin_list_page_keep,
    basin_list_page_key,
    reader_scope,
)
from diagnostics.services import basins as basin_services
from diagnostics.services.basin_documents import RowDocument, basin_documents_store


class ReadOrManageBasins(RolePermission):
    """Reads: the basin readers (API clients included); writes: the basin managers."""

    def has_permission(self, request: Any, view: Any) -> bool:
        self.roles = _CanReadBasins.roles if request.method in SAFE_METHODS else BASIN_MANAGERS
        return super().has_permission(request, view)


GEOMETRY_PARAMETER = OpenApiParameter(
    "geometry", bool, description="Joindre le contour GeoJSON (WGS84). Défaut : false."
)


CREATE_EXAMPLE = OpenApiExample(
    "Bassin d'une zone d'emploi",
    value={"name": "Bassin de Chaumont", "source_kind": "zone_emploi", "source_codes": ["4404"]},
    request_only=True,
)


class BasinListApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [ReadOrManageBasins]
    write_scope = Scope.BASINS_WRITE
    serializer_class = BasinOutputSerializer
    filterset_class = BasinFilter
    filter_backends = [BasinFilterBackend, StrictOrderingFilter]
    ordering_fields = ["id", "name", "population", "created_at", "updated_at"]
    ordering = ["id"]
    extra_query_params = ("geometry",)

    def get_queryset(self) -> QuerySet[Basin]:
        user = cast(User, self.request.user)
        qs = basin_list_for(user).select_related("main_town")
        deferred = ["main_town__geometry"]
        if self.request.method != "GET" or not geometry_wanted(self.request):
            deferred.append("geometry")
        return qs.defer(*deferred)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "geometry": geometry_wanted(self.request)}

    @extend_schema(
        operation_id="basin_list",
        responses={200: BasinOutputSerializer(many=True)},
        summary="Bassins du périmètre de l'appelant",
        parameters=[GEOMETRY_PARAMETER],
    )
    def get(self, request: Request) -> Response:
        if geometry_wanted(request):
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        # A page already written for the same reader, request and data is read back
        # (basin_list_cache: its key covers all of them, the query string included: it was
        # checked when the page was written); its ETag is derived from the key.
        page_key = basin_list_page_key(
            user=cast(User, request.user),
            root=request.build_absolute_uri("/"),
            full_path=request.get_full_path(),
            params=request.query_params,
        )
        if page_key is None:
            return self.list_page(request)
        self.etag_version = page_key.key
        cached = basin_list_page_cached(page_key.key)
        if cached is not None:
            return Response(PreRenderedJSON(cached))
        response = self.list_page(request, total=page_key.total)
        if isinstance(response.data, PreRenderedJSON):
            basin_list_page_keep(page_key.key, bytes(response.data))
        return response

    def filtered_basins(self) -> QuerySet[Basin]:
        # The stored documents need neither the main town's row nor deferred columns.
        return self.filter_queryset(basin_list_for(cast(User, self.request.user)))

    def list_page(self, request: Request, *, total: int | None = None) -> Response:
        """A page written without geometry from the basins' stored documents
        (`BasinListDocument`): only the rows without a good one are written again, by
        PostgreSQL where it can, else in Python, and stored for the next reads. `total`: the
        number of basins the reader may see when the cache key's stamp has just counted them
        (the unfiltered list does not count them again)."""
        paginator = cast(ApiPagination, self.paginator)
        key = basin_document_key()
        offset, limit = paginator.get_offset(request), paginator.get_limit(request)
        api_root = request.build_absolute_uri(reverse("api-basin-list"))
        page_root = request.build_absolute_uri(reverse("basin-list"))
        scope = reader_scope(cast(User, request.user))
        if scope is not None and not basin_filters_asked(request.query_params):
            # Every basin the reader may see, in the order asked (checked by the filter).
            ordering = StrictOrderingFilter().get_ordering(request, Basin.objects.none(), self)
            stored = basin_documents_page_in_scope(
                condition=scope[1], params=scope[2], ordering=list(ordering), key=key,
                offset=offset, limit=limit, api_root=api_root, page_root=page_root, total=total,
            )  # fmt: skip
        else:
            stored = basin_documents_page(
                self.filtered_basins(), key=key, offset=offset, limit=limit,
                api_root=api_root, page_root=page_root,
            )  # fmt: skip
        documents = cast(list[str | None], self.paginate_queryset(stored) or [])  # type: ignore[arg-type]
        if stored.stale:
            written = self.stale_documents(stored.stale)
            if written is None:
                return self.list_page_shaped(request)
            basin_documents_store(key=key, rows=written)
            api, page = json_inside(api_root), json_inside(page_root)
            by_id = {
                row.basin_id: document_join(row.basin_id, row.head, row.tail, api=api, page=page)
                for row in written
            }
            documents = [
                by_id.get(pk) if document is None else document
                for pk, document in zip(stored.ids, documents, strict=True)
            ]
        results = "[" + ",".join(d for d in documents if d is not None) + "]"
        response = self.get_paginated_response(orjson.Fragment(results))
        # The documents were escaped when stored (`prerendered_fast`); the rest is the count
        # and the links, percent-encoded ASCII: nothing to scan for U+2028 / U+2029.
        response.data = PreRenderedJSON(orjson.dumps(response.data))
        return response

    @staticmethod
    def stale_documents(ids: list[int]) -> list[RowDocument] | None:
        """The documents of the basins `ids` written again (None: a non-finite number)."""
        basins = Basin.objects.filter(pk__in=ids).order_by()
        # PostgreSQL writes the rows it can write exactly; Python the others.
        by_sql = basin_json_documents(basins, api_root="", page_root="") or []
        written = [
            RowDocument(pk, stamp, town, *basin_document_parts(document))
            for pk, stamp, town, document in by_sql
            if document is not None
        ]
        done = {row.basin_id for row in written}
        left = [pk for pk in ids if pk not in done]
        if left:
            shaped = basin_documents(RawRows(basin_list_values(basins.filter(pk__in=left)))[:])
            if shaped is None:
                return None
            written += [RowDocument(*row) for row in shaped]
        return written

    def list_page_shaped(self, request: Request, *, total: int | None = None) -> Response:
        """The page shaped in Python from the raw rows, through DRF's renderer when a row holds
        a non-finite number (it answers the 400 that names it). `total` as `list_page`'s (not
        used: the paginator counts the rows)."""
        paginator = cast(ApiPagination, self.paginator)
        raw = RawPage(
            basin_list_values(self.filtered_basins()),
            offset=paginator.get_offset(request),
            limit=paginator.get_limit(request),
        )
        page = self.paginate_queryset(raw)  # type: ignore[arg-type]
        rows = basin_rows(request, page or [], for_orjson=True)
        if all(finite_row(row) for row in rows):
            response = self.get_paginated_response(rows)
            response.data = prerendered_fast(response.data)
            return response
        return self.get_paginated_response(basin_rows(request, page or []))

    @extend_schema(
        operation_id="basin_create",
        summary="Enregistrer un bassin (zonage ou liste de communes)",
        request=BasinCreateInputSerializer,
        responses={201: BasinOutputSerializer},
        examples=[CREATE_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        data = BasinCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        basin = basin_services.basin_create(
            name=values["name"],
            source_kind=values["source_kind"],
            source_codes=values["source_codes"],
            main_town_code=values.get("main_town_code") or None,
            created_by=cast(User, request.user),
        )
        out = BasinOutputSerializer(basin, context=self.get_serializer_context()).data
        return Response(
            out, status=status.HTTP_201_CREATED, headers={"Location": out["urls"]["self"]}
        )


class BasinDetailApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [ReadOrManageBasins]
    write_scope = Scope.BASINS_WRITE
    serializer_class = BasinOutputSerializer
    query_params_allowed = frozenset({"geometry"})

    def get_basin(self, pk: int) -> Basin:
        user = cast(User, self.request.user)
        if self.request.method in SAFE_METHODS:
            qs = basin_list_for(user)
            if not geometry_wanted(self.request):
                qs = qs.defer("geometry")
        else:
            qs = basin_manageable_for(user)
        basin = qs.select_related("main_town").defer("main_town__geometry").filter(pk=pk).first()
        if basin is None:
            raise exceptions.NotFound(f"Bassin n° {pk} introuvable.")
        self.last_modified = basin.updated_at
        return basin

    def get_serializer_context(self) -> dict[str, Any]:
        wanted = self.request.method == "GET" and geometry_wanted(self.request)
        return {**super().get_serializer_context(), "geometry": wanted}

    @extend_schema(
        operation_id="basin_detail", summary="Un bassin", parameters=[GEOMETRY_PARAMETER]
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_basin(pk)).data)

    @extend_schema(
        operation_id="basin_update",
        summary="Renommer un bassin ou changer sa composition (même région)",
        request=BasinUpdateInputSerializer,
        responses={200: BasinOutputSerializer},
        examples=[
            OpenApiExample(
                "Renommer", value={"name": "Bassin du Pays chaumontais"}, request_only=True
            )
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        basin = self.get_basin(pk)
        data = BasinUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        basin = basin_services.basin_update(
            basin=basin,
            name=values.get("name"),
            source_kind=values.get("source_kind"),
            source_codes=values.get("source_codes"),
            main_town_code=values.get("main_town_code") or None,
        )
        return Response(self.get_serializer(basin).data)

    @extend_schema(
        operation_id="basin_delete",
        summary="Supprimer un bassin (refusé s'il a des diagnostics ou des projets)",
        responses={204: None},
    )
    def delete(self, request: Request, pk: int) -> Response:
        basin_services.basin_delete(basin=self.get_basin(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
