"""A county imports a roster (花名册) in Chromium: upload, check, confirm.

The workbook is written with openpyxl in the test, as a county would fill it.
"""

import pytest

from accounts.services import user_provision
from teams.models import Membership, Person
from tests.browser.conftest import PASSWORD, read_db
from tests.dashboards.conftest import TODAY
from tests.factories import (
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    make_id_number,
)
from tests.workbook_helpers import table, write_xlsx

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

UNIT = "四川省某某厅"


@pytest.fixture
def village(settings, fast_passwords):
    settings.ZHUCUN_TODAY = TODAY
    UnitFactory(name=UNIT)
    user_provision(
        username="b-zhaojue", role="county", scope="513431", password=PASSWORD
    )
    return VillageFactory(township=TownshipFactory(name="四开乡"), name="好谷村")


def _roster(path, village, names, bad_checksum=()):
    rows = []
    for name in names:
        number = make_id_number()
        if name in bad_checksum:
            number = number[:17] + ("0" if number[17] != "0" else "1")
        rows.append(
            {
                "市（州）": "凉山州",
                "县（市、区）": "昭觉县",
                "乡（镇）": village.township.name,
                "村": village.name,
                "姓名": name,
                "身份证号码": number,
                "派出单位": UNIT,
                "驻村职务": "队员",
                "驻村起始时间": "2018-06-01",
            }
        )
    return write_xlsx(path, table("roster", rows, title="昭觉县驻村工作队花名册"))


def _upload(session, path):
    page = session.page
    session.go("/workbooks/imports/")
    page.select_option("#id_kind", "roster")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.click("main form[enctype='multipart/form-data'] [type=submit]")


def _counts(page) -> dict[str, str]:
    items = page.locator(".stats__item")
    return {
        items.nth(i).locator(".stats__label").inner_text(): items.nth(i)
        .locator(".stats__value")
        .inner_text()
        for i in range(items.count())
    }


def test_a_bad_roster_writes_nothing_and_the_corrected_one_is_imported(
    village, browse, tmp_path
):
    names = ["阿苦日者", "吉克石布", "马海木呷"]
    session = browse()
    session.log_in("b-zhaojue")
    page = session.page

    # A wrong check digit: the errors in Chinese, row by row; nothing to confirm.
    bad = _roster(tmp_path / "花名册.xlsx", village, names, bad_checksum={"吉克石布"})
    _upload(session, bad)
    assert "有错误，未写入任何数据" in page.locator("main").inner_text()
    assert page.locator("form[action$='/confirm/']").count() == 0
    errors = page.locator("section[aria-labelledby=errors] tbody tr")
    assert errors.count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    assert cells[1:3] == ["4", "身份证号码"]  # under the title and header rows
    assert "校验位" in cells[4]
    session.shot("import-roster-errors")

    # Corrected: checked (a dry run that writes nothing), then confirmed.
    _upload(session, _roster(tmp_path / "花名册（改）.xlsx", village, names))
    assert _counts(page) == {"新增": "3", "更新": "0", "不变": "0", "有错误": "0"}
    assert not read_db(Person.objects.exists)
    session.shot("import-roster-checked")

    with page.expect_navigation():
        page.click("form[action$='/confirm/'] [type=submit]")
    assert "已全部写入" in page.locator("main").inner_text()
    assert _counts(page)["新增"] == "3"
    members = Membership.objects.filter(team__village=village)
    imported = read_db(lambda: list(members.values_list("person__name", flat=True)))
    assert sorted(imported) == sorted(names)
    session.shot("import-roster-done")
    session.assert_clean()
