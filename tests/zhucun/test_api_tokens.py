"""API tokens expire, die with a password change or a deactivation, and are listed
and revoked by their owner; a new one is issued on every login (issue 14, point 6)."""

import datetime
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import user_provision
from zhucun.api_tokens import api_token_issue
from zhucun.models import ApiToken, AuditEntry

PASSWORD = "Zhucun@2026demo"


@pytest.fixture
def clerk(db):
    user, _ = user_provision(
        username="clerk", role="county", scope="513431", password=PASSWORD
    )
    return get_user_model().objects.get(pk=user.pk)


def _login(name: str = "") -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "clerk", "password": PASSWORD, "name": name},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _get(key: str, url: str = "/api/v1/regions/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(url)


def test_every_login_issues_a_new_token_and_both_work(clerk):
    first = _login("脚本一")
    second = _login()

    assert first["token"] != second["token"]
    assert first["name"] == "脚本一"
    assert ApiToken.objects.filter(user=clerk).count() == 2
    assert _get(first["token"]).status_code == 200
    assert _get(second["token"]).status_code == 200


def test_only_a_hash_of_the_token_is_stored(clerk):
    key = _login()["token"]

    stored = ApiToken.objects.get(user=clerk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert stored.prefix == key[:8]


def test_a_token_expires_after_the_ttl_setting(clerk, settings):
    settings.ZHUCUN_TOKEN_TTL_DAYS = 30
    before = timezone.now()
    key = _login()["token"]
    token = ApiToken.objects.get(user=clerk)
    assert (
        before + datetime.timedelta(days=30)
        <= token.expires_at
        <= timezone.now() + datetime.timedelta(days=30)
    )

    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = _get(key)

    assert response.status_code == 401
    assert response.json() == {
        "code": "token_expired",
        "message": "令牌已过期，请重新获取。",
        "fields": {},
    }


def test_a_password_change_ends_every_token(clerk):
    key = _login()["token"]
    assert _get(key).status_code == 200

    clerk.set_password("Another@2026pass")
    clerk.save()
    response = _get(key)

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert "密码已修改" in response.json()["message"]


def test_a_password_change_by_a_bulk_update_ends_the_token_too(clerk):
    """No signal fires on a queryset update: the check is on every request."""
    key = _login()["token"]
    other = get_user_model()(username="x")
    other.set_password("Another@2026pass")

    get_user_model().objects.filter(pk=clerk.pk).update(password=other.password)

    assert _get(key).status_code == 401


def test_deactivation_ends_every_token(clerk):
    key = _login()["token"]

    get_user_model().objects.filter(pk=clerk.pk).update(is_active=False)
    response = _get(key)

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert "停用" in response.json()["message"]


def test_an_unknown_token_is_401_in_chinese(db):
    response = _get("0" * 40)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "token_invalid"


def test_the_owner_lists_their_tokens_without_the_secret(
    clerk, django_assert_num_queries
):
    first = _login("脚本一")
    second = _login("脚本二")
    dead, _key = api_token_issue(user=clerk, name="已过期")
    ApiToken.objects.filter(pk=dead.pk).update(expires_at=timezone.now())
    _get(second["token"])  # marks it used
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")

    with django_assert_num_queries(2):  # the token with its user, the list
        response = client.get("/api/v1/auth/tokens/")

    assert response.status_code == 200
    rows = response.json()
    assert [row["name"] for row in rows] == ["脚本二", "脚本一"]
    assert set(rows[0]) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
    }
    assert rows[0]["prefix"] == second["token"][:8]
    assert rows[0]["last_used_at"] is not None
    assert rows[1]["last_used_at"] is None
    assert first["token"] not in response.content.decode()
    assert second["token"] not in response.content.decode()


def test_the_owner_revokes_a_token_and_it_stops_working(clerk):
    kept = _login("保留")
    doomed = _login("撤销")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {kept['token']}")

    response = client.delete(f"/api/v1/auth/tokens/{doomed['id']}/")

    assert response.status_code == 204
    refused = _get(doomed["token"])
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    assert _get(kept["token"]).status_code == 200
    assert [row["id"] for row in client.get("/api/v1/auth/tokens/").json()] == [
        kept["id"]
    ]
    entry = AuditEntry.objects.filter(model="zhucun.apitoken").first()
    assert entry.object_id == str(doomed["id"])
    assert "revoked_at" in entry.changes


def test_a_token_of_another_user_cannot_be_revoked(clerk, scoped_user):
    other = scoped_user("county", "510104")
    theirs, their_key = api_token_issue(user=other)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {_login()['token']}")

    response = client.delete(f"/api/v1/auth/tokens/{theirs.pk}/")

    assert response.status_code == 404
    assert _get(their_key).status_code == 200


def test_the_token_list_needs_a_login(db):
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 401
