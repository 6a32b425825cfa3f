"""Duty rules (三): quarterly visits, priority households, target letters."""

import datetime

import pytest

from tests.assessments.factories import (
    HouseholdVisitFactory,
    TargetItemFactory,
    TargetLetterFactory,
    assert_set_based,
    only,
    staffed_team,
)
from tests.factories import HouseholdFactory

D = datetime.date
AS_OF = D(2019, 12, 31)  # judges 2019Q4


def _village_households(team, count, **flags):
    return [HouseholdFactory(village=team.village, **flags) for _ in range(count)]


IN_Q4 = D(2019, 11, 5)
IN_TIME = D(2019, 2, 15)


def _visit(team, households, day=IN_Q4):
    for household in households:
        HouseholdVisitFactory(team=team, household=household, visited_on=day)


# --- HOUSEHOLDS_NOT_ALL_VISITED ---------------------------------------------------


def test_clause_3_4_every_household_is_visited_each_quarter(db):
    """三(四) 每季度走遍派驻村内所有农户."""
    team, _ = staffed_team()
    households = _village_households(team, 3)
    _visit(team, households[:2])
    _visit(team, households[2:], day=D(2019, 9, 30))  # the quarter before
    twin, _ = staffed_team()
    _visit(twin, _village_households(twin, 3))
    (finding,) = only("HOUSEHOLDS_NOT_ALL_VISITED", AS_OF)
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "error",
        "team",
        team.pk,
    )
    assert finding.period == "2019Q4"
    assert "2019年第四季度走访2户，全村3户中有1户未走访" in finding.message


def test_a_visit_after_the_quarter_does_not_count_for_it(db):
    team, _ = staffed_team()
    _visit(team, _village_households(team, 2), day=D(2020, 1, 1))
    (finding,) = only("HOUSEHOLDS_NOT_ALL_VISITED", D(2020, 1, 15))
    assert (finding.period, finding.object_id) == ("2019Q4", team.pk)


def test_the_quarter_judged_is_the_last_one_completed(db):
    team, _ = staffed_team()
    _visit(team, _village_households(team, 2), day=D(2019, 8, 1))
    assert only("HOUSEHOLDS_NOT_ALL_VISITED", D(2019, 12, 30)) == []
    (finding,) = only("HOUSEHOLDS_NOT_ALL_VISITED", AS_OF)
    assert finding.period == "2019Q4"


def test_a_team_that_arrived_during_the_quarter_is_not_judged_for_it(db):
    team, _ = staffed_team(start_date=D(2019, 11, 1))
    _village_households(team, 2)
    assert only("HOUSEHOLDS_NOT_ALL_VISITED", AS_OF) == []
    assert len(only("HOUSEHOLDS_NOT_ALL_VISITED", D(2020, 3, 31))) == 1


@pytest.mark.parametrize("registered, fires", [(0, False), (1, True), (50, True)])
def test_clause_3_4_a_village_with_households_but_no_list_is_a_warning(
    db, registered, fires
):
    """三(四) 走遍所有农户 cannot be checked without the list: a warning, not silence."""
    team, _ = staffed_team()
    team.village.household_count = registered
    team.village.save()
    findings = only("HOUSEHOLDS_NOT_ALL_VISITED", AS_OF)
    assert [(f.object_id, f.severity) for f in findings] == (
        [(team.pk, "warning")] if fires else []
    )
    if fires:
        assert f"所驻村登记{registered}户，但没有农户名单" in findings[0].message
        assert findings[0].period == "2019Q4"
    # One warning for the village: the priority rule does not repeat it.
    assert only("PRIORITY_HOUSEHOLD_NOT_VISITED", AS_OF) == []


def test_a_village_with_its_household_list_gets_no_list_warning(db):
    team, _ = staffed_team()
    _visit(team, _village_households(team, 1))
    assert only("HOUSEHOLDS_NOT_ALL_VISITED", AS_OF) == []


# --- PRIORITY_HOUSEHOLD_NOT_VISITED -----------------------------------------------


@pytest.mark.parametrize(
    "flag",
    [
        "is_party_member_family",
        "is_hardship_family",
        "has_critical_patient",
        "is_empty_nest_or_left_behind",
    ],
)
def test_clause_3_4_priority_households_are_visited_each_quarter(db, flag):
    """三(四) 党员家庭、困难家庭、危重病人家庭、空巢老人及留守儿童家庭必访."""
    team, _ = staffed_team()
    (missed,) = _village_households(team, 1, head_name="张必访", **{flag: True})
    _village_households(team, 2)  # ordinary, unvisited: the other rule's finding
    twin, _ = staffed_team()
    _visit(twin, _village_households(twin, 1, **{flag: True}))
    (finding,) = only("PRIORITY_HOUSEHOLD_NOT_VISITED", AS_OF)
    assert (finding.object_type, finding.object_id, finding.period) == (
        "team",
        team.pk,
        "2019Q4",
    )
    assert "有1户必访户未走访：张必访" in finding.message
    assert missed.village_id == team.village_id


def test_many_unvisited_priority_households_are_named_up_to_five(db):
    team, _ = staffed_team()
    for i in range(7):
        HouseholdFactory(
            village=team.village, head_name=f"户{i}", is_hardship_family=True
        )
    (finding,) = only("PRIORITY_HOUSEHOLD_NOT_VISITED", AS_OF)
    assert "有7户必访户未走访：户0、户1、户2、户3、户4等" in finding.message


# --- NO_TARGET_LETTER -------------------------------------------------------------


LETTER_DAY = D(2019, 6, 30)  # judges 2019 (deadline 2019-03-31)


def _letter(team, signed_on=IN_TIME, items=2, assigned=True):
    letter = TargetLetterFactory(team=team, year=2019, signed_on=signed_on)
    holder = team.memberships.first()
    for _ in range(items):
        TargetItemFactory(letter=letter, responsible=holder if assigned else None)
    return letter


def test_clause_3_team_has_the_years_target_letter_by_end_of_q1(db):
    """三 县每年年初…签订目标责任书…采取"清单制＋责任制"方式."""
    missing, _ = staffed_team()
    late, _ = staffed_team()
    _letter(late, signed_on=D(2019, 4, 15))
    empty, _ = staffed_team()
    _letter(empty, items=0)
    unassigned, _ = staffed_team()
    _letter(unassigned, items=2, assigned=False)
    good, _ = staffed_team()
    _letter(good)
    findings = {f.object_id: f for f in only("NO_TARGET_LETTER", LETTER_DAY)}
    assert set(findings) == {missing.pk, late.pk, empty.pk, unassigned.pk}
    assert (
        "没有2019年目标责任书（应在2019-03-31前签订）" in findings[missing.pk].message
    )
    assert "2019-04-15签订，晚于第一季度末" in findings[late.pk].message
    assert "未列出任务清单" in findings[empty.pk].message
    assert "2项目标任务未明确责任人" in findings[unassigned.pk].message
    assert {f.period for f in findings.values()} == {"2019"}


def test_a_team_that_arrived_after_the_first_quarter_is_not_judged_that_year(db):
    staffed_team()  # arrived 2018-06-01, after 2018-03-31
    assert only("NO_TARGET_LETTER", D(2019, 3, 30)) == []  # judges 2018
    assert len(only("NO_TARGET_LETTER", D(2019, 3, 31))) == 1  # judges 2019


# --- the query count does not grow with the province ------------------------------


def _unvisited(n):
    for _ in range(n):
        team, _ = staffed_team()
        _village_households(team, 2)


def _priority_unvisited(n):
    for _ in range(n):
        team, _ = staffed_team()
        _village_households(team, 2, is_hardship_family=True)


def _no_letter(n):
    for _ in range(n):
        staffed_team()


BREACHES = {
    "HOUSEHOLDS_NOT_ALL_VISITED": (_unvisited, AS_OF),
    "PRIORITY_HOUSEHOLD_NOT_VISITED": (_priority_unvisited, AS_OF),
    "NO_TARGET_LETTER": (_no_letter, LETTER_DAY),
}


@pytest.mark.parametrize("code", list(BREACHES))
def test_query_count_is_the_same_with_two_and_six_breaches(db, code):
    build, as_of = BREACHES[code]
    assert_set_based(code, as_of, build)
