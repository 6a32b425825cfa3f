"""The county's yearly cycle: its years, its county and the year's people.

A year's people are the memberships in force at any time in the year (the rules
engine's ``served_in``), narrowed to the user's scope and, where a page is about
one county, to that county's teams.
"""

from django.db.models import DecimalField, QuerySet

from teams.models import Membership
from teams.selectors import counties_for
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.periods import year_bounds
from zhucun.queries import overlapping

FIRST_YEAR = 2018  # the policy's first term (川委办〔2018〕19号)
DAYS = DecimalField(max_digits=6, decimal_places=1)


def year_choices() -> list[int]:
    """Years a page offers: the first term's year to the year after today's."""
    return list(range(clock.today().year + 1, FIRST_YEAR - 1, -1))


def county_get(*, user, code: str) -> Region:
    """One county the user may look at; raises Region.DoesNotExist."""
    return counties_for(user).get(code=code)


def served_memberships(
    *, user, year: int, county: Region | None = None
) -> QuerySet[Membership]:
    """Memberships in force at any time in ``year``, in scope (and in ``county``)."""
    first, last = year_bounds(year)
    rows = scoped(user, Membership.objects.filter(overlapping(first, last)))
    if county is not None:
        rows = rows.filter(team__village__county=county)
    return rows


def _latest_memberships(rows: QuerySet[Membership]) -> dict[int, Membership]:
    """person_id → the membership of ``rows`` that started last (one query)."""
    chosen: dict[int, Membership] = {}
    for m in rows.select_related(
        "team__village__township", "team__village__county", "unit"
    ).order_by("person_id", "start_date", "id"):
        chosen[m.person_id] = m
    return chosen
