"""Reads of grades, training and target letters, shared by pages, API and exports.

Rows are scoped to what the user may see (zhucun.access.scoped), here and nowhere else.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

import django_filters
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from assessments.caps import cap_counts, excellent_cap
from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from attendance.models import MonthlyAttendance
from compliance.rules import Finding, all_rules, evaluate
from compliance.rules.registry import MEMBER
from teams.models import Membership, Person, Team, Term, Unit
from teams.selectors import counties_for
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped, user_scope
from zhucun.api_filters import IdFilter, RegionFilter, StrictFilterSet, in_region
from zhucun.periods import year_bounds
from zhucun.policy import Thresholds
from zhucun.queries import SubqueryCount, overlapping

# --- the county's yearly cycle (grading, training, target letters) -------------------
#
# A year's people are the memberships in force at any time in the year (the rules
# engine's ``served_in``), narrowed to the user's scope and, where a page is about
# one county, to that county's teams.

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


# --- annual and term-end grading (四(三)) --------------------------------------------


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
    return AssessmentFilterSet.apply(filters, _assessments(user=user)).order_by(
        "-year", "kind", "person__name", "id"
    )


def assessment_get(*, user, pk: int) -> Assessment:
    """One grade; raises Assessment.DoesNotExist."""
    return _assessments(user=user).get(pk=pk)


# --- training (四(二)) ----------------------------------------------------------------


@dataclass(frozen=True)
class TrainingPace:
    """Where a year's training should stand on a day (pro rata of the 5 days)."""

    year: int
    as_of: datetime.date
    required: Decimal
    expected: Decimal
    over: bool

    @property
    def counted_to(self) -> datetime.date:
        """The last day whose courses count (the year's end, or the day)."""
        return min(year_bounds(self.year)[1], self.as_of)


def _ceil_tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_CEILING)


def training_pace(year: int, as_of: datetime.date | None = None) -> TrainingPace:
    """The pace of ``year`` on ``as_of`` (default: the system's today).

    Days are recorded in tenths, so "behind" (fewer days than required × the share
    of the year gone) is exactly "fewer than that share rounded up to a tenth". The
    year counts as over on 31 December, as the rules engine reads it.
    """
    as_of = as_of or clock.today()
    required = Thresholds.from_settings().training_days_min
    first, last = year_bounds(year)
    if as_of >= last:
        return TrainingPace(year, as_of, required, required, over=True)
    if as_of < first:
        return TrainingPace(year, as_of, required, Decimal("0.0"), over=False)
    elapsed = (as_of - first).days + 1
    total = (last - first).days + 1
    expected = _ceil_tenth(required * Decimal(elapsed) / Decimal(total))
    return TrainingPace(year, as_of, required, expected, over=False)


def _training_days(year: int, counted_to: datetime.date) -> Subquery:
    first, _last = year_bounds(year)
    total = (
        TrainingRecord.objects.filter(
            person=OuterRef("pk"),
            event__start_date__gte=first,
            event__start_date__lte=counted_to,
        )
        .order_by()
        .values("person_id")
        .annotate(total=Sum("days"))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(Decimal("0.0")), output_field=DAYS)


def training_days_list(
    *,
    user,
    year: int,
    county: Region | None = None,
    behind_only: bool = False,
    pace: TrainingPace | None = None,
) -> QuerySet[Person]:
    """People who served in ``year`` with their training days (``training_days``).

    With ``behind_only``, those below the pace on the day (after the year, below
    the 5 days), fewest days first.
    """
    pace = pace or training_pace(year)
    served = served_memberships(user=user, year=year, county=county)
    rows = Person.objects.filter(pk__in=served.values("person_id")).annotate(
        training_days=_training_days(year, pace.counted_to)
    )
    if behind_only:
        return rows.filter(training_days__lt=pace.expected).order_by(
            "training_days", "name", "id"
        )
    return rows.order_by("name", "id")


def training_teams(
    *, user, year: int, people: list[Person], county: Region | None = None
) -> dict[int, Membership]:
    """person_id → their latest membership of ``year`` (one query for a page)."""
    rows = served_memberships(user=user, year=year, county=county)
    return _latest_memberships(rows.filter(person__in=people))


class TrainingEventFilterSet(StrictFilterSet):
    region = RegionFilter(
        method="filter_region",
        label=_("行政区划代码，含其所有下级：返回有曾在该地区驻村的干部参训的培训班。"),
    )
    year = django_filters.NumberFilter(
        field_name="start_date__year",
        min_value=1,
        max_value=9999,  # a __year lookup builds date(year, 1, 1)
        label=_("开班年度。"),
    )
    level = django_filters.ChoiceFilter(
        choices=TrainingEvent.Level.choices, label=_("举办层级。")
    )
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("培训名称包含的文字。")
    )

    class Meta:
        model = TrainingEvent
        fields = ["region", "year", "level", "q"]

    def filter_region(self, queryset, name, value: Region):
        served = Membership.objects.filter(
            in_region("team__village__township__path", value)
        ).values("person_id")
        attended = TrainingRecord.objects.filter(
            event=OuterRef("pk"), person_id__in=served
        )
        return queryset.filter(Exists(attended))


def training_event_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TrainingEvent]:
    """Training courses, latest first, with their attendees in the user's scope."""
    in_scope = scoped(user, TrainingRecord.objects.filter(event=OuterRef("pk")))
    rows = TrainingEvent.objects.annotate(
        attendees=SubqueryCount(in_scope.values("id"))
    ).order_by("-start_date", "name", "id")
    return TrainingEventFilterSet.apply(filters, rows)


def training_event_get(*, user, pk: int) -> TrainingEvent:
    """One course (courses are shared by every region); raises DoesNotExist."""
    return training_event_list(user=user).get(pk=pk)


class TrainingRecordFilterSet(StrictFilterSet):
    region = RegionFilter(
        method="filter_region",
        label=_("行政区划代码，含其所有下级：返回曾在该地区驻村的干部的培训记录。"),
    )
    event = IdFilter(field_name="event", label=_("培训班的 id。"))
    person = IdFilter(field_name="person", label=_("干部的 id。"))
    year = django_filters.NumberFilter(
        field_name="event__start_date__year",
        min_value=1,
        max_value=9999,  # a __year lookup builds date(year, 1, 1)
        label=_("培训班开班年度。"),
    )

    class Meta:
        model = TrainingRecord
        fields = ["region", "event", "person", "year"]

    def filter_region(self, queryset, name, value: Region):
        served = Membership.objects.filter(
            in_region("team__village__township__path", value)
        ).values("person_id")
        return queryset.filter(person_id__in=served)


def _training_records(*, user) -> QuerySet[TrainingRecord]:
    return scoped(
        user, TrainingRecord.objects.select_related("event", "person__unit")
    ).order_by("-event__start_date", "person__name", "id")


def training_record_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TrainingRecord]:
    """Attendance at courses, latest course first."""
    return TrainingRecordFilterSet.apply(filters, _training_records(user=user))


def training_record_get(*, user, pk: int) -> TrainingRecord:
    """One attendance record; raises TrainingRecord.DoesNotExist."""
    return _training_records(user=user).get(pk=pk)


def attendee_candidates(
    *, user, event: TrainingEvent, query: str = "", county: Region | None = None
) -> QuerySet[Person]:
    """In-scope members serving in the course's year, not yet on it, by name.

    ``query`` matches the name, the village or the team's name.
    """
    served = served_memberships(user=user, year=event.start_date.year, county=county)
    query = query.strip()
    if query:
        served = served.filter(
            Q(person__name__icontains=query)
            | Q(team__village__name__icontains=query)
            | Q(team__name__icontains=query)
        )
    return (
        Person.objects.filter(pk__in=served.values("person_id"))
        .exclude(training_records__event=event)
        .order_by("name", "id")
    )


# --- target responsibility letters (三) -----------------------------------------------


class TargetLetterFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="team__village__township__path")
    year = django_filters.NumberFilter(label=_("年度。"))
    team = IdFilter(field_name="team", label=_("驻村工作队的 id。"))

    class Meta:
        model = TargetLetter
        fields = ["region", "year", "team"]


def _letters(*, user) -> QuerySet[TargetLetter]:
    done = Q(items__status=TargetItem.Status.DONE)
    return (
        scoped(
            user,
            TargetLetter.objects.select_related(
                "team__village__township", "team__village__county"
            ),
        )
        .annotate(
            item_count=Count("items"),
            done_count=Count("items", filter=done),
            unassigned_count=Count("items", filter=Q(items__responsible__isnull=True)),
        )
        .order_by("-year", "team__village__county__code", "team__village__name", "id")
    )


def target_letter_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TargetLetter]:
    """Letters with their item counts, latest year first."""
    return TargetLetterFilterSet.apply(filters, _letters(user=user))


def target_letter_get(*, user, pk: int) -> TargetLetter:
    """One letter; raises TargetLetter.DoesNotExist."""
    return _letters(user=user).get(pk=pk)


def target_items_of(letter: TargetLetter) -> QuerySet[TargetItem]:
    """A letter's checklist, in order, with the responsible members."""
    return letter.items.select_related("responsible__person").order_by("id")


def letter_members(letter: TargetLetter) -> QuerySet[Membership]:
    """The team's members who served in the letter's year (the 责任人 to choose)."""
    first, last = year_bounds(letter.year)
    return (
        Membership.objects.filter(overlapping(first, last), team_id=letter.team_id)
        .select_related("person")
        .order_by("role", "person__name", "id")
    )


def teams_without_letter(
    *, user, year: int, county: Region | None = None
) -> QuerySet[Team]:
    """Teams in post in ``year`` (up to today) that have no letter for it."""
    first, last = year_bounds(year)
    letter = TargetLetter.objects.filter(team=OuterRef("pk"), year=year)
    rows = scoped(
        user,
        Team.objects.filter(overlapping(first, last), start_date__lte=clock.today())
        .filter(~Exists(letter))
        .select_related("village__township", "village__county", "term"),
    )
    if county is not None:
        rows = rows.filter(village__county=county)
    return rows.order_by("village__county__code", "village__township__code", "id")


def letter_teams(*, user, year: int, county: Region | None = None) -> QuerySet[Team]:
    """Teams a letter for ``year`` may be signed with (in post that year)."""
    first, last = year_bounds(year)
    rows = scoped(
        user,
        Team.objects.filter(overlapping(first, last)).select_related(
            "village__township", "village__county"
        ),
    )
    if county is not None:
        rows = rows.filter(village__county=county)
    return rows.order_by("village__county__code", "village__township__code", "id")


class TargetItemFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="letter__team__village__township__path")
    letter = IdFilter(field_name="letter", label=_("目标责任书的 id。"))
    year = django_filters.NumberFilter(field_name="letter__year", label=_("年度。"))
    status = django_filters.ChoiceFilter(
        choices=TargetItem.Status.choices, label=_("进度。")
    )

    class Meta:
        model = TargetItem
        fields = ["region", "letter", "year", "status"]


def _target_items(*, user) -> QuerySet[TargetItem]:
    return scoped(
        user,
        TargetItem.objects.select_related(
            "letter__team__village", "responsible__person"
        ),
    ).order_by("-letter__year", "letter_id", "id")


def target_item_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TargetItem]:
    """Checklist items of letters, latest year first."""
    return TargetItemFilterSet.apply(filters, _target_items(user=user))


def target_item_get(*, user, pk: int) -> TargetItem:
    """One checklist item; raises TargetItem.DoesNotExist."""
    return _target_items(user=user).get(pk=pk)


# --- the personal record (记入个人档案) -----------------------------------------------


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
