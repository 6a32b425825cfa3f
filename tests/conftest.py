"""Shared fixtures. The divisions come from the migration, so every test has them."""

import pytest
from django.db import connection


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def zhaojue():
    """昭觉县, a Liangshan deep-poverty county."""
    from villages.models import Region

    return Region.objects.get(code="513431")


@pytest.fixture(autouse=True)
def _axes_only_where_asked(request, settings):
    """django-axes needs a request on every authenticate(); Client.login has none.

    Tests of the lockout itself are marked ``@pytest.mark.axes`` and keep it on.
    """
    if request.node.get_closest_marker("axes") is None:
        settings.AXES_ENABLED = False


@pytest.fixture
def scoped_user(db):
    """Make a user of a role and scope: ``scoped_user("county", "513431")``."""
    from django.contrib.auth import get_user_model

    from accounts.services import user_provision

    def make(role: str, scope: str, username: str | None = None):
        user, _ = user_provision(
            username=username or f"{role}-{scope}", role=role, scope=scope
        )
        return get_user_model().objects.get(pk=user.pk)

    return make


@pytest.fixture
def province_user(scoped_user):
    """A member of the provincial coordination group: reads everything."""
    return scoped_user("province", "510000", "province")


@pytest.fixture(autouse=True)
def _divisions_survive_transactional_tests(request):
    """A transactional test flushes every table, the migrated divisions included.

    Such a test must ask for ``serialized_rollback=True`` so the divisions come
    back for the tests after it; this fixture fails the test that forgets.
    """
    marker = request.node.get_closest_marker("django_db")
    if (
        marker
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ):
        pytest.fail("transactional tests need serialized_rollback=True (see conftest)")
