"""Accounts are reached only by superusers in the admin, and every change is audited.

Issue 14, point 1: a county clerk made an account superuser through Django's
stock user admin, reset a superuser's password there and listed every account.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.services import user_provision
from tests.factories import TownshipFactory
from villages.models import Region
from zhucun.models import AuditEntry
from zhucun.roles import PERMISSIONS

ZHAOJUE = "513431"
SYSTEM_APPS = ("auth", "authtoken", "django_celery_beat", "axes")

User = get_user_model()


@pytest.fixture
def township(db):
    return TownshipFactory(parent=Region.objects.get(code=ZHAOJUE))


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin", "admin@example.com", "Old-pass-2026x")


def _system_admin_urls():
    for model in admin.site._registry:
        if model._meta.app_label in SYSTEM_APPS:
            yield reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
            )


def _user_change_post(user, **extra) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "08:00:00",
        **extra,
    }


@pytest.mark.parametrize("role", ["county", "province"])
def test_scoped_roles_cannot_make_an_account_superuser(
    client, scoped_user, township, role
):
    actor = scoped_user(role, ZHAOJUE if role == "county" else "510000")
    target = scoped_user("township", township.code, "tw1")
    client.force_login(actor)
    url = reverse("admin:auth_user_change", args=[target.pk])
    response = client.post(url, _user_change_post(target, is_superuser="on"))
    assert response.status_code == 403
    target.refresh_from_db()
    assert not target.is_superuser


@pytest.mark.parametrize("role", ["county", "province"])
def test_scoped_roles_cannot_reset_a_superusers_password(
    client, scoped_user, superuser, role
):
    client.force_login(scoped_user(role, ZHAOJUE if role == "county" else "510000"))
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    response = client.post(
        url, {"password1": "Taken-over-2026x", "password2": "Taken-over-2026x"}
    )
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password("Old-pass-2026x")


@pytest.mark.parametrize(
    "role, scope",
    [
        ("province", "510000"),
        ("prefecture", "513400"),
        ("county", ZHAOJUE),
    ],
)
def test_scoped_roles_reach_no_system_admin(client, scoped_user, role, scope):
    client.force_login(scoped_user(role, scope))
    urls = list(_system_admin_urls())
    assert len(urls) >= 5
    for url in urls:
        assert client.get(url).status_code == 403, url
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/auth/" not in index


def test_no_role_holds_a_permission_on_accounts():
    for role, permissions in PERMISSIONS.items():
        for app, codename in permissions:
            assert app != "auth", (role, codename)
            assert not codename.endswith("_userscope"), (role, codename)


def test_superuser_reaches_the_user_admin(client, superuser):
    client.force_login(superuser)
    for url in _system_admin_urls():
        assert client.get(url).status_code == 200, url


def test_superuser_change_in_the_user_admin_is_audited(
    client, superuser, scoped_user, township
):
    target = scoped_user("township", township.code, "tw1")
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[target.pk])
    response = client.post(url, _user_change_post(target, is_superuser="on", groups=[]))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(
        model="auth.user", object_id=str(target.pk), action="update"
    )
    assert entry.action == "update" and entry.source == "admin"
    assert entry.actor == superuser
    assert entry.changes["is_superuser"] == [False, True]
    assert entry.changes["groups"][1] == []


def test_superuser_password_reset_is_audited_without_the_password(
    client, superuser, scoped_user, township
):
    target = scoped_user("township", township.code, "tw1")
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(
        url, {"password1": "New-secret-2026x", "password2": "New-secret-2026x"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("New-secret-2026x")
    entry = AuditEntry.objects.get(
        model="auth.user", object_id=str(target.pk), action="update"
    )
    assert entry.actor == superuser and "password" in entry.changes
    assert "New-secret" not in str(entry.changes)
    assert target.password not in str(entry.changes)


def test_province_cannot_take_over_a_superuser_by_creating_it(
    client, province_user, superuser
):
    client.force_login(province_user)
    response = client.post(
        reverse("user-list"),
        {
            "username": "admin",
            "full_name": "",
            "role": "province",
            "scope": "510000",
            "password": "Taken-over-2026x",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "用户名“admin”不可用" in page
    assert "超级" not in page  # neutral: does not tell what the account is
    superuser.refresh_from_db()
    assert superuser.check_password("Old-pass-2026x") and superuser.is_superuser
    assert not hasattr(superuser, "scope") or superuser.groups.count() == 0
    assert not AuditEntry.objects.filter(model="auth.user", object_id=str(superuser.pk))


def test_weak_password_answers_the_form_with_the_validators_messages(
    client, province_user
):
    client.force_login(province_user)
    response = client.post(
        reverse("user-list"),
        {
            "username": "zj",
            "full_name": "",
            "role": "county",
            "scope": ZHAOJUE,
            "password": "12345678",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "密码太短，至少需要10个字符。" in page
    assert "这个密码太常见了。" in page and "密码只包含数字。" in page
    assert "This password" not in page
    assert not User.objects.filter(username="zj").exists()


def test_provisioning_audits_role_scope_and_password_changes(
    scoped_user, province_user, township
):
    target = scoped_user("township", township.code, "tw1")
    user_provision(
        username="tw1",
        role="county",
        scope=ZHAOJUE,
        password="Brand-new-2026x",
        by=province_user,
    )
    entry = AuditEntry.objects.filter(
        model="auth.user", object_id=str(target.pk), action="update"
    ).get()
    assert entry.actor == province_user
    assert entry.changes["role"] == ["township", "county"]
    assert entry.changes["scope"] == [township.code, ZHAOJUE]
    assert entry.changes["password"][0] is None
    assert "Brand-new" not in str(entry.changes)
    assert entry.county_code == ZHAOJUE


def test_create_user_answers_in_chinese(db):
    with pytest.raises(CommandError) as refused:
        call_command("create_user", "x", "--role", "county", "--scope", "999999")
    assert str(refused.value) == "管辖范围：行政区划代码“999999”不存在。"
    with pytest.raises(CommandError, match="请用 --role 指定角色"):
        call_command("create_user", "x", "--scope", ZHAOJUE)
    with pytest.raises(CommandError, match="未知角色“boss”"):
        call_command("create_user", "x", "--role", "boss", "--scope", ZHAOJUE)
    with pytest.raises(CommandError, match="^密码："):
        call_command(
            "create_user",
            "x",
            "--role",
            "county",
            "--scope",
            ZHAOJUE,
            "--password",
            "123",
        )


def test_superuser_change_of_a_roles_permissions_is_audited(client, superuser):
    from zhucun.roles import ensure_role_groups

    group = ensure_role_groups()["county"]
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": []},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="auth.group", object_id=str(group.pk))
    assert entry.actor == superuser
    before, after = entry.changes["permissions"]
    assert "villages.add_village" in before and after == []
