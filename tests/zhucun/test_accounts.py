"""User management: the province for every role, a county for its own townships only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import TownshipFactory
from villages.models import Region
from zhucun.models import AuditEntry, UserScope


@pytest.fixture
def township(db):
    return TownshipFactory(parent=Region.objects.get(code="513431"))


def _post(client, **data):
    payload = {"full_name": "", "password": "", **data}
    return client.post(reverse("user-list"), payload)


def test_province_creates_a_county_user(client, province_user):
    client.force_login(province_user)
    response = _post(
        client, username="zj", role="county", scope="513431", password="Zhaojue@2026x"
    )
    assert response.status_code == 302
    scope = UserScope.objects.get(user__username="zj")
    assert scope.region.code == "513431" and scope.user.check_password("Zhaojue@2026x")
    entry = AuditEntry.objects.get(model="auth.user", object_id=str(scope.user.pk))
    assert entry.actor == province_user


def test_county_creates_a_township_user_of_its_own(client, scoped_user, township):
    client.force_login(scoped_user("county", "513431"))
    response = _post(client, username="tw1", role="township", scope=township.code)
    assert response.status_code == 302
    assert UserScope.objects.get(user__username="tw1").region == township


@pytest.mark.parametrize(
    "data",
    [
        {"username": "x1", "role": "county", "scope": "513431"},  # not a township role
        {"username": "x2", "role": "township", "scope": "PLACEHOLDER"},  # other county
    ],
)
def test_county_cannot_create_other_accounts(client, scoped_user, db, data):
    other = TownshipFactory(parent=Region.objects.get(code="511002"))
    data = {
        **data,
        "scope": other.code if data["scope"] == "PLACEHOLDER" else data["scope"],
    }
    client.force_login(scoped_user("county", "513431"))
    response = _post(client, **data)
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username=data["username"]).exists()


def test_bad_scope_shows_a_chinese_field_error(client, province_user):
    client.force_login(province_user)
    response = _post(client, username="bad", role="county", scope="999999")
    assert "行政区划代码“999999”不存在" in response.content.decode()


def test_county_list_shows_only_its_township_accounts(client, scoped_user, township):
    other = TownshipFactory(parent=Region.objects.get(code="511002"))
    scoped_user("township", township.code, "mine")
    scoped_user("township", other.code, "theirs")
    client.force_login(scoped_user("county", "513431"))
    page = client.get(reverse("user-list")).content.decode()
    assert "mine" in page and "theirs" not in page


def test_township_staff_may_not_manage_users(client, scoped_user, township):
    client.force_login(scoped_user("township", township.code))
    assert client.get(reverse("user-list")).status_code == 403
