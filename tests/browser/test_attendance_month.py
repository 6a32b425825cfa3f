"""A township clerk enters a month in the attendance grid and submits (报送) it.

Typing the grid with the keyboard (Tab, Enter, Ctrl+Enter, the live totals) is
tested in tests/attendance/test_grid_browser.py; this one follows the month to
its submission and lock.
"""

import pytest

from accounts.services import user_provision
from attendance.models import AttendanceSubmission, MonthlyAttendance
from tests.attendance.conftest import TODAY, build_township
from tests.browser.conftest import PASSWORD, read_db

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GRID = "/attendance/grid/?month=2019-11"


@pytest.fixture
def township(settings, fast_passwords):
    settings.ZHUCUN_TODAY = TODAY
    place = build_township(members=3)
    user_provision(
        username="b-xiang",
        role="township",
        scope=place.township.code,
        password=PASSWORD,
    )
    return place


def _fill(page, row: int, in_post: str, leave: str, trip: str) -> None:
    for field, value in (
        ("in_post_days", in_post),
        ("leave_days", leave),
        ("trip_days", trip),
    ):
        page.locator(f"input[name$='-{field}']").nth(row).fill(value)


def test_a_township_enters_its_month_and_submits_it(township, browse):
    session = browse()
    session.log_in("b-xiang")
    session.go(GRID)
    page = session.page

    # Two of the three members entered: saved, but the month cannot be submitted.
    _fill(page, 0, "25", "3", "2")
    _fill(page, 1, "28", "0", "2")
    with page.expect_navigation():
        page.click("#attendance-grid [type=submit]")
    assert "新增2人" in page.locator(".messages").inner_text()
    with page.expect_navigation():
        page.click("text=报送2019年11月考勤")
    refusal = page.locator(".messages").inner_text()
    assert "还有1名队员2019年11月的考勤未录入" in refusal
    assert "全部录入后才能报送" in refusal
    submitted = AttendanceSubmission.objects.filter(submitted_at__isnull=False)
    assert not read_db(submitted.exists)

    _fill(page, 2, "30", "0", "0")
    with page.expect_navigation():
        page.click("#attendance-grid [type=submit]")
    with page.expect_navigation():
        page.click("text=报送2019年11月考勤")

    assert "的考勤已报送，现已锁定" in page.locator(".messages").inner_text()
    assert "已锁定" in page.locator(".status--ok").inner_text()
    assert page.locator("#attendance-grid [type=submit]").count() == 0
    assert page.locator("text=报送2019年11月考勤").count() == 0
    recorded = MonthlyAttendance.objects.filter(month="2019-11-01")
    assert read_db(recorded.count) == 3
    assert read_db(submitted.get).township_id == township.township.pk
    session.shot("attendance-submitted")
    session.assert_clean()
