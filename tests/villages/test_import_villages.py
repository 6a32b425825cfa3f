"""import_xlsx/export_xlsx villages: the 贫困村名册, whole or not at all."""

import pytest

from tests.factories import TownshipFactory, VillageFactory
from tests.workbook_helpers import (
    error_lines,
    headers,
    read_xlsx,
    run,
    table,
    write_xlsx,
)
from villages.models import Region, Village
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook


def _row(village, township="新乡", county="昭觉县", prefecture="凉山州", **extra):
    return {
        "市（州）": prefecture,
        "县（市、区）": county,
        "乡（镇）": township,
        "村": village,
        "是否建档立卡贫困村": "是",
        "户数": 120,
        **extra,
    }


@pytest.fixture
def workbook(tmp_path):
    def make(rows, name="villages.xlsx", **kwargs):
        return write_xlsx(tmp_path / name, table("villages", rows, **kwargs))

    return make


def test_a_village_roster_creates_its_villages_and_the_townships_it_names(db, workbook):
    path = workbook(
        [
            _row("一村", 村代码="513431101001", 计划退出年度="2019年", 涉毒涉艾="√"),
            _row("二村", 是否极度贫困村="是", 户数="８０"),
            _row("三村", township="旧乡", 联系县级领导="张副县长"),
        ],
        title="昭觉县贫困村名册",
    )
    code, output = run("import_xlsx", "villages", path)
    assert code == 0, output
    assert "created=3 updated=0 unchanged=0 rejected=0" in output
    townships = dict(
        Region.objects.filter(parent__code="513431").values_list("name", "code")
    )
    # 新乡 takes the nine digits its village's 村代码 names; 旧乡 the next free code.
    assert townships == {"新乡": "513431101", "旧乡": "513431001"}
    one = Village.objects.get(name="一村")
    assert (one.code, one.planned_exit_year, one.drug_aids) == (
        "513431101001",
        2019,
        True,
    )
    assert one.county.code == "513431" and one.township.name == "新乡"
    assert Village.objects.get(name="二村").household_count == 80
    entries = AuditEntry.objects.filter(source="import", model="villages.village")
    assert entries.count() == 3
    assert set(entries.values_list("county_code", flat=True)) == {"513431"}
    assert (
        AuditEntry.objects.filter(model="villages.region", action="create").count() == 2
    )


def test_a_dry_run_lists_the_new_townships_and_writes_nothing(db, workbook):
    path = workbook([_row("一村"), _row("二村", township="旧乡")])
    code, output = run("import_xlsx", "villages", path, "--dry-run")
    assert code == 0, output
    assert "新建乡（镇）：凉山彝族自治州/昭觉县/新乡（513431001）" in output
    assert "created=2" in output
    assert not Village.objects.exists()
    assert not Region.objects.filter(level=Region.Level.TOWNSHIP).exists()
    assert not AuditEntry.objects.exists()


def test_one_bad_row_rejects_the_whole_workbook_and_names_row_and_column(db, workbook):
    path = workbook(
        [
            _row("一村"),
            _row("二村", county="不存在县"),
            _row("三村", 户数="很多"),
        ],
        title="标题",
    )
    code, output = run("import_xlsx", "villages", path)
    assert code == 1
    lines = error_lines(output)
    assert ("4", "县（市、区）") in [(row, column) for row, column, _m in lines]
    assert ("5", "户数") in [(row, column) for row, column, _m in lines]
    assert any("不存在县" in message for _r, _c, message in lines)
    assert not Village.objects.exists()
    assert not Region.objects.filter(level=Region.Level.TOWNSHIP).exists()
    assert not AuditEntry.objects.exists()


def test_a_missing_required_column_is_reported_once_for_the_sheet(db, tmp_path):
    path = write_xlsx(
        tmp_path / "v.xlsx",
        [
            ["市（州）", "县（市、区）", "乡（镇）", "村"],
            ["凉山州", "昭觉县", "新乡", "一村"],
        ],
    )
    code, output = run("import_xlsx", "villages", path)
    assert code == 1
    assert ("1", "户数") in [(r, c) for r, c, _m in error_lines(output)]
    assert not Village.objects.exists()


def test_importing_the_same_workbook_again_changes_nothing(db, workbook):
    path = workbook([_row("一村", 村代码="513431101001"), _row("二村")])
    assert run("import_xlsx", "villages", path)[0] == 0
    entries = AuditEntry.objects.count()
    code, output = run("import_xlsx", "villages", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=2" in output
    assert AuditEntry.objects.count() == entries


def test_an_edited_row_updates_its_village_and_records_the_change(db, workbook):
    assert run("import_xlsx", "villages", workbook([_row("一村")]))[0] == 0
    path = workbook([_row("一村", 户数=130, 实际退出年度=2019)], name="edited.xlsx")
    code, output = run("import_xlsx", "villages", path)
    assert code == 0, output
    assert "updated=1" in output
    village = Village.objects.get(name="一村")
    assert (village.household_count, village.actual_exit_year) == (130, 2019)
    entry = AuditEntry.objects.get(action="update", model="villages.village")
    assert entry.changes["household_count"] == [120, 130]
    assert entry.source == "import"


def test_a_village_is_found_by_its_code_and_renamed(db, workbook):
    township = TownshipFactory(name="新乡")
    village = VillageFactory(township=township, name="老名村", code="513431101009")
    path = workbook([_row("新名村", 村代码="513431101009")])
    code, output = run("import_xlsx", "villages", path)
    assert code == 0, output
    village.refresh_from_db()
    assert village.name == "新名村"
    assert Village.objects.count() == 1


def test_a_code_of_another_county_is_refused(db, workbook):
    path = workbook([_row("一村", 村代码="510104101001")])
    code, output = run("import_xlsx", "villages", path)
    assert code == 1
    assert "村代码" in output and "513431" in output


def test_two_rows_for_one_village_are_refused(db, workbook):
    path = workbook([_row("一村"), _row(" 一 村 ")])
    code, output = run("import_xlsx", "villages", path)
    assert code == 1
    assert any("重复" in m for _r, _c, m in error_lines(output))


def test_export_then_import_round_trips_to_unchanged(db, tmp_path):
    township = TownshipFactory(name="新乡")
    VillageFactory(township=township, name="一村", code="513431101001")
    VillageFactory(
        township=township,
        name="二村",
        planned_exit_year=2019,
        is_extremely_poor=True,
        county_leader="李四",
    )
    VillageFactory(
        township=TownshipFactory(parent=Region.objects.get(code="511102")),
        name="三村",
    )
    path = tmp_path / "export.xlsx"
    code, output = run("export_xlsx", "villages", path)
    assert code == 0, output
    assert read_xlsx(path)  # the export is a workbook calamine reads
    code, output = run("import_xlsx", "villages", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=3 rejected=0" in output


def test_export_of_one_county_has_the_import_layout(db, tmp_path):
    VillageFactory(name="昭觉一村")
    VillageFactory(
        name="乐山村",
        township=TownshipFactory(parent=Region.objects.get(code="511102")),
    )
    path = tmp_path / "zhaojue.xlsx"
    assert run("export_xlsx", "villages", path, "--county", "513431")[0] == 0
    (rows,) = read_xlsx(path).values()
    header_at = next(
        i for i, r in enumerate(rows) if r[:2] == ["市（州）", "县（市、区）"]
    )
    assert rows[header_at] == headers("villages")
    assert [r[3] for r in rows[header_at + 1 :]] == ["昭觉一村"]


def test_a_county_clerk_cannot_import_rows_of_another_county(db, workbook, scoped_user):
    scoped_user("county", "513431", "zhaojue")
    path = workbook(
        [_row("一村"), _row("乐山村", prefecture="乐山市", county="市中区")]
    )
    code, output = run("import_xlsx", "villages", path, "--user", "zhaojue")
    assert code == 1
    lines = error_lines(output)
    assert [(r, c) for r, c, _m in lines] == [("3", "乡（镇）")]
    assert "管辖范围" in lines[0][2]
    assert not Village.objects.exists()


def test_a_county_clerk_imports_their_own_county_as_themselves(
    db, workbook, scoped_user
):
    user = scoped_user("county", "513431", "zhaojue")
    code, output = run(
        "import_xlsx", "villages", workbook([_row("一村")]), "--user", "zhaojue"
    )
    assert code == 0, output
    assert AuditEntry.objects.filter(actor=user, source="import").count() == 2


def test_a_user_without_the_permission_may_not_import(db, workbook, scoped_user):
    scoped_user("prefecture", "513400", "liangshan")  # reads only
    code, output = run(
        "import_xlsx", "villages", workbook([_row("一村")]), "--user", "liangshan"
    )
    assert code == 1 and "权限" in output


def test_the_village_export_reads_in_a_fixed_number_of_queries(
    db, tmp_path, django_assert_num_queries, province_user
):
    for n in range(4):
        VillageFactory(name=f"村{n}")
    with django_assert_num_queries(2):
        result = export_workbook(
            kind="villages", target=tmp_path / "v.xlsx", user=province_user
        )
    assert result.rows == 4
