"""One definition of the attendance rate (在岗率) and of visit coverage (走访覆盖率).

在岗率 (四(一)) is the days in post recorded over the days the members were due
in post: each membership in force in the month is due every day of the month
it served (from its start day or the 1st to its end day or the month's last
day). The monthly rollup (``attendance.rollups``) writes it at every level, and
the dashboards' chart, the rollup pages, the API and the exports read those rows.

走访覆盖率 (三(四) 每季度走遍所有农户) is, for a quarter, the households visited
in it over the households of the villages with a team in post at some time in
it (up to today). A household counts once whichever team (old or new) visited
it, as the rule ``HOUSEHOLDS_NOT_ALL_VISITED`` judges the quarter. The visit
pages (per team), the team rows of the county page and the dashboards' counts
and summary table (per township and county) read these.
"""

import datetime

from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractDay

from attendance.models import HouseholdVisit
from teams.models import Team
from zhucun.periods import Quarter, days_in_month, month_last_day
from zhucun.queries import overlapping

# --- 在岗率 -------------------------------------------------------------------


def days_due(month: datetime.date) -> Case:
    """A membership's days due in post in ``month`` (an expression on memberships).

    From the start day (or the 1st) to the end day (or the month's last day),
    both inclusive; only for memberships ``overlapping`` the month.
    """
    last = month_last_day(month)
    first_day = Case(
        When(start_date__gt=month, then=ExtractDay("start_date")),
        default=Value(1),
        output_field=IntegerField(),
    )
    last_day = Case(
        When(end_date__lt=last, then=ExtractDay("end_date")),
        default=Value(days_in_month(month)),
        output_field=IntegerField(),
    )
    return last_day - first_day + 1


def attendance_rate(in_post: str = "in_post_days", due: str = "days_possible"):
    """在岗率 = days in post ÷ days due, on rows where the days due are above 0.

    Cast first: an integer division would round every rate down to 0.
    """
    return Cast(F(in_post), FloatField()) / F(due)


def rate_known(due: str = "days_possible") -> Q:
    """Rows whose rate is defined: with no day due there is no rate (unknown, not 0)."""
    return Q(**{f"{due}__gt": 0})


# --- 走访覆盖率 ----------------------------------------------------------------


def quarter_teams(quarter: Quarter, today: datetime.date) -> Q:
    """Teams in post at some time in ``quarter``, sent by ``today``."""
    return overlapping(quarter.first, quarter.last) & Q(start_date__lte=today)


def visits_in(quarter: Quarter) -> QuerySet[HouseholdVisit]:
    """The visits dated in ``quarter``."""
    return HouseholdVisit.objects.filter(
        visited_on__gte=quarter.first, visited_on__lte=quarter.last
    )


def to_visit(quarter: Quarter, today: datetime.date, prefix: str = "") -> Q:
    """Households (via ``prefix``) to visit in ``quarter``: their village had a team."""
    villages = Team.objects.filter(quarter_teams(quarter, today)).values("village_id")
    return Q(**{f"{prefix}village_id__in": villages})


def visited(quarter: Quarter, prefix: str = "") -> Q:
    """Households (via ``prefix``) visited at least once in ``quarter``.

    A hashed set of the quarter's visited households (``IN``), which scans the
    province's households in one pass where a correlated ``EXISTS`` would not.
    """
    return Q(**{f"{prefix}pk__in": visits_in(quarter).values("household_id")})


def not_visited(quarter: Quarter) -> Exists:
    """Negated ``visited`` for a household queryset, as an anti-join.

    ``exclude(visited(...))`` would be ``NOT IN (subquery)``, which PostgreSQL
    cannot turn into an anti-join: once the quarter's visits outgrow
    ``work_mem`` the subquery is rescanned for every household. ``NOT EXISTS``
    plans as a hash or index anti-join whatever the size.
    """
    return ~Exists(visits_in(quarter).filter(household_id=OuterRef("pk")))
