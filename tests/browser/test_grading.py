"""A county grades its members in Chromium, under the 20% cap on 优秀 (四(三))."""

import pytest

from accounts.services import user_provision
from assessments.models import Assessment
from tests.assessments.factories import PENGZHOU
from tests.assessments.yearly_factories import TODAY, county_members
from tests.browser.conftest import PASSWORD, read_db

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GRADING = f"/assessments/grading/?county={PENGZHOU}&year=2019"


@pytest.fixture
def county(settings, fast_passwords):
    """彭州市: five members besides the first secretaries, so one 优秀 place."""
    settings.ZHUCUN_TODAY = TODAY
    _, members = county_members(5)
    user_provision(
        username="b-pengzhou", role="county", scope=PENGZHOU, password=PASSWORD
    )
    return members


def test_clause_4_3_the_grading_page_shows_and_enforces_the_cap(county, browse):
    session = browse()
    session.log_in("b-pengzhou")
    session.go(GRADING)
    page = session.page
    cap = page.locator("#cap")
    assert (cap.get_attribute("data-cap"), cap.get_attribute("data-excellent")) == (
        "1",
        "0",
    )
    assert page.locator("#cap-remaining").inner_text() == "1"

    first, second, third = county[:3]
    page.select_option(f"[name='m{first.pk}-grade']", "excellent")
    live = page.locator("#cap-live")
    assert live.inner_text() == "按本页当前的选择，保存后尚余优秀名额 0 人"
    page.select_option(f"[name='m{second.pk}-grade']", "excellent")
    assert (
        live.inner_text() == "按本页当前的选择，优秀将超出上限 1 人，超出的行不会保存"
    )
    page.select_option(f"[name='m{third.pk}-grade']", "competent")
    page.fill(f"[name='m{third.pk}-villager_score']", "92")
    session.shot("grading-over-cap")

    with page.expect_navigation():
        page.click("form .sticky-save [type=submit]")

    assert (
        "已保存2人；1人未保存，请看该行的提示" in page.locator(".messages").inner_text()
    )
    refused = page.locator("tr.row-error")
    assert refused.count() == 1
    assert "彭州市2019年度优秀名额已满" in refused.inner_text()
    grades = Assessment.objects.filter(year=2019).order_by("grade")
    assert read_db(lambda: list(grades.values_list("grade", flat=True))) == [
        "competent",
        "excellent",
    ]

    session.go(GRADING)
    assert page.locator("#cap-remaining").inner_text() == "0"
    session.shot("grading")
    session.assert_clean()
