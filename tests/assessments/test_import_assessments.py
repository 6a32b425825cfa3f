"""import_xlsx/export_xlsx assessments: the 年度考核 workbook, whole or not at all."""

from decimal import Decimal

import pytest

from assessments.models import Assessment
from tests.factories import MembershipFactory, TeamFactory, make_id_number
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def members(team):
    """Five members of one 昭觉县 team (2018-06 to 2020-05): a 20% cap of one 优秀."""
    return [MembershipFactory(team=team, person__name=f"队员{n}") for n in range(5)]


def _row(membership, grade="称职", year=2019, **extra):
    return {
        "身份证号码": membership.person.id_number,
        "姓名": membership.person.name,
        "年度": year,
        "考核等次": grade,
        **extra,
    }


@pytest.fixture
def workbook(tmp_path):
    def make(rows, name="grades.xlsx"):
        return write_xlsx(tmp_path / name, table("assessments", rows, title="年度考核"))

    return make


def test_annual_grades_are_recorded_against_the_membership_of_that_year(
    members, workbook
):
    path = workbook(
        [
            _row(members[0], "优秀", 村民测评=95.5, 村干部评议="９０"),
            _row(members[1], year="2019年"),
            _row(members[2], "不称职"),
        ]
    )
    code, output = run("import_xlsx", "assessments", path)
    assert code == 0, output
    assert "created=3" in output
    best = Assessment.objects.get(person=members[0].person)
    assert (best.membership, best.grade, best.kind) == (
        members[0],
        "excellent",
        "annual",
    )
    assert (best.villager_score, best.cadre_score) == (
        Decimal("95.50"),
        Decimal("90.00"),
    )
    assert (
        AuditEntry.objects.filter(
            model="assessments.assessment", county_code="513431"
        ).count()
        == 3
    )


def test_a_dry_run_writes_nothing(members, workbook):
    code, output = run(
        "import_xlsx", "assessments", workbook([_row(members[0])]), "--dry-run"
    )
    assert code == 0 and "created=1" in output
    assert not Assessment.objects.exists()


def test_one_bad_row_rejects_all_by_row_and_column(members, workbook):
    path = workbook(
        [
            _row(members[0]),
            _row(members[1], "良好"),
            _row(members[2], year=2017),
            _row(members[3], 村民测评=120),
            {**_row(members[4]), "身份证号码": make_id_number()},
        ]
    )
    code, output = run("import_xlsx", "assessments", path)
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [
        ("4", "考核等次"),
        ("5", "年度"),
        ("6", "村民测评"),
        ("7", "身份证号码"),
    ]
    assert not Assessment.objects.exists()


def test_excellent_grades_beyond_the_countys_20_percent_are_refused(members, workbook):
    """四(三): 优秀 at most 20% of the county's members (first secretaries excluded)."""
    path = workbook([_row(members[0], "优秀"), _row(members[1], "优秀")])
    code, output = run("import_xlsx", "assessments", path)
    assert code == 1
    ((row, column, message),) = error_lines(output)
    assert (row, column) == ("4", "考核等次")
    assert "优秀名额已满" in message and "上限1人" in message
    assert not Assessment.objects.exists()


def test_a_stored_excellent_grade_counts_against_the_cap(members, workbook):
    Assessment.objects.create(
        person=members[0].person, membership=members[0], year=2019, grade="excellent"
    )
    code, output = run(
        "import_xlsx", "assessments", workbook([_row(members[1], "优秀")])
    )
    assert code == 1 and "优秀名额已满" in output
    # Re-grading the same person does not count them twice.
    code, output = run(
        "import_xlsx",
        "assessments",
        workbook([_row(members[0], "优秀")], name="same.xlsx"),
    )
    assert code == 0, output


def test_reimport_is_unchanged_and_an_edit_updates(members, workbook):
    path = workbook([_row(members[0]), _row(members[1])])
    assert run("import_xlsx", "assessments", path)[0] == 0
    code, output = run("import_xlsx", "assessments", path)
    assert "created=0 updated=0 unchanged=2" in output, output
    code, output = run(
        "import_xlsx",
        "assessments",
        workbook([_row(members[0], "不称职")], name="e.xlsx"),
    )
    assert code == 0 and "updated=1" in output
    change = AuditEntry.objects.get(action="update").changes
    assert change == {"grade": ["competent", "incompetent"]}


def test_export_then_import_round_trips_to_unchanged(members, tmp_path):
    for membership, grade in zip(
        members[:3], ("excellent", "competent", "incompetent"), strict=True
    ):
        Assessment.objects.create(
            person=membership.person,
            membership=membership,
            year=2019,
            grade=grade,
            villager_score=Decimal("88.5"),
        )
    path = tmp_path / "grades.xlsx"
    assert run("export_xlsx", "assessments", path)[0] == 0
    code, output = run("import_xlsx", "assessments", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=3" in output


def test_a_county_clerk_cannot_grade_members_of_another_county(
    members, workbook, scoped_user
):
    scoped_user("county", "511102", "leshan")
    code, output = run(
        "import_xlsx", "assessments", workbook([_row(members[0])]), "--user", "leshan"
    )
    assert code == 1 and "管辖范围" in output


def test_the_assessment_export_reads_in_a_fixed_number_of_queries(
    members, tmp_path, django_assert_num_queries, province_user
):
    for membership in members[:3]:
        Assessment.objects.create(
            person=membership.person,
            membership=membership,
            year=2019,
            grade="competent",
        )
    with django_assert_num_queries(7):
        result = export_workbook(
            kind="assessments", target=tmp_path / "g.xlsx", user=province_user
        )
    assert result.rows == 3
