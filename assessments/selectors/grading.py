"""Annual and term-end grading (四(三)), the 20% cap and the units barred from 优秀."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assessments.caps import cap_counts, excellent_cap
from assessments.models import Assessment
from compliance.rules import Finding, evaluate
from teams.models import Membership, Person, Term, Unit
from teams.selectors import counties_for
from villages.filters import RegionFilter
from villages.models import Region
from zhucun.access import scoped, user_scope
from zhucun.api_filters import IdFilter, StrictFilterSet
from zhucun.policy import Thresholds

from .cycle import _latest_memberships, served_memberships


@dataclass(frozen=True)
class CapSummary:
    """The county's 优秀 places for a year (first secretaries excluded)."""

    members: int
    cap: int
    excellent: int
    ratio: Decimal

    @property
    def remaining(self) -> int:
        return max(self.cap - self.excellent, 0)

    @property
    def over(self) -> int:
        return max(self.excellent - self.cap, 0)


def excellent_cap_summary(*, county: Region, year: int) -> CapSummary:
    """How many 优秀 the county may still give for ``year`` (two queries)."""
    ratio = Thresholds.from_settings().excellent_cap_ratio
    eligible, graded = cap_counts(year, [county.pk])
    members = eligible.get(county.pk, 0)
    return CapSummary(
        members=members,
        cap=excellent_cap(ratio, members),
        excellent=graded.get(county.pk, 0),
        ratio=ratio,
    )


@dataclass
class GradingRow:
    """One person to grade: the membership graded on and the grade held."""

    person: Person
    membership: Membership
    assessment: Assessment | None

    @property
    def counts_for_cap(self) -> bool:
        return self.membership.role != Membership.Role.FIRST_SECRETARY


def term_end_year(term: Term) -> int:
    """The year a term's 期满考核 belongs to: the year the term ends."""
    return term.end_date.year


def grading_memberships(
    *, user, county: Region, year: int, term: Term | None = None
) -> QuerySet[Membership]:
    """The memberships to grade: a year's, or those at the end of ``term``."""
    rows = served_memberships(user=user, year=year, county=county)
    if term is not None:
        rows = rows.filter(team__term=term)
    return rows


def grading_people(
    *, user, county: Region, year: int, term: Term | None = None
) -> QuerySet[Person]:
    """Everyone to grade in a county for a year (or a term's end), by name."""
    rows = grading_memberships(user=user, county=county, year=year, term=term)
    return Person.objects.filter(pk__in=rows.values("person_id")).order_by("name", "id")


def grading_rows(
    *,
    user,
    county: Region,
    year: int,
    people: list[Person],
    kind: str = Assessment.Kind.ANNUAL,
    term: Term | None = None,
) -> list[GradingRow]:
    """The rows of a page of ``grading_people`` (two queries whatever its size)."""
    rows = grading_memberships(user=user, county=county, year=year, term=term)
    latest = _latest_memberships(rows.filter(person__in=people))
    grades = {
        a.person_id: a
        for a in scoped(
            user,
            Assessment.objects.filter(person__in=people, year=year, kind=kind),
        )
    }
    return [
        GradingRow(person=p, membership=latest[p.pk], assessment=grades.get(p.pk))
        for p in people
        if p.pk in latest
    ]


def terms_for_term_end() -> QuerySet[Term]:
    """Terms, latest first (the term-end page offers them)."""
    return Term.objects.order_by("-end_date")


class AssessmentFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="membership__team__village__township__path")
    year = django_filters.NumberFilter(label=_("考核年度。"))
    kind = django_filters.ChoiceFilter(
        choices=Assessment.Kind.choices, label=_("考核类型。")
    )
    grade = django_filters.ChoiceFilter(
        choices=Assessment.Grade.choices, label=_("考核等次。")
    )
    person = IdFilter(field_name="person", label=_("干部的 id。"))
    team = IdFilter(field_name="membership__team", label=_("驻村工作队的 id。"))

    class Meta:
        model = Assessment
        fields = ["region", "year", "kind", "grade", "person", "team"]


def _assessments(*, user) -> QuerySet[Assessment]:
    return scoped(
        user,
        Assessment.objects.select_related(
            "person",
            "membership__unit",
            "membership__team__village__township",
            "membership__team__village__county",
        ),
    )


def assessment_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Assessment]:
    """Grades, latest year first."""
    return AssessmentFilterSet.apply(
        filters, _assessments(user=user), user=user
    ).order_by("-year", "kind", "person__name", "id")


def assessment_get(*, user, pk: int) -> Assessment:
    """One grade; raises Assessment.DoesNotExist."""
    return _assessments(user=user).get(pk=pk)


# --- units barred from excellence (四(三), 四(四)) -------------------------------------

BARRED_RULES = ("UNIT_BARRED_FOR_UNFIT", "UNIT_BARRED_FOR_VILLAGE")


def barred_units(*, user, year: int, county: Region | None = None) -> list[Finding]:
    """Units (and their heads) barred from excellence in ``year``, as the rules find.

    The rules judge the year as completed (as of its 31 December), for ``county``
    or the user's region; only findings in counties the user may see are kept, and
    a unit's or work committee's user sees its own units only.
    """
    region = county
    scope = user_scope(user)
    if region is None and scope is not None and scope.region_id is not None:
        region = scope.region
    findings = evaluate(datetime.date(year, 12, 31), region, list(BARRED_RULES))
    codes = set(counties_for(user).values_list("code", flat=True))
    units: set[int] | None = None
    if scope is not None and scope.region_id is None and not user.is_superuser:
        units = set(scoped(user, Unit.objects.all()).values_list("pk", flat=True))
    return [
        f
        for f in findings
        if f.county_code in codes and (units is None or f.object_id in units)
    ]
