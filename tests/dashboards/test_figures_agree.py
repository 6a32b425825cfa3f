"""One figure, one answer: 「人数不足」 is the same number on every page of the demo.

The team list's filter, the county workbench, the dashboards (the place summary
the nightly rollup writes and the county page's live counts) and the compliance
snapshot's team-size findings count the same teams for the same county and day.
"""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from attendance.models import PlaceSummary
from compliance.models import FindingRecord
from compliance.services import compliance_refresh
from dashboards.summaries import place_summary_refresh
from teams.team_selectors import team_rows
from villages.models import Region
from zhucun.demo import AS_OF
from zhucun.policy import Thresholds

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
