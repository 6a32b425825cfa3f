"""demo_accounts: the demo's accounts, with fixed passwords written in the README.

Idempotent: a second run changes nothing unless an account was altered, in which
case it is put back (password, flags). Refuses to run with DEBUG off, so a
production database never gets an account whose password is public.
"""

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.services import resolve_scope, user_provision
from teams.models import Membership
from villages.models import Region
from zhucun.audit import audit_context, audit_record, diff, snapshot
from zhucun.models import UserScope

DEMO_PASSWORD = "Zhucun@2026demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str
    password: str = DEMO_PASSWORD


ADMIN = DemoAccount("admin", role="系统管理员（超级用户）", scope="四川省 510000")
# One account per role of contracts.md, on real places of the demo province.
# The township, unit and committee are picked from the seeded data (first by
# code or name that serves 昭觉县), so they exist only after seed_demo.
ROLE_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("sheng", "province", "510000"),
    ("liangshan", "prefecture", "513400"),
    ("zhaojue", "county", "513431"),
    ("zhaojue-xiang", "township", "first township of 513431"),
    ("danwei", "unit", "first unit serving 513431"),
    ("gongwei", "committee", "that unit's work committee"),
)
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (ADMIN,)


def demo_role_scopes() -> list[tuple[str, str, str, str]]:
    """(username, role, scope for create_user, scope shown) of each role account that can exist."""

    found = []
    regions = {
        r.code: r
        for r in Region.objects.filter(code__in=["510000", "513400", "513431"])
    }
    township = (
        Region.objects.filter(parent__code="513431", level=Region.Level.TOWNSHIP)
        .order_by("code")
        .first()
    )
    membership = (
        Membership.objects.filter(team__village__county__code="513431")
        .select_related("unit__work_committee")
        .order_by("unit__name")
        .first()
    )
    unit = membership.unit if membership else None
    committee = unit.work_committee if unit else None
    for username, role, scope in ROLE_ACCOUNTS:
        label = UserScope.Role(role).label
        if role in ("province", "prefecture", "county"):
            region = regions[scope]
            found.append((username, role, scope, label, f"{region.name} {region.code}"))
        elif role == "township" and township is not None:
            found.append(
                (
                    username,
                    role,
                    township.code,
                    label,
                    f"昭觉县{township.name} {township.code}",
                )
            )
        elif role == "unit" and unit is not None:
            found.append((username, role, unit.name, label, unit.name))
        elif role == "committee" and committee is not None:
            found.append((username, role, committee.name, label, committee.name))
    return found


_USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser")


class Command(BaseCommand):
    help = "创建或恢复演示账号（密码固定，见 README）；重复运行不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="在 DEBUG=0 时也创建（演示账号密码是公开的，正式环境不要使用）",
        )

    def handle(self, *args, allow_production, verbosity, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG=0（正式环境）不创建演示账号：它们的密码是公开的。"
                "确需创建请加 --allow-production。"
            )
        with audit_context(source="command"):
            try:
                outcome = demo_superuser_ensure(
                    username=ADMIN.username, password=ADMIN.password
                )
            except ValidationError as exc:
                raise CommandError(
                    f"{ADMIN.username}：{'；'.join(exc.messages)}"
                ) from None
            roles = demo_role_accounts_ensure(password=DEMO_PASSWORD)
        if verbosity >= 1:
            self.stdout.write(f"{ADMIN.username}：{outcome}")
            self.stdout.write(accounts_table(roles))


@transaction.atomic
def demo_superuser_ensure(*, username: str, password: str) -> str:
    """Create the superuser or put it back as documented; say which ("已创建" …)."""
    User = get_user_model()
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
        before = {}
    else:
        before = snapshot(user, _USER_FIELDS)
        if (
            user.is_active
            and user.is_staff
            and user.is_superuser
            and user.check_password(password)
        ):
            return "无变化"
    validate_password(password, user)
    user.is_active = user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    changes = diff(before, snapshot(user, _USER_FIELDS))
    changes["password"] = ["***", "***"]  # reset to the documented one, never logged
    audit_record(
        action="create" if created else "update", instance=user, changes=changes
    )
    return "已创建" if created else "已恢复为文档中的密码和权限"


@transaction.atomic
def demo_role_accounts_ensure(*, password: str) -> list[DemoAccount]:
    """Create (or put back) one account per role; a second run writes nothing."""

    accounts = []
    for username, role, scope, label, shown in demo_role_scopes():
        fields = resolve_scope(role=role, scope=scope)
        current = (
            UserScope.objects.select_related("user")
            .filter(user__username=username)
            .first()
        )
        unchanged = (
            current is not None
            and current.role == role
            and (current.region, current.unit, current.work_committee)
            == (fields["region"], fields["unit"], fields["work_committee"])
            and current.user.is_active
            and current.user.check_password(password)
        )
        if not unchanged:
            user_provision(username=username, role=role, scope=scope, password=password)
        accounts.append(
            DemoAccount(username, role=label, scope=shown, password=password)
        )
    return accounts


def demo_role_accounts() -> list[DemoAccount]:
    """The role accounts that exist now (without creating any), for the start-up table."""
    existing = set(
        get_user_model()
        .objects.filter(username__in=[row[0] for row in demo_role_scopes()])
        .values_list("username", flat=True)
    )
    return [
        DemoAccount(username, role=label, scope=shown)
        for username, _role, _scope, label, shown in demo_role_scopes()
        if username in existing
    ]


def accounts_table(roles: list[DemoAccount] | None = None) -> str:
    """The demo accounts as a plain-text table (CJK characters count double)."""
    header = ("用户名", "密码", "角色", "范围")
    rows = [header] + [
        (a.username, a.password, a.role, a.scope)
        for a in (*DEMO_ACCOUNTS, *(roles or []))
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [rule]
    for index, row in enumerate(rows):
        cells = (
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        )
        lines.append("| " + " | ".join(cells) + " |")
        if index == 0:
            lines.append(rule)
    lines.append(rule)
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
