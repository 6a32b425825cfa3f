"""Every demo account (``manage.py demo_accounts``) logs in and lands on its page."""

import pytest

from accounts.management.commands.demo_accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Unit and committee staff have no region page: they stay on the home page or
# are sent to their to-do list of appointments.
UNSCOPED = ("/", "/teams/appointments/")
# The status of every page the menu links, fetched together (same cookies).
MENU_STATUSES = """
    () => Promise.all(
        Array.from(document.querySelectorAll(".site-nav a"), (a) =>
            fetch(a.href).then((response) => [a.getAttribute("href"), response.status])
        )
    )
"""


def test_each_demo_account_lands_on_the_page_of_its_job(demo, browse):
    """Where ``/`` sends each role (dashboards.selectors.landing_url)."""
    landings = {
        "admin": ("/",),
        "sheng": ("/dashboards/510000/",),
        "liangshan": ("/dashboards/513400/",),
        "zhaojue": ("/dashboards/workbench/513431/",),
        "zhaojue-xiang": (f"/dashboards/township/{demo.township.code}/",),
        "danwei": UNSCOPED,
        "gongwei": UNSCOPED,
    }
    for username, allowed in landings.items():
        phone = username == "zhaojue-xiang"  # township staff work on phones
        session = browse(viewport={"width": 375, "height": 740} if phone else None)
        session.log_in(username, DEMO_PASSWORD)

        assert session.path() in allowed, username
        assert session.page.locator("h1").first.inner_text(), username
        header = session.page.locator(".site-header__name").inner_text()
        assert header.split(" ")[0] == username
        session.shot(f"landing-{username}")
        # The menu offers only pages the role may open (no 403 or 404 behind it).
        statuses = session.page.evaluate(MENU_STATUSES)
        refused = {href: status for href, status in statuses if status != 200}
        assert refused == {}, username
        if username == "liangshan":
            crumbs = session.page.locator(".crumbs li").all_inner_texts()
            assert crumbs == ["四川省", "凉山彝族自治州"]
        if phone:
            overflow = session.page.evaluate(
                "document.documentElement.scrollWidth"
                " - document.documentElement.clientWidth"
            )
            assert overflow <= 0
        if username == "zhaojue":  # the workbench's short team, one click away
            session.page.click("#wb-short + ul a")
            assert session.path() == f"/teams/{demo.short[0].pk}/"
        session.assert_clean()
        session.page.context.close()
