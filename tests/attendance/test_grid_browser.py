"""The monthly grid in Chromium: typed with the keyboard alone, saved in one request."""

import pytest

from accounts.services import user_provision
from tests.attendance.conftest import TODAY, build_township
from tests.browser.conftest import PASSWORD, browse  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def township(settings):
    settings.ZHUCUN_TODAY = TODAY
    place = build_township(members=3)
    user_provision(
        username="b-xiang",
        role="township",
        scope=place.township.code,
        password=PASSWORD,
    )
    return place


def test_a_clerk_types_the_grid_with_the_keyboard_and_saves_it(township, browse):  # noqa: F811
    session = browse()
    session.log_in("b-xiang")
    session.go("/attendance/grid/?month=2019-11")
    page = session.page
    first = page.locator("input[name$='-in_post_days']").first

    first.focus()
    page.keyboard.type("25")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    totals = page.locator("[data-total]")
    assert totals.first.inner_text() == "31"
    assert "is-over" in page.locator("tr[data-row]").first.get_attribute("class")

    # Enter goes down the same column; the first row is corrected meanwhile.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.name")
    second = page.locator("input[name$='-in_post_days']").nth(1)
    assert focused == second.get_attribute("name")
    page.keyboard.type("22")
    page.keyboard.press("Enter")
    page.keyboard.type("21")
    assert totals.first.inner_text() == "26"

    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    assert "已保存2019年11月考勤：新增3人" in page.locator(".messages").inner_text()
    values = page.locator("input[name$='-in_post_days']").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    assert values == ["20", "22", "21"]
    session.shot("attendance-grid")
    session.assert_clean()
