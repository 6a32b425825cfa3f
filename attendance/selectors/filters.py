"""The filter sets of the API's lists."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from attendance.models import (
    AttendanceRollup,
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    Reminder,
    TeamReport,
)
from villages.filters import RegionFilter
from zhucun.api_filters import IdFilter, StrictFilterSet
from zhucun.periods import Quarter, parse_month


class MonthFilter(django_filters.CharFilter):
    """``?month=2022-12``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", gettext_lazy("月份，格式 YYYY-MM，如 2022-12。"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{self.field_name: parse_month(value, field="month")})


class QuarterFilter(django_filters.CharFilter):
    """``?quarter=2022Q4``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", gettext_lazy("季度，格式 YYYYQn，如 2022Q4。"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        quarter = Quarter.parse(value)
        return self.parent.filter_quarter(qs, quarter)


class AttendanceFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="membership__team__village__township__path")
    month = MonthFilter(field_name="month")
    team = IdFilter(field_name="membership__team", label=gettext_lazy("工作队的 id。"))
    membership = IdFilter(field_name="membership", label=gettext_lazy("任职的 id。"))

    class Meta:
        model = MonthlyAttendance
        fields = ["region", "month", "team", "membership"]


class SubmissionFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="township__path")
    month = MonthFilter(field_name="month")
    submitted = django_filters.BooleanFilter(
        field_name="submitted_at",
        lookup_expr="isnull",
        exclude=True,
        label=gettext_lazy("是否已报送（true/false）。"),
    )

    class Meta:
        model = AttendanceSubmission
        fields = ["region", "month", "submitted"]


class VisitFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="team__village__township__path")
    team = IdFilter(field_name="team", label=gettext_lazy("工作队的 id。"))
    household = IdFilter(field_name="household", label=gettext_lazy("农户的 id。"))
    quarter = QuarterFilter()

    class Meta:
        model = HouseholdVisit
        fields = ["region", "team", "household", "quarter"]

    def filter_quarter(self, qs, quarter: Quarter):
        return qs.filter(visited_on__gte=quarter.first, visited_on__lte=quarter.last)


class ReportFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="team__village__township__path")
    team = IdFilter(field_name="team", label=gettext_lazy("工作队的 id。"))
    quarter = QuarterFilter()

    class Meta:
        model = TeamReport
        fields = ["region", "team", "quarter"]

    def filter_quarter(self, qs, quarter: Quarter):
        return qs.filter(year=quarter.year, quarter=quarter.number)


class MeetingFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="county__path")
    quarter = QuarterFilter()

    class Meta:
        model = LeaderMeeting
        fields = ["region", "quarter"]

    def filter_quarter(self, qs, quarter: Quarter):
        return qs.filter(held_on__gte=quarter.first, held_on__lte=quarter.last)


class RollupFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="region__path")
    month = MonthFilter(field_name="month")
    level = django_filters.ChoiceFilter(
        choices=AttendanceRollup.Level.choices, label=gettext_lazy("汇总层级。")
    )
    team = IdFilter(field_name="team", label=gettext_lazy("工作队的 id。"))

    class Meta:
        model = AttendanceRollup
        fields = ["region", "month", "level", "team"]


class ReminderFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="region__path")
    kind = django_filters.ChoiceFilter(
        choices=Reminder.Kind.choices, label=gettext_lazy("提醒类型。")
    )
    period = django_filters.CharFilter(
        label=gettext_lazy("期间：月份 2022-12 或季度 2022Q4。")
    )
    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        label=gettext_lazy("只看未读（true）或已读（false）。"),
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", label=gettext_lazy("true：只看发给我的提醒。")
    )

    class Meta:
        model = Reminder
        fields = ["region", "kind", "period", "unread", "mine"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_mine(self, qs, name, value):
        return qs.filter(recipient=self.user) if value else qs

    @classmethod
    def apply_for(cls, user, filters, queryset: QuerySet) -> QuerySet:
        """As ``apply``, knowing whose inbox ``mine`` means."""
        if not filters:
            return queryset
        filterset = cls(data=filters, queryset=queryset, user=user)
        if not filterset.is_valid():
            raise ValidationError(filterset.form.errors.as_data())
        return filterset.qs
