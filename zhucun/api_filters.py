"""What every API list shares: the region filter, strict filter sets, the viewset base.

Every list takes ``?region=CODE`` with everything below that region included. A
region's ``path`` holds its ancestors' codes and its own (``510000/511000/511002/``),
so "inside region X" is ``<lookup>__startswith=X.path``: one prefix match on an
indexed column (PostgreSQL has a ``varchar_pattern_ops`` index for it). The code is
looked up first, so an unknown code is refused instead of matching nothing.

Selectors apply the filters (``<thing>_list(*, user, filters)``), so a page, the API
and an export give the same rows. A filter set refuses a bad parameter with a
``ValidationError`` instead of ignoring it; the API answers that with 400 and
``{"code": "invalid_filter", "message": …, "fields": {parameter: [messages]}}``.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import (
    ImproperlyConfigured,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from villages.models import Region


def in_region(path_lookup: str, region: Region) -> Q:
    """Rows whose region (reached through ``path_lookup``) is ``region`` or below it."""
    return Q(**{f"{path_lookup}__startswith": region.path})


class RegionCodeField(forms.CharField):
    """A region code (行政区划代码), cleaned to the Region it names."""

    default_error_messages = {
        "unknown": _(
            "未找到行政区划代码“%(code)s”，请填写省、市（州）、县（市、区）或乡（镇）的代码。"
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        try:
            return Region.objects.only("id", "code", "path").get(code=code)
        except Region.DoesNotExist:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"code": code}
            ) from None


class RegionFilter(django_filters.CharFilter):
    """``?region=CODE``: rows in that region or any region below it.

    ``field_name`` is the lookup from the filtered model to a ``Region.path``
    (``township__path`` for a village); a filter set with a harder case passes
    ``method=`` and builds its condition with :func:`in_region`.
    """

    field_class = RegionCodeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "label",
            _(
                "行政区划代码（省、市（州）、县（市、区）或乡（镇）），含其所有下级，"
                "如 513400 为凉山州全州，511002 为内江市市中区。"
            ),
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(in_region(self.field_name, value))


class IdFilter(django_filters.Filter):
    """``?team=12``: rows whose foreign key ``field_name`` is that id."""

    field_class = forms.IntegerField


class StrictFilterSet(django_filters.FilterSet):
    """A filter set that refuses invalid parameters instead of ignoring them."""

    @classmethod
    def apply(cls, filters: Mapping[str, Any] | None, queryset: QuerySet) -> QuerySet:
        """Filter ``queryset`` by ``filters``; raise ValidationError on a bad value."""
        if not filters:
            return queryset
        filterset = cls(data=filters, queryset=queryset)
        if not filterset.is_valid():
            raise ValidationError(filterset.form.errors.as_data())
        return filterset.qs


class InvalidFilters(APIException):
    """400 for a list asked with a bad filter, in the API's error shape."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_filter"

    def __init__(self, error: ValidationError):
        super().__init__(
            {
                "code": self.default_code,
                "message": _("查询条件有误，请修改后重试。"),
                "fields": error.message_dict,
            }
        )


class SelectorFilterBackend(DjangoFilterBackend):
    """Puts the view's ``filterset_class`` into the schema and the browsable API.

    The selector has already filtered the rows (so a page, the API and an export
    agree), hence ``filter_queryset`` leaves the queryset as it is.
    """

    def filter_queryset(self, request, queryset, view):
        return queryset


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("行的 id")
            )
        ]
    )
)
class SelectorViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only list and detail whose rows come from the app's selectors.

    A subclass sets ``queryset = Model.objects.none()`` (for the schema only),
    ``serializer_class`` and ``filterset_class``, and implements ``list_rows`` and
    ``get_row`` by calling its ``<thing>_list`` and ``<thing>_get`` selectors.
    """

    filter_backends = [SelectorFilterBackend]
    lookup_value_regex = r"[0-9]+"

    def list_rows(self, *, user, filters) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must define list_rows()")

    def get_row(self, *, user, pk: int):
        raise ImproperlyConfigured(f"{type(self).__name__} must define get_row()")

    def get_queryset(self):
        try:
            return self.list_rows(
                user=self.request.user, filters=self.request.query_params
            )
        except ValidationError as exc:
            raise InvalidFilters(exc) from exc

    def written(self, instance, code: int = status.HTTP_200_OK) -> Response:
        """The answer to a write: the row re-read through the selector (scoped)."""
        row = self.get_row(user=self.request.user, pk=instance.pk)
        return Response(self.get_serializer(row).data, status=code)

    def get_object(self):
        try:
            row = self.get_row(
                user=self.request.user, pk=int(self.kwargs[self.lookup_field])
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        self.check_object_permissions(self.request, row)
        return row
