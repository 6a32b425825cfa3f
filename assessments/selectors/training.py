"""Training (四(二)): each member's days against the year's pace, events, records."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from assessments.models import TrainingEvent, TrainingRecord
from teams.models import Membership, Person
from villages.filters import RegionFilter, in_region
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.api_filters import IdFilter, StrictFilterSet
from zhucun.periods import year_bounds
from zhucun.policy import Thresholds
from zhucun.queries import SubqueryCount

from .cycle import DAYS, _latest_memberships, served_memberships


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
    return TrainingEventFilterSet.apply(filters, rows, user=user)


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
    return TrainingRecordFilterSet.apply(
        filters, _training_records(user=user), user=user
    )


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
