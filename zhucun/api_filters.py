"""What every API list shares: strict filter sets and the viewset base.

Every list also takes ``?region=CODE`` (``villages.filters.RegionFilter``).

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
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response


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
