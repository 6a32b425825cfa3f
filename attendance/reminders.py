"""Reminders: who has not yet done this month's or this quarter's duties.

Each generator finds its objects with a few set-based queries, turns them into
one reminder per recipient and object, and inserts the ones not sent before in
bulk. The unique constraint (recipient, kind, period, object) makes a second
sending impossible even when two runs race; the reminders already in the table
are left out first so that only new ones are counted and mailed. E-mail goes
after commit, by the ``mail_reminders`` task, to recipients with an address.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assessments.models import TrainingRecord
from attendance.models import (
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    Reminder,
    TeamReport,
)
from attendance.periods import due_date
from teams.models import Membership, Team
from villages.models import Household, Region
from zhucun import clock
from zhucun.audit import audit_records
from zhucun.models import UserScope
from zhucun.periods import Quarter, month_code, month_display, month_last_day, month_of
from zhucun.policy import Thresholds
from zhucun.queries import active_on, overlapping, throughout

Role = UserScope.Role
Kind = Reminder.Kind
# Reminders older than this are not mailed any more (an address added later
# should not bring a backlog of stale mail).
MAIL_WINDOW = datetime.timedelta(days=30)


@dataclass(frozen=True)
class Candidate:
    recipient_id: int
    object_id: int
    object_label: str
    message: str
    link: str
    region_id: int
    has_email: bool


def _link(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _recipients(
    role: str, ids: Iterable[int], field: str = "region_id"
) -> dict[int, list[tuple[int, bool]]]:
    """Active users of ``role`` by their region (or unit) id: [(user id, has e-mail)]."""
    found: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    rows = UserScope.objects.filter(
        role=role, user__is_active=True, **{f"{field}__in": sorted(set(ids))}
    ).values_list(field, "user_id", "user__email")
    for key, user_id, email in rows:
        found[key].append((user_id, bool(email)))
    return found


def _deliver(kind: str, period: str, candidates: Iterable[Candidate]) -> int:
    """Insert the candidates not sent before; the number inserted."""
    sent = set(
        Reminder.objects.filter(kind=kind, period=period).values_list(
            "recipient_id", "object_id"
        )
    )
    fresh: dict[tuple[int, int], Candidate] = {}
    for c in candidates:
        key = (c.recipient_id, c.object_id)
        if key not in sent:
            fresh.setdefault(key, c)
    if not fresh:
        return 0
    Reminder.objects.bulk_create(
        [
            Reminder(
                recipient_id=c.recipient_id,
                kind=kind,
                period=period,
                object_id=c.object_id,
                object_label=c.object_label[:200],
                message=c.message[:500],
                link=c.link[:300],
                region_id=c.region_id,
            )
            for c in fresh.values()
        ],
        batch_size=1000,
        # A run racing this one may have inserted some meanwhile: the unique
        # constraint keeps one of each, and nobody gets the same reminder twice.
        ignore_conflicts=True,
    )
    audit_records(
        [
            {
                "action": "create",
                "model": Reminder._meta.label_lower,
                "object_id": f"{kind}:{period}"[:32],
                "object_repr": f"{Reminder.Kind(kind).label} {period}",
                "county_code": "",
                "changes": {"sent": [None, len(fresh)]},
            }
        ]
    )
    if any(c.has_email for c in fresh.values()):
        transaction.on_commit(_queue_mail)
    return len(fresh)


def _queue_mail() -> None:
    # attendance.tasks imports this module for its tasks: a real cycle.
    from attendance.tasks import mail_reminders

    mail_reminders.delay()


def _team_label(row: dict, prefix: str = "") -> str:
    return "{}{}{}驻村工作队".format(
        row[f"{prefix}village__county__name"],
        row[f"{prefix}village__township__name"],
        row[f"{prefix}village__name"],
    )


_TEAM_FIELDS = (
    "village__name",
    "village__township_id",
    "village__township__name",
    "village__county_id",
    "village__county__name",
)


# --- Monthly: attendance not submitted --------------------------------------


def _unsubmitted_townships(month: datetime.date) -> list[dict]:
    """Townships with members in force in the month whose month is not submitted."""
    members = Membership.objects.filter(
        overlapping(month, month_last_day(month)),
        team__village__township=OuterRef("pk"),
    )
    submitted = AttendanceSubmission.objects.filter(
        township=OuterRef("pk"), month=month, submitted_at__isnull=False
    )
    return list(
        Region.objects.filter(level=Region.Level.TOWNSHIP)
        .filter(Exists(members), ~Exists(submitted))
        .values("id", "name", "code", "parent_id", "parent__name")
    )


@transaction.atomic
def reminders_attendance_due(*, month: datetime.date) -> int:
    """Before the month ends: each township that has not submitted it, to its staff."""
    month = month_of(month)
    townships = {t["id"]: t for t in _unsubmitted_townships(month)}
    staff = _recipients(Role.TOWNSHIP, list(townships))
    due = due_date(month)
    candidates = [
        Candidate(
            recipient_id=user_id,
            object_id=t["id"],
            object_label=f"{t['parent__name']}{t['name']}",
            message=_(
                "%(township)s%(month)s的驻村工作队队员考勤尚未报送，"
                "请在%(due)s前录入并报送。"
            )
            % {
                "township": t["name"],
                "month": month_display(month),
                "due": f"{due.month}月{due.day}日",
            },
            link=_link("attendance:grid", township=t["code"], month=month_code(month)),
            region_id=t["id"],
            has_email=has_email,
        )
        for township_id, users in staff.items()
        for t in [townships[township_id]]
        for user_id, has_email in users
    ]
    return _deliver(Kind.ATTENDANCE_DUE, month_code(month), candidates)


@transaction.atomic
def reminders_attendance_overdue(*, month: datetime.date) -> int:
    """After the due day: townships still not submitted, to their staff and county."""
    month = month_of(month)
    due = due_date(month)
    if clock.today() <= due:
        return 0
    townships = {t["id"]: t for t in _unsubmitted_townships(month)}
    staff = _recipients(Role.TOWNSHIP, list(townships))
    county_staff = _recipients(
        Role.COUNTY, sorted({t["parent_id"] for t in townships.values()})
    )
    candidates = []
    for t in townships.values():
        users = staff.get(t["id"], []) + county_staff.get(t["parent_id"], [])
        for user_id, has_email in users:
            candidates.append(
                Candidate(
                    recipient_id=user_id,
                    object_id=t["id"],
                    object_label=f"{t['parent__name']}{t['name']}",
                    message=_(
                        "%(county)s%(township)s%(month)s的考勤已超过报送期限"
                        "（%(due)s），至今未报送。"
                    )
                    % {
                        "county": t["parent__name"],
                        "township": t["name"],
                        "month": month_display(month),
                        "due": due.isoformat(),
                    },
                    link=_link(
                        "attendance:grid", township=t["code"], month=month_code(month)
                    ),
                    region_id=t["id"],
                    has_email=has_email,
                )
            )
    return _deliver(Kind.ATTENDANCE_OVERDUE, month_code(month), candidates)


# --- Quarterly: reports, meetings, visits, training -------------------------


def _quarter_teams(quarter: Quarter, today: datetime.date) -> QuerySet[Team]:
    """Teams in post for the whole quarter (those the rules judge for it)."""
    return Team.objects.order_by().filter(
        throughout(quarter.first, quarter.last), start_date__lte=today
    )


def _reports_missing(quarter: Quarter, today: datetime.date) -> int:
    reports = TeamReport.objects.filter(
        team=OuterRef("pk"), year=quarter.year, quarter=quarter.number
    )
    teams = list(
        _quarter_teams(quarter, today)
        .filter(~Exists(reports))
        .values("id", *_TEAM_FIELDS)
    )
    staff = _recipients(
        Role.TOWNSHIP,
        sorted({t["village__township_id"] for t in teams}),
    )
    candidates = [
        Candidate(
            recipient_id=user_id,
            object_id=team["id"],
            object_label=_team_label(team),
            message=_(
                "%(team)s%(quarter)s的思想、工作、学习情况报告尚未报送县（市、区）。"
            )
            % {"team": _team_label(team), "quarter": quarter.display},
            link=_link("attendance:report-new", team=team["id"], quarter=quarter.code),
            region_id=team["village__township_id"],
            has_email=has_email,
        )
        for team in teams
        for user_id, has_email in staff.get(team["village__township_id"], [])
    ]
    return _deliver(Kind.REPORT_MISSING, quarter.code, candidates)


def _meetings_missing(quarter: Quarter, today: datetime.date) -> int:
    teams = Team.objects.filter(
        overlapping(quarter.first, quarter.last),
        start_date__lte=today,
        village__county=OuterRef("pk"),
    )
    meetings = LeaderMeeting.objects.filter(
        county=OuterRef("pk"), held_on__gte=quarter.first, held_on__lte=quarter.last
    )
    counties = {
        c["id"]: c
        for c in Region.objects.filter(level=Region.Level.COUNTY)
        .filter(Exists(teams), ~Exists(meetings))
        .values("id", "name", "parent__name")
    }
    staff = _recipients(Role.COUNTY, list(counties))
    candidates = [
        Candidate(
            recipient_id=user_id,
            object_id=county_id,
            object_label=f"{counties[county_id]['parent__name']}"
            f"{counties[county_id]['name']}",
            message=_(
                "%(county)s%(quarter)s尚未召开驻村工作队队长会议（每季度至少1次）。"
            )
            % {"county": counties[county_id]["name"], "quarter": quarter.display},
            link=_link("attendance:meeting-new", quarter=quarter.code),
            region_id=county_id,
            has_email=has_email,
        )
        for county_id, users in staff.items()
        for user_id, has_email in users
    ]
    return _deliver(Kind.MEETING_MISSING, quarter.code, candidates)


def _visits_incomplete(quarter: Quarter, today: datetime.date) -> int:
    teams = _quarter_teams(quarter, today)
    villages = teams.values("village_id")
    totals = dict(
        Household.objects.order_by()
        .filter(village__in=villages)
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    visited = dict(
        HouseholdVisit.objects.order_by()
        .filter(
            household__village__in=villages,
            visited_on__gte=quarter.first,
            visited_on__lte=quarter.last,
        )
        .values("household__village_id")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("household__village_id", "n")
    )
    short = [
        team
        for team in teams.values("id", "village_id", *_TEAM_FIELDS)
        if visited.get(team["village_id"], 0) < totals.get(team["village_id"], 0)
    ]
    staff = _recipients(
        Role.TOWNSHIP, sorted({t["village__township_id"] for t in short})
    )
    candidates = []
    for team in short:
        total = totals[team["village_id"]]
        done = visited.get(team["village_id"], 0)
        for user_id, has_email in staff.get(team["village__township_id"], []):
            candidates.append(
                Candidate(
                    recipient_id=user_id,
                    object_id=team["id"],
                    object_label=_team_label(team),
                    message=_(
                        "%(team)s%(quarter)s已走访%(done)d户，全村%(total)d户，"
                        "还有%(left)d户未走访（每季度应走遍所有农户）。"
                    )
                    % {
                        "team": _team_label(team),
                        "quarter": quarter.display,
                        "done": done,
                        "total": total,
                        "left": total - done,
                    },
                    link=_link(
                        "attendance:unvisited", team=team["id"], quarter=quarter.code
                    ),
                    region_id=team["village__township_id"],
                    has_email=has_email,
                )
            )
    return _deliver(Kind.VISITS_INCOMPLETE, quarter.code, candidates)


def training_pace(quarter: Quarter) -> Decimal:
    """Days of training due by the quarter's end: the yearly minimum, pro rata."""
    least = Thresholds.from_settings().training_days_min
    return least * quarter.number / 4


def _training_behind(quarter: Quarter, today: datetime.date) -> int:
    day = min(quarter.last, today)
    pace = training_pace(quarter)
    decimal = DecimalField(max_digits=6, decimal_places=1)
    trained = (
        TrainingRecord.objects.order_by()
        .filter(
            person=OuterRef("person_id"),
            event__start_date__gte=datetime.date(quarter.year, 1, 1),
            event__start_date__lte=day,
        )
        .values("person_id")
        .annotate(total=Sum("days"))
        .values("total")
    )
    members = list(
        Membership.objects.order_by()
        .filter(active_on(day))
        .annotate(
            trained=Coalesce(Subquery(trained), Value(Decimal(0)), output_field=decimal)
        )
        .filter(trained__lt=pace)
        .values(
            "id",
            "person__name",
            "unit_id",
            "trained",
            *(f"team__{f}" for f in _TEAM_FIELDS),
        )
    )
    county_staff = _recipients(
        Role.COUNTY, sorted({m["team__village__county_id"] for m in members})
    )
    unit_staff = _recipients(Role.UNIT, {m["unit_id"] for m in members}, "unit_id")
    candidates = []
    for m in members:
        team = _team_label(m, "team__")
        message = _(
            "%(team)s队员%(name)s%(year)d年已培训%(days)s天；"
            "按每年不少于%(least)s天的进度，到%(quarter)s末应达到%(pace)s天。"
        ) % {
            "team": team,
            "name": m["person__name"],
            "year": quarter.year,
            "days": _days(m["trained"]),
            "least": _days(Thresholds.from_settings().training_days_min),
            "quarter": quarter.display,
            "pace": _days(pace),
        }
        users = county_staff.get(m["team__village__county_id"], []) + unit_staff.get(
            m["unit_id"], []
        )
        for user_id, has_email in users:
            candidates.append(
                Candidate(
                    recipient_id=user_id,
                    object_id=m["id"],
                    object_label=f"{m['person__name']}（{team}）",
                    message=message,
                    link="",
                    region_id=m["team__village__township_id"],
                    has_email=has_email,
                )
            )
    return _deliver(Kind.TRAINING_BEHIND, quarter.code, candidates)


def _days(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value else "0"
    return text


@transaction.atomic
def reminders_quarterly(*, quarter: Quarter) -> dict[str, int]:
    """The quarter's reminders of every kind; {kind: reminders sent now}."""
    today = clock.today()
    return {
        Kind.REPORT_MISSING.value: _reports_missing(quarter, today),
        Kind.MEETING_MISSING.value: _meetings_missing(quarter, today),
        Kind.VISITS_INCOMPLETE.value: _visits_incomplete(quarter, today),
        Kind.TRAINING_BEHIND.value: _training_behind(quarter, today),
    }


# --- E-mail --------------------------------------------------------------------


@transaction.atomic
def reminders_mail_pending() -> int:
    """Mail each recipient with an address their reminders not yet mailed; the count.

    Rows are claimed with ``select_for_update(skip_locked)`` so that two mailers
    running at once never send the same reminder; a failed send rolls back and
    the reminders are tried again next time.
    """
    now = timezone.now()
    pending = list(
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            mailed_at__isnull=True,
            created_at__gte=now - MAIL_WINDOW,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "id")
    )
    if not pending:
        return 0
    by_recipient: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in pending:
        by_recipient[reminder.recipient_id].append(reminder)
    site = getattr(settings, "ZHUCUN_SITE_URL", "").rstrip("/")
    messages = []
    for reminders in by_recipient.values():
        lines = [
            f"· {r.message}" + (f"\n  {site}{r.link}" if r.link else "")
            for r in reminders
        ]
        body = "\n".join(
            [
                _("您在驻村工作队管理系统中有%(n)d条新提醒：") % {"n": len(reminders)},
                "",
                *lines,
                "",
                _("请登录系统查看和处理。此邮件由系统自动发送，请勿回复。"),
            ]
        )
        subject = _("【驻村工作队管理系统】%(n)d条新提醒") % {"n": len(reminders)}
        messages.append(
            (subject, body, None, [reminders[0].recipient.email]),
        )
    send_mass_mail(messages, fail_silently=False)
    Reminder.objects.filter(pk__in=[r.pk for r in pending]).update(mailed_at=now)
    return len(pending)
