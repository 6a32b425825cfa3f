"""The workbooks in the admin and the per-kind import pages with their templates."""

import io

import openpyxl
import pytest
from django.urls import reverse

from teams.models import Membership
from tests.factories import (
    MembershipFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    county,
    make_id_number,
)
from tests.workbook_helpers import headers, run, write_xlsx
from villages.models import Village
from zhucun.models import ImportJob
from zhucun.workbooks.importer import may_import
from zhucun.workbooks.kinds import KINDS

# kind → the admin change list that carries its buttons
ADMINS = {
    "villages": "villages_village",
    "units": "teams_unit",
    "roster": "teams_membership",
    "attendance": "attendance_monthlyattendance",
    "training": "assessments_trainingrecord",
    "assessments": "assessments_assessment",
    "funding": "funding_fund",
}


def _body(response) -> bytes:
    """Exports answer in one piece, templates as a file stream."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _book(response) -> openpyxl.Workbook:
    content = _body(response)
    return openpyxl.load_workbook(io.BytesIO(content), read_only=True)


def _rows(book) -> list[tuple]:
    sheet = book.worksheets[0]
    return [row for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def clerk(scoped_user, client):
    user = scoped_user("county", "513431", "zhaojue")
    client.force_login(user)
    return user


@pytest.fixture
def villages(db):
    here = TownshipFactory(name="四开乡")
    VillageFactory(township=here, name="好谷村")
    VillageFactory(township=here, name="洒瓦村")
    elsewhere = TownshipFactory(parent=county("513432"), name="外乡")
    VillageFactory(township=elsewhere, name="外县村")


def test_every_kind_has_its_admin_buttons():
    assert set(ADMINS) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(ADMINS))
def test_change_list_offers_import_and_filtered_export(kind, clerk, client, db):
    response = client.get(reverse(f"admin:{ADMINS[kind]}_changelist"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "导出Excel（当前筛选）" in text
    assert reverse(f"admin:{ADMINS[kind]}_export_xlsx") in text
    # The button shows where the import would be allowed: attendance is the
    # townships' to import, not the county's.
    assert ("导入Excel" in text) == may_import(clerk, kind)
    assert may_import(clerk, kind) == (kind != "attendance")


def test_admin_import_opens_the_kinds_import_page(clerk, client):
    response = client.get(reverse("admin:villages_village_import_xlsx"))

    assert response.status_code == 302
    assert response["Location"] == reverse("workbooks:import-kind", args=["villages"])


def test_admin_export_follows_the_change_list_search(villages, clerk, client):
    """The export has the change list's rows: searched, and only the clerk's county."""
    url = reverse("admin:villages_village_export_xlsx")

    everything = _rows(_book(client.get(url)))
    searched = _rows(_book(client.get(url, {"q": "好谷"})))

    def names(rows):
        return {
            cell
            for row in rows
            for cell in row
            if cell in {"好谷村", "洒瓦村", "外县村"}
        }

    assert names(everything) == {"好谷村", "洒瓦村"}
    assert names(searched) == {"好谷村"}


def test_admin_export_with_a_bad_filter_says_so(villages, clerk, client):
    response = client.get(
        reverse("admin:villages_village_export_xlsx"), {"no_such_field": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:villages_village_changelist")


def test_admin_export_action_exports_the_selected_rows(villages, clerk, client):
    chosen = Village.objects.get(name="洒瓦村")

    response = client.post(
        reverse("admin:villages_village_changelist"),
        {"action": "export_selected_workbook", "_selected_action": [chosen.pk]},
    )

    names = {cell for row in _rows(_book(response)) for cell in row}
    assert "洒瓦村" in names and "好谷村" not in names


def test_admin_roster_export_reimports_unchanged(clerk, client, tmp_path, db):
    """Export → import round trip from the admin (full data: a superuser's export)."""
    from django.contrib.auth import get_user_model

    MembershipFactory.create_batch(3)
    admin = get_user_model().objects.create_superuser("root-x", "r@x.cn", "pw-x-1234")
    client.force_login(admin)
    response = client.get(reverse("admin:teams_membership_export_xlsx"))
    path = tmp_path / "roster.xlsx"
    path.write_bytes(_body(response))

    code, output = run("import_xlsx", "roster", path, "--dry-run")

    assert code == 0, output
    assert "created=0 updated=0 unchanged=3 rejected=0" in output


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_template_is_the_import_layout(kind, clerk, client):
    response = client.get(reverse("workbooks:import-template", args=[kind]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(_book(response))
    header_row = next(row for row in rows if row and row[0] == headers(kind)[0])
    assert list(header_row[: len(headers(kind))]) == headers(kind)


def test_filled_template_imports(clerk, client, tmp_path, db):
    """A clerk fills the downloaded template below its header and imports it."""
    village = VillageFactory(township=TownshipFactory(name="四开乡"), name="好谷村")
    UnitFactory(name="四川省某某厅")
    response = client.get(reverse("workbooks:import-template", args=["roster"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    names = headers("roster")
    values = {
        "市（州）": "凉山州",
        "县（市、区）": "昭觉县",
        "乡（镇）": village.township.name,
        "村": village.name,
        "姓名": "李明",
        "身份证号码": make_id_number(),
        "派出单位": "四川省某某厅",
        "驻村职务": "队员",
        "驻村起始时间": "2018-06-01",
    }
    sheet.append([values.get(name) for name in names])
    path = tmp_path / "filled.xlsx"
    book.save(path)

    code, output = run("import_xlsx", "roster", path)

    assert code == 0, output
    assert Membership.objects.filter(person__name="李明").count() == 1


def test_kind_page_fixes_the_kind(clerk, client, tmp_path, db):
    village = VillageFactory(township=TownshipFactory(name="四开乡"), name="好谷村")
    path = write_xlsx(
        tmp_path / "v.xlsx",
        [
            headers("villages"),
            [
                {
                    "市（州）": "凉山州",
                    "县（市、区）": "昭觉县",
                    "乡（镇）": village.township.name,
                    "村": "新建村",
                }.get(name)
                for name in headers("villages")
            ],
        ],
    )
    page = client.get(reverse("workbooks:import-kind", args=["villages"]))
    assert page.status_code == 200
    assert reverse("workbooks:import-template", args=["villages"]) in (
        page.content.decode()
    )

    with path.open("rb") as handle:
        response = client.post(
            reverse("workbooks:import-kind", args=["villages"]), {"file": handle}
        )

    assert response.status_code == 302
    job = ImportJob.objects.get(user=clerk)
    assert job.kind == "villages"
    assert response["Location"] == reverse("workbooks:import-job", args=[job.pk])


def test_kind_page_refuses_unknown_and_forbidden_kinds(scoped_user, client, db):
    township = TownshipFactory(name="四开乡")
    client.force_login(scoped_user("township", township.code, "xiang"))

    assert client.get("/workbooks/imports/no-such-kind/").status_code == 404
    assert client.get(reverse("workbooks:import-kind", args=["units"])).status_code == (
        403
    )
    assert (
        client.get(reverse("workbooks:import-kind", args=["attendance"])).status_code
        == 200
    )
