"""The layout's header: the user's name, role and place (zhucun.context_processors)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tests.factories import UnitFactory
from zhucun.access import user_scope
from zhucun.context_processors import user_identity


def _identity(user):
    request = RequestFactory().get("/")
    request.user = user
    return user_identity(request)


def test_a_county_clerk_is_named_with_role_and_county(db, scoped_user):
    identity = _identity(scoped_user("county", "513431"))["user_identity"]
    assert (identity["role"], identity["place"]) == ("县委组织部", "昭觉县")


def test_a_unit_is_named_by_its_unit(db, scoped_user):
    unit = UnitFactory(name="四川省农业农村厅")
    identity = _identity(scoped_user("unit", unit.name))["user_identity"]
    assert (identity["role"], identity["place"]) == ("派出单位", "四川省农业农村厅")


def test_a_user_without_scope_has_neither(db):
    user = get_user_model().objects.create_user("nobody")
    assert _identity(user)["user_identity"]["role"] == ""
    assert _identity(AnonymousUser()) == {}


def test_the_scope_is_read_once_and_only_when_shown(
    db, scoped_user, django_assert_num_queries
):
    user = scoped_user("prefecture", "513400")
    with django_assert_num_queries(0):
        identity = _identity(user)["user_identity"]
    with django_assert_num_queries(1):
        assert identity["place"] == "凉山彝族自治州"
    # A view that has read the scope already leaves nothing to read.
    other = get_user_model().objects.get(pk=user.pk)
    user_scope(other)
    with django_assert_num_queries(0):
        assert _identity(other)["user_identity"]["role"] == "市（州）工作人员"
