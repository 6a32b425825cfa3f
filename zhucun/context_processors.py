"""What the base layout shows of the user: name, role and place ("张三 · 县委组织部 · 昭觉县")."""

from django.utils.functional import SimpleLazyObject

from zhucun.access import user_scope
from zhucun.roles import may_manage_users
from zhucun.workbooks.importer import may_import
from zhucun.workbooks.kinds import KINDS


def _place(scope) -> str:
    if scope.region_id is not None:
        return scope.region.name
    if scope.unit_id is not None:
        return scope.unit.name
    if scope.work_committee_id is not None:
        return scope.work_committee.name
    return ""


def _identity(user) -> dict[str, str]:
    scope = user_scope(user)
    if scope is None:
        return {"role": "", "place": ""}
    return {"role": scope.get_role_display(), "place": _place(scope)}


def _menu(user) -> dict[str, bool]:
    """Which pages of the menu the user can open.

    ``has_desk``: a regional scope (or the superuser) has a dashboard, a unit or
    committee has none (dashboards:index answers 404). ``may_import``: some
    kind of workbook may be imported; else the menu offers the export alone.
    ``may_manage_users``: the user pages (no role holds ``auth`` permissions).
    The permissions are the ones the menu reads anyway (cached on the user).
    """

    scope = user_scope(user)
    return {
        "has_desk": user.is_superuser
        or (scope is not None and scope.region_id is not None),
        "may_import": any(may_import(user, kind) for kind in KINDS),
        "may_manage_users": may_manage_users(user),
    }


def user_identity(request) -> dict:
    """``user_identity``: the user's role and place, read only if a page shows them.

    ``zhucun.access.user_scope`` keeps the scope on the user for the request, so
    a page whose view has read it already (every scoped page) runs no query for
    it; any other page runs one (the scope with its region, unit and committee).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_identity": SimpleLazyObject(lambda: _identity(user)),
        "user_menu": SimpleLazyObject(lambda: _menu(user)),
    }
