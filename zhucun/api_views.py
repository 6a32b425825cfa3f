"""What every API viewset shares: the write permission, refusals, response docs.

Reads are scoped by the selectors (``zhucun.api_filters.SelectorViewSet``);
writes call services, whose ``ValidationError`` becomes the API's 400 field by
field, and need the model's permission (403 only after the row was found, so
a row outside the user's scope answers 404 first).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from zhucun.api_filters import SelectorViewSet

REFUSED = OpenApiResponse(description=gettext_lazy("数据有误，fields 中按字段说明原因"))
NOT_FOUND = OpenApiResponse(description=gettext_lazy("记录不存在或不在您的管辖范围内"))
FORBIDDEN = OpenApiResponse(description=gettext_lazy("角色没有此项权限"))


class ServiceWritePermission(BasePermission):
    """Reads need a login (rows are scoped); writes need the model's permission.

    A write to one row is judged after the row is found (``has_object_permission``),
    so a row outside the user's scope answers 404 before any 403.
    """

    ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if view.kwargs.get(view.lookup_url_kwarg or view.lookup_field) is not None:
            return True
        return self._allowed(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or self._allowed(request, view)

    def _allowed(self, request, view) -> bool:
        model = view.queryset.model
        verb = self.ACTIONS.get(request.method)
        return bool(verb) and request.user.has_perm(
            f"{model._meta.app_label}.{verb}_{model._meta.model_name}"
        )


def service_errors(exc: DjangoValidationError) -> ValidationError:
    """A service's refusal as the API's 400, field by field."""
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


class WritableSelectorViewSet(SelectorViewSet):
    """A selector-backed viewset whose writes call services."""

    permission_classes = [IsAuthenticated, ServiceWritePermission]

    def read(self, instance) -> dict:
        return self.get_serializer(instance).data
