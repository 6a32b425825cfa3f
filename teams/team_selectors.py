"""Reads of the team pages and the appointment to-do (二(四)), scoped to the user.

The team list, the team page and each role's to-do read here, a fixed number of
queries each whatever the number of rows; writes are ``teams.services``.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams import figures
from teams.models import Membership, Person, Team
from teams.selectors import TeamFilterSet
from zhucun import clock
from zhucun.access import scoped, user_scope
from zhucun.models import UserScope
from zhucun.queries import active_on

# ?sort= of the team list → its ordering (always ending in a unique key).
TEAM_SORTS = {
    "place": (
        gettext_lazy("按地区"),
        ("village__county__code", "village__township__code", "village__name", "id"),
    ),
    "village": (gettext_lazy("按村名"), ("village__name", "id")),
    "-start": (gettext_lazy("派驻日期（新→旧）"), ("-start_date", "id")),
    "members": (gettext_lazy("在任人数（少→多）"), ("members", "village__name", "id")),
    "-members": (
        gettext_lazy("在任人数（多→少）"),
        ("-members", "village__name", "id"),
    ),
}
DEFAULT_SORT = "place"


# ?status= of the team list: a TeamStatus, or every team.
ALL_STATUSES = "all"


def team_rows(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Team]:
    """Teams for the list page and its export, with ``members`` in post today.

    ``filters``: ``q`` (village name), ``region`` (a code, with everything below
    it), ``term`` (id), ``status`` (a ``TeamStatus``, default in post; "all"
    for every team), ``short`` (short of members, ``teams.figures``),
    ``liangshan`` (凉山州 only), ``sort`` (a key of TEAM_SORTS). One query, and
    one more to look up ``region``; ValidationError for a bad filter value.
    """
    filters = dict(filters or {})
    today = clock.today()
    first_secretary = (
        Membership.objects.filter(
            active_on(today), team=OuterRef("pk"), role=Membership.Role.FIRST_SECRETARY
        )
        .order_by("-start_date")
        .values("person__name")[:1]
    )
    rows = figures.with_staffing(
        scoped(
            user,
            Team.objects.select_related(
                "village__township", "village__county__parent", "term"
            ),
        ),
        today,
    ).annotate(first_secretary=Subquery(first_secretary))
    rows = TeamFilterSet.apply(
        {k: filters[k] for k in ("region", "term") if filters.get(k)}, rows, user=user
    )
    status = filters.get("status") or figures.TeamStatus.IN_POST
    if status not in (*figures.TeamStatus.values, ALL_STATUSES):
        raise ValidationError({"status": _("未知的工作队状态。")})
    if status != ALL_STATUSES:
        rows = rows.filter(status=status)
    query = (filters.get("q") or "").strip()
    if query:
        rows = rows.filter(Q(village__name__icontains=query) | Q(name__icontains=query))
    if filters.get("short"):
        rows = rows.filter(short=True)
    if filters.get("liangshan"):
        rows = rows.filter(figures.is_liangshan())
    sort = filters.get("sort") or DEFAULT_SORT
    if sort not in TEAM_SORTS:
        raise ValidationError({"sort": _("未知的排序方式。")})
    return rows.order_by(*TEAM_SORTS[sort][1])


def roster_pks(teams: QuerySet[Team]) -> QuerySet[Membership]:
    """The memberships of ``teams`` (a subquery), for the roster export."""
    return Membership.objects.filter(
        team__in=teams.order_by().values("pk")
    ).values_list("pk", flat=True)


# --- The team page -------------------------------------------------------------------


STEP_LABELS = {
    "proposed_on": gettext_lazy("单位党委推荐"),
    "reviewed_on": gettext_lazy("机关工委审核"),
    "appointed_on": gettext_lazy("县委组织部选派（任职手续）"),
    "filed_on": gettext_lazy("备案"),
    "party_relation_transferred_on": gettext_lazy("党组织关系转接"),
    "start_date": gettext_lazy("到村驻村"),
    "unfit_marked_on": gettext_lazy("认定能力素质不适应"),
    "end_date": gettext_lazy("驻村结束"),
}
STEP_FIELDS = (
    "proposed_on",
    "reviewed_on",
    "appointed_on",
    "filed_on",
    "party_relation_transferred_on",
)


# Steps a membership may be created with (a proposal, an import of the roster).
SET_ON_CREATE = (*STEP_FIELDS, "start_date")


def appointment_status(membership: Membership) -> str:
    """Where a membership stands in 二(四), in words."""
    if membership.replaced_by_id:
        return _("已被接替")
    if membership.unfit_marked_on:
        return _("认定不适应，待召回调整")
    if membership.filed_on:
        return _("已备案")
    if membership.appointed_on:
        return _("已选派，待备案")
    if membership.reviewed_on:
        return _("已审核，待县委组织部选派")
    if membership.proposed_on:
        return _("已推荐，待机关工委审核")
    return _("待单位党委推荐")


# --- The appointment to-do (二(四)) ------------------------------------------------------


class Pending:
    """What a membership waits for, as the to-do names it."""

    PROPOSE = "propose"
    REPLACE = "replace"
    REVIEW = "review"
    APPOINT = "appoint"
    FILE = "file"
    TRANSFER_PARTY = "transfer_party"
    AWAIT_REPLACEMENT = "await_replacement"  # the county watches the unit's deadline


PENDING_LABELS = {
    Pending.PROPOSE: gettext_lazy("单位党委推荐"),
    Pending.REPLACE: gettext_lazy("召回调整：推荐接替人选"),
    Pending.REVIEW: gettext_lazy("机关工委审核"),
    Pending.APPOINT: gettext_lazy("县委组织部选派（任职手续）"),
    Pending.FILE: gettext_lazy("备案"),
    Pending.TRANSFER_PARTY: gettext_lazy("党组织关系转接"),
    Pending.AWAIT_REPLACEMENT: gettext_lazy("等待派出单位召回调整"),
}


def _unfit_open() -> Q:
    return Q(unfit_marked_on__isnull=False, replaced_by__isnull=True)


def _pending_conditions(role: str | None) -> list[tuple[str, Q]]:
    """(pending step, condition) of what ``role`` has to do, first match wins."""
    party = Q(person__political_status__in=Person.PARTY_STATUSES)
    if role == UserScope.Role.UNIT:
        return [
            (Pending.REPLACE, _unfit_open()),
            (Pending.PROPOSE, Q(proposed_on__isnull=True)),
        ]
    if role == UserScope.Role.COMMITTEE:
        return [
            (
                Pending.REVIEW,
                Q(proposed_on__isnull=False, reviewed_on__isnull=True),
            ),
            (
                Pending.FILE,
                Q(appointed_on__isnull=False, filed_on__isnull=True),
            ),
        ]
    if role == UserScope.Role.COUNTY:
        return [
            (Pending.AWAIT_REPLACEMENT, _unfit_open()),
            (
                Pending.APPOINT,
                Q(reviewed_on__isnull=False, appointed_on__isnull=True),
            ),
            (
                Pending.TRANSFER_PARTY,
                party
                & Q(appointed_on__isnull=False, party_relation_transferred_on=None),
            ),
        ]
    if role == UserScope.Role.TOWNSHIP:
        return [
            (
                Pending.TRANSFER_PARTY,
                party
                & Q(appointed_on__isnull=False, party_relation_transferred_on=None),
            )
        ]
    return []


def user_role(user) -> str | None:
    scope = user_scope(user)
    return scope.role if scope is not None else None


def todo_list(*, user) -> QuerySet[Membership]:
    """Memberships awaiting the user's role's step, with ``pending``; one query.

    Only memberships not yet over (ending today or later, or open) wait for a
    step; unfit members first (by deadline), then the oldest waiting first.
    """
    conditions = _pending_conditions(user_role(user))
    rows = scoped(
        user,
        Membership.objects.select_related(
            "person",
            "unit",
            "team__village__township",
            "team__village__county",
            "replaces__person",
        ),
    )
    if not conditions:
        return rows.none()
    today = clock.today()
    either = Q()
    for _pending, condition in conditions:
        either |= condition
    return (
        rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(either)
        .annotate(
            pending=Case(
                *(When(condition, then=Value(p)) for p, condition in conditions),
                default=Value(""),
            )
        )
        .order_by(
            F("replacement_deadline").asc(nulls_last=True),
            F("proposed_on").asc(nulls_first=True),
            "start_date",
            "id",
        )
    )


def todo_get(*, user, pk: int) -> Membership:
    """One membership of the user's to-do (with ``pending``); DoesNotExist otherwise."""
    return todo_list(user=user).get(pk=pk)


def proposable_teams(*, user) -> QuerySet[Team]:
    """Teams a candidate may be proposed for: in scope, not yet withdrawn."""
    today = clock.today()
    return (
        scoped(user, Team.objects.select_related("village__township", "term"))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("village__county__code", "village__township__code", "village__name")
    )


def markable_memberships(*, team: Team, memberships: list[Membership]) -> list:
    """Members of a team in post today whom the county may mark unfit."""
    today = clock.today()
    return [
        m
        for m in memberships
        if m.team_id == team.pk
        and m.unfit_marked_on is None
        and m.start_date <= today
        and (m.end_date is None or m.end_date >= today)
    ]
