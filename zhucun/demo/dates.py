"""The fixed calendar of the demo: its two terms, the months and quarters it fills.

Nothing here reads the clock: every date of the demo is fixed relative to the terms,
so the same seed gives the same rows on any day.
"""

import datetime
from dataclasses import dataclass

date = datetime.date


@dataclass(frozen=True)
class TermSpec:
    name: str
    start: datetime.date
    end: datetime.date
    in_post_deadline: datetime.date

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


# The policy's own term, created by migration teams/0003_policy_term.
TERM_2018 = TermSpec(
    "2018—2020年驻村期", date(2018, 6, 1), date(2020, 5, 31), date(2018, 6, 30)
)
TERM_2021 = TermSpec(
    "2021—2022年驻村期", date(2021, 6, 1), date(2023, 5, 31), date(2021, 6, 30)
)

# The day the demo "stands on": duties are filled up to here (attendance to 2022-12,
# visits for 2022 Q4). Run compliance with --as-of 2022-12-31 to see the demo as meant.
AS_OF = date(2022, 12, 31)

# Graded and funded years of the current term (2023 has not been graded yet).
CURRENT_YEARS = (2021, 2022)
VISIT_QUARTER = (2022, 4)

# A replaced member of the current term leaves on this day; the successor starts the next.
REPLACEMENT_END = date(2021, 12, 31)
REPLACEMENT_START = date(2022, 1, 1)


def month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """First days of the months from ``first``'s month to ``last``'s month, inclusive."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


ATTENDANCE_MONTHS = month_starts(TERM_2021.start, AS_OF)


def days_in_month(month: datetime.date) -> int:
    following = date(month.year + 1, 1, 1) if month.month == 12 else None
    following = following or date(month.year, month.month + 1, 1)
    return (following - month).days


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = date(year, 3 * quarter - 2, 1)
    end_month = date(year, 3 * quarter, 1)
    return start, end_month + datetime.timedelta(days=days_in_month(end_month) - 1)


def quarters_between(
    first: datetime.date, last: datetime.date
) -> list[tuple[int, int]]:
    """(year, quarter) of every quarter that starts on or after ``first`` and ends by ``last``."""
    result = []
    for year in range(first.year, last.year + 1):
        for quarter in range(1, 5):
            start, end = quarter_bounds(year, quarter)
            if start >= date(first.year, first.month, 1) and end <= last:
                result.append((year, quarter))
    return result


CURRENT_QUARTERS = quarters_between(TERM_2021.start, AS_OF)
