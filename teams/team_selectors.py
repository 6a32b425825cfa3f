"""Reads of the team pages and the appointment to-do (二(四)), scoped to the user.

The team list, the team page and each role's to-do read here, a fixed number of
queries each whatever the number of rows; writes are ``teams.services``.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import TrainingRecord
from attendance.models import HouseholdVisit, MonthlyAttendance, TeamReport
from compliance import selectors as compliance_selectors
from compliance.models import FindingRecord
from funding import selectors as funding_selectors
from funding.models import Fund
from teams.id_numbers import parse_id_number
from teams.models import Membership, Person, Team, active_on
from teams.selectors import TeamFilterSet
from villages.models import LIANGSHAN_CODE
from zhucun import clock
from zhucun.access import scoped, user_scope
from zhucun.models import AuditEntry, UserScope
from zhucun.policy import Thresholds
from zhucun.queries import SubqueryCount

LIANGSHAN_PREFIX = LIANGSHAN_CODE[:4]

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


def _minimum_members() -> Case:
    """The policy minimum of a team (二(三)): 4 in 凉山州, 3 elsewhere."""
    rules = Thresholds.from_settings()
    return Case(
        When(
            village__county__code__startswith=LIANGSHAN_PREFIX,
            then=Value(rules.liangshan_min_members),
        ),
        default=Value(rules.team_min_members),
        output_field=IntegerField(),
    )


def team_rows(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Team]:
    """Teams for the list page and its export, with ``members`` in post today.

    ``filters``: ``q`` (village name), ``region`` (a code, with everything below
    it), ``term`` (id), ``short`` (fewer members than the policy minimum),
    ``liangshan`` (凉山州 only), ``sort`` (a key of TEAM_SORTS). One query, and
    one more to look up ``region``; ValidationError for a bad filter value.
    """
    filters = dict(filters or {})
    today = clock.today()
    members = SubqueryCount(
        Membership.objects.filter(active_on(today), team=OuterRef("pk")).values("id")
    )
    first_secretary = (
        Membership.objects.filter(
            active_on(today), team=OuterRef("pk"), role=Membership.Role.FIRST_SECRETARY
        )
        .order_by("-start_date")
        .values("person__name")[:1]
    )
    rows = scoped(
        user,
        Team.objects.select_related(
            "village__township", "village__county__parent", "term"
        ),
    ).annotate(
        members=members,
        least=_minimum_members(),
        first_secretary=Subquery(first_secretary),
    )
    rows = TeamFilterSet.apply(
        {k: filters[k] for k in ("region", "term") if filters.get(k)}, rows
    )
    query = (filters.get("q") or "").strip()
    if query:
        rows = rows.filter(Q(village__name__icontains=query) | Q(name__icontains=query))
    if filters.get("short"):
        rows = rows.filter(members__lt=F("least"))
    if filters.get("liangshan"):
        rows = rows.filter(village__county__code__startswith=LIANGSHAN_PREFIX)
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


@dataclass(frozen=True)
class TimelineEvent:
    on: datetime.date
    membership: Membership
    kind: str  # the membership field (or "replaced"/"ended") it comes from
    label: str
    note: str = ""
    actor: str = ""


@dataclass
class MonthAttendance:
    month: datetime.date
    members: int
    in_post_days: int
    leave_days: int
    trip_days: int


@dataclass
class QuarterVisits:
    year: int
    quarter: int
    visits: int
    households: int


@dataclass
class TrainingLine:
    person_id: int
    name: str
    by_year: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class TeamPage:
    team: Team
    memberships: list[Membership]
    attendance: list[MonthAttendance]
    visits: list[QuarterVisits]
    reports: list[TeamReport]
    training: list[TrainingLine]
    funds: list[Fund]
    findings: list[FindingRecord]
    timeline: list[TimelineEvent]
    members_in_post: int
    least: int


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
_STEP_FIELDS = (
    "proposed_on",
    "reviewed_on",
    "appointed_on",
    "filed_on",
    "party_relation_transferred_on",
)


# Steps a membership may be created with (a proposal, an import of the roster).
_SET_ON_CREATE = (*_STEP_FIELDS, "start_date")


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


def _actors(user, memberships: list[Membership]) -> dict[tuple[int, str], str]:
    """(membership id, field) → who recorded it, from the audit trail the user may read.

    One query (none for a user who may not read the trail).
    """
    if not memberships:
        return {}
    entries = (
        scoped(user, AuditEntry.objects.select_related("actor"))
        .filter(
            model="teams.membership", object_id__in=[str(m.pk) for m in memberships]
        )
        .order_by("at", "id")
    )
    found: dict[tuple[int, str], str] = {}
    for entry in entries:
        name = ""
        if entry.actor is not None:
            name = entry.actor.get_full_name() or entry.actor.get_username()
        for name_of_field, change in (entry.changes or {}).items():
            if isinstance(change, list) and len(change) == 2 and change[1] is not None:
                found[(int(entry.object_id), name_of_field)] = name
        if entry.action == AuditEntry.Action.CREATE:
            found.setdefault((int(entry.object_id), "created"), name)
    return found


def timeline(user, memberships: list[Membership]) -> list[TimelineEvent]:
    """Every appointment step, unfit mark and replacement of ``memberships``, by date."""
    by_pk = {m.pk: m for m in memberships}
    actors = _actors(user, memberships)
    today = clock.today()
    events: list[TimelineEvent] = []
    for m in memberships:

        def add(on, kind, label, note="", actor_key=None, m=m):
            if on is None:
                return
            actor = actors.get((m.pk, actor_key or kind))
            if actor is None and kind in _SET_ON_CREATE:
                actor = actors.get((m.pk, "created"))
            events.append(TimelineEvent(on, m, kind, str(label), note, actor or ""))

        for name in _STEP_FIELDS:
            add(getattr(m, name), name, STEP_LABELS[name])
        add(m.start_date, "start_date", STEP_LABELS["start_date"], actor_key="created")
        if m.unfit_marked_on:
            add(
                m.unfit_marked_on,
                "unfit_marked_on",
                STEP_LABELS["unfit_marked_on"],
                _("召回调整期限：%(day)s") % {"day": m.replacement_deadline or "—"},
            )
        if m.replaced_by_id:
            successor = by_pk.get(m.replaced_by_id)
            add(
                m.end_date,
                "replaced",
                _("召回调整，原任职结束"),
                _("由%(name)s接替") % {"name": successor.person.name}
                if successor
                else "",
                actor_key="replaced_by_id",
            )
        elif m.end_date and m.end_date <= today:
            add(m.end_date, "end_date", STEP_LABELS["end_date"])
    order = {name: i for i, name in enumerate((*_STEP_FIELDS, "start_date"))}
    events.sort(key=lambda e: (e.on, e.membership.pk, order.get(e.kind, 99)))
    return events


def team_page(*, user, pk: int) -> TeamPage:
    """A team with everything its page shows; raises Team.DoesNotExist outside scope.

    Nine queries whatever the number of members and records: the team, its
    members, attendance by month, visits by quarter, reports, training days,
    funds, findings and the audit trail.
    """
    team = scoped(
        user,
        Team.objects.select_related(
            "village__township", "village__county__parent", "term"
        ),
    ).get(pk=pk)
    memberships = list(
        scoped(user, Membership.objects.select_related("person", "unit"))
        .filter(team=team)
        .order_by("role", "start_date", "id")
    )
    attendance = [
        MonthAttendance(**row)
        for row in scoped(user, MonthlyAttendance.objects.all())
        .filter(membership__team=team)
        .order_by()
        .values("month")
        .annotate(
            members=Count("id"),
            in_post_days=Sum("in_post_days"),
            leave_days=Sum("leave_days"),
            trip_days=Sum("trip_days"),
        )
        .order_by("-month")
    ]
    visits = [
        QuarterVisits(**row)
        for row in scoped(user, HouseholdVisit.objects.all())
        .filter(team=team)
        .order_by()
        .annotate(year=ExtractYear("visited_on"), quarter=ExtractQuarter("visited_on"))
        .values("year", "quarter")
        .annotate(visits=Count("id"), households=Count("household", distinct=True))
        .order_by("-year", "-quarter")
    ]
    reports = list(
        scoped(user, TeamReport.objects.all())
        .filter(team=team)
        .order_by("-year", "-quarter", "-id")
    )
    training = _training(user, team, memberships)
    funds = list(funding_selectors.fund_list(user=user, filters={"team": team.pk}))
    findings = list(
        compliance_selectors.finding_list(user=user).filter(team_id=team.pk)
    )
    today = clock.today()
    in_post = sum(
        1
        for m in memberships
        if m.start_date <= today and (m.end_date is None or m.end_date >= today)
    )
    rules = Thresholds.from_settings()
    least = (
        rules.liangshan_min_members
        if team.village.county.is_liangshan
        else rules.team_min_members
    )
    return TeamPage(
        team=team,
        memberships=memberships,
        attendance=attendance,
        visits=visits,
        reports=reports,
        training=training,
        funds=funds,
        findings=findings,
        timeline=timeline(user, memberships),
        members_in_post=in_post,
        least=least,
    )


def _training(user, team: Team, memberships: list[Membership]) -> list[TrainingLine]:
    """Training days of each member by year, during the team's stay. One query."""
    if not memberships:
        return []
    lines: dict[int, TrainingLine] = {}
    for m in memberships:
        lines.setdefault(m.person_id, TrainingLine(m.person_id, m.person.name))
    rows = scoped(user, TrainingRecord.objects.all()).filter(
        person_id__in=list(lines), event__start_date__gte=team.start_date
    )
    if team.end_date is not None:
        rows = rows.filter(event__start_date__lte=team.end_date)
    for row in (
        rows.order_by()
        .annotate(year=ExtractYear("event__start_date"))
        .values("person_id", "year")
        .annotate(days=Sum("days"))
        .order_by("year")
    ):
        lines[row["person_id"]].by_year[row["year"]] = row["days"]
    return list(lines.values())


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


def person_by_id_number(raw: str) -> Person:
    """The cadre of a 身份证号码; ValidationError when malformed or unknown.

    Not scoped, as in the API: a unit proposes cadres not yet sent anywhere.
    """
    number = parse_id_number(raw).number
    person = Person.objects.select_related("unit").filter(id_number=number).first()
    if person is None:
        raise ValidationError(_("没有这个身份证号码的干部，请先登记干部信息。"))
    return person


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
