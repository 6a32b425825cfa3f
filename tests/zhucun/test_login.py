"""Ways in: login page, admin and API token, each locked after repeated failures."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.services import user_provision
from zhucun.models import ApiToken

PASSWORD = "Zhucun@2026demo"


@pytest.fixture
def clerk(db):
    user, _ = user_provision(
        username="clerk", role="county", scope="513431", password=PASSWORD
    )
    return user


def test_token_for_good_credentials_then_used_on_the_api(client, clerk):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "clerk", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=clerk).prefix == token[:8]
    api = client.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 200


def test_token_refused_in_chinese_for_a_bad_password(client, clerk):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "clerk", "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "用户名或密码错误。",
        "fields": {},
    }


def _fail(client, way: str):
    if way == "login":
        return client.post(
            reverse("login"), {"username": "clerk", "password": "wrong-pass"}
        )
    if way == "admin":
        return client.post(
            reverse("admin:login"), {"username": "clerk", "password": "wrong-pass"}
        )
    return client.post(
        "/api/v1/auth/token/",
        {"username": "clerk", "password": "wrong-pass"},
        content_type="application/json",
    )


def _succeed(client, way: str):
    if way == "login":
        return client.post(
            reverse("login"), {"username": "clerk", "password": PASSWORD}
        )
    if way == "admin":
        return client.post(
            reverse("admin:login"), {"username": "clerk", "password": PASSWORD}
        )
    return client.post(
        "/api/v1/auth/token/",
        {"username": "clerk", "password": PASSWORD},
        content_type="application/json",
    )


@pytest.mark.axes
@pytest.mark.parametrize("way", ["login", "admin", "token"])
def test_five_failures_lock_the_account_even_with_the_right_password(
    client, clerk, settings, way
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _fail(client, way).status_code in (200, 400)
    locked = _fail(client, way)
    assert locked.status_code in (403, 429)
    assert "锁定" in locked.content.decode()
    after = _succeed(client, way)
    assert after.status_code in (403, 429), (
        "the right password must not open a locked account"
    )
    assert not ApiToken.objects.filter(user=clerk).exists()


@pytest.mark.axes
def test_a_success_before_the_limit_resets_the_count(client, clerk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _fail(client, "login")
    assert _succeed(client, "login").status_code == 302
    client.logout()
    assert _fail(client, "login").status_code == 200


def test_session_expires_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_weak_passwords_are_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678901", "password123", "clerk2026"):
        with pytest.raises(ValidationError):
            validate_password(weak, get_user_model()(username="clerk2026"))
