"""The province drills down its dashboard to a team, in Chromium.

Where each demo role lands after logging in is in test_demo_roles.py.
"""

import pytest

from accounts.management.commands.demo_accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_province_drills_down_to_a_team(demo, browse):
    session = browse()
    session.log_in("sheng", DEMO_PASSWORD)
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

    team = demo.short[0]
    session.page.click(f"a[href='/teams/{team.pk}/']")
    assert session.path() == f"/teams/{team.pk}/"
    assert team.name in session.page.locator("h1").inner_text()
    session.shot("team-page")
    session.assert_clean()
