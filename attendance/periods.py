"""Months and quarters of part 四, as pages, services and tasks name them.

A month is the date of its first day (``MonthlyAttendance.month``) and is written
``2022-12`` in URLs and the API; a quarter is written ``2022Q4``.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

date = datetime.date

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


def month_of(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_last_day(first: date) -> date:
    return next_month(first) - datetime.timedelta(days=1)


def days_in_month(first: date) -> int:
    return month_last_day(first).day


def next_month(first: date) -> date:
    if first.month == 12:
        return date(first.year + 1, 1, 1)
    return date(first.year, first.month + 1, 1)


def previous_month(first: date) -> date:
    if first.month == 1:
        return date(first.year - 1, 12, 1)
    return date(first.year, first.month - 1, 1)


def month_code(first: date) -> str:
    return f"{first:%Y-%m}"


def month_display(first: date) -> str:
    return f"{first.year}年{first.month}月"


def parse_month(text: str | None, *, field: str = "month") -> date:
    """``2022-12`` → 2022-12-01; a ValidationError (in Chinese) otherwise."""
    match = _MONTH.match((text or "").strip())
    if match and 2014 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    raise ValidationError(
        {field: _("月份“%(text)s”格式不对，应为“年-月”，如 2022-12。") % {"text": text}}
    )


def due_date(first: date) -> date:
    """The last day for a month's attendance: the 5th of the next month (a setting)."""
    day = int(getattr(settings, "ZHUCUN_ATTENDANCE_DUE_DAY", 5))
    return next_month(first).replace(day=day)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str | None, *, field: str = "quarter") -> "Quarter":
        match = _QUARTER.match((text or "").strip())
        if match and 2014 <= int(match[1]) <= 2100:
            return cls(int(match[1]), int(match[2]))
        raise ValidationError(
            {
                field: _("季度“%(text)s”格式不对，应为“年Q季度”，如 2022Q4。")
                % {"text": text}
            }
        )

    @property
    def first(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> date:
        return month_last_day(date(self.year, 3 * self.number, 1))

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def display(self) -> str:
        return f"{self.year}年第{_QUARTER_NAMES[self.number]}季度"

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)


def overlapping(first: date, last: date, prefix: str = "") -> Q:
    """Rows whose [start_date, end_date] meets [first, last] (as the rules engine)."""
    return Q(**{f"{prefix}start_date__lte": last}) & (
        Q(**{f"{prefix}end_date__isnull": True})
        | Q(**{f"{prefix}end_date__gte": first})
    )


def throughout(first: date, last: date, prefix: str = "") -> Q:
    """Rows whose [start_date, end_date] covers all of [first, last]."""
    return Q(**{f"{prefix}start_date__lte": first}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": last})
    )
