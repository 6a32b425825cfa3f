"""The pages whose scripts moved out of the templates still work in Chromium under
the Content-Security-Policy: a CSP violation is a console error (issue 14, point 6)."""

import pytest

from accounts.services import user_provision
from tests.assessments.factories import PENGZHOU, staffed_team
from tests.assessments.yearly_factories import TODAY
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def pengzhou(settings, fast_passwords):
    """彭州市: one staffed team, its county clerk and a superuser."""
    from django.contrib.auth import get_user_model

    settings.ZHUCUN_TODAY = TODAY
    team, members = staffed_team(PENGZHOU)
    user_provision(
        username="b-pengzhou", role="county", scope=PENGZHOU, password=PASSWORD
    )
    get_user_model().objects.create_superuser("b-root", password=PASSWORD)
    return team, members


def _csp(response) -> str:
    return response.headers["content-security-policy"]


def test_the_fund_form_suggests_the_source_under_the_csp(pengzhou, browse):
    team, _members = pengzhou
    session = browse()
    session.log_in("b-pengzhou")
    response = session.go("/funding/new/?year=2019")
    assert "script-src 'self'" in _csp(response)
    page = session.page
    hint = page.locator("#source-hint")
    assert hint.inner_text() == "选择工作队后显示建议来源"

    page.select_option("#id_team", str(team.pk))

    assert hint.inner_text().startswith("建议：")
    chosen = page.locator("#id_source").input_value()
    other = page.locator(f"#id_source option:not([value='{chosen}']):not([value=''])")
    page.select_option("#id_source", other.first.get_attribute("value"))
    assert hint.inner_text().startswith("注意：政策规定该县工作队经费应由")
    session.assert_clean()


def test_the_person_record_prints_under_the_csp(pengzhou, browse):
    _team, members = pengzhou
    session = browse()
    session.log_in("b-pengzhou")
    session.go(f"/assessments/people/{members[0].person_id}/record/")
    page = session.page
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => window.__printed++; }"
    )

    page.click("#print-record")

    assert page.evaluate("window.__printed") == 1
    session.assert_clean()


def test_the_admin_reveal_asks_before_it_shows_the_numbers(pengzhou, browse):
    _team, members = pengzhou
    session = browse()
    session.log_in("b-root")
    session.go(f"/admin/teams/person/{members[0].person_id}/change/")
    page = session.page
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))

    page.click("form.reveal-form [type=submit]")

    assert asked == ["查看完整身份证号码和联系电话会记入操作日志，确定查看？"]
    assert session.path() == f"/admin/teams/person/{members[0].person_id}/change/"
    # The stock admin has no icon link, so Chromium asks for /favicon.ico (404).
    assert [e for e in session.errors if "/favicon.ico" not in e] == []


def test_the_api_docs_render_under_the_csp(pengzhou, browse):
    session = browse()
    session.log_in("b-pengzhou")
    response = session.go("/api/docs/")
    assert "script-src 'self'" in _csp(response)

    session.page.wait_for_selector(".swagger-ui .info .title", timeout=30000)

    assert "zhucun" in session.page.locator(".swagger-ui .info .title").inner_text()
    session.assert_clean()
