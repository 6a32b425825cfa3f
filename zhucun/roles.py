"""The six roles of zhucun: each a Django group with its permissions (scope is in UserScope).

No role holds a permission on accounts (``auth.*``, ``zhucun.*_userscope``):
accounts are managed only on zhucun's user pages and by ``create_user``
(``accounts.views.may_manage_users``), and Django's own user admin is for
superusers only.
"""

from collections.abc import Sequence

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from zhucun.access import user_scope
from zhucun.models import UserScope

Role = UserScope.Role

GROUP_NAMES = {
    Role.PROVINCE: "省级协调小组",
    Role.PREFECTURE: "市（州）工作人员",
    Role.COUNTY: "县委组织部",
    Role.TOWNSHIP: "乡镇工作人员",
    Role.UNIT: "派出单位",
    Role.COMMITTEE: "机关工委",
}

_DATA_MODELS = {
    "villages": ["region", "village", "household"],
    "teams": [
        "workcommittee",
        "unit",
        "pairing",
        "person",
        "term",
        "team",
        "membership",
    ],
    "attendance": [
        "monthlyattendance",
        "attendancesubmission",
        "householdvisit",
        "teamreport",
        "leadermeeting",
    ],
    "assessments": [
        "assessment",
        "trainingevent",
        "trainingrecord",
        "targetletter",
        "targetitem",
    ],
    "funding": ["fund", "spending"],
}


def _codenames(
    actions: tuple[str, ...], models: dict[str, list[str]]
) -> set[tuple[str, str]]:
    return {
        (app, f"{action}_{model}")
        for app, names in models.items()
        for model in names
        for action in actions
    }


_VIEW_ALL = _codenames(("view",), _DATA_MODELS) | {("zhucun", "view_auditentry")}
_COUNTY_MANAGES = {
    "villages": ["village", "household"],
    "teams": ["unit", "person", "team", "membership", "pairing"],
    "attendance": ["attendancesubmission", "leadermeeting"],
    "assessments": [
        "assessment",
        "trainingevent",
        "trainingrecord",
        "targetletter",
        "targetitem",
    ],
    "funding": ["fund", "spending"],
}
_TOWNSHIP_ENTERS = {
    "attendance": [
        "monthlyattendance",
        "attendancesubmission",
        "householdvisit",
        "teamreport",
    ],
}

PERMISSIONS: dict[str, set[tuple[str, str]]] = {
    Role.PROVINCE: _VIEW_ALL | {("teams", "view_full_personal_data")},
    Role.PREFECTURE: _VIEW_ALL,
    Role.COUNTY: _VIEW_ALL
    | _codenames(("add", "change", "delete"), _COUNTY_MANAGES)
    | {
        ("villages", "add_region"),  # townships named by a village roster
        ("teams", "view_full_personal_data"),
    },
    Role.TOWNSHIP: _codenames(
        ("view",),
        {
            "villages": ["region", "village", "household"],
            "teams": ["person", "team", "membership", "term", "unit"],
            "attendance": ["leadermeeting"],
        },
    )
    | _codenames(("view", "add", "change"), _TOWNSHIP_ENTERS)
    # Teams record progress on their target letters through their township.
    | {
        ("assessments", "view_targetletter"),
        ("assessments", "view_targetitem"),
        ("assessments", "change_targetitem"),
    },
    Role.UNIT: _codenames(
        ("view",),
        {
            "villages": ["region", "village"],
            "teams": ["unit", "person", "team", "membership", "term"],
            "attendance": ["monthlyattendance"],
            "assessments": ["assessment", "trainingrecord", "trainingevent"],
        },
    )
    | {("teams", "add_membership")},  # proposes candidates
    Role.COMMITTEE: _codenames(
        ("view",),
        {
            "villages": ["region", "village"],
            "teams": ["workcommittee", "unit", "person", "team", "membership", "term"],
            "assessments": ["assessment"],
        },
    )
    | {("teams", "change_membership")},  # reviews and files (备案)
}


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create or refresh the six groups with exactly their permissions."""
    wanted = set().union(*PERMISSIONS.values())
    by_key = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted}
        )
    }
    groups = {}
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [by_key[key] for key in PERMISSIONS[role] if key in by_key]
        )
        groups[role] = group
    return groups


def require_perm(user, codenames: str | Sequence[str], message=None) -> None:
    """Refuse what the user's role may not do: 403 on a page or in the API.

    Called after the row was found, so a row outside the scope answers 404 first.
    """
    wanted = (codenames,) if isinstance(codenames, str) else tuple(codenames)
    if not user.has_perms(wanted):
        raise PermissionDenied(message or _("您的角色没有此项权限。"))


def may_manage_users(user) -> bool:
    """The user pages (/accounts/users/): the superuser, the province and counties."""
    scope = user_scope(user)
    return user.is_superuser or (
        scope is not None
        and scope.role in (UserScope.Role.PROVINCE, UserScope.Role.COUNTY)
    )


PERSONAL_DATA_PERMISSION = "teams.view_full_personal_data"


def can_view_full_personal_data(user) -> bool:
    """Holders of 查看完整身份证号码和联系电话 may reveal numbers (each reveal is audited)."""
    return bool(user and user.is_active and user.has_perm(PERSONAL_DATA_PERMISSION))
