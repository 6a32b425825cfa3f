"""The dashboard's counts: GROUP BY on the region path, scoped, in fixed queries."""

import datetime
from decimal import Decimal

import pytest

from attendance.models import HouseholdVisit
from dashboards import selectors
from dashboards.summaries import place_summary_refresh
from funding.models import Fund
from tests.assessments.factories import (
    FundFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
)
from tests.dashboards.conftest import build_world, team_of
from tests.factories import HouseholdFactory, TownshipFactory
from villages.models import Region


def _rows(places):
    return {row.region.code: row for row in places.rows}


def test_place_rows_count_villages_teams_members_by_prefecture(world, province_user):
    province = Region.objects.get(code="510000")
    places = selectors.place_rows(user=province_user, region=province)
    rows = _rows(places)
    liangshan, chengdu = rows["513400"], rows["510100"]
    assert (liangshan.poor_villages, liangshan.covered_villages) == (3, 2)
    assert (liangshan.teams, liangshan.members, liangshan.small_teams) == (2, 6, 1)
    # 凉山州: a team of 4 is in 4–7, a team of 2 is not.
    assert (liangshan.liangshan_teams, liangshan.liangshan_in_range) == (2, 1)
    assert (chengdu.poor_villages, chengdu.teams, chengdu.members) == (1, 1, 3)
    assert chengdu.small_teams == 0 and chengdu.liangshan_teams == 0
    assert rows["510300"].teams == 0
    assert places.total.teams == 3 and places.total.members == 9
    assert str(places.total.coverage) == "0.75"


def test_place_rows_of_a_county_are_its_townships(world, province_user):
    places = selectors.place_rows(user=province_user, region=world.zhaojue)
    row = _rows(places)[world.township.code]
    assert (row.poor_villages, row.teams, row.members) == (3, 2, 6)


@pytest.mark.parametrize("copies", [1, 3])
def test_place_rows_take_a_fixed_number_of_queries_whatever_the_size(
    db, today, province_user, django_assert_num_queries, copies
):
    """Regions and the summary; without a summary, villages, teams, visits (every
    quarter at once), training, funds and the cap's two counts besides; the scope
    is read once before."""
    build_world(copies)
    province = Region.objects.get(code="510000")
    selectors.place_rows(user=province_user, region=province)  # caches the scope
    with django_assert_num_queries(9):
        places = selectors.place_rows(user=province_user, region=province)
    assert places.total.teams == 3 * copies and not places.summarised
    place_summary_refresh()
    with django_assert_num_queries(2):
        places = selectors.place_rows(user=province_user, region=province)
    assert places.total.teams == 3 * copies and places.summarised


def test_after_a_refresh_the_pages_read_the_summary_until_the_next(
    world, province_user, django_assert_num_queries
):
    province = Region.objects.get(code="510000")
    place_summary_refresh()
    assert selectors.place_rows(user=province_user, region=province).total.teams == 3
    team_of(world.township, 3)
    # Regions and the summary only; the new team waits for the next refresh.
    with django_assert_num_queries(2):
        kept = selectors.place_rows(user=province_user, region=province)
    assert kept.total.teams == 3 and kept.as_of is not None
    place_summary_refresh()
    assert selectors.place_rows(user=province_user, region=province).total.teams == 4


def test_the_summary_is_read_within_the_users_scope(world, province_user, scoped_user):
    """One summary for everyone: a county clerk sums only their county's row."""
    team_of(TownshipFactory(parent=Region.objects.get(code="513432")), 4)
    place_summary_refresh()
    liangshan = Region.objects.get(code="513400")
    clerk = scoped_user("county", "513431")
    zhaojue_only = selectors.place_rows(user=clerk, region=liangshan)
    assert zhaojue_only.summarised and zhaojue_only.total.teams == 2
    everything = selectors.place_rows(user=province_user, region=liangshan)
    assert everything.total.teams == 3


def test_the_summary_gives_the_same_figures_as_counting_afresh(world, province_user):
    province = Region.objects.get(code="510000")
    FundFactory(team=world.full[0], amount=Decimal("12345.67"))
    afresh = selectors.place_rows(user=province_user, region=province)
    place_summary_refresh()
    summed = selectors.place_rows(user=province_user, region=province)
    assert summed.summarised and not afresh.summarised
    assert summed.total == afresh.total
    assert summed.rows == afresh.rows and summed.counties == afresh.counties


def test_a_county_clerk_counts_only_their_county(world, scoped_user):
    clerk = scoped_user("county", "513431")
    province = Region.objects.get(code="510000")
    places = selectors.place_rows(user=clerk, region=province)
    assert places.total.teams == 2
    assert _rows(places)["510100"].teams == 0


def test_region_get_refuses_a_region_outside_the_scope(world, scoped_user):
    clerk = scoped_user("county", "513431")
    assert selectors.region_get(
        user=clerk, code="513431", levels=selectors.DASHBOARD_LEVELS
    )
    for code in ("510000", "513400", "510104"):
        with pytest.raises(Region.DoesNotExist):
            selectors.region_get(
                user=clerk, code=code, levels=selectors.DASHBOARD_LEVELS
            )


def test_breadcrumbs_link_only_regions_in_scope(world, scoped_user):
    clerk = scoped_user("county", "513431")
    crumbs = selectors.breadcrumbs(user=clerk, region=world.township)
    assert [(r.code, ok) for r, ok in crumbs] == [
        ("510000", False),
        ("513400", False),
        ("513431", True),
        (world.township.code, True),
    ]


def test_county_teams_mark_the_short_ones(world, province_user):
    rows = selectors.county_teams(user=province_user, county=world.zhaojue)
    assert {(r.team.pk, r.members, r.short) for r in rows} == {
        (world.full[0].pk, 4, False),
        (world.short[0].pk, 2, True),
    }


def test_landing_url_by_role(world, scoped_user):
    assert selectors.landing_url(scoped_user("province", "510000")) == (
        "/dashboards/510000/"
    )
    assert selectors.landing_url(scoped_user("prefecture", "513400")) == (
        "/dashboards/513400/"
    )
    assert selectors.landing_url(scoped_user("county", "513431")) == (
        "/dashboards/workbench/513431/"
    )
    township = world.township.code
    assert selectors.landing_url(scoped_user("township", township)) == (
        f"/dashboards/township/{township}/"
    )


def test_visits_training_and_funds_by_prefecture(world, province_user):
    """Q4 2019: 3 of the 4 households of 凉山州's teams visited; in 2019, people
    with 5 training days; funds received by today against ¥20,000 a team."""
    full, short = world.full[0], world.short[0]
    visited = HouseholdFactory(village=full.village)
    HouseholdFactory(village=full.village)
    HouseholdVisit.objects.create(
        team=full, household=visited, visited_on=datetime.date(2019, 11, 5)
    )
    HouseholdVisit.objects.create(
        team=full, household=visited, visited_on=datetime.date(2019, 12, 5)
    )
    for _ in range(2):
        household = HouseholdFactory(village=short.village)
        HouseholdVisit.objects.create(
            team=short, household=household, visited_on=datetime.date(2019, 10, 9)
        )
    # An earlier quarter's visit counts in its own quarter only.
    HouseholdVisit.objects.create(
        team=short, household=household, visited_on=datetime.date(2019, 4, 9)
    )
    people = [m.person for m in full.memberships.all()]
    five = TrainingEventFactory(days=Decimal("5"))
    TrainingRecordFactory(event=five, person=people[0])
    # Two courses of 3 days add up; a 2018 course does not count for 2019.
    for start in (datetime.date(2019, 3, 1), datetime.date(2019, 9, 1)):
        TrainingRecordFactory(
            event=TrainingEventFactory(start_date=start), person=people[1]
        )
    old = TrainingEventFactory(start_date=datetime.date(2018, 9, 1), days=Decimal("5"))
    TrainingRecordFactory(event=old, person=people[2])
    FundFactory(team=full, amount=Decimal("20000"))
    FundFactory(team=short, amount=Decimal("15000"))
    # Not received yet by today: allocated only.
    FundFactory(team=short, amount=Decimal("5000"), received_on=None)
    FundFactory(team=world.jinjiang_team, amount=Decimal("20000"))

    places = selectors.place_rows(
        user=province_user, region=Region.objects.get(code="510000")
    )
    liangshan = _rows(places)["513400"]
    assert liangshan.visit_households == (4, 4, 4, 4)
    assert liangshan.visit_done == (0, 1, 0, 3)
    assert liangshan.visits(4) == Decimal("0.75")
    assert (liangshan.trained, liangshan.served) == (2, 6)
    assert liangshan.funded_teams == 2
    assert liangshan.funds_received == Decimal("35000")
    assert liangshan.funds_required == Decimal("40000")
    assert liangshan.funds_short == 1
    assert liangshan.funding == Decimal("0.875")
    chengdu = _rows(places)["510100"]
    assert (chengdu.funds_short, chengdu.funding) == (0, Decimal("1"))
    assert places.total.funds_received == Decimal("55000")


def test_county_teams_carry_their_own_counts(world, province_user):
    HouseholdVisit.objects.create(
        team=world.full[0],
        household=HouseholdFactory(village=world.full[0].village),
        visited_on=datetime.date(2019, 12, 1),
    )
    Fund.objects.create(
        team=world.short[0],
        year=2019,
        amount=Decimal("20000"),
        source=Fund.Source.COUNTY,
        received_on=datetime.date(2019, 2, 1),
    )
    places = selectors.place_rows(user=province_user, region=world.zhaojue)
    rows = {
        r.team.pk: r.counts
        for r in selectors.county_teams(
            user=province_user, county=world.zhaojue, counts=places.team_counts
        )
    }
    full, short = rows[world.full[0].pk], rows[world.short[0].pk]
    assert (full.quarter_done, full.quarter_households) == (1, 1)
    assert (short.quarter_done, short.quarter_households) == (0, 0)
    assert (full.served, short.served) == (4, 2)
    assert (full.funds_short, short.funds_short) == (1, 0)
    # The township's counts are its teams' and its villages'.
    township = _rows(places)[world.township.code]
    assert (township.quarter_done, township.quarter_households) == (1, 1)
    assert (township.served, township.funds_short) == (6, 1)
    assert (township.poor_villages, township.covered_villages) == (3, 2)
    assert places.total.funded_teams == 2


@pytest.mark.parametrize("copies", [1, 3])
def test_a_county_takes_a_fixed_number_of_queries(
    db, today, province_user, django_assert_num_queries, copies
):
    """Townships, villages, the teams' seven, their townships, the townships'
    visits, the cap's two; counted afresh each time (a county is a few hundred
    rows), summary or not."""
    world = build_world(copies)
    selectors.place_rows(user=province_user, region=world.zhaojue)
    with django_assert_num_queries(13):
        places = selectors.place_rows(user=province_user, region=world.zhaojue)
    assert places.total.teams == 2 * copies
    place_summary_refresh()
    team_of(world.township, 3)
    with django_assert_num_queries(13):
        places = selectors.place_rows(user=province_user, region=world.zhaojue)
    assert len(places.team_counts) == 2 * copies + 1
