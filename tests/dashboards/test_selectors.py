"""The dashboard's counts: GROUP BY on the region path, scoped, in fixed queries."""

import pytest

from dashboards import selectors
from tests.dashboards.conftest import build_world
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
def test_place_rows_take_four_queries_whatever_the_size(
    db, today, province_user, django_assert_num_queries, copies
):
    """Children, villages, teams, members; the scope is read once before."""
    build_world(copies)
    province = Region.objects.get(code="510000")
    selectors.place_rows(user=province_user, region=province)  # caches the scope
    with django_assert_num_queries(4):
        places = selectors.place_rows(user=province_user, region=province)
    assert places.total.teams == 3 * copies


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
