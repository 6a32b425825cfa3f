"""The team page's reads: one team with its members, records of every domain and timeline.

The page gathers attendance, visits, reports, training, funds and compliance
findings of one team, so it lives on the top floor; each part is read in a
fixed number of queries whatever the team's size.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Sum,
)
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils.translation import gettext as _

from assessments.models import TrainingRecord
from attendance.models import HouseholdVisit, MonthlyAttendance, TeamReport
from compliance import selectors as compliance_selectors
from compliance.models import FindingRecord
from funding import selectors as funding_selectors
from funding.models import Fund
from teams import figures
from teams.models import Membership, Team
from teams.team_selectors import (
    SET_ON_CREATE,
    STEP_FIELDS,
    STEP_LABELS,
)
from zhucun import clock
from zhucun.access import scoped
from zhucun.models import AuditEntry


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
    short: bool
    status: figures.TeamStatus
    snapshot: compliance_selectors.SnapshotStatus


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
            if actor is None and kind in SET_ON_CREATE:
                actor = actors.get((m.pk, "created"))
            events.append(TimelineEvent(on, m, kind, str(label), note, actor or ""))

        for name in STEP_FIELDS:
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
    order = {name: i for i, name in enumerate((*STEP_FIELDS, "start_date"))}
    events.sort(key=lambda e: (e.on, e.membership.pk, order.get(e.kind, 99)))
    return events


def team_page(*, user, pk: int) -> TeamPage:
    """A team with everything its page shows; raises Team.DoesNotExist outside scope.

    Ten queries whatever the number of members and records: the team, its
    members, attendance by month, visits by quarter, reports, training days,
    funds, findings, the compliance runs behind them and the audit trail.
    """
    today = clock.today()
    team = figures.with_staffing(
        scoped(
            user,
            Team.objects.select_related(
                "village__township", "village__county__parent", "term"
            ),
        ),
        today,
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
        members_in_post=team.members,
        least=team.least,
        short=team.short,
        status=figures.TeamStatus(team.status),
        # Without a run, no findings means "not checked", never "no problems".
        snapshot=compliance_selectors.snapshot_status(
            user=user, region=team.village.township
        ),
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
