"""The counties' dashboard counts kept in PlaceSummary (dashboards.summaries)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from attendance.models import HouseholdVisit, PlaceSummary
from dashboards.summaries import place_summary_refresh, summary_counts
from tests.assessments.factories import (
    FundFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
)
from tests.dashboards.conftest import build_world
from tests.factories import HouseholdFactory
from villages.models import Region
from zhucun.access import scoped
from zhucun.models import AuditEntry

D = datetime.date
TODAY = D(2019, 12, 31)
# Every column but when it was computed: what two runs must agree on.
FIGURES = [
    f.name
    for f in PlaceSummary._meta.concrete_fields
    if f.name not in ("id", "computed_at")
]


@pytest.fixture
def world(db, settings):
    """On 2019-12-31: in 昭觉县 a team of 4, a team of 2 and a village without a
    team, one household visited in Q4 of two, ¥20,000 and ¥15,000 received, one
    member with 5 training days; in 锦江区 a team of 3."""
    settings.ZHUCUN_TODAY = TODAY
    world = build_world()
    full, short = world.full[0], world.short[0]
    visited = HouseholdFactory(village=full.village)
    HouseholdFactory(village=short.village)
    HouseholdVisit.objects.create(
        team=full, household=visited, visited_on=D(2019, 11, 5)
    )
    FundFactory(team=full, amount=Decimal("20000"))
    FundFactory(team=short, amount=Decimal("15000.50"))
    TrainingRecordFactory(
        event=TrainingEventFactory(days=Decimal("5")),
        person=full.memberships.first().person,
    )
    return world


def _row(code: str, year: int = 2019) -> PlaceSummary:
    return PlaceSummary.objects.get(county__code=code, year=year)


def _figures(year: int = 2019) -> list[dict]:
    return list(
        PlaceSummary.objects.filter(year=year).order_by("county_id").values(*FIGURES)
    )


def test_the_refresh_writes_each_countys_counts_of_the_year(world):
    result = place_summary_refresh()

    counties = Region.objects.filter(level=Region.Level.COUNTY).count()
    assert result.year == 2019 and result.counties == counties
    # Every county has its row, zeros included.
    assert PlaceSummary.objects.filter(year=2019).count() == counties
    zhaojue = _row("513431")
    assert zhaojue.as_of == TODAY
    assert (zhaojue.poor_villages, zhaojue.covered_villages) == (3, 2)
    assert (zhaojue.teams, zhaojue.members, zhaojue.small_teams) == (2, 6, 1)
    # 凉山州's rule: 4 to 7 members; the team of 2 is out of range.
    assert (zhaojue.liangshan_teams, zhaojue.liangshan_in_range) == (2, 1)
    assert (zhaojue.visit_households_q4, zhaojue.visit_done_q4) == (2, 1)
    assert (zhaojue.served, zhaojue.trained) == (6, 1)
    assert zhaojue.funded_teams == 2 and zhaojue.funds_short == 1
    assert zhaojue.funds_received == Decimal("35000.50")
    assert zhaojue.funds_required == Decimal("40000.00")
    # The 20% cap counts members other than first secretaries.
    assert (zhaojue.cap_members, zhaojue.cap_excellent) == (4, 0)
    jinjiang = _row("510104")
    assert (jinjiang.teams, jinjiang.members, jinjiang.liangshan_teams) == (1, 3, 0)
    assert (jinjiang.poor_villages, jinjiang.funds_received) == (1, 0)
    assert _row("510105").teams == 0
    # Read back as the counts a dashboard sums.
    counts = summary_counts(zhaojue)
    assert counts["visit_done"] == (0, 0, 0, 1) and counts["teams"] == 2


def test_a_second_refresh_leaves_the_same_rows(world):
    place_summary_refresh()
    first = _figures()
    ids = set(PlaceSummary.objects.values_list("pk", flat=True))

    place_summary_refresh()

    assert _figures() == first
    assert not ids & set(PlaceSummary.objects.values_list("pk", flat=True))
    audits = AuditEntry.objects.filter(
        model="attendance.placesummary", object_id="2019"
    )
    assert audits.count() == 2


def test_a_refresh_replaces_the_year_and_leaves_the_others(world):
    place_summary_refresh(year=2018)
    assert _row("513431", 2018).as_of == D(2018, 12, 31)
    place_summary_refresh()
    world.full[0].memberships.first().delete()

    place_summary_refresh()

    assert _row("513431").members == 5
    assert _row("513431", 2018).as_of == D(2018, 12, 31)


def test_no_summary_of_a_year_to_come(world):
    with pytest.raises(ValueError):
        place_summary_refresh(year=2020)
    assert not PlaceSummary.objects.exists()


@pytest.mark.parametrize(
    ("role", "scope", "codes"),
    [
        ("county", "513431", {"513431"}),
        ("county", "510104", {"510104"}),
        ("prefecture", "513400", None),  # every county of 凉山州
    ],
)
def test_the_summary_rows_are_scoped_to_the_users_region(
    world, scoped_user, role, scope, codes
):
    place_summary_refresh()
    user = scoped_user(role, scope)

    seen = set(
        scoped(user, PlaceSummary.objects.all()).values_list("county__code", flat=True)
    )

    expected = codes or set(
        Region.objects.filter(
            level=Region.Level.COUNTY,
            path__startswith=Region.objects.get(code=scope).path,
        ).values_list("code", flat=True)
    )
    assert seen == expected


def test_a_township_or_a_unit_sees_no_summary(world, scoped_user):
    place_summary_refresh()
    township = scoped_user("township", world.township.code)
    unit = scoped_user("unit", world.full[0].memberships.first().unit.name, "unit-u")
    assert not scoped(township, PlaceSummary.objects.all()).exists()
    assert not scoped(unit, PlaceSummary.objects.all()).exists()


def test_the_rollup_command_and_task_refresh_the_summary(world):
    from attendance.tasks import rollup_month

    call_command("rollup_attendance", "--month", "2019-11", stdout=StringIO())
    assert _row("513431").teams == 2
    world.short[0].memberships.first().delete()

    result = rollup_month.run("2019-11")

    assert result["place_summaries"] == PlaceSummary.objects.count()
    assert _row("513431").members == 5


def test_seed_demo_leaves_the_summary_of_the_demos_year(db, settings, province_user):
    """The demo province's dashboard reads the summary, and it matches a count."""
    from dashboards.selectors import place_rows
    from zhucun.demo import AS_OF

    call_command("seed_demo", villages=100, seed=7, stdout=StringIO())

    assert PlaceSummary.objects.filter(year=AS_OF.year, as_of=AS_OF).exists()
    assert not PlaceSummary.objects.exclude(year=AS_OF.year).exists()
    settings.ZHUCUN_TODAY = AS_OF
    province = Region.objects.get(level=Region.Level.PROVINCE)
    summed = place_rows(user=province_user, region=province)
    PlaceSummary.objects.all().delete()
    afresh = place_rows(user=province_user, region=province)
    assert summed.summarised and not afresh.summarised
    assert summed.total.teams > 0 and summed.total.funds_received > 0
    assert summed.total == afresh.total and summed.rows == afresh.rows
