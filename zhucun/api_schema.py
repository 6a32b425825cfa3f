"""The API's error responses, documented once for every operation of /api/schema/.

Every error the API returns has one body, ``{"code", "message", "fields"}``
(``zhucun.api_errors``). :class:`ErrorDocumentingSchema` (``DEFAULT_SCHEMA_CLASS``)
adds to each operation the errors it can answer with, so no view has to list them:

- 400 where the operation takes a request body or query parameters (filters, page);
- 401 and 403 where it needs a login or a token;
- 404 where the path names a row, on paginated lists (a page past the end) and
  wherever a row named in the request may be outside the user's scope (any
  operation that needs a login: outside scope is 404, never 403);
- 429 everywhere (per-user and anonymous throttling).

An error a view already declares keeps its Chinese description and gets the body.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_MEDIA_TYPE = "application/json"


class ErrorSerializer(serializers.Serializer):
    """所有接口出错时的统一响应格式：错误代码、中文说明和按字段的错误。"""

    code = serializers.CharField(
        help_text=_("错误代码（英文），如 invalid、not_found、not_authenticated。")
    )
    message = serializers.CharField(help_text=_("给用户看的中文说明。"))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_(
            "按字段（或查询参数）列出的错误说明；non_field_errors 为不属于某一字段的错误。"
            "与字段无关的错误为空对象。"
        ),
    )

    class Meta:
        ref_name = "Error"


DESCRIPTIONS = {
    "400": _("请求数据或查询条件有误，fields 中按字段说明原因"),
    "401": _("未登录或令牌无效"),
    "403": _("没有执行此操作的权限"),
    "404": _("记录不存在或不在您的管辖范围内"),
    "404-list": _("页码超出范围，或所引用的记录不存在、不在您的管辖范围内"),
    "404-other": _("所引用的记录不存在或不在您的管辖范围内"),
    "429": _("请求过于频繁，请稍后再试"),
}


# What drf-spectacular writes for a response declared without a description.
NO_BODY = "No response body"


def _needs_login(operation: dict) -> bool:
    # drf-spectacular adds ``{}`` to ``security`` when anonymous access is allowed.
    security = operation.get("security") or []
    return bool(security) and {} not in security


def error_codes(operation: dict) -> list[str]:
    """The error statuses an operation can answer with (keys of ``DESCRIPTIONS``)."""
    parameters = operation.get("parameters", [])
    codes = []
    if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
        codes.append("400")
    if any(p["in"] == "path" for p in parameters):
        codes.append("404")
    elif any(p["name"] == "page" for p in parameters):
        codes.append("404-list")
    elif _needs_login(operation):
        # A row named in the body or a query parameter may be outside the scope.
        codes.append("404-other")
    if _needs_login(operation):
        codes += ["401", "403"]
    codes.append("429")
    return codes


class ErrorDocumentingSchema(AutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses to every operation."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        self._document_lookup_pattern(operation)
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        content = {ERROR_MEDIA_TYPE: {"schema": error}}
        responses = operation.setdefault("responses", {})
        for key in error_codes(operation):
            code = key[:3]  # "404-list" documents a 404
            declared = responses.get(code)
            if declared is None:
                responses[code] = {
                    "description": str(DESCRIPTIONS[key]),
                    "content": content,
                }
            elif "content" not in declared:
                declared["content"] = content
                if declared.get("description") in ("", NO_BODY):
                    declared["description"] = str(DESCRIPTIONS[key])
        for code, declared in responses.items():
            # An error a view declared beyond the usual ones (409, 413 …) has the body too.
            if code.startswith("4") and "content" not in declared:
                declared["content"] = content
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _document_lookup_pattern(self, operation: dict) -> None:
        """Say what the URL accepts for a row's id: anything else is not a route."""
        regex = getattr(self.view, "lookup_value_regex", None)
        if not regex:
            return
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "path" or "schema" not in parameter:
                continue
            schema = parameter["schema"]
            if schema.get("type") == "integer" and regex in ("[0-9]+", r"\d+"):
                schema.setdefault("minimum", 0)
            elif schema.get("type") == "string":
                schema.setdefault("pattern", f"^{regex}$")
