"""The monthly attendance rollup: per team, township, county, prefecture and province.

Set-based: one ``INSERT … SELECT`` per level (the team level aggregates the
month's memberships joined to their attendance row; each level above sums the
level below, grouped by the parent region), one ``UPDATE`` for the rates (the
days due and the rate are ``attendance.figures``'). The
month's rows are deleted and inserted again in one transaction, so a run is
idempotent and a rerun after a correction replaces the month exactly.

Only one run at a time: the run locks the ``RollupLock`` row (``select_for_update
nowait``) before it touches a summary; a second run meanwhile raises
:class:`RollupBusy` instead of interleaving. On SQLite the immediate transaction
takes the database's write lock at BEGIN, which serialises runs the same way.
"""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from attendance import figures
from attendance.models import AttendanceRollup, RollupLock
from teams.models import Membership
from zhucun.audit import audit_records
from zhucun.periods import month_code, month_last_day, month_of
from zhucun.queries import overlapping

LOCK_NAME = "attendance.rollup"
Level = AttendanceRollup.Level

# The summary columns, in the order every level's SELECT yields them.
COLUMNS = (
    "level",
    "region_id",
    "team_id",
    "month",
    "members_expected",
    "members_recorded",
    "in_post_days",
    "leave_days",
    "trip_days",
    "days_possible",
    "computed_at",
)
_SUMS = (
    "members_expected",
    "members_recorded",
    "in_post_days",
    "leave_days",
    "trip_days",
    "days_possible",
)
# Each level above the team sums the level below, grouped by this region.
_PARENTS = (
    (Level.TOWNSHIP, Level.TEAM, "region_id"),
    (Level.COUNTY, Level.TOWNSHIP, "region__parent_id"),
    (Level.PREFECTURE, Level.COUNTY, "region__parent_id"),
    (Level.PROVINCE, Level.PREFECTURE, "region__parent_id"),
)


class RollupBusy(Exception):
    """Another rollup holds the lock; this one did nothing."""


@dataclass(frozen=True)
class RollupResult:
    month: datetime.date
    rows: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up of the rollup did: rows written and a line for the log."""

    rows: int
    message: str


# What runs after every month's rollup (the task and the command). The
# dashboards register their per-county summary here from their AppConfig, so
# attendance imports nothing above it.
AFTER_ROLLUP: list[Callable[[], FollowUp]] = []


def after_rollup(follow_up: Callable[[], FollowUp]) -> Callable[[], FollowUp]:
    """Register ``follow_up`` to run after each rollup."""
    AFTER_ROLLUP.append(follow_up)
    return follow_up


def rollup_follow_ups() -> list[FollowUp]:
    """Run what is registered to follow a rollup, in the order registered."""
    return [follow_up() for follow_up in AFTER_ROLLUP]


def _constants(level: str, month: datetime.date, now: datetime.datetime) -> dict:
    return {
        "c_level": Value(Level(level).value),
        "c_month": Value(month, output_field=DateField()),
        "c_at": Value(now, output_field=DateTimeField()),
    }


def _team_level(month: datetime.date, now: datetime.datetime) -> QuerySet:
    """Per team: memberships in force in the month, their row of it, days served."""
    last = month_last_day(month)
    zero = Value(0)
    return (
        Membership.objects.order_by()
        .filter(overlapping(month, last))
        .annotate(
            rec=FilteredRelation("attendance", condition=Q(attendance__month=month))
        )
        .values(g_region=F("team__village__township_id"), g_team=F("team_id"))
        .annotate(
            s_expected=Count("id"),
            s_recorded=Count("rec__id"),
            s_in_post=Coalesce(Sum("rec__in_post_days"), zero),
            s_leave=Coalesce(Sum("rec__leave_days"), zero),
            s_trip=Coalesce(Sum("rec__trip_days"), zero),
            s_possible=Sum(figures.days_due(month)),
            **_constants(Level.TEAM, month, now),
        )
        .values(
            "c_level",
            "g_region",
            "g_team",
            "c_month",
            "s_expected",
            "s_recorded",
            "s_in_post",
            "s_leave",
            "s_trip",
            "s_possible",
            "c_at",
        )
    )


def _level_above(
    level: str, below: str, group: str, month: datetime.date, now: datetime.datetime
) -> QuerySet:
    """Per region of ``level``: the sums of its rows at level ``below``."""
    return (
        AttendanceRollup.objects.order_by()
        .filter(month=month, level=below)
        .values(g_region=F(group))
        .annotate(
            **{f"s_{name}": Sum(name) for name in _SUMS},
            **_constants(level, month, now),
            g_team=Value(None, output_field=IntegerField()),
        )
        .values(
            "c_level",
            "g_region",
            "g_team",
            "c_month",
            *(f"s_{name}" for name in _SUMS),
            "c_at",
        )
    )


def _insert_from(queryset: QuerySet) -> int:
    """INSERT INTO the summary table the rows ``queryset`` selects; their number."""
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    table = quote(AttendanceRollup._meta.db_table)
    columns = ", ".join(quote(name) for name in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return cursor.rowcount


def _take_lock() -> RollupLock:
    RollupLock.objects.bulk_create([RollupLock(name=LOCK_NAME)], ignore_conflicts=True)
    try:
        return RollupLock.objects.select_for_update(nowait=True).get(name=LOCK_NAME)
    except OperationalError as exc:
        raise RollupBusy(LOCK_NAME) from exc


def attendance_rollup(*, month: datetime.date) -> RollupResult:
    """Recompute the month's summaries at every level (idempotent; one run at a time)."""
    month = month_of(month)
    started = time.monotonic()
    try:
        with transaction.atomic():
            return _rollup(month, started)
    except OperationalError as exc:
        # SQLite: the write lock of another run outlasted the busy timeout.
        raise RollupBusy(LOCK_NAME) from exc


def _rollup(month: datetime.date, started: float) -> RollupResult:
    lock = _take_lock()
    now = timezone.now()
    AttendanceRollup.objects.filter(month=month).delete()
    rows = {Level.TEAM.value: _insert_from(_team_level(month, now))}
    for level, below, group in _PARENTS:
        rows[level.value] = _insert_from(_level_above(level, below, group, month, now))
    AttendanceRollup.objects.filter(figures.rate_known(), month=month).update(
        rate=figures.attendance_rate()
    )
    lock.last_run_at = now
    lock.save(update_fields=["last_run_at"])
    audit_records(
        [
            {
                "action": "update",
                "model": AttendanceRollup._meta.label_lower,
                "object_id": month_code(month),
                "object_repr": f"{month:%Y年%m月}在岗汇总",
                "county_code": "",
                "changes": {"rows": [None, rows]},
            }
        ]
    )
    return RollupResult(
        month=month, rows=rows, seconds=round(time.monotonic() - started, 3)
    )
