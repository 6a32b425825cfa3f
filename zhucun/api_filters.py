"""What every API list shares: strict filter sets and the viewset base.

Every list also takes ``?region=CODE`` (``villages.filters.RegionFilter``). A
region code or row id outside the user's scope answers 404 (``StrictFilterSet.apply``).

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
from django_filters.utils import get_model_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from zhucun.access import scope_q, scoped
from zhucun.pages import NOT_FOUND


class IdFilter(django_filters.Filter):
    """``?team=12``: rows whose foreign key ``field_name`` is that id.

    An id of a row the user may not see answers 404, as its own page does:
    ``?team=`` of another county's team is not an empty list but a team that
    does not exist for this user.
    """

    field_class = forms.IntegerField

    def in_scope(self, value: int, *, user) -> int:
        target = get_model_field(self.model, self.field_name).related_model
        if target is None or scope_q(user, target) is None:
            return value  # not a key, or rows every user may read
        if not scoped(user, target._default_manager.filter(pk=value)).exists():
            raise Http404(NOT_FOUND)
        return value


class StrictFilterSet(django_filters.FilterSet):
    """A filter set that refuses invalid parameters instead of ignoring them.

    It is made for a ``user``: a value naming a place or row outside the user's
    scope (a filter's ``in_scope``) raises Http404, the same answer as a path
    outside the scope, on every page, export and API list, because they all
    filter through here.
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    @classmethod
    def apply(
        cls, filters: Mapping[str, Any] | None, queryset: QuerySet, *, user
    ) -> QuerySet:
        """Filter ``queryset`` by ``filters`` for ``user``; ValidationError if bad."""
        if not filters:
            return queryset
        filterset = cls(data=filters, queryset=queryset, user=user)
        if not filterset.is_valid():
            raise ValidationError(filterset.form.errors.as_data())
        return filterset.qs

    def filter_queryset(self, queryset):
        cleaned = self.form.cleaned_data
        for name, declared in self.filters.items():
            check = getattr(declared, "in_scope", None)
            if check is not None and cleaned.get(name) not in (None, ""):
                cleaned[name] = check(cleaned[name], user=self.user)
        return super().filter_queryset(queryset)


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
