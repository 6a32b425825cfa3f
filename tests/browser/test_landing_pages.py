"""Each role logs in, lands on the page of its job and drills down, in Chromium."""

import pytest

from tests.browser.conftest import PASSWORD
from tests.dashboards.conftest import TODAY, build_world
from zhucun.services import user_provision

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def people(settings):
    """The small province on 2019-12-31 and one account per regional role."""
    settings.ZHUCUN_TODAY = TODAY
    world = build_world()
    for role, scope in (
        ("province", "510000"),
        ("prefecture", "513400"),
        ("county", "513431"),
        ("township", world.township.code),
    ):
        user_provision(username=f"b-{role}", role=role, scope=scope, password=PASSWORD)
    return world


def test_the_province_drills_down_to_a_team(people, browse):
    session = browse()
    session.log_in("b-province")
    assert session.path() == "/dashboards/510000/"
    assert session.page.locator("h1").inner_text() == "四川省驻村工作看板"
    session.shot("dashboard-province")

    # Through the chart's bars (the tables of long charts start folded).
    session.page.click("#chart-coverage svg a[href='/dashboards/513400/']")
    assert session.path() == "/dashboards/513400/"
    session.shot("dashboard-prefecture")

    session.page.click("#chart-coverage svg a[href='/dashboards/513431/']")
    assert session.path() == "/dashboards/513431/"
    session.shot("dashboard-county")

    session.page.click(f"a[href='/compliance/teams/{people.short[0].pk}/']")
    assert session.path() == f"/compliance/teams/{people.short[0].pk}/"
    session.assert_clean()


def test_the_prefecture_lands_on_its_dashboard(people, browse):
    session = browse()
    session.log_in("b-prefecture")
    assert session.path() == "/dashboards/513400/"
    crumbs = session.page.locator(".crumbs li")
    assert crumbs.all_inner_texts() == ["四川省", "凉山彝族自治州"]
    session.assert_clean()


def test_the_county_lands_on_its_workbench(people, browse):
    session = browse()
    session.log_in("b-county")
    assert session.path() == "/dashboards/workbench/513431/"
    session.shot("workbench-county")
    session.page.click("#wb-short + ul a")
    assert session.path() == f"/compliance/teams/{people.short[0].pk}/"
    session.assert_clean()


def test_the_township_page_fits_a_phone(people, browse):
    session = browse(viewport={"width": 375, "height": 740})
    session.log_in("b-township")
    assert session.path() == f"/dashboards/township/{people.township.code}/"
    overflow = session.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    session.shot("township-phone")
    session.assert_clean()
