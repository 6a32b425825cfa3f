"""import_xlsx/export_xlsx roster: the 驻村工作队队员花名册, whole or not at all."""

import datetime

import pytest

from teams.models import Membership, Person, Team, Term
from tests.factories import (
    MembershipFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    make_id_number,
)
from tests.workbook_helpers import error_lines, read_xlsx, run, table, write_xlsx
from villages.models import Region
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook

D = datetime.date


@pytest.fixture
def places(db):
    """Two villages of 昭觉县 (Liangshan) and one of 乐山市市中区, and a unit."""
    zhaojue = TownshipFactory(name="四开乡")
    leshan = TownshipFactory(name="甲乡", parent=Region.objects.get(code="511102"))
    return {
        "a": VillageFactory(township=zhaojue, name="好谷村"),
        "b": VillageFactory(township=zhaojue, name="洒洛村"),
        "leshan": VillageFactory(township=leshan, name="乐山村"),
        "unit": UnitFactory(name="四川省某某厅"),
    }


def member(village, number, name="张三", role="队员", start="2018-06-01", **extra):
    county = village.county
    return {
        "市（州）": county.parent.name,
        "县（市、区）": county.name,
        "乡（镇）": village.township.name,
        "村": village.name,
        "姓名": name,
        "身份证号码": number,
        "派出单位": "四川省某某厅",
        "驻村职务": role,
        "驻村起始时间": start,
        **extra,
    }


def consistent(area="513431", gender="M", **extra) -> dict:
    """MembershipFactory keywords for a person whose birth date and gender match the ID.

    (PersonFactory's fixed birth date does not match its generated ID; an export
    of such a person would rightly be refused on re-import.)
    """
    number = make_id_number(area, gender)
    birth = D(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return {
        "person__id_number": number,
        "person__birth_date": birth,
        "person__gender": gender,
        **{f"person__{k}": v for k, v in extra.items()},
    }


@pytest.fixture
def workbook(tmp_path):
    def make(rows, name="roster.xlsx", title="XX县贫困村驻村工作队队员花名册"):
        return write_xlsx(tmp_path / name, table("roster", rows, title=title))

    return make


def test_a_roster_places_people_on_the_team_of_their_village_for_the_term(
    places, workbook
):
    a, b = places["a"], places["b"]
    ids = [make_id_number("513431", g) for g in "MFMM"]
    path = workbook(
        [
            member(
                a, ids[0], "吉克", "第一书记兼队长", 政治面貌="中共党员", 职级="科级"
            ),
            member(a, ids[1], "阿依", 性别="女", 联系电话="13812345678"),
            member(a, ids[2].lower(), "王五", 驻村起始时间="2018年6月"),
            member(b, ids[3], "李四", "第一书记", 是否在编在岗="否"),
        ]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 0, output
    assert "created=4 updated=0 unchanged=0 rejected=0" in output
    term = Term.objects.get(name="2018—2020年驻村期")
    team = Team.objects.get(village=a, term=term)
    assert (team.start_date, team.end_date) == (term.start_date, term.end_date)
    leader = Membership.objects.get(person__id_number=ids[0])
    assert (leader.team, leader.role, leader.is_leader) == (
        team,
        "first_secretary",
        True,
    )
    assert leader.unit == places["unit"]
    person = Person.objects.get(id_number=ids[1])
    assert (person.gender, person.phone, person.unit) == (
        "F",
        "13812345678",
        places["unit"],
    )
    assert person.birth_date.year == 1965
    assert Person.objects.get(id_number=ids[3]).on_staff is False
    assert Team.objects.count() == 2
    audit = AuditEntry.objects.filter(source="import")
    assert audit.filter(model="teams.person", action="create").count() == 4
    assert audit.filter(model="teams.membership", action="create").count() == 4
    assert audit.filter(model="teams.team", action="create").count() == 2
    created = audit.get(model="teams.person", object_id=str(person.pk)).changes
    assert created["phone"][1] == "*******5678"
    assert "*" in created["id_number"][1]


def test_an_existing_team_is_used_and_not_created_again(places, workbook):
    team = TeamFactory(village=places["a"])
    path = workbook([member(places["a"], make_id_number(), "赵六")])
    assert run("import_xlsx", "roster", path)[0] == 0
    assert Membership.objects.get().team == team
    assert Team.objects.count() == 1


def test_a_dry_run_counts_and_writes_nothing(places, workbook):
    path = workbook([member(places["a"], make_id_number())])
    code, output = run("import_xlsx", "roster", path, "--dry-run")
    assert code == 0, output
    assert "created=1" in output and "未写入" in output
    assert not Person.objects.exists() and not Team.objects.exists()
    assert not AuditEntry.objects.exists()


def test_one_bad_row_rejects_everything_and_each_error_names_row_and_column(
    places, workbook
):
    good = make_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    path = workbook(
        [
            member(places["a"], make_id_number(), "甲"),
            member(places["a"], bad, "乙"),
            member(places["a"], make_id_number(), "丙", 派出单位="不存在的单位"),
            member(places["a"], make_id_number(), "丁", 驻村职务="组长"),
        ]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    where = [(row, column) for row, column, _m in error_lines(output)]
    assert where == [("4", "身份证号码"), ("5", "派出单位"), ("6", "驻村职务")]
    assert "校验位" in output and "不存在的单位" in output
    assert not Person.objects.exists() and not Membership.objects.exists()
    assert not Team.objects.exists() and not AuditEntry.objects.exists()


def test_an_id_that_excel_stored_as_a_number_is_rejected_never_stored(places, tmp_path):
    number = make_id_number()
    rows = table("roster", [member(places["a"], int(number[:17]) * 10)])
    path = write_xlsx(tmp_path / "n.xlsx", rows)
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    ((row, column, message),) = error_lines(output)
    assert (row, column) == ("2", "身份证号码")
    assert "数字" in message and "文本" in message
    assert not Person.objects.exists()


def test_gender_or_birth_month_that_contradict_the_id_are_errors(places, workbook):
    number = make_id_number("513431", "M")  # born 1965, male
    path = workbook(
        [
            member(places["a"], number, 性别="女"),
            member(places["b"], make_id_number(), 出生年月="1990.01"),
        ]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [
        ("3", "性别"),
        ("4", "出生年月"),
    ]


def test_matching_gender_and_birth_month_are_accepted(places, workbook):
    number = make_id_number("513431", "F")
    birth = f"{number[6:10]}年{int(number[10:12])}月"
    path = workbook([member(places["a"], number, 性别="女", 出生年月=birth)])
    assert run("import_xlsx", "roster", path)[0] == 0


def test_unknown_village_or_a_start_outside_every_term_is_an_error(places, workbook):
    path = workbook(
        [
            {**member(places["a"], make_id_number()), "村": "不存在村"},
            member(places["a"], make_id_number(), 驻村起始时间="2016-03-01"),
        ]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [
        ("3", "村"),
        ("4", "驻村起始时间"),
    ]
    assert "驻村期次" in output


def test_the_same_person_in_two_villages_at_once_is_an_error(places, workbook):
    number = make_id_number()
    path = workbook(
        [member(places["a"], number, "甲"), member(places["b"], number, "甲")]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    lines = error_lines(output)
    assert {(r, c) for r, c, _m in lines} == {("3", "身份证号码"), ("4", "身份证号码")}
    assert "同一时间只能在一个工作队" in output


def test_a_person_already_serving_elsewhere_cannot_be_placed_again(places, workbook):
    serving = MembershipFactory(team__village=places["b"])
    path = workbook(
        [member(places["a"], serving.person.id_number, serving.person.name)]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    assert "洒洛村" in output
    assert Membership.objects.count() == 1


def test_a_person_who_left_can_serve_in_another_village_afterwards(places, workbook):
    number = make_id_number()
    path = workbook(
        [
            member(places["a"], number, 驻村结束时间="2019-02-28"),
            member(places["b"], number, 驻村起始时间="2019-03-01"),
        ]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 0, output
    assert Membership.objects.filter(person__id_number=number).count() == 2


def test_two_first_secretaries_in_one_team_are_an_error(places, workbook):
    path = workbook(
        [
            member(places["a"], make_id_number(), "甲", "第一书记"),
            member(places["a"], make_id_number(), "乙", "第一书记兼队长"),
        ]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    assert {c for _r, c, _m in error_lines(output)} == {"驻村职务"}


def test_a_first_secretary_in_the_database_counts_too(places, workbook):
    MembershipFactory(team__village=places["a"], role="first_secretary")
    path = workbook([member(places["a"], make_id_number(), "乙", "第一书记")])
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    assert "第一书记" in output


def test_a_liangshan_team_above_seven_members_counting_the_database_is_refused(
    places, workbook
):
    team = TeamFactory(village=places["a"])
    for _ in range(6):
        MembershipFactory(team=team)
    path = workbook(
        [
            member(places["a"], make_id_number(), "甲"),
            member(places["a"], make_id_number(), "乙"),
        ]
    )
    code, output = run("import_xlsx", "roster", path)
    assert code == 1
    assert "凉山州工作队最多7人" in output
    assert Membership.objects.count() == 6


def test_eight_members_outside_liangshan_are_fine(places, workbook):
    rows = [
        member(places["leshan"], make_id_number("511102"), f"队员{n}") for n in range(8)
    ]
    assert run("import_xlsx", "roster", workbook(rows))[0] == 0
    assert Membership.objects.count() == 8


def test_importing_the_same_roster_again_changes_nothing(places, workbook):
    path = workbook(
        [
            member(places["a"], make_id_number(), "甲", "第一书记兼队长"),
            member(places["a"], make_id_number(), "乙", 驻村结束时间="2019-12-31"),
        ]
    )
    assert run("import_xlsx", "roster", path)[0] == 0
    entries = AuditEntry.objects.count()
    code, output = run("import_xlsx", "roster", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=2" in output
    assert AuditEntry.objects.count() == entries


def test_a_changed_phone_and_end_date_update_and_are_audited_masked(places, workbook):
    number = make_id_number()
    first = workbook([member(places["a"], number, 联系电话="13812345678")])
    assert run("import_xlsx", "roster", first)[0] == 0
    edited = workbook(
        [
            member(
                places["a"],
                number,
                联系电话="13987654321",
                驻村结束时间="2019-06-30",
            )
        ],
        name="edited.xlsx",
    )
    code, output = run("import_xlsx", "roster", edited)
    assert code == 0, output
    assert "updated=1" in output
    assert Person.objects.get().phone == "13987654321"
    assert Membership.objects.get().end_date == D(2019, 6, 30)
    change = AuditEntry.objects.get(model="teams.person", action="update").changes
    assert change["phone"] == ["*******5678", "*******4321"]
    ended = AuditEntry.objects.get(model="teams.membership", action="update")
    assert ended.changes["end_date"] == [None, "2019-06-30"]


def test_export_then_import_round_trips_to_unchanged(places, tmp_path):
    team = TeamFactory(village=places["a"])
    MembershipFactory(team=team, role="first_secretary", is_leader=True, **consistent())
    MembershipFactory(
        team=team, **consistent(gender="F", phone="13800001111", ethnicity="彝族")
    )
    MembershipFactory(
        team__village=places["leshan"],
        role="leader",
        is_leader=True,
        **consistent("511102"),
    )
    path = tmp_path / "roster.xlsx"
    code, output = run("export_xlsx", "roster", path)
    assert code == 0, output
    code, output = run("import_xlsx", "roster", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=3 rejected=0" in output


def test_a_masked_export_says_so_and_cannot_be_imported_again(
    places, tmp_path, scoped_user
):
    MembershipFactory(team__village=places["a"], person__phone="13800001111")
    township = places["a"].township.code
    scoped_user("township", township, "clerk")
    path = tmp_path / "masked.xlsx"
    code, output = run("export_xlsx", "roster", path, "--user", "clerk")
    assert code == 0, output
    (rows,) = read_xlsx(path).values()
    assert any("不能用于再次导入" in str(r[0]) for r in rows[:4])
    person = Person.objects.get()
    flat = [str(v) for r in rows for v in r]
    assert person.id_number not in flat and "*******1111" in flat
    assert not AuditEntry.objects.filter(action="reveal").exists()
    code, output = run("import_xlsx", "roster", path)
    assert code == 1 and "*号" in output


def test_a_full_export_is_recorded_as_one_reveal(places, tmp_path, scoped_user):
    MembershipFactory(team__village=places["a"])
    MembershipFactory(team__village=places["b"])
    user = scoped_user("county", "513431", "zhaojue")
    path = tmp_path / "full.xlsx"
    assert (
        run("export_xlsx", "roster", path, "--user", "zhaojue", "--county", "513431")[0]
        == 0
    )
    flat = [str(v) for rows in read_xlsx(path).values() for r in rows for v in r]
    assert all(p.id_number in flat for p in Person.objects.all())
    reveal = AuditEntry.objects.get(action="reveal")
    assert (reveal.actor, reveal.county_code, reveal.changes["rows"]) == (
        user,
        "513431",
        2,
    )


def test_an_export_holds_only_the_users_county(places, tmp_path, scoped_user):
    MembershipFactory(team__village=places["a"], person__name="昭觉的人")
    MembershipFactory(team__village=places["leshan"], person__name="乐山的人")
    scoped_user("county", "511102", "leshan")
    path = tmp_path / "leshan.xlsx"
    assert run("export_xlsx", "roster", path, "--user", "leshan")[0] == 0
    flat = [str(v) for rows in read_xlsx(path).values() for r in rows for v in r]
    assert "乐山的人" in flat and "昭觉的人" not in flat


def test_a_county_clerk_cannot_import_people_into_another_county(
    places, workbook, scoped_user
):
    scoped_user("county", "513431", "zhaojue")
    path = workbook(
        [
            member(places["a"], make_id_number()),
            member(places["leshan"], make_id_number("511102")),
        ]
    )
    code, output = run("import_xlsx", "roster", path, "--user", "zhaojue")
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [("4", "村")]
    assert not Person.objects.exists()


def test_the_roster_export_reads_in_a_fixed_number_of_queries(
    places, tmp_path, django_assert_num_queries, province_user
):
    for village in (places["a"], places["b"], places["leshan"]):
        team = TeamFactory(village=village)
        MembershipFactory(team=team)
        MembershipFactory(team=team)
    # two permission checks, the scope, the rows, the reveal entry in its savepoint
    with django_assert_num_queries(7):
        result = export_workbook(
            kind="roster", target=tmp_path / "r.xlsx", user=province_user
        )
    assert result.rows == 6 and result.revealed
