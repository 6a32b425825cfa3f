"""Days, months, quarters and years as zhucun names and judges them.

A month is the date of its first day (``MonthlyAttendance.month``) and is written
``2022-12`` in URLs and the API; a quarter is written ``2022Q4``.

A period counts as completed on the day it ends: as of 2022-12-31 the fourth
quarter and the year 2022 are over (the day is read as its end), so the demo
province, which stands on 2022-12-31, is judged on 2022.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhucun.write_rules import Refusal

date = datetime.date

# The span of a data year (funds, grades, training, target letters, exit plans):
# the campaign's records start in 2014 (建档立卡) and plans reach 2030, the bound
# the villages' exit-year constraints already hold. One span, one message.
FIRST_YEAR = 2014
LAST_YEAR = 2030

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}

# Current-year shortfalls (training days, funds) are shown as progress warnings from
# the start of the year's last quarter: earlier, a shortfall is the normal state of a
# year under way and would bury the findings that need action.
PROGRESS_FROM_MONTH = 10


# --- months -------------------------------------------------------------------
def month_of(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(first: date) -> date:
    if first.month == 12:
        return date(first.year + 1, 1, 1)
    return date(first.year, first.month + 1, 1)


def previous_month(first: date) -> date:
    if first.month == 1:
        return date(first.year - 1, 12, 1)
    return date(first.year, first.month - 1, 1)


def month_last_day(first: date) -> date:
    return next_month(month_of(first)) - datetime.timedelta(days=1)


def days_in_month(first: date) -> int:
    return month_last_day(first).day


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


def months_of_year_to(last: date) -> list[date]:
    """First days of January to ``last``'s month, of ``last``'s year."""
    return [date(last.year, m, 1) for m in range(1, last.month + 1)]


# --- quarters -----------------------------------------------------------------
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


# --- years --------------------------------------------------------------------
def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def year_message(year) -> str:
    """The one refusal of a year outside the data span (every path shows it)."""
    return _("年度“%(year)s”不在%(first)d—%(last)d年之间。") % {
        "year": year,
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def year_refusals(proposals, *, field: str = "year") -> list[Refusal]:
    """Refuse each (item, year) whose year lies outside FIRST_YEAR..LAST_YEAR.

    Checked before anything turns the year into dates: 99999 has no 1 January.
    """
    return [
        Refusal(item, field, year_message(year))
        for item, year in proposals
        if year is not None and not FIRST_YEAR <= int(year) <= LAST_YEAR
    ]


def date_message(day: date) -> str:
    """The one refusal of a write's date outside the data span."""
    return _("日期%(day)s不在%(first)d—%(last)d年之间。") % {
        "day": day.isoformat(),
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def date_refusals(proposals) -> list[Refusal]:
    """Refuse each (item, field, date) outside the years FIRST_YEAR..LAST_YEAR.

    A date of a write (a spending, a fund's arrival, a visit) typed as 1920 or
    2202 is a typing slip, never a record of the campaign.
    """
    return [
        Refusal(item, field, date_message(day))
        for item, field, day in proposals
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR
    ]


# --- "as of" a day: what is over ---------------------------------------------
def last_completed_month(as_of: date) -> date:
    """First day of the latest month that ended on or before ``as_of``."""
    month = month_of(as_of)
    if month_last_day(month) <= as_of:
        return month
    return previous_month(month)


def last_completed_quarter(as_of: date) -> Quarter:
    """The latest quarter that ended on or before ``as_of``."""
    current = Quarter.of(as_of)
    return current if current.last <= as_of else current.previous()


def last_completed_year(as_of: date) -> int:
    """The latest calendar year that ended on or before ``as_of``."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def progress_year(as_of: date) -> int | None:
    """The year under way, when its shortfalls are shown as progress (see above)."""
    if last_completed_year(as_of) == as_of.year:
        return None
    return as_of.year if as_of.month >= PROGRESS_FROM_MONTH else None
