"""What the base layout shows of the user: name, role and place ("张三 · 县委组织部 · 昭觉县")."""

from django.utils.functional import SimpleLazyObject

from zhucun.access import user_scope


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


def user_identity(request) -> dict:
    """``user_identity``: the user's role and place, read only if a page shows them.

    ``zhucun.access.user_scope`` keeps the scope on the user for the request, so
    a page whose view has read it already (every scoped page) runs no query for
    it; any other page runs one (the scope with its region, unit and committee).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_identity": SimpleLazyObject(lambda: _identity(user))}
