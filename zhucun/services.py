"""Writes for user accounts and their scopes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhucun.audit import audit_record
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
    from teams.models import Unit, WorkCommittee
    from villages.models import Region

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


def _require_may_grant(by, *, role: str, fields: dict, existing) -> None:
    """The province grants any role; a county only township roles inside itself."""
    from zhucun.access import user_scope

    if by is None or by.is_superuser:
        return
    mine = user_scope(by)
    if mine is not None and mine.role == UserScope.Role.PROVINCE:
        return
    if mine is not None and mine.role == UserScope.Role.COUNTY:
        region = fields.get("region")
        inside = region is not None and region.path.startswith(mine.region.path)
        theirs = existing is None or (
            UserScope.objects.filter(
                user=existing,
                role=UserScope.Role.TOWNSHIP,
                region__path__startswith=mine.region.path,
            ).exists()
        )
        if role == UserScope.Role.TOWNSHIP and inside and theirs:
            return
        raise ValidationError(
            {"scope": _("县委组织部只能为本县的乡（镇）创建乡镇工作人员账号。")}
        )
    raise PermissionDenied(_("您没有管理用户账号的权限。"))


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
    user = User.objects.filter(username=username).first()
    _require_may_grant(by, role=role, fields=fields, existing=user)
    created = user is None
    if created:
        user = User(username=username)
    if email:
        user.email = email
    if full_name:
        user.first_name = full_name
    if password:
        validate_password(password, user)
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = True  # the admin is one of the ways in; what it shows is scoped
    user.save()
    UserScope.objects.update_or_create(user=user, defaults={"role": role, **fields})
    groups = ensure_role_groups()
    user.groups.set([groups[UserScope.Role(role)]])
    audit_record(
        action="create" if created else "update",
        instance=user,
        user=by,
        changes={"role": [None, role], "scope": [None, scope]},
        county_code=_county_code(fields.get("region")),
    )
    return user, created


def _county_code(region) -> str:
    if region is None or region.level in ("province", "prefecture"):
        return ""
    return region.code if region.level == "county" else region.parent.code
