"""The pages around the admin: base layout, login and home."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import MembershipFactory, TeamFactory, VillageFactory
from villages.models import Region
from zhucun.models import UserScope

PASSWORD = "an-unguessable-pass"


@pytest.fixture
def clerk(django_user_model):
    """A county clerk of 昭觉县 in the 县委组织部 group; not staff."""
    user = django_user_model.objects.create_user(
        "zhaojue_clerk", password=PASSWORD, first_name="阿", last_name="木"
    )
    user.groups.add(Group.objects.create(name="县委组织部"))
    UserScope.objects.create(
        user=user, role=UserScope.Role.COUNTY, region=Region.objects.get(code="513431")
    )
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        "kezhang", "kezhang@example.com", PASSWORD, first_name="王科长"
    )


def _external_references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(?:https?:)?//[^"]*"', html)


def test_home_requires_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('home')}"


def test_home_says_who_you_are_and_where_to_go(
    client, superuser, django_assert_num_queries
):
    client.force_login(superuser)
    # session, user, groups, scope, three counts, unread reminders (the bell),
    # session save (3)
    with django_assert_num_queries(11):
        response = client.get(reverse("home"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "kezhang" in text
    assert "王科长" in text
    assert "超级管理员" in text
    for changelist in (
        "villages_village",
        "teams_team",
        "teams_person",
        "teams_unit",
    ):
        assert reverse(f"admin:{changelist}_changelist") in text
    assert reverse("api-docs") in text
    assert reverse("schema") in text
    assert _external_references(text) == []


def test_home_counts_take_a_fixed_number_of_queries(
    client, superuser, django_assert_num_queries
):
    """Two poor villages, one team in post today with two members in post."""
    today = datetime.date.today()
    team = TeamFactory(start_date=today.replace(year=today.year - 1), end_date=None)
    VillageFactory()
    for _ in range(2):
        MembershipFactory(team=team, start_date=team.start_date, end_date=None)
    MembershipFactory(team=team, start_date=team.start_date, end_date=team.start_date)
    client.force_login(superuser)
    with django_assert_num_queries(11):
        response = client.get(reverse("home"))
    assert response.context["overview"] == [
        ("建档立卡贫困村", 2),
        ("在驻工作队", 1),
        ("在任队员", 2),
    ]


def test_home_sends_a_county_clerk_to_the_county_workbench(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:workbench", args=["513431"])


def test_home_shows_groups_and_scope_and_hides_admin_from_non_staff(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("home"), {"stay": "1"})
    text = response.content.decode()
    assert "zhaojue_clerk" in text
    assert "县委组织部" in text
    assert "昭觉县" in text
    assert reverse("admin:index") not in text
    assert reverse("api-docs") in text


def test_home_counts_stay_inside_the_users_scope(client, clerk):
    """A 昭觉县 clerk counts 昭觉县's villages, not 锦江区's."""
    VillageFactory()  # 昭觉县 by default
    jinjiang = Region.objects.get(code="510104")
    VillageFactory(township__parent=jinjiang, county=jinjiang)
    client.force_login(clerk)
    response = client.get(reverse("home"), {"stay": "1"})
    assert response.context["overview"][0] == ("建档立卡贫困村", 1)


def test_base_layout_has_the_nav_the_user_name_and_a_post_logout(client, superuser):
    client.force_login(superuser)
    text = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in text
    assert 'name="viewport"' in text
    assert "驻村工作队管理系统" in text
    for label in ("首页", "数据管理", "API 文档"):
        assert label in text
    assert f'<form method="post" action="{reverse("logout")}"' in text
    assert "/static/css/zhucun.css" in text


def test_stylesheet_is_served_by_the_app():
    assert finders.find("css/zhucun.css")


def test_login_page_renders_in_chinese(client, db):
    response = client.get(reverse("login"))
    text = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in text
    for label in ("登录", "用户名", "密码", "驻村工作队管理系统"):
        assert label in text
    assert "退出登录" not in text
    assert _external_references(text) == []


def test_login_with_a_wrong_password_says_so_in_chinese(client, clerk):
    response = client.post(
        reverse("login"), {"username": "zhaojue_clerk", "password": "wrong-pass"}
    )
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_login_leads_home(client, clerk):
    response = client.post(
        reverse("login"), {"username": "zhaojue_clerk", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_is_a_post(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
