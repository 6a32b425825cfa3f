"""One error shape for the whole API: ``{"code", "message", "fields"}``, messages in Chinese.

DRF's handler is kept for what it does (status, headers, auth challenges); only
the body is rewritten. A Django ``ValidationError`` raised by a service (the
same one a page shows) becomes a 400 with its field messages, so every path
that writes speaks the same language.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

_MESSAGES = {
    status.HTTP_400_BAD_REQUEST: _("提交的数据有误，请按提示修改。"),
    status.HTTP_401_UNAUTHORIZED: _("请先登录，或在请求头中提供有效的令牌。"),
    status.HTTP_403_FORBIDDEN: _("您没有执行此操作的权限。"),
    status.HTTP_404_NOT_FOUND: _("记录不存在或不在您的管辖范围内。"),
    status.HTTP_405_METHOD_NOT_ALLOWED: _("不支持该请求方法。"),
    status.HTTP_406_NOT_ACCEPTABLE: _("无法提供所要求的响应格式。"),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: _("不支持该请求内容类型。"),
    status.HTTP_429_TOO_MANY_REQUESTS: _("请求过于频繁，请稍后再试。"),
}


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in value]
            if isinstance(value, list)
            else [str(value)]
            for key, value in detail.items()
            if key not in ("code", "message", "fields")
        }
    return {}


def api_exception_handler(exc, context):
    """Render every API error as ``{"code", "message", "fields"}``."""
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "；".join(exc.messages) if not fields else _MESSAGES[400]
        exc = exceptions.ValidationError(
            {"__shape__": True, "fields": fields, "message": message}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and {"code", "message", "fields"} <= set(data):
        return response  # already in the shape (e.g. InvalidFilters)
    if isinstance(data, dict) and data.get("__shape__"):
        body = {
            "code": "invalid",
            "message": str(data["message"]),
            "fields": data["fields"],
        }
        body["fields"] = {k: [str(m) for m in v] for k, v in body["fields"].items()}
    else:
        code = getattr(exc, "default_code", "error")
        if isinstance(exc, exceptions.APIException) and not isinstance(
            exc, exceptions.ValidationError
        ):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else code
        fields = _fields(data) if isinstance(exc, exceptions.ValidationError) else {}
        if isinstance(data, list):
            fields = {"non_field_errors": [str(item) for item in data]}
        detail = data.get("detail") if isinstance(data, dict) else None
        message = str(detail) if detail and response.status_code != 404 else None
        if (
            response.status_code == 403
            and detail
            and str(detail) == str(exceptions.PermissionDenied.default_detail)
        ):
            message = None
        body = {
            "code": code,
            "message": message or _MESSAGES.get(response.status_code, _("请求失败。")),
            "fields": fields,
        }
    shaped = Response(body, status=response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            shaped[header] = response[header]
    return shaped
