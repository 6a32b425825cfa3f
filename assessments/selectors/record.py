"""A person's record to print (记入个人档案) and the findings about them."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from assessments.models import Assessment, TrainingRecord
from attendance.models import MonthlyAttendance
from compliance.rules import Finding, all_rules, evaluate
from compliance.rules.registry import MEMBER
from teams.models import Membership, Person
from zhucun import clock
from zhucun.access import scoped
from zhucun.policy import Thresholds


@dataclass
class AttendanceYear:
    year: int
    months: int
    in_post_days: int
    leave_days: int
    trip_days: int


@dataclass
class TrainingYear:
    year: int
    days: Decimal
    required: Decimal
    records: list[TrainingRecord]

    @property
    def met(self) -> bool:
        return self.days >= self.required


@dataclass
class PersonRecord:
    person: Person
    memberships: list[Membership]
    attendance: list[AttendanceYear]
    training: list[TrainingYear]
    assessments: list[Assessment]


def person_record(*, user, person: Person) -> PersonRecord:
    """Everything of a person's service the user may see (four queries)."""
    memberships = list(
        scoped(user, Membership.objects.filter(person=person))
        .select_related(
            "team__village__township", "team__village__county", "team__term", "unit"
        )
        .order_by("start_date", "id")
    )
    attendance = [
        AttendanceYear(
            year=row["month__year"],
            months=row["months"],
            in_post_days=row["in_post"],
            leave_days=row["leave"],
            trip_days=row["trip"],
        )
        for row in scoped(
            user, MonthlyAttendance.objects.filter(membership__person=person)
        )
        .order_by()
        .values("month__year")
        .annotate(
            months=Count("month", distinct=True),
            in_post=Sum("in_post_days"),
            leave=Sum("leave_days"),
            trip=Sum("trip_days"),
        )
        .order_by("month__year")
    ]
    required = Thresholds.from_settings().training_days_min
    by_year: dict[int, list[TrainingRecord]] = {}
    for record in scoped(
        user,
        TrainingRecord.objects.filter(person=person).select_related("event"),
    ).order_by("event__start_date", "id"):
        by_year.setdefault(record.event.start_date.year, []).append(record)
    # Every year served has its row, a year without any course included.
    for year in _served_years(memberships):
        by_year.setdefault(year, [])
    training = [
        TrainingYear(
            year=year,
            days=sum((r.days for r in records), Decimal("0.0")),
            required=required,
            records=records,
        )
        for year, records in sorted(by_year.items())
    ]
    assessments = list(
        scoped(user, Assessment.objects.filter(person=person))
        .select_related("membership__team__village")
        .order_by("year", "kind")
    )
    return PersonRecord(
        person=person,
        memberships=memberships,
        attendance=attendance,
        training=training,
        assessments=assessments,
    )


def person_record_get(*, user, pk: int) -> Person:
    """The person of a record page; raises Person.DoesNotExist."""
    return scoped(user, Person.objects.select_related("unit")).get(pk=pk)


def _served_years(memberships: list[Membership]) -> list[int]:
    """The years (up to today's) in which any of the memberships was in force."""
    today = clock.today()
    years: set[int] = set()
    for m in memberships:
        end = min(m.end_date or today, today)
        years.update(range(m.start_date.year, end.year + 1))
    return sorted(years)


# Year-end rules about a member, judged again for each earlier year served.
_YEAR_END_MEMBER_RULES = ("TRAINING_DAYS_SHORT", "ASSESSMENT_MISSING")


def person_findings(*, memberships: list[Membership]) -> list[Finding]:
    """The rules' findings about these memberships (one person's).

    Today's findings of every rule about members, and for each earlier year served
    the year-end ones (training days, the missing grade), per county served in: a
    fixed number of set-based queries per county and year.
    """
    if not memberships:
        return []
    today = clock.today()
    ids = {m.pk for m in memberships}
    member_rules = [r.code for r in all_rules() if r.object_type == MEMBER]
    counties = {m.team.village.county_id: m.team.village.county for m in memberships}
    runs: list[tuple[datetime.date, list[str]]] = [(today, member_rules)]
    runs += [
        (datetime.date(year, 12, 31), list(_YEAR_END_MEMBER_RULES))
        for year in _served_years(memberships)
        if datetime.date(year, 12, 31) < today
    ]
    found: dict[tuple, Finding] = {}
    for county in counties.values():
        for as_of, codes in runs:
            for finding in evaluate(as_of, county, codes):
                if finding.object_type == MEMBER and finding.object_id in ids:
                    found.setdefault(
                        (finding.rule, finding.period, finding.object_id), finding
                    )
    return sorted(found.values(), key=lambda f: (f.period, f.rule))
