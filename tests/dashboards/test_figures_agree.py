"""One figure, one answer: each figure is the same number on every page of the demo.

「人数不足」 first; then 在驻工作队, 经费到位, 走访覆盖率 and 在岗率.

The team list's filter, the county workbench, the dashboards (the place summary
the nightly rollup writes and the county page's live counts) and the compliance
snapshot's team-size findings count the same teams for the same county and day.
"""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from attendance.models import (
    HouseholdVisit,
    MonthlyAttendance,
    PlaceSummary,
)
from attendance.rollups import attendance_rollup
from compliance.models import FindingRecord
from compliance.services import compliance_refresh
from dashboards.summaries import place_summary_refresh
from teams.models import Membership
from teams.team_selectors import team_rows
from villages.models import Household, Region
from zhucun.demo import AS_OF
from zhucun.periods import Quarter, month_last_day
from zhucun.policy import Thresholds
from zhucun.queries import overlapping

VILLAGES = 200


@pytest.fixture
def demo(db, settings, province_user):
    """The demo province on its own day, summarised and checked."""
    settings.ZHUCUN_TODAY = AS_OF
    call_command("seed_demo", villages=VILLAGES, seed=7, stdout=StringIO())
    place_summary_refresh(year=AS_OF.year, audit=False)
    compliance_refresh(as_of=AS_OF, user=None)
    return province_user


def _list_counts(user) -> Counter:
    """Short teams of the team list (all statuses shown, so none hides), by county."""
    rows = team_rows(user=user, filters={"short": True, "status": "all"})
    return Counter(rows.values_list("village__county__code", flat=True))


def _snapshot_counts() -> tuple[Counter, Counter]:
    """TEAM_TOO_SMALL by county; LIANGSHAN_TEAM_SIZE's teams by county."""
    small = Counter(
        FindingRecord.objects.filter(rule="TEAM_TOO_SMALL").values_list(
            "county__code", flat=True
        )
    )
    liangshan = Counter(
        FindingRecord.objects.filter(rule="LIANGSHAN_TEAM_SIZE").values_list(
            "county__code", flat=True
        )
    )
    return small, liangshan


def test_every_place_counts_the_same_short_teams(client, demo):
    user = demo
    listed = _list_counts(user)
    small, liangshan_findings = _snapshot_counts()
    summaries = dict(
        PlaceSummary.objects.filter(year=AS_OF.year).values_list(
            "county__code", "small_teams"
        )
    )
    most = Thresholds.from_settings().liangshan_max_members
    oversize = Counter(
        team_rows(user=user, filters={"liangshan": True})
        .filter(members__gt=most)
        .values_list("village__county__code", flat=True)
    )
    counties = set(summaries)
    assert sum(listed.values()) > 0, "the demo has short teams: the test can fail"
    for code in counties:
        assert listed[code] == summaries[code], code
        if code.startswith("5134"):
            assert listed[code] + oversize[code] == liangshan_findings[code], code
        else:
            assert listed[code] == small[code], code

    # One county with short teams, through its pages as a person sees them.
    code = max(listed, key=lambda c: (listed[c], c))
    n = listed[code]
    county = Region.objects.get(code=code)
    client.force_login(user)
    page = client.get("/teams/", {"region": code, "short": "1"})
    assert page.context["page"].paginator.count == n
    workbench = client.get(f"/dashboards/workbench/{code}/")
    assert len(workbench.context["short_teams"]) == n
    dashboard = client.get(f"/dashboards/{code}/")
    assert dashboard.context["places"].total.small_teams == n
    prefecture = client.get(f"/dashboards/{county.parent.code}/")
    by_county = {r.region.code: r for r in prefecture.context["places"].counties}
    assert by_county[code].small_teams == n
    overview = client.get("/compliance/", {"region": code})
    rule = "LIANGSHAN_TEAM_SIZE" if code.startswith("5134") else "TEAM_TOO_SMALL"
    assert overview.context["summary"].get(rule).count == n + oversize[code]


# --- teams in post, funds received, visit coverage, attendance rate -----------


def _most(summaries: dict, figure) -> str:
    """The county where ``figure`` of its summary row is largest (ties: highest code)."""
    return max(summaries, key=lambda c: (figure(summaries[c]), c))


def _dashboards(client, code: str):
    """The county page's total and the county's row on its prefecture's page."""
    county = Region.objects.select_related("parent").get(code=code)
    total = client.get(f"/dashboards/{code}/").context["places"].total
    prefecture = client.get(f"/dashboards/{county.parent.code}/").context
    by_county = {r.region.code: r for r in prefecture["places"].counties}[code]
    return county, total, by_county


def _days_due(membership, month) -> int:
    """Days of ``month`` the membership was due in post, counted from its dates."""
    last = month_last_day(month)
    start = max(membership.start_date, month)
    end = min(membership.end_date or last, last)
    return (end - start).days + 1


def test_every_page_gives_the_same_teams_funds_visits_and_rate(
    client, demo, scoped_user
):
    """For one county and day, each of the four figures is one number everywhere:
    the summary table, the county and prefecture dashboards, the home page, the
    team list, the funding pages and FUNDING_SHORT, the visit page, the rollup
    page and the chart; the rate and the coverage are also recounted from the
    raw rows, so a shared wrong definition fails too."""
    user = demo
    year = AS_OF.year
    summaries = {
        s.county.code: s
        for s in PlaceSummary.objects.filter(year=year).select_related("county")
    }
    client.force_login(user)
    code = _most(summaries, lambda r: r.teams)
    row = summaries[code]
    county, total, by_county = _dashboards(client, code)
    assert row.teams > 0

    # Teams (and members) in post.
    listed = client.get("/teams/", {"region": code}).context["page"].paginator.count
    client.force_login(scoped_user("county", code))
    home = dict(client.get("/", {"stay": "1"}).context["overview"])
    client.force_login(user)
    assert listed == row.teams == total.teams == by_county.teams
    assert home["在驻工作队"] == row.teams
    assert home["在任队员"] == row.members == total.members

    # Funds received of the year, and the teams short of them.
    code = _most(summaries, lambda r: r.funds_short)
    row = summaries[code]
    county, total, by_county = _dashboards(client, code)
    assert row.funds_short > 0, "the demo has teams short of funds"
    funded = client.get("/funding/teams/", {"county": code, "year": year}).context
    teams = list(funded["page"].paginator.object_list)
    received = sum((t.received for t in teams), Decimal(0))
    short_page = client.get("/funding/short/", {"county": code, "year": year})
    short = short_page.context["page"].paginator.count
    findings = FindingRecord.objects.filter(
        rule="FUNDING_SHORT", county=county, period=str(year)
    ).count()
    assert len(teams) == row.funded_teams == total.funded_teams
    assert received == row.funds_received == total.funds_received
    assert received == by_county.funds_received
    assert short == row.funds_short == total.funds_short == findings

    # Visit coverage of the year's last quarter.
    code = _most(summaries, lambda r: r.visit_households_q4 - r.visit_done_q4)
    row = summaries[code]
    county, total, by_county = _dashboards(client, code)
    assert 0 < row.visit_done_q4 < row.visit_households_q4
    quarter = Quarter(year, 4)
    page = client.get("/attendance/visits/", {"region": code, "quarter": "2022Q4"})
    villages = {t.village_id: t for t in page.context["page"].paginator.object_list}
    households = sum(t.households for t in villages.values())
    done = sum(t.visited for t in villages.values())
    raw = Household.objects.filter(village_id__in=list(villages))
    raw_done = raw.filter(
        pk__in=HouseholdVisit.objects.filter(
            visited_on__gte=quarter.first, visited_on__lte=quarter.last
        ).values("household_id")
    )
    assert households == raw.count() == row.visit_households_q4
    assert done == raw_done.count() == row.visit_done_q4
    assert total.visit_households[3] == households and total.visit_done[3] == done
    assert by_county.visit_done[3] == done

    # The attendance rate of a month: the rollup page, the chart, the raw rows.
    code = _most(summaries, lambda r: r.teams)
    county = Region.objects.get(code=code)
    month = datetime.date(year, 11, 1)
    attendance_rollup(month=month)
    rollups = client.get(
        "/attendance/rollups/", {"region": code, "month": "2022-11"}
    ).context
    own = rollups["own"]
    chart = client.get(f"/dashboards/{code}/").context["attendance"]
    charted = {r.month: r for r in chart.rows}[month]
    memberships = Membership.objects.filter(
        overlapping(month, month_last_day(month)), team__village__county=county
    )
    due = sum(_days_due(m, month) for m in memberships)
    in_post = (
        MonthlyAttendance.objects.filter(
            month=month, membership__in=memberships
        ).aggregate(n=Sum("in_post_days"))["n"]
        or 0
    )
    assert due > 0 and in_post > 0, "the demo records November: the test can fail"
    assert (own.in_post_days, own.days_possible) == (in_post, due)
    assert float(own.rate) == pytest.approx(in_post / due, abs=1e-4)
    assert charted.rate == own.rate
    children = rollups["children"]
    assert sum(c.days_possible for c in children) == due
