"""import_xlsx/export_xlsx attendance: the 月度考勤表, whole or not at all."""

import datetime

import pytest
from django.utils import timezone

from attendance.models import AttendanceSubmission, MonthlyAttendance
from tests.factories import MembershipFactory, TownshipFactory, VillageFactory
from tests.workbook_helpers import error_lines, read_xlsx, run, table, write_xlsx
from villages.models import Region
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook

D = datetime.date


@pytest.fixture
def members(db):
    """Two members in 昭觉县 and one in 乐山市市中区, serving from 2018-06-01."""
    leshan = VillageFactory(
        township=TownshipFactory(parent=Region.objects.get(code="511102"))
    )
    return [
        MembershipFactory(person__name="吉克"),
        MembershipFactory(person__name="阿依"),
        MembershipFactory(person__name="乐山人", team__village=leshan),
    ]


def _row(membership, month="2019年3月", days=20, **extra):
    return {
        "姓名": membership.person.name,
        "身份证号码": membership.person.id_number,
        "年月": month,
        "在岗天数": days,
        **extra,
    }


@pytest.fixture
def workbook(tmp_path):
    def make(sheets, name="attendance.xlsx"):
        if not isinstance(sheets, dict):
            sheets = {"四开乡2019年3月": sheets}
        return write_xlsx(
            tmp_path / name,
            {
                sheet: table("attendance", rows, title="月度考勤表")
                for sheet, rows in sheets.items()
            },
        )

    return make


def test_attendance_is_recorded_for_the_membership_serving_that_month(
    members, workbook
):
    path = workbook(
        {
            "四开乡2019年3月": [
                _row(members[0], 请假天数=2, 公务外出天数=3, 备注="下乡"),
                _row(members[1], days="２５"),
            ],
            "四开乡2019年4月": [_row(members[0], month="2019-04", days=22)],
        }
    )
    code, output = run("import_xlsx", "attendance", path)
    assert code == 0, output
    assert "created=3" in output
    march = MonthlyAttendance.objects.get(membership=members[0], month=D(2019, 3, 1))
    assert (march.in_post_days, march.leave_days, march.trip_days, march.remark) == (
        20,
        2,
        3,
        "下乡",
    )
    assert MonthlyAttendance.objects.get(membership=members[1]).in_post_days == 25
    assert (
        AuditEntry.objects.filter(
            model="attendance.monthlyattendance", source="import", county_code="513431"
        ).count()
        == 3
    )


def test_a_dry_run_writes_nothing(members, workbook):
    code, output = run(
        "import_xlsx", "attendance", workbook([_row(members[0])]), "--dry-run"
    )
    assert code == 0 and "created=1" in output
    assert not MonthlyAttendance.objects.exists()


def test_one_bad_row_rejects_all_naming_sheet_row_and_column(members, workbook):
    path = workbook(
        {
            "甲": [_row(members[0]), _row(members[1], days=25, 请假天数=10)],
            "乙": [
                {**_row(members[0]), "姓名": "别人"},
                _row(members[0], month="2017年1月"),
            ],
        }
    )
    code, output = run("import_xlsx", "attendance", path)
    assert code == 1
    lines = error_lines(output)
    assert [(r, c) for r, c, _m in lines] == [
        ("4", "在岗天数"),
        ("3", "姓名"),
        ("4", "年月"),
    ]
    assert "工作表“甲”" in lines[0][2] and "工作表“乙”" in lines[1][2]
    assert "超过当月的31天" in output
    assert not MonthlyAttendance.objects.exists()


def test_an_unknown_person_is_refused(members, workbook):
    from tests.factories import make_id_number

    path = workbook([{**_row(members[0]), "身份证号码": make_id_number()}])
    code, output = run("import_xlsx", "attendance", path)
    assert code == 1 and "不在您管辖范围内的干部名册中" in output


def test_a_submitted_month_is_locked(members, workbook):
    AttendanceSubmission.objects.create(
        township=members[0].team.village.township,
        month=D(2019, 3, 1),
        submitted_at=timezone.now(),
    )
    code, output = run("import_xlsx", "attendance", workbook([_row(members[0])]))
    assert code == 1 and "锁定" in output


def test_reimport_is_unchanged_and_an_edit_updates(members, workbook):
    path = workbook([_row(members[0]), _row(members[1])])
    assert run("import_xlsx", "attendance", path)[0] == 0
    code, output = run("import_xlsx", "attendance", path)
    assert "created=0 updated=0 unchanged=2" in output, output
    edited = workbook([_row(members[0], days=18)], name="edited.xlsx")
    code, output = run("import_xlsx", "attendance", edited)
    assert code == 0 and "updated=1" in output
    change = AuditEntry.objects.get(action="update").changes
    assert change == {"in_post_days": [20, 18]}


def test_export_then_import_round_trips_to_unchanged(members, tmp_path):
    for membership in members:
        for month in (D(2019, 3, 1), D(2019, 4, 1)):
            MonthlyAttendance.objects.create(
                membership=membership, month=month, in_post_days=21, remark="=备注"
            )
    path = tmp_path / "attendance.xlsx"
    assert run("export_xlsx", "attendance", path)[0] == 0
    assert sorted(read_xlsx(path)) == ["2019年03月", "2019年04月"]
    code, output = run("import_xlsx", "attendance", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=6" in output


def test_a_township_clerk_imports_only_their_township(members, workbook, scoped_user):
    scoped_user("township", members[0].team.village.township.code, "clerk")
    path = workbook([_row(members[0]), _row(members[2])])
    code, output = run("import_xlsx", "attendance", path, "--user", "clerk")
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [("4", "身份证号码")]


def test_the_attendance_export_reads_in_a_fixed_number_of_queries(
    members, tmp_path, django_assert_num_queries, province_user
):
    for membership in members:
        MonthlyAttendance.objects.create(
            membership=membership, month=D(2019, 3, 1), in_post_days=20
        )
    with django_assert_num_queries(7):
        result = export_workbook(
            kind="attendance", target=tmp_path / "a.xlsx", user=province_user
        )
    assert result.rows == 3
