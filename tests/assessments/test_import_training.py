"""import_xlsx/export_xlsx training: the 培训记录 workbook, whole or not at all."""

import datetime
from decimal import Decimal

import pytest

from assessments.models import TrainingEvent, TrainingRecord
from tests.factories import MembershipFactory, make_id_number
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook

D = datetime.date


@pytest.fixture
def people(db):
    return [MembershipFactory(person__name=n).person for n in ("吉克", "阿依")]


def _row(person, course="全省第一书记示范培训班", start="2019-04-08", days=5, **extra):
    return {
        "身份证号码": person.id_number,
        "姓名": person.name,
        "培训名称": course,
        "举办层级": "省级",
        "开始日期": start,
        "天数": days,
        **extra,
    }


@pytest.fixture
def workbook(tmp_path):
    def make(rows, name="training.xlsx"):
        return write_xlsx(tmp_path / name, table("training", rows, title="培训记录"))

    return make


def test_training_records_are_created_with_their_course(people, workbook):
    path = workbook(
        [
            _row(people[0]),
            _row(people[1], days=3.5),
            _row(
                people[0],
                course="县级业务培训",
                start="2019年5月6日",
                days=2,
                举办层级="县级",
            ),
        ]
    )
    code, output = run("import_xlsx", "training", path)
    assert code == 0, output
    assert "created=3" in output
    course = TrainingEvent.objects.get(name="全省第一书记示范培训班")
    assert (course.level, course.start_date, course.days) == (
        "province",
        D(2019, 4, 8),
        5,
    )
    assert TrainingRecord.objects.get(person=people[1]).days == Decimal("3.5")
    assert AuditEntry.objects.filter(model="assessments.trainingrecord").count() == 3
    assert AuditEntry.objects.filter(model="assessments.trainingevent").count() == 2


def test_a_dry_run_writes_nothing(people, workbook):
    code, output = run(
        "import_xlsx", "training", workbook([_row(people[0])]), "--dry-run"
    )
    assert code == 0 and "created=1" in output
    assert not TrainingEvent.objects.exists() and not TrainingRecord.objects.exists()


def test_one_bad_row_rejects_all_by_row_and_column(people, workbook):
    path = workbook(
        [
            _row(people[0]),
            _row(people[1], days=0),
            {**_row(people[1]), "身份证号码": make_id_number()},
            _row(people[1], 举办层级="国家级"),
        ]
    )
    code, output = run("import_xlsx", "training", path)
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [
        ("4", "天数"),
        ("5", "身份证号码"),
        ("6", "举办层级"),
    ]
    assert not TrainingEvent.objects.exists()


def test_a_course_already_recorded_at_another_level_is_refused(people, workbook):
    TrainingEvent.objects.create(
        name="全省第一书记示范培训班", level="county", start_date=D(2019, 4, 8), days=5
    )
    code, output = run("import_xlsx", "training", workbook([_row(people[0])]))
    assert code == 1 and "县级" in output


def test_reimport_is_unchanged_and_an_edit_updates(people, workbook):
    path = workbook([_row(people[0]), _row(people[1])])
    assert run("import_xlsx", "training", path)[0] == 0
    code, output = run("import_xlsx", "training", path)
    assert "created=0 updated=0 unchanged=2" in output, output
    code, output = run(
        "import_xlsx", "training", workbook([_row(people[0], days=4)], name="e.xlsx")
    )
    assert code == 0 and "updated=1" in output
    assert TrainingRecord.objects.get(person=people[0]).days == 4


def test_export_then_import_round_trips_to_unchanged(people, tmp_path):
    course = TrainingEvent.objects.create(
        name="市级培训",
        level="prefecture",
        start_date=D(2019, 9, 2),
        days=Decimal("2.5"),
    )
    for person in people:
        TrainingRecord.objects.create(event=course, person=person, days=Decimal("2.5"))
    path = tmp_path / "training.xlsx"
    assert run("export_xlsx", "training", path)[0] == 0
    code, output = run("import_xlsx", "training", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=2" in output


def test_a_county_clerk_cannot_record_training_of_someone_outside_the_county(
    people, workbook, scoped_user
):
    scoped_user("county", "511102", "leshan")
    code, output = run(
        "import_xlsx", "training", workbook([_row(people[0])]), "--user", "leshan"
    )
    assert code == 1 and "管辖范围" in output


def test_the_training_export_reads_in_a_fixed_number_of_queries(
    people, tmp_path, django_assert_num_queries, province_user
):
    course = TrainingEvent.objects.create(
        name="培训", level="county", start_date=D(2019, 1, 7), days=3
    )
    for person in people:
        TrainingRecord.objects.create(event=course, person=person, days=3)
    with django_assert_num_queries(7):
        result = export_workbook(
            kind="training", target=tmp_path / "t.xlsx", user=province_user
        )
    assert result.rows == 2
