"""Celery tasks of part 四: thin, primitives in, one service each, idempotent.

Schedules are in ``zhucun/schedules.py``. A month is passed as ``"2022-12"`` and a
quarter as ``"2022Q4"``; without one, the task works on the period of the
system's today (``zhucun.clock``).
"""

from celery import shared_task

from attendance.reminders import (
    reminders_attendance_due,
    reminders_attendance_overdue,
    reminders_mail_pending,
    reminders_quarterly,
)
from attendance.rollups import RollupBusy, attendance_rollup, rollup_follow_ups
from zhucun import clock
from zhucun.periods import Quarter, month_code, month_of, parse_month, previous_month

BUSY_RETRY_SECONDS = 60


def _month(month: str | None, *, previous: bool = False):
    if month:
        return parse_month(month)
    current = month_of(clock.today())
    return previous_month(current) if previous else current


@shared_task(
    name="attendance.tasks.rollup_month",
    bind=True,
    max_retries=5,
    ignore_result=True,
)
def rollup_month(self, month: str | None = None, previous: bool = False) -> dict:
    """Recompute a month's attendance summaries (default: this month).

    Then the counties' dashboard counts of this year, so that the dashboards
    show the night's figures in the morning.
    """
    try:
        result = attendance_rollup(month=_month(month, previous=previous))
    except RollupBusy as exc:
        # Another run holds the lock; this one comes back once it is done.
        raise self.retry(exc=exc, countdown=BUSY_RETRY_SECONDS) from exc
    follow_ups = rollup_follow_ups()
    return {
        "month": month_code(result.month),
        "rows": result.rows,
        "seconds": result.seconds,
        # The dashboards' per-county summaries (dashboards/apps.py registers them).
        "place_summaries": sum(done.rows for done in follow_ups),
    }


@shared_task(name="attendance.tasks.remind_attendance_due", ignore_result=True)
def remind_attendance_due(month: str | None = None) -> int:
    """Remind townships that have not submitted the month (default: this month)."""
    return reminders_attendance_due(month=_month(month))


@shared_task(name="attendance.tasks.remind_attendance_overdue", ignore_result=True)
def remind_attendance_overdue(month: str | None = None) -> int:
    """Remind townships and counties of a month past its due day (default: last month)."""
    return reminders_attendance_overdue(month=_month(month, previous=True))


@shared_task(name="attendance.tasks.remind_quarterly", ignore_result=True)
def remind_quarterly(quarter: str | None = None) -> dict:
    """The quarter's reminders: reports, meetings, visits, training (default: this one)."""
    period = Quarter.parse(quarter) if quarter else Quarter.of(clock.today())
    return reminders_quarterly(quarter=period)


@shared_task(name="attendance.tasks.mail_reminders", ignore_result=True)
def mail_reminders() -> int:
    """Mail the reminders not mailed yet to recipients with an address."""
    return reminders_mail_pending()
