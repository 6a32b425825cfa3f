"""The 20% cap on 优秀 (四(三)): who counts and how many 优秀 a county may give.

One function counts for the grading service, the importer, the rules engine and
the dashboards, so they can never disagree.
"""

import math
from decimal import Decimal

from django.db.models import Count, Q

from assessments.models import Assessment
from teams.models import Membership
from zhucun.periods import year_bounds
from zhucun.queries import overlapping

FS = Membership.Role.FIRST_SECRETARY


def excellent_cap(ratio: Decimal, eligible: int) -> int:
    """The most 优秀 grades a county may give: floor(ratio × members)."""
    return math.floor(ratio * eligible)


def cap_counts(
    year: int, county_ids: list[int] | None, exclude_person_id: int | None = None
) -> tuple[dict[int, int], dict[int, int]]:
    """Per county, for the 20% cap of ``year``: (members, 优秀 grades).

    Members are the distinct people who served on the county's teams at any time in
    the year, first secretaries excluded; 优秀 grades are the year's annual grades
    of those members (first secretaries' own grades do not count). The cap service
    (``assessments.services.assessment_grade``) counts with this same function.
    ``county_ids`` limits the counties counted (None: all).
    """
    eligible = eligible_counts(year, county_ids)
    excellent = counted_excellent(year)
    if exclude_person_id is not None:
        excellent = excellent.exclude(person_id=exclude_person_id)
    graded = dict(
        excellent.filter(_county_q(county_ids, "membership__team__village__county_id"))
        .values("membership__team__village__county_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("membership__team__village__county_id", "n")
    )
    return eligible, graded


def eligible_counts(year: int, county_ids: list[int] | None) -> dict[int, int]:
    """Per county: the people who served on its teams in ``year``, FS excluded."""
    first, last = year_bounds(year)
    return dict(
        Membership.objects.filter(overlapping(first, last))
        .exclude(role=FS)
        .filter(_county_q(county_ids, "team__village__county_id"))
        .values("team__village__county_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("team__village__county_id", "n")
    )


def counted_excellent(year: int):
    """The year's annual 优秀 grades that count against the cap (FS' own excluded)."""
    return Assessment.objects.filter(
        year=year, kind=Assessment.Kind.ANNUAL, grade=Assessment.Grade.EXCELLENT
    ).exclude(membership__role=FS)


def _county_q(county_ids: list[int] | None, field: str) -> Q:
    return Q() if county_ids is None else Q(**{f"{field}__in": county_ids})
