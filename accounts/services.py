"""Writes for user accounts and their scopes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Unit, WorkCommittee
from villages.models import Region
from zhucun.access import user_scope
from zhucun.audit import audit_record, diff
from zhucun.models import UserScope
from zhucun.roles import ensure_role_groups

_REGION_LEVEL_FOR_ROLE = {
    UserScope.Role.PROVINCE: "province",
    UserScope.Role.PREFECTURE: "prefecture",
    UserScope.Role.COUNTY: "county",
    UserScope.Role.TOWNSHIP: "township",
}


def resolve_scope(*, role: str, scope: str) -> dict:
    """Turn a role and a scope string (region code, unit or committee name) into fields."""
    if role not in UserScope.Role.values:
        raise ValidationError(
            {
                "role": _("未知角色“%(role)s”，可选：%(choices)s。")
                % {"role": role, "choices": " ".join(UserScope.Role.values)}
            }
        )
    scope = scope.strip()
    if role in _REGION_LEVEL_FOR_ROLE:
        region = Region.objects.filter(code=scope).first()
        if region is None:
            raise ValidationError(
                {"scope": _("行政区划代码“%(code)s”不存在。") % {"code": scope}}
            )
        if region.level != _REGION_LEVEL_FOR_ROLE[role]:
            raise ValidationError(
                {
                    "scope": _(
                        "角色“%(role)s”的范围应为%(level)s，“%(name)s”是%(actual)s。"
                    )
                    % {
                        "role": UserScope.Role(role).label,
                        "level": Region.Level(_REGION_LEVEL_FOR_ROLE[role]).label,
                        "name": region.name,
                        "actual": region.get_level_display(),
                    }
                }
            )
        return {"region": region, "unit": None, "work_committee": None}
    if role == UserScope.Role.UNIT:
        unit = Unit.objects.filter(name=scope).first()
        if unit is None:
            raise ValidationError(
                {"scope": _("派出单位“%(name)s”不存在。") % {"name": scope}}
            )
        return {"region": None, "unit": unit, "work_committee": None}
    committee = WorkCommittee.objects.filter(name=scope).first()
    if committee is None:
        raise ValidationError(
            {"scope": _("机关工委“%(name)s”不存在。") % {"name": scope}}
        )
    return {"region": None, "unit": None, "work_committee": committee}


_NOT_YOURS = _("用户名“%(name)s”不可用：该账号不在您的管理范围内，请换一个用户名。")


def may_manage_account(by, target) -> bool:
    """Whether ``by`` may change the existing account ``target``.

    Nobody but a superuser touches a superuser; the province manages every
    other account; a county only its own townships' staff accounts.
    """
    if by is None or by.is_superuser:
        return True
    if target.is_superuser:
        return False
    mine = user_scope(by)
    if mine is None:
        return False
    if mine.role == UserScope.Role.PROVINCE:
        return True
    if mine.role == UserScope.Role.COUNTY:
        return UserScope.objects.filter(
            user=target,
            role=UserScope.Role.TOWNSHIP,
            region__path__startswith=mine.region.path,
        ).exists()
    return False


def _require_may_grant(by, *, username: str, role: str, fields: dict, existing) -> None:
    """The province grants any role; a county only township roles inside itself.

    An existing account the actor may not manage is refused with the same
    message whether it is a superuser, another county's or a higher role's, so
    the answer does not tell what the account is.
    """
    if by is None or by.is_superuser:
        return
    mine = user_scope(by)
    if mine is None or mine.role not in (
        UserScope.Role.PROVINCE,
        UserScope.Role.COUNTY,
    ):
        raise PermissionDenied(_("您没有管理用户账号的权限。"))
    if existing is not None and not may_manage_account(by, existing):
        raise ValidationError({"username": _NOT_YOURS % {"name": username}})
    if mine.role == UserScope.Role.PROVINCE:
        return
    region = fields.get("region")
    inside = region is not None and region.path.startswith(mine.region.path)
    if role != UserScope.Role.TOWNSHIP or not inside:
        raise ValidationError(
            {"scope": _("县委组织部只能为本县的乡（镇）创建乡镇工作人员账号。")}
        )


def account_snapshot(user) -> dict:
    """What the audit trail records of an account (never its password)."""
    if user is None or user.pk is None:
        return {}
    scope = (
        UserScope.objects.filter(user=user)
        .select_related("region", "unit", "work_committee")
        .first()
    )
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            user.user_permissions.values_list("codename", flat=True)
        ),
        "role": scope.role if scope else None,
        "scope": _scope_name(scope),
    }


def _scope_name(scope) -> str | None:
    if scope is None:
        return None
    if scope.region_id is not None:
        return scope.region.code
    if scope.unit_id is not None:
        return scope.unit.name
    if scope.work_committee_id is not None:
        return scope.work_committee.name
    return None


def account_record(
    *, user, before: dict, password_changed: bool = False, by=None
) -> None:
    """Audit a change to an account: the fields that changed, a password only as such.

    ``before`` is the account's ``account_snapshot`` before the change (empty
    for a new account).
    """
    after = account_snapshot(user)
    changes = diff(before, after)
    if password_changed:
        # The trail keeps that the password changed, never the password or its hash.
        changes["password"] = [None, _("已修改")]
    if before and not changes:
        return
    scope = UserScope.objects.filter(user=user).select_related("region__parent").first()
    audit_record(
        action="update" if before else "create",
        instance=user,
        user=by,
        changes=changes,
        county_code=_county_code(scope.region if scope else None),
    )


@transaction.atomic
def user_provision(
    *,
    username: str,
    role: str,
    scope: str,
    password: str | None = None,
    email: str = "",
    full_name: str = "",
    by=None,
) -> tuple[object, bool]:
    """Create or update an account with one role and one scope; returns (user, created).

    ``by`` is the user doing it (None for the command line, which is trusted).
    """
    fields = resolve_scope(role=role, scope=scope)
    User = get_user_model()
    user = User.objects.select_for_update().filter(username=username).first()
    _require_may_grant(by, username=username, role=role, fields=fields, existing=user)
    created = user is None
    before = {} if created else account_snapshot(user)
    if created:
        user = User(username=username)
    if email:
        user.email = email
    if full_name:
        user.first_name = full_name
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": _password_messages(exc)}) from None
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = True  # the admin is one of the ways in; what it shows is scoped
    user.save()
    UserScope.objects.update_or_create(user=user, defaults={"role": role, **fields})
    groups = ensure_role_groups()
    user.groups.set([groups[UserScope.Role(role)]])
    account_record(user=user, before=before, password_changed=bool(password), by=by)
    return user, created


def _password_messages(error: ValidationError) -> list[str]:
    """The validators' refusals in Chinese (Django's own Chinese lacks one of them)."""
    own = {
        "password_too_short": lambda params: (
            _("密码太短，至少需要%(min_length)d个字符。") % params
        ),
    }
    messages = []
    for item in error.error_list:
        if item.code in own:
            messages.append(own[item.code](item.params or {}))
        else:
            messages.extend(item.messages)
    return messages


def _county_code(region) -> str:
    if region is None or region.level in ("province", "prefecture"):
        return ""
    return region.code if region.level == "county" else region.parent.code
