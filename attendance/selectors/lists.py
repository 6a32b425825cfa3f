"""The API's lists and records, each scoped to the user."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from attendance.models import (
    AttendanceRollup,
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    Reminder,
    TeamReport,
)
from teams.models import Membership
from zhucun.access import scope_q, scoped

from .filters import (
    AttendanceFilterSet,
    MeetingFilterSet,
    ReminderFilterSet,
    ReportFilterSet,
    RollupFilterSet,
    SubmissionFilterSet,
    VisitFilterSet,
)


def _attendance(*, user) -> QuerySet[MonthlyAttendance]:
    return scoped(
        user,
        MonthlyAttendance.objects.select_related(
            "membership__person", "membership__team__village__township"
        ),
    )


def attendance_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[MonthlyAttendance]:
    """Monthly attendance rows, newest month first."""
    return AttendanceFilterSet.apply(filters, _attendance(user=user), user=user)


def attendance_get(*, user, pk: int) -> MonthlyAttendance:
    return _attendance(user=user).get(pk=pk)


def _submissions(*, user) -> QuerySet[AttendanceSubmission]:
    return scoped(user, AttendanceSubmission.objects.select_related("township__parent"))


def submission_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[AttendanceSubmission]:
    """Townships' months and their state (submitted, reopened, open)."""
    return SubmissionFilterSet.apply(filters, _submissions(user=user), user=user)


def submission_get(*, user, pk: int) -> AttendanceSubmission:
    return _submissions(user=user).get(pk=pk)


def _visits(*, user) -> QuerySet[HouseholdVisit]:
    return scoped(
        user,
        HouseholdVisit.objects.select_related(
            "household", "membership__person", "team__village"
        ),
    )


def visit_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[HouseholdVisit]:
    """Household visits, newest first."""
    return VisitFilterSet.apply(filters, _visits(user=user), user=user).order_by(
        "-visited_on", "-id"
    )


def visit_get(*, user, pk: int) -> HouseholdVisit:
    return _visits(user=user).get(pk=pk)


def _reports(*, user) -> QuerySet[TeamReport]:
    return scoped(user, TeamReport.objects.select_related("team__village"))


def report_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TeamReport]:
    """Quarterly team reports, newest quarter first."""
    return ReportFilterSet.apply(filters, _reports(user=user), user=user).order_by(
        "-year", "-quarter", "team_id"
    )


def _meetings(*, user) -> QuerySet[LeaderMeeting]:
    return scoped(
        user,
        LeaderMeeting.objects.select_related("county").prefetch_related(
            Prefetch("attendees", queryset=Membership.objects.order_by("id"))
        ),
    )


def meeting_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[LeaderMeeting]:
    """County team-leader meetings, newest first (two queries: rows, attendees)."""
    return MeetingFilterSet.apply(filters, _meetings(user=user), user=user).order_by(
        "-held_on", "-id"
    )


def meeting_api_get(*, user, pk: int) -> LeaderMeeting:
    return _meetings(user=user).get(pk=pk)


def _rollups(*, user) -> QuerySet[AttendanceRollup]:
    return scoped(user, AttendanceRollup.objects.select_related("region"))


def rollup_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[AttendanceRollup]:
    """Monthly summaries, newest month first, province down to teams."""
    return RollupFilterSet.apply(filters, _rollups(user=user), user=user)


def rollup_get(*, user, pk: int) -> AttendanceRollup:
    return _rollups(user=user).get(pk=pk)


def _reminders(*, user) -> QuerySet[Reminder]:
    """Reminders sent inside the user's scope, and the user's own."""
    q = scope_q(user, Reminder)
    rows = Reminder.objects.select_related("recipient")
    if q is None:
        return rows
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    return rows.filter(q | Q(recipient=user))


def reminder_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Reminder]:
    """Reminders, newest first; ``mine=true`` for the user's own inbox."""
    return ReminderFilterSet.apply_for(user, filters, _reminders(user=user))


def reminder_get(*, user, pk: int) -> Reminder:
    return _reminders(user=user).get(pk=pk)
