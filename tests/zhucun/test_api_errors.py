"""Every API error has the shape {"code", "message", "fields"} with a Chinese message."""

import pytest
from rest_framework.test import APIClient

from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _shape(response) -> dict:
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    return body


def test_unauthenticated_is_401_or_403_in_the_shape():
    response = APIClient().get("/api/v1/teams/")
    assert response.status_code in (401, 403)
    assert _shape(response)["code"] == "not_authenticated"


def test_not_found_in_the_shape(province_user):
    client = APIClient()
    client.force_authenticate(province_user)
    response = client.get("/api/v1/teams/999999/")
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_out_of_scope_is_404_in_the_shape(scoped_user):
    team = TeamFactory()  # 昭觉县
    client = APIClient()
    client.force_authenticate(scoped_user("county", "510104"))
    response = client.get(f"/api/v1/teams/{team.pk}/")
    assert response.status_code == 404
    assert _shape(response)["message"] == "记录不存在或不在您的管辖范围内。"


def test_method_not_allowed_in_the_shape(province_user):
    client = APIClient()
    client.force_authenticate(province_user)
    response = client.delete("/api/v1/regions/1/")
    assert response.status_code == 405
    assert "Allow" in response
    _shape(response)


def test_bad_filter_keeps_its_field_messages(province_user):
    client = APIClient()
    client.force_authenticate(province_user)
    body = _shape(client.get("/api/v1/households/", {"village": "abc"}))
    assert body["code"] == "invalid_filter" and "village" in body["fields"]


def test_token_validation_error_lists_the_missing_fields():
    body = _shape(APIClient().post("/api/v1/auth/token/", {}, format="json"))
    assert set(body["fields"]) == {"username", "password"}
    assert body["code"] == "invalid"
