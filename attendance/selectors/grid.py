"""The monthly attendance grid of a township."""

import datetime
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q

from attendance.models import AttendanceSubmission
from teams.models import Membership
from villages.models import Region
from zhucun.access import scoped
from zhucun.periods import days_in_month, month_last_day
from zhucun.queries import overlapping


@dataclass(frozen=True)
class GridRow:
    membership_id: int
    person_name: str
    role: str
    village_name: str
    team_id: int
    start_date: datetime.date
    end_date: datetime.date | None
    served_days: int
    recorded: bool
    in_post_days: int | None
    leave_days: int | None
    trip_days: int | None
    remark: str


@dataclass(frozen=True)
class Grid:
    township: Region
    month: datetime.date
    days: int
    rows: list[GridRow]
    submission: AttendanceSubmission | None

    @property
    def locked(self) -> bool:
        return self.submission is not None and self.submission.submitted_at is not None

    @property
    def recorded(self) -> int:
        return sum(1 for row in self.rows if row.recorded)


def _served_days(start, end, month: datetime.date) -> int:
    last = month_last_day(month)
    return (min(end or last, last) - max(start, month)).days + 1


def grid_get(*, user, township: Region, month: datetime.date) -> Grid:
    """Every member of the township's teams in force in the month, with the month's row.

    Two queries: the members joined to their row of the month, and the lock.
    """
    last = month_last_day(month)
    rows = (
        scoped(
            user,
            Membership.objects.filter(
                overlapping(month, last), team__village__township=township
            ),
        )
        .annotate(
            rec=FilteredRelation("attendance", condition=Q(attendance__month=month))
        )
        .order_by("team__village__name", "team_id", "role", "person__name", "id")
        .values(
            "id",
            "person__name",
            "role",
            "team__village__name",
            "team_id",
            "start_date",
            "end_date",
            "rec__id",
            "rec__in_post_days",
            "rec__leave_days",
            "rec__trip_days",
            "rec__remark",
        )
    )
    roles = dict(Membership.Role.choices)
    grid_rows = [
        GridRow(
            membership_id=r["id"],
            person_name=r["person__name"],
            role=str(roles.get(r["role"], r["role"])),
            village_name=r["team__village__name"],
            team_id=r["team_id"],
            start_date=r["start_date"],
            end_date=r["end_date"],
            served_days=_served_days(r["start_date"], r["end_date"], month),
            recorded=r["rec__id"] is not None,
            in_post_days=r["rec__in_post_days"],
            leave_days=r["rec__leave_days"],
            trip_days=r["rec__trip_days"],
            remark=r["rec__remark"] or "",
        )
        for r in rows
    ]
    submission = AttendanceSubmission.objects.filter(
        township=township, month=month
    ).first()
    return Grid(
        township=township,
        month=month,
        days=days_in_month(month),
        rows=grid_rows,
        submission=submission,
    )
