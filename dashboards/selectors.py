"""Reads of the dashboards, the county workbench and the township page.

Every figure is either a GROUP BY per place (villages, teams, members, visits,
training and funds per county, township or team), a read of a summary table (the
attendance rollups, the compliance snapshot), or a count over one county or
township. The per-county counts of the province's and prefectures' pages are
read from the summary table the nightly rollup writes. Each function runs a fixed
number of queries, whatever the size of the province, and every query goes
through ``zhucun.access.scoped``.
"""

from __future__ import annotations

import dataclasses
import datetime
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse

from assessments.caps import cap_counts
from assessments.models import Assessment
from attendance.models import (
    AttendanceRollup,
    AttendanceSubmission,
    PlaceSummary,
    Reminder,
)
from attendance.periods import due_date
from attendance.selectors import inbox, region_scope, visit_coverage
from compliance.models import FindingRecord
from dashboards.summaries import (
    QUARTERS,
    cap_by_county,
    place_counts,
    summary_counts,
    village_counts,
    visits_by_township,
)
from teams import figures
from teams.models import Membership, Team
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped, user_scope
from zhucun.models import UserScope
from zhucun.periods import Quarter, month_of, previous_month
from zhucun.policy import Thresholds

DASHBOARD_LEVELS = (
    Region.Level.PROVINCE,
    Region.Level.PREFECTURE,
    Region.Level.COUNTY,
)


# --- Where a user lands and which regions they may open ------------------------


def landing_url(user) -> str | None:
    """The page of the user's job: a dashboard, the workbench or the township page."""
    scope = user_scope(user)
    if scope is None or scope.region_id is None:
        return None
    code = scope.region.code
    if scope.role in (UserScope.Role.PROVINCE, UserScope.Role.PREFECTURE):
        return reverse("dashboards:region", args=[code])
    if scope.role == UserScope.Role.COUNTY:
        return reverse("dashboards:workbench", args=[code])
    if scope.role == UserScope.Role.TOWNSHIP:
        return reverse("dashboards:township", args=[code])
    return None


def region_get(*, user, code: str, levels) -> Region:
    """A region of one of ``levels`` at or under the user's scope; else DoesNotExist."""
    return (
        region_scope(user, Region.objects.filter(code=code, level__in=levels))
        .select_related("parent")
        .get()
    )


def breadcrumbs(*, user, region: Region) -> list[tuple[Region, bool]]:
    """The region's ancestors and itself, each with whether the user may open it.

    One query: the ancestors' codes are the segments of the region's path.
    """
    codes = region.path.strip("/").split("/")
    ancestors = Region.objects.filter(code__in=codes).order_by("path")
    scope = user_scope(user)
    everything = getattr(user, "is_superuser", False) or (
        scope is not None and scope.role == UserScope.Role.PROVINCE
    )
    own = scope.region.path if scope is not None and scope.region_id else None
    return [
        (
            ancestor,
            everything or (own is not None and ancestor.path.startswith(own)),
        )
        for ancestor in ancestors
    ]


# --- Figures by part of a region ------------------------------------------------
#
# Every figure of a dashboard is counted per place (a county, a township or a
# team) and a parent's figure is the sum of its places. The province's and a
# prefecture's pages read each county's row of the summary table
# (``attendance.PlaceSummary``, rewritten after the nightly rollup): a page view
# reads no raw rows at all. Before the first summary of the year they count the
# counties afresh (``dashboards.summaries.place_counts``) and say so. A county's
# page counts its townships and teams afresh (a few hundred rows).


@dataclass(frozen=True)
class PlaceRow:
    """One part of a region (a prefecture, county, township or team) and its counts.

    Visits are per quarter of the year (index 0 = Q1); training counts the people
    who served in the year and those with the policy's days (5) so far; funds are
    the year's received funds of the teams in post in the year.
    """

    region: Region | None = None
    poor_villages: int = 0
    covered_villages: int = 0
    teams: int = 0
    members: int = 0
    small_teams: int = 0
    liangshan_teams: int = 0
    liangshan_in_range: int = 0
    visit_households: tuple[int, ...] = (0,) * QUARTERS
    visit_done: tuple[int, ...] = (0,) * QUARTERS
    served: int = 0
    trained: int = 0
    funded_teams: int = 0
    funds_received: Decimal = Decimal("0.00")
    funds_required: Decimal = Decimal("0.00")
    funds_short: int = 0
    cap_members: int = 0
    cap_excellent: int = 0

    @property
    def coverage(self) -> Decimal | None:
        return _ratio(self.covered_villages, self.poor_villages)

    def visits(self, quarter: int) -> Decimal | None:
        """Households visited in quarter ``quarter`` (1–4) over those to visit."""
        return _ratio(self.visit_done[quarter - 1], self.visit_households[quarter - 1])

    @property
    def quarter_done(self) -> int:
        """Households visited in this quarter (today's)."""
        return self.visit_done[Quarter.of(clock.today()).number - 1]

    @property
    def quarter_households(self) -> int:
        return self.visit_households[Quarter.of(clock.today()).number - 1]

    @property
    def training(self) -> Decimal | None:
        return _ratio(self.trained, self.served)

    @property
    def funding(self) -> Decimal | None:
        return _ratio(self.funds_received, self.funds_required)


def _ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


COUNT_FIELDS = tuple(f.name for f in dataclasses.fields(PlaceRow) if f.name != "region")


_ZERO = {name: getattr(PlaceRow, name) for name in COUNT_FIELDS}


def _sum(counts: list[dict]) -> dict:
    """Field-wise sum of count dicts (tuples add item by item)."""
    if len(counts) == 1:
        return {**_ZERO, **counts[0]}
    total = dict(_ZERO)
    for row in counts:
        for name, value in row.items():
            if type(value) is tuple:
                total[name] = tuple(map(operator.add, total[name], value))
            else:
                total[name] += value
    return total


@dataclass(frozen=True)
class Places:
    region: Region
    rows: list[PlaceRow]
    total: PlaceRow
    # Each county of the region (a province's or prefecture's page), for the ranking.
    counties: list[PlaceRow] = dataclasses.field(default_factory=list)
    # When the counties' summary was computed; None: counted afresh.
    as_of: datetime.datetime | None = None
    # Whether the counts are the summary's (a province's or prefecture's page).
    summarised: bool = False
    # A county's page: each team's counts, by team id (see ``county_teams``).
    team_counts: dict[int, dict] = dataclasses.field(default_factory=dict)


def county_detail_counts(*, user, county: Region) -> dict[str, dict[int, dict]]:
    """A county's counts per township, per team and in all, counted afresh.

    Twelve queries: villages per township, the seven of ``place_counts`` per
    team, the teams' townships, the townships' visits and the cap's two counts.
    A township's counts are the sum of its teams' (and its villages), but for
    its visits, counted per household (``attendance.figures``).
    """
    teams = place_counts(user=user, under=county, by="team")
    township_of = dict(
        scoped(user, Team.objects.filter(pk__in=list(teams))).values_list(
            "pk", "village__township_id"
        )
    )
    townships: dict[int, dict] = {}
    for row in village_counts(user, county.path, "township_id"):
        townships[row["township_id"]] = {
            "poor_villages": row["poor"],
            "covered_villages": row["covered"],
        }
    grouped: dict[int, list[dict]] = {}
    for team_id, counts in teams.items():
        grouped.setdefault(township_of[team_id], []).append(counts)
    for township_id, rows in grouped.items():
        townships[township_id] = _sum([townships.get(township_id, {}), *rows])
    # Visit coverage counts a household once, not once per team of its village.
    for township_id, visits in visits_by_township(user=user, county=county).items():
        townships.setdefault(township_id, {}).update(visits)
    cap = cap_by_county({}, clock.today().year, [county.pk]).get(county.pk, {})
    return {"townships": townships, "teams": teams, "county": cap}


def county_summaries(*, user, region: Region, year: int) -> list[PlaceSummary]:
    """The summary rows of ``year`` of the counties under ``region``. One query."""
    return list(
        scoped(
            user,
            PlaceSummary.objects.filter(
                year=year, county__path__startswith=region.path
            ),
        ).order_by()
    )


def place_rows(*, user, region: Region) -> Places:
    """Counts per child of ``region``, and its total.

    A province's or prefecture's page: one query for the child regions (its
    prefectures and counties) and one for the counties' summary rows of the year,
    summed up the region tree; when the year has no summary yet, the counties
    are counted afresh (seven more queries). A county's page: one query for its
    townships and twelve for their counts and its teams'.

    Coverage is poor villages with a team in post today over all registered poor
    villages; a team is short when it has fewer members in post than the policy
    minimum (4 in 凉山州, 3 elsewhere); 凉山州 teams should have 4 to 7.
    """
    if region.level == Region.Level.COUNTY:
        children = list(Region.objects.filter(parent=region).order_by("code"))
        counts = county_detail_counts(user=user, county=region)
        townships = counts["townships"]
        rows = [PlaceRow(region=c, **_sum([townships.get(c.pk, {})])) for c in children]
        total = PlaceRow(region=region, **_sum([*townships.values(), counts["county"]]))
        return Places(
            region=region, rows=rows, total=total, team_counts=counts["teams"]
        )
    below = list(
        Region.objects.filter(
            path__startswith=region.path,
            level__in=(Region.Level.PREFECTURE, Region.Level.COUNTY),
        )
        .exclude(pk=region.pk)
        .only("code", "name", "level", "parent_id", "path")
        .order_by("code")
    )
    counties = [r for r in below if r.level == Region.Level.COUNTY]
    year = clock.today().year
    summaries = county_summaries(user=user, region=region, year=year)
    if summaries:
        counts = {s.county_id: summary_counts(s) for s in summaries}
        as_of = max(s.computed_at for s in summaries)
    else:
        counts = cap_by_county(
            place_counts(user=user, under=region, by="county"),
            year,
            [c.pk for c in counties],
        )
        as_of = None
    county_rows = [PlaceRow(region=c, **_sum([counts.get(c.pk, {})])) for c in counties]
    if region.level == Region.Level.PREFECTURE:
        rows = county_rows
    else:
        by_parent: dict[int, list[dict]] = {}
        for county in counties:
            by_parent.setdefault(county.parent_id, []).append(counts.get(county.pk, {}))
        rows = [
            PlaceRow(region=p, **_sum(by_parent.get(p.pk, [])))
            for p in below
            if p.level == Region.Level.PREFECTURE
        ]
    total = PlaceRow(region=region, **_sum([counts.get(c.pk, {}) for c in counties]))
    return Places(
        region=region,
        rows=rows,
        total=total,
        counties=county_rows,
        as_of=as_of,
        summarised=bool(summaries),
    )


@dataclass(frozen=True)
class TeamRow:
    team: Team
    members: int
    short: bool
    counts: PlaceRow | None = None


def county_teams(
    *, user, county: Region, counts: dict[int, dict] | None = None
) -> list[TeamRow]:
    """The county's teams in post today with their members in post. One query.

    ``counts``: each team's counts of the year by team id (``Places.team_counts``
    of the county), to carry on its row.
    """
    today = clock.today()
    teams = figures.with_staffing(
        scoped(
            user,
            Team.objects.filter(figures.in_post(today), village__county=county),
        ),
        today,
    ).select_related("village__township")
    return [
        TeamRow(
            team=t,
            members=t.members,
            short=t.short,
            counts=None if counts is None else PlaceRow(**_sum([counts.get(t.pk, {})])),
        )
        for t in teams.order_by("village__township__code", "village__name", "id")
    ]


# --- Attendance rate by month, from the rollups ------------------------------


@dataclass(frozen=True)
class AttendanceMonths:
    """The region's rollups of the chart's months; ``first``–``last`` is that span.

    ``last_rollup`` is the latest rollup behind the rows, or, when the region
    has none in the span, the latest of any month or region in scope (so the
    page can say the span is not summarised and when a rollup last ran).
    """

    rows: list[AttendanceRollup]
    last_rollup: datetime.datetime | None
    first: datetime.date | None = None
    last: datetime.date | None = None

    @property
    def empty(self) -> bool:
        return not self.rows


def attendance_months(*, user, region: Region, months: int = 12) -> AttendanceMonths:
    """The region's rollup rows of the ``months`` months up to this one, oldest first.

    This month is included: the nightly rollup computes it (and the last), so on
    2022-12-31 the chart shows January to December 2022, not a month short.
    One query; a second (the date of the last rollup anywhere in scope) only
    when the region has no rows, so the page can say "尚未汇总" and since when.
    """
    last = month_of(clock.today())
    first = last
    for _ in range(months - 1):
        first = previous_month(first)
    rows = list(
        scoped(
            user,
            AttendanceRollup.objects.filter(
                level=region.level,
                region=region,
                month__gte=first,
                month__lte=last,
            ),
        ).order_by("month")
    )
    if rows:
        return AttendanceMonths(
            rows, max(r.computed_at for r in rows), first=first, last=last
        )
    latest = scoped(user, AttendanceRollup.objects.all()).aggregate(
        at=Max("computed_at")
    )["at"]
    return AttendanceMonths([], latest, first=first, last=last)


# --- The county workbench ------------------------------------------------------


@dataclass(frozen=True)
class MissingMonth:
    township: Region
    month: datetime.date
    due: datetime.date
    reopened: bool


def months_not_submitted(*, user, county: Region) -> list[MissingMonth]:
    """Months of this year, past their due date, a township has not submitted.

    Townships with a team in post in the year count; two queries.
    """
    today = clock.today()
    months = []
    month = datetime.date(today.year, 1, 1)
    while due_date(month) < today:
        months.append(month)
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if not months:
        return []
    year_end = datetime.date(today.year, 12, 31)
    townships = list(
        Region.objects.filter(
            level=Region.Level.TOWNSHIP,
            parent=county,
            pk__in=scoped(
                user,
                Team.objects.filter(
                    start_date__lte=year_end, village__county=county
                ).filter(Q(end_date__isnull=True) | Q(end_date__gte=months[0])),
            ).values("village__township_id"),
        ).order_by("code")
    )
    submissions = {
        (s.township_id, s.month): s
        for s in scoped(
            user,
            AttendanceSubmission.objects.filter(
                township__in=townships, month__in=months
            ),
        )
    }
    missing = []
    for township in townships:
        for month in months:
            found = submissions.get((township.pk, month))
            if found is None or found.submitted_at is None:
                missing.append(
                    MissingMonth(
                        township=township,
                        month=month,
                        due=due_date(month),
                        reopened=found is not None,
                    )
                )
    return missing


def unfit_awaiting_replacement(*, user, county: Region) -> QuerySet[Membership]:
    """Members the county marked unfit whose replacement is not appointed yet."""
    return (
        scoped(
            user,
            Membership.objects.filter(
                team__village__county=county,
                unfit_marked_on__isnull=False,
                replaced_by__isnull=True,
            ),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=clock.today()))
        .select_related("person", "team__village", "unit")
        .order_by("replacement_deadline", "id")
    )


@dataclass(frozen=True)
class GradingProgress:
    year: int
    to_grade: int
    graded: int
    members: int
    excellent: int
    cap: int


def grading_progress(*, user, county: Region, year: int) -> GradingProgress:
    """People to grade for ``year`` in the county, graded so far, and the 20% cap.

    Four queries: the people served in the year, the grades given, and the two
    counts of the cap rule.
    """
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    served = scoped(
        user,
        Membership.objects.filter(
            team__village__county=county, start_date__lte=end
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start)),
    )
    to_grade = served.values("person_id").distinct().count()
    graded = (
        scoped(
            user,
            Assessment.objects.filter(
                year=year,
                kind=Assessment.Kind.ANNUAL,
                membership__team__village__county=county,
            ),
        )
        .values("person_id")
        .distinct()
        .count()
    )
    eligible, excellent = cap_counts(year, [county.pk])
    members = eligible.get(county.pk, 0)
    ratio = Thresholds.from_settings().excellent_cap_ratio
    cap = int(ratio * members)
    return GradingProgress(
        year=year,
        to_grade=to_grade,
        graded=graded,
        members=members,
        excellent=excellent.get(county.pk, 0),
        cap=cap,
    )


def severity_counts(*, user, region: Region) -> dict[str, int]:
    """Findings of the snapshot under the region by severity. One query."""
    counts = scoped(
        user, FindingRecord.objects.filter(path__startswith=region.path)
    ).aggregate(
        error=Count("id", filter=Q(severity=FindingRecord.Severity.ERROR)),
        warning=Count("id", filter=Q(severity=FindingRecord.Severity.WARNING)),
    )
    return counts


# --- The township page -------------------------------------------------------


@dataclass(frozen=True)
class TownshipMonth:
    month: datetime.date
    due: datetime.date
    submission: AttendanceSubmission | None

    @property
    def submitted(self) -> bool:
        return self.submission is not None and self.submission.submitted_at is not None


def township_months(*, user, township: Region) -> list[TownshipMonth]:
    """This month (to enter) and last month (due on the 5th) and their state. One query."""
    this = month_of(clock.today())
    last = previous_month(this)
    found = {
        s.month: s
        for s in scoped(
            user,
            AttendanceSubmission.objects.filter(
                township=township, month__in=[last, this]
            ),
        )
    }
    return [TownshipMonth(m, due_date(m), found.get(m)) for m in (last, this)]


def township_visits(*, user, township: Region) -> tuple[Quarter, list[Team]]:
    """This quarter's visit coverage of the township's teams. One query."""
    quarter = Quarter.of(clock.today())
    return quarter, list(visit_coverage(user=user, quarter=quarter, region=township))


def township_reminders(*, user, limit: int = 10) -> list[Reminder]:
    """The user's latest reminders, unread first (the inbox's order). One query."""
    return list(inbox(user=user)[:limit])
