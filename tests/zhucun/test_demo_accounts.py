"""demo_accounts: the documented accounts exist, with the documented passwords, once."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from accounts.management.commands.demo_accounts import (
    ADMIN,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    accounts_table,
    demo_role_accounts,
)
from zhucun.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development(settings):
    """pytest-django runs with DEBUG off; the demo belongs to a development set-up."""
    settings.DEBUG = True


def test_creates_the_superuser_with_the_documented_password():
    call_command("demo_accounts", verbosity=0)

    admin = get_user_model().objects.get(username=ADMIN.username)
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.check_password(DEMO_PASSWORD)
    assert AuditEntry.objects.filter(
        model="auth.user", object_id=str(admin.pk), action="create"
    ).exists()


def test_second_run_changes_nothing():
    call_command("demo_accounts", verbosity=0)
    entries = AuditEntry.objects.count()

    call_command("demo_accounts", verbosity=0)

    assert get_user_model().objects.filter(username=ADMIN.username).count() == 1
    assert AuditEntry.objects.count() == entries


def test_a_changed_password_is_put_back():
    call_command("demo_accounts", verbosity=0)
    admin = get_user_model().objects.get(username=ADMIN.username)
    admin.set_password("something-else-2026")
    admin.is_superuser = False
    admin.save()

    call_command("demo_accounts", verbosity=0)

    admin.refresh_from_db()
    assert admin.is_superuser
    assert admin.check_password(DEMO_PASSWORD)


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("demo_accounts", verbosity=0)

    assert not get_user_model().objects.filter(username=ADMIN.username).exists()


def test_passwords_pass_the_password_validators():
    for account in DEMO_ACCOUNTS:
        validate_password(account.password, get_user_model()(username=account.username))


def test_table_lists_every_account_and_the_readme_documents_it():
    table = accounts_table()
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")

    for account in DEMO_ACCOUNTS:
        assert account.username in table and account.password in table
        assert account.username in readme and account.password in readme


@pytest.mark.django_db
def test_one_account_per_role_on_real_places_of_the_demo_province():
    from zhucun.models import UserScope

    call_command("seed_demo", villages=100, verbosity=0)
    call_command("demo_accounts", verbosity=0)
    scopes = {
        s.user.username: s for s in UserScope.objects.select_related("user", "region")
    }
    assert {s.role for s in scopes.values()} == set(UserScope.Role.values)
    assert scopes["zhaojue"].region.code == "513431"
    assert scopes["zhaojue-xiang"].region.parent.code == "513431"
    for scope in scopes.values():
        assert scope.user.check_password(DEMO_PASSWORD)
    entries = AuditEntry.objects.count()
    call_command("demo_accounts", verbosity=0)
    assert AuditEntry.objects.count() == entries
    # make run prints every account that exists, the roles' with the admin.
    table = accounts_table(demo_role_accounts())
    for username in ("admin", "sheng", "liangshan", "zhaojue", "zhaojue-xiang"):
        assert f"| {username} " in table
