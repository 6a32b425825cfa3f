"""The periods a rule judges "as of" a day.

A period counts as completed on the day it ends: as of 2022-12-31 the fourth quarter
and the year 2022 are over (the day is read as its end), so the demo province, which
stands on 2022-12-31, is judged on 2022.
"""

import datetime
from dataclasses import dataclass

date = datetime.date

# Current-year shortfalls (training days, funds) are shown as progress warnings from
# the start of the year's last quarter: earlier, a shortfall is the normal state of a
# year under way and would bury the findings that need action.
PROGRESS_FROM_MONTH = 10

_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

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


def month_last_day(month: date) -> date:
    following = (
        date(month.year + 1, 1, 1)
        if month.month == 12
        else date(month.year, month.month + 1, 1)
    )
    return following - datetime.timedelta(days=1)


def last_completed_quarter(as_of: date) -> Quarter:
    """The latest quarter that ended on or before ``as_of``."""
    current = Quarter(as_of.year, (as_of.month - 1) // 3 + 1)
    if current.last <= as_of:
        return current
    if current.number == 1:
        return Quarter(as_of.year - 1, 4)
    return Quarter(as_of.year, current.number - 1)


def last_completed_year(as_of: date) -> int:
    """The latest calendar year that ended on or before ``as_of``."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def progress_year(as_of: date) -> int | None:
    """The year under way, when its shortfalls are shown as progress (see above)."""
    if last_completed_year(as_of) == as_of.year:
        return None
    return as_of.year if as_of.month >= PROGRESS_FROM_MONTH else None


def last_completed_month(as_of: date) -> date:
    """First day of the latest month that ended on or before ``as_of``."""
    month = date(as_of.year, as_of.month, 1)
    if month_last_day(month) <= as_of:
        return month
    return (
        date(as_of.year - 1, 12, 1)
        if month.month == 1
        else month.replace(month=month.month - 1)
    )


def months_of_year_to(last: date) -> list[date]:
    """First days of January to ``last``'s month, of ``last``'s year."""
    return [date(last.year, m, 1) for m in range(1, last.month + 1)]


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def month_display(month: date) -> str:
    return f"{month.year}年{month.month}月"
