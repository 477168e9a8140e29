"""The basins API's filters (issue 14): by name, region, commune, kind of source and whether the
population is within the programme's bounds; a strict boolean (a bad value is a 400)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from diagnostics.models import Basin, BasinSource
from diagnostics.params import MAX_ID


class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true / false, anything else a 400 (django-filter's BooleanFilter ignores a bad value)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """An object's id: an integer in the bigint range, anything else a 400 (django-filter's
    NumberFilter reads a decimal, and 1e400 or 99999999999999999999 reached the query: a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BasinFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Partie du nom."
    )
    region = django_filters.CharFilter(field_name="region_id", label="Code de la région.")
    commune = django_filters.CharFilter(
        field_name="communes__code",
        distinct=True,
        label="Code INSEE d'une commune : les bassins qui la contiennent.",
    )
    source_kind = django_filters.ChoiceFilter(choices=BasinSource.choices)
    eligible_population = StrictBooleanFilter(
        label="Population dans les bornes du programme (true / false)."
    )

    class Meta:
        model = Basin
        fields = ["q", "region", "commune", "source_kind", "eligible_population"]


class BasinFilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """django-filter's backend, passed by when no filter is asked: a FilterSet bound to no
    filter's value changes nothing, and building its form costs ~0.3 ms per page."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        if not basin_filters_asked(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


def basin_filters_asked(query_params: Any) -> bool:
    """Whether the request names one of `BasinFilter`'s filters (else the list is every basin
    the reader may see)."""
    return bool(BasinFilter.base_filters.keys() & query_params.keys())
