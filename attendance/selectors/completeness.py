"""Completeness and timeliness of the attendance, per township and month."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AttendanceSubmission
from attendance.periods import due_date
from teams.models import Membership
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.periods import month_last_day
from zhucun.queries import overlapping


@dataclass(frozen=True)
class CompletenessRow:
    township_id: int
    code: str
    name: str
    county_name: str
    expected: int
    recorded: int
    submitted_at: datetime.datetime | None
    first_submitted_at: datetime.datetime | None
    reopened_reason: str
    due: datetime.date
    today: datetime.date

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def on_time(self) -> bool | None:
        """True/False once submitted; None while not (see ``overdue``)."""
        first = self.first_submitted_at or self.submitted_at
        if first is None:
            return None
        return timezone.localtime(first).date() <= self.due

    @property
    def overdue(self) -> bool:
        return self.submitted_at is None and self.today > self.due

    @property
    def status(self) -> str:
        if self.submitted_at is not None:
            return _("按时报送") if self.on_time else _("逾期报送")
        if self.first_submitted_at is not None:
            return _("已退回修改")
        return _("逾期未报送") if self.overdue else _("未报送")

    @property
    def percent(self) -> int:
        return round(100 * self.recorded / self.expected) if self.expected else 0


@dataclass(frozen=True)
class CompletenessSummary:
    townships: int
    submitted: int
    on_time: int

    @property
    def submitted_percent(self) -> int:
        return round(100 * self.submitted / self.townships) if self.townships else 0

    @property
    def on_time_percent(self) -> int:
        return round(100 * self.on_time / self.townships) if self.townships else 0


def _month_members(user, month: datetime.date, region: Region | None):
    members = scoped(
        user, Membership.objects.filter(overlapping(month, month_last_day(month)))
    )
    if region is not None:
        members = members.filter(team__village__township__path__startswith=region.path)
    return members.order_by()


def completeness_townships(
    *, user, month: datetime.date, region: Region | None = None
) -> QuerySet:
    """Per township with members in force in the month: expected and recorded rows.

    A values() queryset grouped by township, to paginate; ``completeness_rows``
    adds the month's submissions to a page of it.
    """
    return (
        _month_members(user, month, region)
        .annotate(
            rec=FilteredRelation("attendance", condition=Q(attendance__month=month))
        )
        .values(
            "team__village__township_id",
            "team__village__township__code",
            "team__village__township__name",
            "team__village__county__name",
        )
        .annotate(expected=Count("id"), recorded=Count("rec__id"))
        .order_by("team__village__township__code")
    )


def completeness_rows(*, month: datetime.date, townships) -> list[CompletenessRow]:
    """Rows of ``completeness_townships`` (a page of it) with their submission."""
    townships = list(townships)
    submissions = {
        s.township_id: s
        for s in AttendanceSubmission.objects.filter(
            month=month,
            township_id__in=[t["team__village__township_id"] for t in townships],
        )
    }
    due, today = due_date(month), clock.today()
    rows = []
    for t in townships:
        s = submissions.get(t["team__village__township_id"])
        rows.append(
            CompletenessRow(
                township_id=t["team__village__township_id"],
                code=t["team__village__township__code"],
                name=t["team__village__township__name"],
                county_name=t["team__village__county__name"],
                expected=t["expected"],
                recorded=t["recorded"],
                submitted_at=s.submitted_at if s else None,
                first_submitted_at=s.first_submitted_at if s else None,
                reopened_reason=s.reopened_reason if s else "",
                due=due,
                today=today,
            )
        )
    return rows


def completeness_summary(
    *, user, month: datetime.date, region: Region | None = None
) -> CompletenessSummary:
    """Townships expected to report the month, submitted, submitted on time."""
    townships = _month_members(user, month, region).values("team__village__township_id")
    due_end = timezone.make_aware(
        datetime.datetime.combine(
            due_date(month) + datetime.timedelta(days=1), datetime.time()
        )
    )
    counts = AttendanceSubmission.objects.filter(
        month=month, township_id__in=townships, submitted_at__isnull=False
    ).aggregate(
        submitted=Count("id"),
        on_time=Count(
            "id",
            filter=Q(first_submitted_at__lt=due_end)
            | Q(first_submitted_at__isnull=True, submitted_at__lt=due_end),
        ),
    )
    return CompletenessSummary(
        townships=townships.distinct().count(),
        submitted=counts["submitted"],
        on_time=counts["on_time"],
    )
