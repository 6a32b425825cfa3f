"""Management rules (四): meetings, attendance, reports, training, grades, exits."""

import datetime
from decimal import Decimal

import pytest

from assessments.models import Assessment
from teams.models import Team
from tests.assessments.factories import (
    FS,
    PENGZHOU,
    AssessmentFactory,
    LeaderMeetingFactory,
    MonthlyAttendanceFactory,
    TeamReportFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
    assert_set_based,
    member,
    only,
    second_term,
    staffed_team,
    village_in,
)
from tests.factories import UnitFactory, county

D = datetime.date
AS_OF = D(2019, 12, 31)  # judges 2019Q4 and the year 2019
G = Assessment.Grade


# --- NO_QUARTERLY_LEADER_MEETING --------------------------------------------------


def test_clause_4_1_county_holds_a_leader_meeting_each_quarter(db):
    """四(一) 县（市、区）每季度至少组织召开1次驻村工作队队长会议."""
    staffed_team(PENGZHOU)
    LeaderMeetingFactory(county=county(PENGZHOU), held_on=D(2019, 9, 20))  # Q3
    staffed_team("510181")
    LeaderMeetingFactory(county=county("510181"), held_on=D(2019, 11, 20))
    (finding,) = only("NO_QUARTERLY_LEADER_MEETING", AS_OF)
    assert (finding.object_type, finding.object_id) == ("county", county(PENGZHOU).pk)
    assert (finding.label, finding.county_code, finding.period) == (
        "彭州市",
        PENGZHOU,
        "2019Q4",
    )
    assert "彭州市2019年第四季度未召开驻村工作队队长会议" in finding.message


def test_a_county_without_teams_needs_no_meeting(db):
    village_in(PENGZHOU)
    assert only("NO_QUARTERLY_LEADER_MEETING", AS_OF) == []


# --- ATTENDANCE_NOT_RECORDED ------------------------------------------------------


def _record(membership, first, last, skip=()):
    """Attendance rows for the months ``first`` to ``last``, but those in ``skip``."""
    month = first
    while month <= last:
        if month not in skip:
            MonthlyAttendanceFactory(membership=membership, month=month)
        month = D(month.year + month.month // 12, month.month % 12 + 1, 1)


def test_clause_4_1_attendance_recorded_every_month(db):
    """四(一) 乡镇党委、政府…每月统计驻村工作队队员在岗情况并留档备查."""
    team, (secretary, gap, _) = staffed_team(size=3)
    for m in team.memberships.all():
        _record(
            m, D(2018, 6, 1), D(2019, 2, 1), skip=[D(2019, 2, 1)] if m == gap else []
        )
    newcomer = member(team, start_date=D(2019, 2, 20))
    MonthlyAttendanceFactory(membership=newcomer, month=D(2019, 2, 1))
    (finding,) = only("ATTENDANCE_NOT_RECORDED", D(2019, 3, 15))
    assert (finding.object_type, finding.object_id, finding.period) == (
        "member",
        gap.pk,
        "2019-02",
    )
    assert f"队员{gap.person.name}2019年2月的在岗情况未记录" in finding.message
    assert finding.label == gap.person.name


def test_a_month_is_due_once_it_is_over(db):
    """四(一) 每月统计: the month is due on its last day, not the day before."""
    team, _ = staffed_team(size=3)
    for m in team.memberships.all():
        _record(m, D(2018, 6, 1), D(2019, 2, 1))
    assert only("ATTENDANCE_NOT_RECORDED", D(2019, 3, 30)) == []
    findings = only("ATTENDANCE_NOT_RECORDED", D(2019, 3, 31))
    assert {f.period for f in findings} == {"2019-03"} and len(findings) == 3


def test_clause_4_1_a_month_missing_in_2019_is_still_a_finding_in_2020(db):
    """四(一) 留档备查 has no expiry: a gap does not lapse with the calendar year."""
    team, (secretary,) = staffed_team(size=1)
    _record(secretary, D(2018, 6, 1), D(2020, 5, 1), skip=[D(2019, 11, 1)])
    for day in (D(2019, 11, 29), D(2019, 11, 30), D(2020, 1, 15), D(2020, 2, 15)):
        periods = [f.period for f in only("ATTENDANCE_NOT_RECORDED", day)]
        assert periods == ([] if day < D(2019, 11, 30) else ["2019-11"]), day
    # After the term's end, too (the member's service ended 2020-05-31) ...
    assert [f.period for f in only("ATTENDANCE_NOT_RECORDED", D(2020, 9, 30))] == [
        "2019-11"
    ]
    # ... until the next term begins: then its months are the ones judged.
    second_term(
        name="2021—2023年驻村期",
        start_date=D(2021, 6, 1),
        end_date=D(2023, 5, 31),
        in_post_deadline=D(2021, 6, 30),
    )
    assert only("ATTENDANCE_NOT_RECORDED", D(2021, 5, 31)) != []
    assert only("ATTENDANCE_NOT_RECORDED", D(2021, 6, 1)) == []


def test_every_month_of_service_counts_the_partial_ones_included(db):
    """A member in post on any day of a month owes its row; months outside do not."""
    team, _ = staffed_team(size=1)
    team.memberships.all().delete()
    short = member(team, start_date=D(2018, 6, 30), end_date=D(2018, 8, 1))
    MonthlyAttendanceFactory(membership=short, month=D(2018, 7, 1))
    MonthlyAttendanceFactory(membership=short, month=D(2018, 9, 1))  # after it left
    findings = only("ATTENDANCE_NOT_RECORDED", D(2019, 3, 15))
    assert sorted(f.period for f in findings) == ["2018-06", "2018-08"]


# --- NO_QUARTERLY_REPORT ----------------------------------------------------------


def test_clause_4_1_team_reports_every_quarter(db):
    """四(一) 驻村工作队每季度向县"五个一"帮扶力量协调小组报告思想、工作、学习情况."""
    silent, _ = staffed_team()
    TeamReportFactory(team=silent, year=2019, quarter=3)
    reported, _ = staffed_team()
    TeamReportFactory(team=reported, year=2019, quarter=4)
    (finding,) = only("NO_QUARTERLY_REPORT", AS_OF)
    assert (finding.object_id, finding.period) == (silent.pk, "2019Q4")
    assert "2019年第四季度思想、工作、学习情况" in finding.message


# --- TRAINING_DAYS_SHORT ----------------------------------------------------------


def _trained(membership, *days_and_dates):
    for days, day in days_and_dates:
        TrainingRecordFactory(
            person=membership.person,
            event=TrainingEventFactory(start_date=day, days=Decimal(days)),
        )


@pytest.mark.parametrize(
    "days, fires", [("3", True), ("4.5", True), ("5", False), ("6", False)]
)
def test_clause_4_2_five_training_days_a_year(db, days, fires):
    """四(二) 确保驻村工作队队员每人每年培训累计不少于5天."""
    team, (secretary, *_) = staffed_team(size=1)
    _trained(secretary, (days, D(2019, 5, 10)), ("5", D(2018, 9, 1)))
    findings = only("TRAINING_DAYS_SHORT", AS_OF)
    assert [f.object_id for f in findings] == ([secretary.pk] if fires else [])
    if fires:
        (finding,) = findings
        assert (finding.severity, finding.period) == ("error", "2019")
        assert f"2019年累计培训{days}天，少于5天" in finding.message


def test_training_in_the_year_under_way_is_progress_from_the_last_quarter(db):
    team, (secretary, *_) = staffed_team(size=1)
    _trained(secretary, ("5", D(2018, 9, 1)), ("2", D(2019, 5, 10)))
    assert only("TRAINING_DAYS_SHORT", D(2019, 9, 30)) == []
    (finding,) = only("TRAINING_DAYS_SHORT", D(2019, 10, 15))
    assert (finding.severity, finding.period) == ("warning", "2019")
    assert "截至2019-10-15" in finding.message and "累计培训2天" in finding.message


def test_training_minimum_is_read_from_settings(db, settings):
    team, (secretary, *_) = staffed_team(size=1)
    _trained(secretary, ("5", D(2019, 5, 10)))
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "TRAINING_DAYS_MIN": 6}
    (finding,) = only("TRAINING_DAYS_SHORT", AS_OF)
    assert "少于6天" in finding.message


# --- EXCELLENT_OVER_CAP -----------------------------------------------------------


def _graded_county(members: int, excellent: int, secretaries_excellent: int = 2):
    """A county with ``members`` non-secretary members, some graded 优秀 in 2019."""
    graded = 0
    teams = []
    while sum(len(t) - 1 for t in teams) < members:
        left = members - sum(len(t) - 1 for t in teams)
        teams.append(staffed_team(PENGZHOU, size=min(4, left + 1))[1])
    for team in teams:
        for m in team:
            if m.role == FS:
                grade = G.EXCELLENT if secretaries_excellent else G.COMPETENT
                secretaries_excellent = max(0, secretaries_excellent - 1)
            else:
                grade = G.EXCELLENT if graded < excellent else G.COMPETENT
                graded += grade == G.EXCELLENT
            AssessmentFactory(membership=m, grade=grade)


@pytest.mark.parametrize(
    "members, excellent, fires",
    [(9, 1, False), (9, 2, True), (10, 2, False), (10, 3, True)],
)
def test_clause_4_3_excellent_at_most_twenty_percent_floor(
    db, members, excellent, fires
):
    """四(三) "优秀"等次名额不超过…队员总数的20%（不含第一书记）: floor(0.2 × N)."""
    _graded_county(members, excellent)
    findings = only("EXCELLENT_OVER_CAP", AS_OF)
    assert [f.object_id for f in findings] == ([county(PENGZHOU).pk] if fires else [])
    if fires:
        (finding,) = findings
        cap = members // 5
        assert (finding.object_type, finding.county_code, finding.period) == (
            "county",
            PENGZHOU,
            "2019",
        )
        assert f"评为优秀的队员{excellent}人，上限为{cap}人" in finding.message
        assert f"不含第一书记的队员共{members}人的20%" in finding.message


def test_excellent_cap_ratio_is_read_from_settings(db, settings):
    _graded_county(10, 3)
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "EXCELLENT_CAP_RATIO": "0.30"}
    assert only("EXCELLENT_OVER_CAP", AS_OF) == []


# --- ASSESSMENT_MISSING -----------------------------------------------------------


def test_clause_4_3_every_member_graded_once_the_year_is_over(db):
    """四(三) 县（市、区）每年年底对驻村工作队队员进行年度考核."""
    team, (secretary, graded, term_only) = staffed_team(size=3)
    AssessmentFactory(membership=graded, year=2019)
    AssessmentFactory(membership=term_only, year=2019, kind=Assessment.Kind.TERM_END)
    AssessmentFactory(membership=secretary, year=2018)
    ids = {f.object_id for f in only("ASSESSMENT_MISSING", AS_OF)}
    assert ids == {secretary.pk, term_only.pk}
    assert {f.period for f in only("ASSESSMENT_MISSING", AS_OF)} == {"2019"}
    earlier = only("ASSESSMENT_MISSING", D(2019, 12, 30))  # judges 2018
    assert {f.object_id for f in earlier} == {graded.pk, term_only.pk}
    assert {f.period for f in earlier} == {"2018"}


# --- UNIT_BARRED_FOR_UNFIT --------------------------------------------------------


def test_clause_4_3_unit_of_an_incompetent_member_is_barred(db):
    """四(三) 队员年度考核评为"不称职"的，派出单位及主要负责人年度考核不得评先评优."""
    unit = UnitFactory(name="测试局", principal_head="赵局长")
    team, _ = staffed_team()
    bad = member(team, person__unit=unit, unit=unit, person__name="钱某")
    AssessmentFactory(membership=bad, grade=G.INCOMPETENT)
    AssessmentFactory(membership=member(team), grade=G.COMPETENT)
    (finding,) = only("UNIT_BARRED_FOR_UNFIT", AS_OF)
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "warning",
        "unit",
        unit.pk,
    )
    assert finding.county_code == PENGZHOU and finding.period == "2019"
    assert "测试局（主要负责人赵局长）" in finding.message and "钱某" in finding.message


# --- UNIT_BARRED_FOR_VILLAGE ------------------------------------------------------


@pytest.mark.parametrize(
    "planned, actual, barred",
    [(2019, None, True), (2018, None, True), (2019, 2020, True), (2019, 2019, False)],
)
def test_clause_4_4_units_of_a_village_that_missed_its_exit_are_barred(
    db, planned, actual, barred
):
    """四(四) 纳入年度脱贫任务的贫困村不脱贫，帮扶单位及主要领导不得评先评优."""
    unit = UnitFactory(name="帮扶局")
    village = village_in(planned_exit_year=planned, actual_exit_year=actual)
    team, _ = staffed_team(village=village)
    member(team, person__unit=unit, unit=unit)
    ids = {f.object_id for f in only("UNIT_BARRED_FOR_VILLAGE", AS_OF)}
    assert (unit.pk in ids) is barred
    if barred:
        (finding,) = [
            f for f in only("UNIT_BARRED_FOR_VILLAGE", AS_OF) if f.object_id == unit.pk
        ]
        assert f"计划{planned}年退出" in finding.message
        assert "至2019年底仍未退出" in finding.message


def test_a_village_planned_for_next_year_bars_nobody_yet(db):
    staffed_team(village=village_in(planned_exit_year=2020))
    assert only("UNIT_BARRED_FOR_VILLAGE", AS_OF) == []


# --- NO_COUNTY_LEADER_LINK --------------------------------------------------------


def test_clause_4_4_poor_village_has_a_linked_county_leader(db):
    """四(四) 联系贫困村的县级领导干部对帮扶工作负总责."""
    blank = village_in(county_leader="")
    spaces = village_in(county_leader="  ")
    village_in(county_leader="张三（县委副书记）")
    findings = only("NO_COUNTY_LEADER_LINK", AS_OF)
    assert {f.object_id for f in findings} == {blank.pk, spaces.pk}
    assert {f.severity for f in findings} == {"warning"}


# --- the query count does not grow with the province ------------------------------


def _counties_without_meeting(n):
    codes = ["510181", "510182", "510183", "510184", "510185", "510129"]
    start = len({t.village.county_id for t in _teams()})
    for code in codes[start : start + n]:
        staffed_team(code)


def _teams():
    return Team.objects.select_related("village")


def _attendance_gaps(n):
    for _ in range(n):
        _team, (secretary,) = staffed_team(size=1)
        _record(secretary, D(2018, 6, 1), D(2018, 12, 1))  # 2019-01 missing


def _silent_teams(n):
    for _ in range(n):
        staffed_team()


def _untrained(n):
    for _ in range(n):
        staffed_team(size=1)


def _over_cap(n):
    codes = ["510181", "510182", "510183", "510184", "510185", "510129"]
    start = len({t.village.county_id for t in _teams()})
    for code in codes[start : start + n]:
        team, members = staffed_team(code, size=2)
        AssessmentFactory(membership=members[1], grade=G.EXCELLENT)


def _ungraded(n):
    for _ in range(n):
        staffed_team(size=1)


def _barred_units(n):
    team, _ = staffed_team()
    for _ in range(n):
        AssessmentFactory(membership=member(team), grade=G.INCOMPETENT)


def _unexited(n):
    team, _ = staffed_team(size=1, village=village_in(planned_exit_year=2019))
    for _ in range(n - 1):
        member(team)


def _unlinked(n):
    for _ in range(n):
        village_in(county_leader="")


BREACHES = {
    "NO_QUARTERLY_LEADER_MEETING": (_counties_without_meeting, AS_OF),
    "ATTENDANCE_NOT_RECORDED": (_attendance_gaps, D(2019, 2, 15)),
    "NO_QUARTERLY_REPORT": (_silent_teams, AS_OF),
    "TRAINING_DAYS_SHORT": (_untrained, AS_OF),
    "EXCELLENT_OVER_CAP": (_over_cap, AS_OF),
    "ASSESSMENT_MISSING": (_ungraded, AS_OF),
    "UNIT_BARRED_FOR_UNFIT": (_barred_units, AS_OF),
    "UNIT_BARRED_FOR_VILLAGE": (_unexited, AS_OF),
    "NO_COUNTY_LEADER_LINK": (_unlinked, AS_OF),
}


@pytest.mark.parametrize("code", list(BREACHES))
def test_query_count_is_the_same_with_two_and_six_breaches(db, code):
    build, as_of = BREACHES[code]
    assert_set_based(code, as_of, build)
