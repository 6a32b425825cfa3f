"""import_xlsx/export_xlsx units: the 派出单位 workbook, whole or not at all."""

import pytest

from teams.models import Unit, WorkCommittee
from tests.factories import UnitFactory, WorkCommitteeFactory
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from villages.models import Region
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook
from zhucun.workbooks.importer import run_import


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


# --- work committees (机关工委) ------------------------------------------------------


def test_the_province_and_its_21_prefectures_have_their_committees_from_migrate(db):
    """五(一) 各级党委直属机关工作委员会: the province's and each prefecture's exist."""
    committees = WorkCommittee.objects.exclude(level="county")
    assert committees.count() == 22
    province = committees.get(name="省直机关工委")
    assert (province.level, province.region.code) == ("province", "510000")
    for name, code in (
        ("成都市直机关工委", "510100"),
        ("凉山州直机关工委", "513400"),
        ("阿坝州直机关工委", "513200"),
        ("甘孜州直机关工委", "513300"),
    ):
        committee = committees.get(name=name)
        assert (committee.level, committee.region.code) == ("prefecture", code)
    prefectures = Region.objects.filter(level="prefecture")
    assert set(
        committees.filter(level="prefecture").values_list("region", flat=True)
    ) == set(prefectures.values_list("pk", flat=True))


def test_on_a_fresh_database_a_workbook_naming_the_provinces_committee_imports(
    db, workbook
):
    path = workbook(
        [
            _unit("四川省某某厅", 所属机关工委="省直机关工委"),
            _unit(
                "凉山州某局",
                单位层级="市（州）级",
                所在地区="凉山州",
                所属机关工委="凉山州直机关工委",
            ),
        ]
    )
    code, output = run("import_xlsx", "units", path)
    assert code == 0, output
    assert Unit.objects.get(name="四川省某某厅").work_committee.name == "省直机关工委"
    assert Unit.objects.get(name="凉山州某局").work_committee.region.code == "513400"
    assert not WorkCommittee.objects.filter(level="county").exists()


def _county_committee_book(workbook):
    return workbook(
        [
            _unit(
                "昭觉县某局",
                单位层级="县（市、区）级",
                所在地区="凉山州/昭觉县",
                所属机关工委="昭觉县直机关工委",
            ),
            _unit(
                "昭觉县另一局",
                单位层级="县（市、区）级",
                所在地区="凉山州/昭觉县",
                所属机关工委="昭觉县直机关工委",
            ),
        ]
    )


def test_a_dry_run_lists_a_new_county_committee_and_writes_nothing(db, workbook):
    result = run_import(
        kind="units", path=_county_committee_book(workbook), dry_run=True
    )
    assert result.ok and result.created == 2
    assert result.notes == ["将新建机关工委：昭觉县直机关工委（凉山彝族自治州/昭觉县）"]
    assert not WorkCommittee.objects.filter(name="昭觉县直机关工委").exists()
    assert not AuditEntry.objects.exists()


def test_a_county_committee_named_by_the_workbook_is_created_under_its_county(
    db, workbook
):
    code, output = run("import_xlsx", "units", _county_committee_book(workbook))
    assert code == 0, output
    committee = WorkCommittee.objects.get(name="昭觉县直机关工委")
    assert (committee.level, committee.region.code) == ("county", "513431")
    assert set(Unit.objects.values_list("work_committee", flat=True)) == {committee.pk}
    entry = AuditEntry.objects.get(model="teams.workcommittee")
    assert (entry.action, entry.source, entry.county_code) == (
        "create",
        "import",
        "513431",
    )
    # Imported again: the committee is known now, nothing changes.
    code, output = run("import_xlsx", "units", _county_committee_book(workbook))
    assert "created=0 updated=0 unchanged=2" in output, output
    assert WorkCommittee.objects.filter(level="county").count() == 1


def test_an_existing_unit_moves_to_a_new_county_committee(db, workbook):
    UnitFactory(name="昭觉县某局", region=Region.objects.get(code="513431"))
    code, output = run("import_xlsx", "units", _county_committee_book(workbook))
    assert code == 0 and "created=1 updated=1" in output, output
    committee = WorkCommittee.objects.get(name="昭觉县直机关工委")
    assert Unit.objects.get(name="昭觉县某局").work_committee == committee
    change = AuditEntry.objects.get(model="teams.unit", action="update").changes
    assert change["work_committee_id"] == [None, committee.pk]


@pytest.mark.parametrize(
    "name", ["省直属机关工委", "成都市直机关工作委员会", "不存在县直机关工委"]
)
def test_any_other_unknown_committee_is_refused_naming_the_known_ones(
    db, workbook, name
):
    path = workbook([_unit("甲单位", 所属机关工委=name)])
    code, output = run("import_xlsx", "units", path)
    assert code == 1
    ((row, column, message),) = error_lines(output)
    assert (row, column) == ("3", "所属机关工委")
    assert f"没有名为“{name}”的机关工委" in message
    assert "省直机关工委、成都市直机关工委" in message and "凉山州直机关工委" in message
    assert not WorkCommittee.objects.filter(name=name).exists()
    assert not Unit.objects.filter(name="甲单位").exists()


def test_an_ambiguous_county_name_is_refused_and_its_prefecture_settles_it(
    db, workbook
):
    """内江市 and 乐山市 each have a 市中区."""
    path = workbook([_unit("甲单位", 所属机关工委="市中区直机关工委")])
    assert run("import_xlsx", "units", path)[0] == 1
    path = workbook([_unit("甲单位", 所属机关工委="乐山市市中区直机关工委")])
    code, output = run("import_xlsx", "units", path)
    assert code == 0, output
    committee = WorkCommittee.objects.get(name="乐山市市中区直机关工委")
    assert committee.region.code == "511102"


def test_a_county_clerk_may_not_create_another_countys_committee(
    db, workbook, scoped_user
):
    scoped_user("county", "513431", "zhaojue")
    path = workbook(
        [
            _unit(
                "昭觉县某局",
                单位层级="县（市、区）级",
                所在地区="凉山州/昭觉县",
                所属机关工委="美姑县直机关工委",
            )
        ]
    )
    code, output = run("import_xlsx", "units", path, "--user", "zhaojue")
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [("3", "所属机关工委")]
    assert not WorkCommittee.objects.filter(name="美姑县直机关工委").exists()
