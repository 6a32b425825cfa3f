"""The lists, the team page and the appointment to-do open cleanly in Chromium."""

import pytest

from accounts.management.commands.demo_accounts import DEMO_PASSWORD
from tests.factories import MembershipFactory
from zhucun.models import UserScope

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def pages(demo):
    """The demo world plus a cadre the demo unit has not proposed yet."""
    team = demo.full[0]
    unit = UserScope.objects.get(user__username="danwei").unit
    MembershipFactory(
        team=team,
        person__unit=unit,
        person__name="待推荐干部",
        proposed_on=None,
        reviewed_on=None,
        appointed_on=None,
    )
    village = team.village
    demo.paths = [
        ("villages", "/villages/"),
        ("village", f"/villages/{village.pk}/"),
        ("teams", "/teams/"),
        ("team", f"/teams/{team.pk}/"),
        ("units", "/teams/units/"),
        ("unit", f"/teams/units/{unit.pk}/"),
        ("people", "/teams/people/"),
    ]
    return demo


def test_each_new_page_opens_cleanly_for_the_role_that_uses_it(pages, browse):
    session = browse()
    session.log_in("zhaojue", DEMO_PASSWORD)
    for name, path in pages.paths:
        response = session.go(path)
        assert response.status == 200, path
        assert session.page.locator("h1").first.inner_text(), path
        session.shot(f"page-{name}")
    session.assert_clean()

    # The unit proposes the new cadre; the committee files those appointed.
    for username, waiting in (("danwei", "单位党委推荐"), ("gongwei", "备案")):
        session = browse()
        session.log_in(username, DEMO_PASSWORD)
        response = session.go("/teams/appointments/")
        assert response.status == 200, username
        assert session.page.locator("h1").first.inner_text() == "选派办理"
        steps = session.page.locator(".todo-item__step").all_inner_texts()
        assert waiting in steps, username
        session.shot(f"appointments-{username}")
        session.assert_clean()
