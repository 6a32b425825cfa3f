"""Reads of the dashboards, the county workbench and the township page.

Every figure is either a small GROUP BY on the region path (villages, teams and
members by part of a region), a read of a summary table (the attendance rollups,
the compliance snapshot), or a count over one county or township. Each function
runs a fixed number of queries, whatever the size of the province, and every
query goes through ``zhucun.access.scoped``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse

from assessments.models import Assessment, FindingRecord
from assessments.rules.engine import Thresholds
from assessments.rules.management import cap_counts
from attendance.models import AttendanceRollup, AttendanceSubmission, Reminder
from attendance.periods import Quarter, due_date, month_of, previous_month
from attendance.selectors import (
    SubqueryCount,
    inbox,
    region_scope,
    visit_coverage,
)
from teams.models import Membership, Team, active_on
from villages.models import LIANGSHAN_CODE, Region, Village
from zhucun import clock
from zhucun.access import scoped, user_scope
from zhucun.models import UserScope

DASHBOARD_LEVELS = (
    Region.Level.PROVINCE,
    Region.Level.PREFECTURE,
    Region.Level.COUNTY,
)
LIANGSHAN_PREFIX = LIANGSHAN_CODE[:4]


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


# --- Villages, teams and members by part of a region --------------------------


@dataclass(frozen=True)
class PlaceRow:
    """One part of a region (a prefecture, county or township) and its counts."""

    region: Region
    poor_villages: int = 0
    covered_villages: int = 0
    teams: int = 0
    members: int = 0
    small_teams: int = 0
    liangshan_teams: int = 0
    liangshan_in_range: int = 0

    @property
    def coverage(self) -> Decimal | None:
        if not self.poor_villages:
            return None
        return Decimal(self.covered_villages) / Decimal(self.poor_villages)


@dataclass(frozen=True)
class Places:
    region: Region
    rows: list[PlaceRow]
    total: PlaceRow


def _team_size_conditions(today: datetime.date, thresholds: Thresholds):
    members = SubqueryCount(
        Membership.objects.filter(active_on(today), team=OuterRef("pk")).values("id")
    )
    liangshan = Q(village__county__code__startswith=LIANGSHAN_PREFIX)
    small = (liangshan & Q(n__lt=thresholds.liangshan_min_members)) | (
        ~liangshan & Q(n__lt=thresholds.team_min_members)
    )
    in_range = liangshan & Q(
        n__gte=thresholds.liangshan_min_members,
        n__lte=thresholds.liangshan_max_members,
    )
    return members, liangshan, small, in_range


def place_rows(*, user, region: Region) -> Places:
    """Counts per child of ``region`` in force today. Four queries.

    Coverage is poor villages with a team in post today over all registered poor
    villages; a team is short when it has fewer members in post than the policy
    minimum (4 in 凉山州, 3 elsewhere); 凉山州 teams should have 4 to 7.
    """
    today = clock.today()
    thresholds = Thresholds.from_settings()
    children = list(Region.objects.filter(parent=region).order_by("code"))
    counts: dict[str, dict[str, int]] = {c.path: {} for c in children}
    under = region.path

    for length in sorted({len(c.path) for c in children}):
        villages = (
            scoped(
                user,
                Village.objects.filter(
                    is_registered_poor=True, township__path__startswith=under
                ),
            )
            .order_by()
            .annotate(prefix=Substr("township__path", 1, length))
            .values("prefix")
            .annotate(
                poor_villages=Count("id"),
                covered_villages=Count(
                    "id",
                    filter=Exists(
                        Team.objects.filter(active_on(today), village=OuterRef("pk"))
                    ),
                ),
            )
        )
        members, liangshan, small, in_range = _team_size_conditions(today, thresholds)
        teams = (
            scoped(
                user,
                Team.objects.filter(
                    active_on(today), village__township__path__startswith=under
                ),
            )
            .order_by()
            .annotate(n=members, prefix=Substr("village__township__path", 1, length))
            .values("prefix")
            .annotate(
                teams=Count("id"),
                small_teams=Count("id", filter=small),
                liangshan_teams=Count("id", filter=liangshan),
                liangshan_in_range=Count("id", filter=in_range),
            )
        )
        people = (
            scoped(
                user,
                Membership.objects.filter(
                    active_on(today), team__village__township__path__startswith=under
                ),
            )
            .order_by()
            .annotate(prefix=Substr("team__village__township__path", 1, length))
            .values("prefix")
            .annotate(members=Count("id"))
        )
        for rows in (villages, teams, people):
            for row in rows:
                prefix = row.pop("prefix")
                row.pop("n", None)
                if prefix in counts:
                    counts[prefix].update(row)
    rows = [PlaceRow(region=child, **counts[child.path]) for child in children]
    fields = (
        "poor_villages",
        "covered_villages",
        "teams",
        "members",
        "small_teams",
        "liangshan_teams",
        "liangshan_in_range",
    )
    total = PlaceRow(
        region=region, **{f: sum(getattr(r, f) for r in rows) for f in fields}
    )
    return Places(region=region, rows=rows, total=total)


@dataclass(frozen=True)
class TeamRow:
    team: Team
    members: int
    short: bool


def county_teams(*, user, county: Region) -> list[TeamRow]:
    """The county's teams in post today with their members in post. One query."""
    today = clock.today()
    thresholds = Thresholds.from_settings()
    members, _liangshan, _small, _in_range = _team_size_conditions(today, thresholds)
    minimum = (
        thresholds.liangshan_min_members
        if county.is_liangshan
        else thresholds.team_min_members
    )
    teams = (
        scoped(
            user,
            Team.objects.filter(active_on(today), village__county=county),
        )
        .select_related("village__township")
        .annotate(n=members)
        .order_by("village__township__code", "village__name", "id")
    )
    return [TeamRow(team=t, members=t.n, short=t.n < minimum) for t in teams]


# --- Attendance rate by month, from the rollups ------------------------------


@dataclass(frozen=True)
class AttendanceMonths:
    rows: list[AttendanceRollup]
    last_rollup: datetime.datetime | None

    @property
    def empty(self) -> bool:
        return not self.rows


def attendance_months(*, user, region: Region, months: int = 12) -> AttendanceMonths:
    """The region's rollup rows of the last ``months`` months, oldest first.

    One query; a second (the date of the last rollup anywhere in scope) only
    when the region has no rows, so the page can say "尚未汇总" and since when.
    """
    last = previous_month(month_of(clock.today()))
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
        return AttendanceMonths(rows, max(r.computed_at for r in rows))
    latest = scoped(user, AttendanceRollup.objects.all()).aggregate(
        at=Max("computed_at")
    )["at"]
    return AttendanceMonths([], latest)


# --- Grades against the 20% cap ----------------------------------------------


@dataclass(frozen=True)
class CapRow:
    region: Region
    members: int
    excellent: int

    @property
    def ratio(self) -> Decimal | None:
        if not self.members:
            return None
        return Decimal(self.excellent) / Decimal(self.members)


def grade_cap_rows(*, region: Region, year: int) -> list[CapRow]:
    """优秀 grades over the members who count for the cap, per child region.

    Three queries: the counties under the region and the two counts of the cap
    rule (the same function the grading service checks the cap with). A
    prefecture's or the province's figure sums its counties.
    """
    counties = list(
        Region.objects.filter(
            level=Region.Level.COUNTY, path__startswith=region.path
        ).select_related("parent")
    )
    eligible, graded = cap_counts(year, [c.pk for c in counties])
    if region.level == Region.Level.COUNTY:
        return [CapRow(region, eligible.get(region.pk, 0), graded.get(region.pk, 0))]
    totals: dict[int, list[int]] = {}
    parents: dict[int, Region] = {}
    for county in counties:
        key = county if region.level == Region.Level.PREFECTURE else county.parent
        parents[key.pk] = key
        bucket = totals.setdefault(key.pk, [0, 0])
        bucket[0] += eligible.get(county.pk, 0)
        bucket[1] += graded.get(county.pk, 0)
    return [
        CapRow(parents[pk], members, excellent)
        for pk, (members, excellent) in sorted(
            totals.items(), key=lambda item: parents[item[0]].code
        )
    ]


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
