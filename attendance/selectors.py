"""Reads of part 四, shared by the pages, the API and the xlsx exports.

Rows are scoped to what the user may see (``zhucun.access.scoped``) here and
nowhere else. Each list costs a fixed number of queries whatever its length.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _
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
from attendance.periods import due_date
from teams.models import Membership, Team
from villages.models import PRIORITY_HOUSEHOLD, Household, Region, Village
from zhucun import clock
from zhucun.access import scope_q, scoped, user_scope
from zhucun.api_filters import IdFilter, RegionFilter, StrictFilterSet
from zhucun.models import UserScope
from zhucun.periods import Quarter, days_in_month, month_last_day, parse_month
from zhucun.queries import SubqueryCount, overlapping

# --- Places the user may work on --------------------------------------------------


def township_choices(*, user, under: Region | None = None) -> QuerySet[Region]:
    """Townships with a team's village the user may see, by code."""
    villages = scoped(user, Village.objects.filter(teams__isnull=False))
    townships = Region.objects.filter(
        level=Region.Level.TOWNSHIP, pk__in=villages.values("township_id")
    )
    if under is not None:
        townships = townships.filter(path__startswith=under.path)
    return townships.select_related("parent").order_by("code")


def township_get(*, user, code: str) -> Region:
    """A township the user may see (one of its villages is in scope); else DoesNotExist."""
    villages = scoped(user, Village.objects.filter(township=OuterRef("pk")))
    return (
        Region.objects.select_related("parent")
        .filter(level=Region.Level.TOWNSHIP, code=code)
        .filter(Exists(villages))
        .get()
    )


def county_get(*, user, code: str) -> Region:
    """A county the user's region scope covers; else DoesNotExist."""
    return region_scope(
        user, Region.objects.filter(level=Region.Level.COUNTY, code=code)
    ).get()


def region_scope(user, regions: QuerySet[Region]) -> QuerySet[Region]:
    """Regions at or under the user's region scope (all for the province)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return regions
    scope = user_scope(user)
    if scope is None or not user.is_active or scope.region_id is None:
        return regions.none()
    if scope.role == UserScope.Role.PROVINCE:
        return regions
    return regions.filter(path__startswith=scope.region.path)


def home_region(user) -> Region | None:
    """The region a page starts from: the user's own, or the province."""
    scope = user_scope(user)
    if scope is not None and scope.region_id is not None:
        return scope.region
    if getattr(user, "is_superuser", False):
        return Region.objects.filter(level=Region.Level.PROVINCE).first()
    return None


def region_get(*, user, code: str) -> Region:
    """A region the user's scope covers; else DoesNotExist."""
    return region_scope(user, Region.objects.filter(code=code)).get()


# --- The monthly grid ---------------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    membership_id: int
    person_name: str
    role: str
    village_name: str
    team_id: int
    start_date: datetime.date
    end_date: datetime.date | None
    served_days: int
    recorded: bool
    in_post_days: int | None
    leave_days: int | None
    trip_days: int | None
    remark: str


@dataclass(frozen=True)
class Grid:
    township: Region
    month: datetime.date
    days: int
    rows: list[GridRow]
    submission: AttendanceSubmission | None

    @property
    def locked(self) -> bool:
        return self.submission is not None and self.submission.submitted_at is not None

    @property
    def recorded(self) -> int:
        return sum(1 for row in self.rows if row.recorded)


def _served_days(start, end, month: datetime.date) -> int:
    last = month_last_day(month)
    return (min(end or last, last) - max(start, month)).days + 1


def grid_get(*, user, township: Region, month: datetime.date) -> Grid:
    """Every member of the township's teams in force in the month, with the month's row.

    Two queries: the members joined to their row of the month, and the lock.
    """
    last = month_last_day(month)
    rows = (
        scoped(
            user,
            Membership.objects.filter(
                overlapping(month, last), team__village__township=township
            ),
        )
        .annotate(
            rec=FilteredRelation("attendance", condition=Q(attendance__month=month))
        )
        .order_by("team__village__name", "team_id", "role", "person__name", "id")
        .values(
            "id",
            "person__name",
            "role",
            "team__village__name",
            "team_id",
            "start_date",
            "end_date",
            "rec__id",
            "rec__in_post_days",
            "rec__leave_days",
            "rec__trip_days",
            "rec__remark",
        )
    )
    roles = dict(Membership.Role.choices)
    grid_rows = [
        GridRow(
            membership_id=r["id"],
            person_name=r["person__name"],
            role=str(roles.get(r["role"], r["role"])),
            village_name=r["team__village__name"],
            team_id=r["team_id"],
            start_date=r["start_date"],
            end_date=r["end_date"],
            served_days=_served_days(r["start_date"], r["end_date"], month),
            recorded=r["rec__id"] is not None,
            in_post_days=r["rec__in_post_days"],
            leave_days=r["rec__leave_days"],
            trip_days=r["rec__trip_days"],
            remark=r["rec__remark"] or "",
        )
        for r in rows
    ]
    submission = AttendanceSubmission.objects.filter(
        township=township, month=month
    ).first()
    return Grid(
        township=township,
        month=month,
        days=days_in_month(month),
        rows=grid_rows,
        submission=submission,
    )


# --- Completeness and timeliness (per township and month) --------------------------


@dataclass(frozen=True)
class CompletenessRow:
    township_id: int
    code: str
    name: str
    county_name: str
    expected: int
    recorded: int
    submitted_at: datetime.datetime | None
    first_submitted_at: datetime.datetime | None
    reopened_reason: str
    due: datetime.date
    today: datetime.date

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def on_time(self) -> bool | None:
        """True/False once submitted; None while not (see ``overdue``)."""
        first = self.first_submitted_at or self.submitted_at
        if first is None:
            return None
        return timezone.localtime(first).date() <= self.due

    @property
    def overdue(self) -> bool:
        return self.submitted_at is None and self.today > self.due

    @property
    def status(self) -> str:
        if self.submitted_at is not None:
            return _("按时报送") if self.on_time else _("逾期报送")
        if self.first_submitted_at is not None:
            return _("已退回修改")
        return _("逾期未报送") if self.overdue else _("未报送")

    @property
    def percent(self) -> int:
        return round(100 * self.recorded / self.expected) if self.expected else 0


@dataclass(frozen=True)
class CompletenessSummary:
    townships: int
    submitted: int
    on_time: int

    @property
    def submitted_percent(self) -> int:
        return round(100 * self.submitted / self.townships) if self.townships else 0

    @property
    def on_time_percent(self) -> int:
        return round(100 * self.on_time / self.townships) if self.townships else 0


def _month_members(user, month: datetime.date, region: Region | None):
    members = scoped(
        user, Membership.objects.filter(overlapping(month, month_last_day(month)))
    )
    if region is not None:
        members = members.filter(team__village__township__path__startswith=region.path)
    return members.order_by()


def completeness_townships(
    *, user, month: datetime.date, region: Region | None = None
) -> QuerySet:
    """Per township with members in force in the month: expected and recorded rows.

    A values() queryset grouped by township, to paginate; ``completeness_rows``
    adds the month's submissions to a page of it.
    """
    return (
        _month_members(user, month, region)
        .annotate(
            rec=FilteredRelation("attendance", condition=Q(attendance__month=month))
        )
        .values(
            "team__village__township_id",
            "team__village__township__code",
            "team__village__township__name",
            "team__village__county__name",
        )
        .annotate(expected=Count("id"), recorded=Count("rec__id"))
        .order_by("team__village__township__code")
    )


def completeness_rows(*, month: datetime.date, townships) -> list[CompletenessRow]:
    """Rows of ``completeness_townships`` (a page of it) with their submission."""
    townships = list(townships)
    submissions = {
        s.township_id: s
        for s in AttendanceSubmission.objects.filter(
            month=month,
            township_id__in=[t["team__village__township_id"] for t in townships],
        )
    }
    due, today = due_date(month), clock.today()
    rows = []
    for t in townships:
        s = submissions.get(t["team__village__township_id"])
        rows.append(
            CompletenessRow(
                township_id=t["team__village__township_id"],
                code=t["team__village__township__code"],
                name=t["team__village__township__name"],
                county_name=t["team__village__county__name"],
                expected=t["expected"],
                recorded=t["recorded"],
                submitted_at=s.submitted_at if s else None,
                first_submitted_at=s.first_submitted_at if s else None,
                reopened_reason=s.reopened_reason if s else "",
                due=due,
                today=today,
            )
        )
    return rows


def completeness_summary(
    *, user, month: datetime.date, region: Region | None = None
) -> CompletenessSummary:
    """Townships expected to report the month, submitted, submitted on time."""
    townships = _month_members(user, month, region).values("team__village__township_id")
    due_end = timezone.make_aware(
        datetime.datetime.combine(
            due_date(month) + datetime.timedelta(days=1), datetime.time()
        )
    )
    counts = AttendanceSubmission.objects.filter(
        month=month, township_id__in=townships, submitted_at__isnull=False
    ).aggregate(
        submitted=Count("id"),
        on_time=Count(
            "id",
            filter=Q(first_submitted_at__lt=due_end)
            | Q(first_submitted_at__isnull=True, submitted_at__lt=due_end),
        ),
    )
    return CompletenessSummary(
        townships=townships.distinct().count(),
        submitted=counts["submitted"],
        on_time=counts["on_time"],
    )


# --- Household visits -------------------------------------------------------------


def _quarter_teams(user, quarter: Quarter) -> QuerySet[Team]:
    """Teams in post at any time in the quarter (up to today), in scope."""
    return scoped(
        user,
        Team.objects.filter(
            overlapping(quarter.first, quarter.last), start_date__lte=clock.today()
        ),
    )


def _visits_in(quarter: Quarter, **conditions) -> QuerySet[HouseholdVisit]:
    return HouseholdVisit.objects.filter(
        visited_on__gte=quarter.first, visited_on__lte=quarter.last, **conditions
    )


def visit_coverage(
    *,
    user,
    quarter: Quarter,
    region: Region | None = None,
    team_id: int | None = None,
) -> QuerySet[Team]:
    """Teams of the quarter with households, visited households and priority ones.

    Each count is a correlated subquery, evaluated for the rows asked for only (a
    page), whatever the size of the province.
    """
    teams = _quarter_teams(user, quarter)
    if region is not None:
        teams = teams.filter(village__township__path__startswith=region.path)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
    households = Household.objects.filter(village=OuterRef("village_id")).values("id")
    visited = Household.objects.filter(
        Exists(_visits_in(quarter, household=OuterRef("pk"))),
        village=OuterRef("village_id"),
    ).values("id")
    return (
        teams.select_related("village__township", "village__county")
        .annotate(
            households=SubqueryCount(households),
            visited=SubqueryCount(visited),
            priority=SubqueryCount(households.filter(PRIORITY_HOUSEHOLD)),
            priority_visited=SubqueryCount(visited.filter(PRIORITY_HOUSEHOLD)),
        )
        .order_by("village__township__code", "village__name", "id")
    )


def visible_team_get(*, user, pk: int) -> Team:
    """One team in scope; raises Team.DoesNotExist."""
    return scoped(
        user, Team.objects.select_related("village__township", "village__county")
    ).get(pk=pk)


def team_households(*, team: Team, quarter: Quarter) -> QuerySet[Household]:
    """The team's village's households, each with its last visit date of the quarter."""
    last_visit = (
        _visits_in(quarter, household=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return (
        Household.objects.filter(village_id=team.village_id)
        .annotate(last_visit=Subquery(last_visit))
        .order_by("id")
    )


def team_members_in(*, team: Team, quarter: Quarter) -> QuerySet[Membership]:
    """The team's members in force at any time in the quarter."""
    return (
        Membership.objects.filter(overlapping(quarter.first, quarter.last), team=team)
        .select_related("person")
        .order_by("role", "person__name")
    )


def unvisited_households(
    *,
    user,
    quarter: Quarter,
    region: Region | None = None,
    team_id: int | None = None,
) -> QuerySet[Household]:
    """Households of the quarter's teams' villages with no visit dated in the quarter."""
    teams = _quarter_teams(user, quarter)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
    households = scoped(
        user, Household.objects.filter(village__in=teams.values("village_id"))
    )
    if region is not None:
        households = households.filter(village__township__path__startswith=region.path)
    return (
        households.filter(~Exists(_visits_in(quarter, household=OuterRef("pk"))))
        .select_related("village__township", "village__county")
        .order_by("village__township__code", "village__name", "id")
    )


# --- Quarterly reports and leader meetings ----------------------------------------


def report_status(
    *, user, quarter: Quarter, region: Region | None = None, missing: bool = False
) -> QuerySet[Team]:
    """Teams of the quarter, each with its report (``report_id``, ``report_on``)."""
    teams = _quarter_teams(user, quarter)
    if region is not None:
        teams = teams.filter(village__township__path__startswith=region.path)
    # One LEFT JOIN: a team has at most one report a quarter (report_unique).
    teams = teams.annotate(
        report=FilteredRelation(
            "reports",
            condition=Q(reports__year=quarter.year, reports__quarter=quarter.number),
        ),
        report_id=F("report__id"),
        report_on=F("report__submitted_on"),
    )
    if missing:
        teams = teams.filter(report_id__isnull=True)
    return teams.select_related("village__township", "village__county").order_by(
        "village__township__code", "village__name", "id"
    )


def team_report_of(*, team: Team, quarter: Quarter) -> TeamReport | None:
    """The team's report of the quarter, if filed (the team is already in scope)."""
    return TeamReport.objects.filter(
        team=team, year=quarter.year, quarter=quarter.number
    ).first()


def report_get(*, user, pk: int) -> TeamReport:
    """One report in scope; raises TeamReport.DoesNotExist."""
    return scoped(
        user,
        TeamReport.objects.select_related(
            "team__village__township", "team__village__county"
        ),
    ).get(pk=pk)


def meeting_status(
    *, user, quarter: Quarter, region: Region | None = None, missing: bool = False
) -> QuerySet[Region]:
    """Counties with teams in the quarter, each with its meetings of the quarter.

    Two queries: the counties (with the meeting count), then their meetings.
    """
    teams = Team.objects.filter(
        overlapping(quarter.first, quarter.last),
        start_date__lte=clock.today(),
        village__county=OuterRef("pk"),
    )
    in_quarter = Q(held_on__gte=quarter.first, held_on__lte=quarter.last)
    meetings = LeaderMeeting.objects.filter(in_quarter, county=OuterRef("pk"))
    counties = region_scope(
        user, Region.objects.filter(level=Region.Level.COUNTY)
    ).filter(Exists(teams))
    if region is not None:
        counties = counties.filter(path__startswith=region.path)
    counties = counties.annotate(meeting_count=SubqueryCount(meetings.values("id")))
    if missing:
        counties = counties.filter(meeting_count=0)
    return counties.select_related("parent").order_by("code")


def quarter_meetings(*, county_ids, quarter: Quarter) -> dict[int, list[LeaderMeeting]]:
    """The quarter's meetings of the given counties, by county, with attendee counts."""
    found: dict[int, list[LeaderMeeting]] = {}
    for meeting in (
        LeaderMeeting.objects.filter(
            county_id__in=list(county_ids),
            held_on__gte=quarter.first,
            held_on__lte=quarter.last,
        )
        .annotate(attendee_count=Count("attendees"))
        .order_by("held_on", "id")
    ):
        found.setdefault(meeting.county_id, []).append(meeting)
    return found


def meeting_get(*, user, pk: int) -> LeaderMeeting:
    """One meeting in scope; raises LeaderMeeting.DoesNotExist."""
    return scoped(user, LeaderMeeting.objects.select_related("county__parent")).get(
        pk=pk
    )


def meeting_candidates(*, county: Region, quarter: Quarter) -> QuerySet[Membership]:
    """Team leaders and first secretaries of the county in force in the quarter."""
    return (
        Membership.objects.filter(
            overlapping(quarter.first, quarter.last),
            Q(is_leader=True)
            | Q(role__in=[Membership.Role.LEADER, Membership.Role.FIRST_SECRETARY]),
            team__village__county=county,
        )
        .select_related("person", "team__village__township")
        .order_by("team__village__township__code", "team__village__name", "role")
    )


# --- Rollups ----------------------------------------------------------------------------

_CHILD_LEVEL = {
    Region.Level.PROVINCE: AttendanceRollup.Level.PREFECTURE,
    Region.Level.PREFECTURE: AttendanceRollup.Level.COUNTY,
    Region.Level.COUNTY: AttendanceRollup.Level.TOWNSHIP,
    Region.Level.TOWNSHIP: AttendanceRollup.Level.TEAM,
}


def rollup_overview(
    *, user, region: Region, month: datetime.date
) -> tuple[AttendanceRollup | None, QuerySet[AttendanceRollup]]:
    """The region's own summary row of the month and the rows of the level below it."""
    rows = scoped(
        user,
        AttendanceRollup.objects.filter(month=month).select_related(
            "region", "team__village"
        ),
    )
    own = rows.filter(level=region.level, region=region).first()
    child = _CHILD_LEVEL[Region.Level(region.level)]
    if child == AttendanceRollup.Level.TEAM:
        children = rows.filter(level=child, region=region)
    else:
        children = rows.filter(level=child, region__parent=region)
    return own, children.order_by("region__code", "team_id")


# --- The API's lists ---------------------------------------------------------------------


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


def _attendance(*, user) -> QuerySet[MonthlyAttendance]:
    return scoped(
        user,
        MonthlyAttendance.objects.select_related(
            "membership__person", "membership__team__village__township"
        ),
    )


def attendance_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[MonthlyAttendance]:
    """Monthly attendance rows, newest month first."""
    return AttendanceFilterSet.apply(filters, _attendance(user=user))


def attendance_get(*, user, pk: int) -> MonthlyAttendance:
    return _attendance(user=user).get(pk=pk)


def _submissions(*, user) -> QuerySet[AttendanceSubmission]:
    return scoped(user, AttendanceSubmission.objects.select_related("township__parent"))


def submission_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[AttendanceSubmission]:
    """Townships' months and their state (submitted, reopened, open)."""
    return SubmissionFilterSet.apply(filters, _submissions(user=user))


def submission_get(*, user, pk: int) -> AttendanceSubmission:
    return _submissions(user=user).get(pk=pk)


def _visits(*, user) -> QuerySet[HouseholdVisit]:
    return scoped(
        user,
        HouseholdVisit.objects.select_related(
            "household", "membership__person", "team__village"
        ),
    )


def visit_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[HouseholdVisit]:
    """Household visits, newest first."""
    return VisitFilterSet.apply(filters, _visits(user=user)).order_by(
        "-visited_on", "-id"
    )


def visit_get(*, user, pk: int) -> HouseholdVisit:
    return _visits(user=user).get(pk=pk)


def _reports(*, user) -> QuerySet[TeamReport]:
    return scoped(user, TeamReport.objects.select_related("team__village"))


def report_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TeamReport]:
    """Quarterly team reports, newest quarter first."""
    return ReportFilterSet.apply(filters, _reports(user=user)).order_by(
        "-year", "-quarter", "team_id"
    )


def _meetings(*, user) -> QuerySet[LeaderMeeting]:
    return scoped(
        user,
        LeaderMeeting.objects.select_related("county").prefetch_related(
            Prefetch("attendees", queryset=Membership.objects.order_by("id"))
        ),
    )


def meeting_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[LeaderMeeting]:
    """County team-leader meetings, newest first (two queries: rows, attendees)."""
    return MeetingFilterSet.apply(filters, _meetings(user=user)).order_by(
        "-held_on", "-id"
    )


def meeting_api_get(*, user, pk: int) -> LeaderMeeting:
    return _meetings(user=user).get(pk=pk)


def _rollups(*, user) -> QuerySet[AttendanceRollup]:
    return scoped(user, AttendanceRollup.objects.select_related("region"))


def rollup_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[AttendanceRollup]:
    """Monthly summaries, newest month first, province down to teams."""
    return RollupFilterSet.apply(filters, _rollups(user=user))


def rollup_get(*, user, pk: int) -> AttendanceRollup:
    return _rollups(user=user).get(pk=pk)


def _reminders(*, user) -> QuerySet[Reminder]:
    """Reminders sent inside the user's scope, and the user's own."""
    q = scope_q(user, Reminder)
    rows = Reminder.objects.select_related("recipient")
    if q is None:
        return rows
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    return rows.filter(q | Q(recipient=user))


def reminder_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Reminder]:
    """Reminders, newest first; ``mine=true`` for the user's own inbox."""
    return ReminderFilterSet.apply_for(user, filters, _reminders(user=user))


def reminder_get(*, user, pk: int) -> Reminder:
    return _reminders(user=user).get(pk=pk)


# --- The inbox ---------------------------------------------------------------------------


def inbox(*, user) -> QuerySet[Reminder]:
    """The user's own reminders, unread first, newest first."""
    return Reminder.objects.filter(recipient=user).order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-id"
    )


def unread_count(*, user) -> int:
    """Unread reminders of the user (one query, on the partial index)."""
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).count()
