"""import_xlsx/export_xlsx units: the 派出单位 workbook, whole or not at all."""

import pytest

from teams.models import Unit
from tests.factories import UnitFactory, WorkCommitteeFactory
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from villages.models import Region
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook


def _unit(name, **extra):
    return {
        "单位名称": name,
        "单位层级": "省直部门",
        "单位类型": "党政机关",
        "所在地区": "四川省",
        "在编在岗人数": 120,
        **extra,
    }


@pytest.fixture
def workbook(tmp_path):
    def make(rows, name="units.xlsx"):
        return write_xlsx(tmp_path / name, table("units", rows, title="派出单位名册"))

    return make


def test_units_are_created_with_their_regions_counties_and_committee(db, workbook):
    committee = WorkCommitteeFactory(name="省直机关工委")
    path = workbook(
        [
            _unit(
                "四川省某某厅", 定点帮扶县="凉山州/昭觉县", 所属机关工委="省直机关工委"
            ),
            _unit(
                "乐山市某局",
                单位层级="市（州）级",
                所在地区="乐山市",
                在编在岗人数="４５",
                **{"2017年新增联系深度贫困县": "乐山市/市中区"},
            ),
            _unit("市中区某局", 单位层级="县（市、区）级", 所在地区="乐山市/市中区"),
        ]
    )
    code, output = run("import_xlsx", "units", path)
    assert code == 0, output
    assert "created=3" in output
    dept = Unit.objects.get(name="四川省某某厅")
    assert dept.region.code == "510000" and dept.fixed_point_county.code == "513431"
    assert dept.work_committee == committee
    city = Unit.objects.get(name="乐山市某局")
    assert (city.level, city.staff_count) == ("prefecture", 45)
    assert city.deep_poverty_link_county.code == "511102"
    assert Unit.objects.get(name="市中区某局").region.code == "511102"
    assert AuditEntry.objects.filter(model="teams.unit", source="import").count() == 3


def test_a_dry_run_writes_nothing(db, workbook):
    code, output = run("import_xlsx", "units", workbook([_unit("甲单位")]), "--dry-run")
    assert code == 0 and "created=1" in output
    assert not Unit.objects.filter(name="甲单位").exists()


def test_one_bad_row_rejects_all_and_is_reported_by_row_and_column(db, workbook):
    path = workbook(
        [
            _unit("甲单位"),
            _unit("乙单位", 单位类型="社会组织"),
            _unit("丙单位", 定点帮扶县="市中区"),
        ]
    )
    code, output = run("import_xlsx", "units", path)
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [
        ("4", "单位类型"),
        ("5", "定点帮扶县"),
    ]
    assert "内江市" in output  # the ambiguous 市中区 names its two prefectures
    assert not Unit.objects.filter(name__in=["甲单位", "乙单位", "丙单位"]).exists()


def test_reimport_changes_nothing_and_an_edit_updates(db, workbook):
    path = workbook([_unit("甲单位")])
    assert run("import_xlsx", "units", path)[0] == 0
    code, output = run("import_xlsx", "units", path)
    assert "created=0 updated=0 unchanged=1" in output, output
    edited = workbook([_unit("甲单位", 在编在岗人数=99)], name="edited.xlsx")
    code, output = run("import_xlsx", "units", edited)
    assert code == 0 and "updated=1" in output
    assert Unit.objects.get(name="甲单位").staff_count == 99
    change = AuditEntry.objects.get(model="teams.unit", action="update").changes
    assert change == {"staff_count": [120, 99]}


def test_export_then_import_round_trips_to_unchanged(db, tmp_path):
    committee = WorkCommitteeFactory()
    UnitFactory(
        name="甲单位",
        work_committee=committee,
        fixed_point_county=Region.objects.get(code="513431"),
    )
    UnitFactory(name="乙单位", region=Region.objects.get(code="511102"))
    UnitFactory(
        name="丙单位", region=Region.objects.get(code="510000"), level="provincial_dept"
    )
    path = tmp_path / "units.xlsx"
    assert run("export_xlsx", "units", path)[0] == 0
    code, output = run("import_xlsx", "units", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=3" in output


def test_a_county_clerk_may_not_import_a_unit_of_another_county(
    db, workbook, scoped_user
):
    scoped_user("county", "513431", "zhaojue")
    path = workbook(
        [
            _unit("昭觉县某局", 单位层级="县（市、区）级", 所在地区="凉山州/昭觉县"),
            _unit("省里的单位"),
        ]
    )
    code, output = run("import_xlsx", "units", path, "--user", "zhaojue")
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [("4", "所在地区")]


def test_the_unit_export_reads_in_a_fixed_number_of_queries(
    db, tmp_path, django_assert_num_queries, province_user
):
    for n in range(3):
        UnitFactory(name=f"单位{n}", work_committee=WorkCommitteeFactory())
    with django_assert_num_queries(2):
        result = export_workbook(
            kind="units", target=tmp_path / "u.xlsx", user=province_user
        )
    assert result.rows == 3
