"""When a month's attendance is due (四(一)); the months themselves are in zhucun.periods."""

from django.conf import settings

from zhucun.periods import date, next_month


def due_date(first: date) -> date:
    """The last day for a month's attendance: the 5th of the next month (a setting)."""
    day = int(getattr(settings, "ZHUCUN_ATTENDANCE_DUE_DAY", 5))
    return next_month(first).replace(day=day)
