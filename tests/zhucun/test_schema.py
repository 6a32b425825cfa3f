"""The OpenAPI 3 schema at /api/schema/ and the Swagger UI at /api/docs/."""

import json
import re

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

from zhucun.api_tokens import api_token_issue

RESOURCES = ["regions", "villages", "units", "people", "teams", "memberships"]


@pytest.fixture
def api(province_user) -> APIClient:
    """A signed-in client: the schema and the docs are for users only."""
    client = APIClient()
    client.force_login(province_user)
    return client


def test_schema_generates_without_warnings_and_validates(tmp_path):
    """``spectacular --validate --fail-on-warn`` passes (it raises on any warning)."""
    reset_generator_stats()
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")


def test_schema_endpoint_serves_openapi_3_yaml_with_every_resource(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in schema["paths"]
        assert f"/api/v1/{resource}/{{id}}/" in schema["paths"]


def test_schema_endpoint_serves_json_with_chinese_descriptions(api):
    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    villages = schema["paths"]["/api/v1/villages/"]["get"]
    assert villages["summary"] == "村列表"
    region = next(p for p in villages["parameters"] if p["name"] == "region")
    assert "含其所有下级" in region["description"]
    page = schema["components"]["schemas"]["PaginatedVillageList"]
    assert {"count", "count_capped", "results"} <= set(page["required"])
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert "脱敏" in person["id_number"]["description"]


def test_docs_page_loads_only_assets_served_by_this_server(api):
    response = api.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script (CSP)"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page references its scripts and styles"
    # Its start-up script is the page itself with ?script (the CSP-safe split view).
    assert "/api/docs/?script=" in assets
    for asset in assets:
        if asset.startswith("/api/docs/"):
            continue
        assert asset.startswith(settings.STATIC_URL), asset
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset


def test_docs_script_is_javascript_and_turns_off_the_online_validator_badge(api):
    """Swagger UI otherwise loads https://validator.swagger.io/… on any non-local host."""
    response = api.get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"format": "json"}])
def test_schema_refuses_an_anonymous_caller_with_401(params):
    response = APIClient().get("/api/schema/", params)

    assert response.status_code == 401
    body = response.content.decode()  # in the format asked for (YAML or JSON)
    assert "not_authenticated" in body
    assert "paths" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"script": ""}])
def test_docs_send_an_anonymous_visitor_to_the_login_page(params):
    response = APIClient().get("/api/docs/", params)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_schema_is_served_over_a_token(province_user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_issue(user=province_user)[1]}"
    )

    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert "/api/v1/auth/tokens/" in response.json()["paths"]


CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_REF = "#/components/schemas/Error"


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _expected_errors(path: str, operation: dict) -> set[str]:
    expected = {"429"}
    parameters = operation.get("parameters", [])
    if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
        expected.add("400")
    if operation.get("security"):
        expected |= {"401", "403", "404"}  # outside the scope is 404
    if "{" in path or any(p["name"] == "page" for p in parameters):
        expected.add("404")
    return expected


def test_every_operation_documents_its_errors_with_the_one_error_body(api):
    """400 (input or filters), 401/403 (login), 404 (a row or a page), 429: all ``Error``."""
    schema = json.loads(api.get("/api/schema/", {"format": "json"}).content)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "fields"}
    assert CJK.search(error["description"])
    checked = 0
    for path, method, operation in _operations(schema):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        missing = _expected_errors(path, operation) - set(responses)
        assert not missing, f"{where} does not document {sorted(missing)}"
        for code, response in responses.items():
            if not code.startswith("4"):
                continue
            assert CJK.search(response["description"]), (where, code)
            assert response["content"] == {
                "application/json": {"schema": {"$ref": ERROR_REF}}
            }, (where, code)
        checked += 1
    assert checked > 60


def test_the_import_api_is_in_the_schema_with_its_multipart_upload(api):
    schema = json.loads(api.get("/api/schema/", {"format": "json"}).content)

    upload = schema["paths"]["/api/v1/imports/"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    for route in ("{id}/", "{id}/result/", "{id}/errors/"):
        assert "get" in schema["paths"][f"/api/v1/imports/{route}"]
    assert "post" in schema["paths"]["/api/v1/imports/{id}/confirm/"]
