"""The registry, the regions, the periods and a world that breaks nothing."""

import datetime
from decimal import Decimal

import pytest

from compliance.rules import all_rules, evaluate, rule_codes
from tests.assessments.factories import (
    PENGZHOU,
    ZHAOJUE,
    AssessmentFactory,
    FundFactory,
    HouseholdVisitFactory,
    LeaderMeetingFactory,
    MonthlyAttendanceFactory,
    TargetItemFactory,
    TargetLetterFactory,
    TeamReportFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
    only,
    provincial_unit,
    staffed_team,
    village_in,
)
from tests.factories import HouseholdFactory, PersonFactory, UnitFactory, county
from villages.models import Region
from zhucun.periods import (
    last_completed_month,
    last_completed_quarter,
    last_completed_year,
    progress_year,
)
from zhucun.policy import Thresholds

D = datetime.date

# rules.md, in its order: code → (clause, severity, object type).
RULES_MD = {
    "VILLAGE_WITHOUT_TEAM": ("一(二)", "error", "village"),
    "VILLAGE_MULTIPLE_TEAMS": ("一(二)", "error", "village"),
    "EXITED_VILLAGE_TEAM_WITHDRAWN": ("一(二)", "error", "team"),
    "TEAM_TOO_SMALL": ("一(二)", "error", "team"),
    "LIANGSHAN_TEAM_SIZE": ("二(三)", "error", "team"),
    "NO_FIRST_SECRETARY": ("一(二)", "error", "team"),
    "LEADER_NOT_QUALIFIED": ("一(二), 二(四)", "warning", "team"),
    "MEMBER_NOT_ON_STAFF": ("一(二)", "warning", "member"),
    "TERM_NOT_TWO_YEARS": ("一(二)", "warning", "team"),
    "PARTY_RELATION_NOT_TRANSFERRED": ("一(二)", "warning", "member"),
    "UNIT_QUOTA_SHORT": ("二(一)", "error", "unit"),
    "GRASSROOTS_CANDIDATES_NOT_SENT": ("二(一)", "warning", "unit"),
    "PAIRING_QUOTA_SHORT": ("二(二)", "warning", "pairing"),
    "DEEP_POVERTY_LINK_UNSENT": ("二(二)", "error", "unit"),
    "LATE_EXIT_VILLAGE_COMPOSITION": ("二(三)", "warning", "team"),
    "LIANGSHAN_EXTRA_SECTOR": ("二(三)", "warning", "team"),
    "NOT_IN_POST_BY_DEADLINE": ("二(四)", "error", "team"),
    "APPOINTMENT_INCOMPLETE": ("二(四)", "error", "member"),
    "UNFIT_NOT_REPLACED": ("二(四)", "error", "member"),
    "NOT_FILED": ("五(一)", "warning", "member"),
    "HOUSEHOLDS_NOT_ALL_VISITED": ("三(四)", "error", "team"),
    "PRIORITY_HOUSEHOLD_NOT_VISITED": ("三(四)", "error", "team"),
    "NO_TARGET_LETTER": ("三", "error", "team"),
    "NO_QUARTERLY_LEADER_MEETING": ("四(一)", "error", "county"),
    "ATTENDANCE_NOT_RECORDED": ("四(一)", "error", "member"),
    "NO_QUARTERLY_REPORT": ("四(一)", "error", "team"),
    "TRAINING_DAYS_SHORT": ("四(二)", "error", "member"),
    "EXCELLENT_OVER_CAP": ("四(三)", "error", "county"),
    "ASSESSMENT_MISSING": ("四(三)", "error", "member"),
    "UNIT_BARRED_FOR_UNFIT": ("四(三)", "warning", "unit"),
    "UNIT_BARRED_FOR_VILLAGE": ("四(四)", "warning", "unit"),
    "NO_COUNTY_LEADER_LINK": ("四(四)", "warning", "village"),
    "FUNDING_SHORT": ("五(二)", "error", "team"),
    "FUNDING_WRONG_SOURCE": ("五(二)", "warning", "team"),
    "NO_ACCIDENT_INSURANCE": ("五(二)", "warning", "member"),
}


def test_the_registry_holds_every_rule_of_rules_md_in_order():
    assert rule_codes() == list(RULES_MD)
    for rule in all_rules():
        assert (rule.clause, rule.severity, rule.object_type) == RULES_MD[rule.code]
        # The docstring opens with the policy's own sentence, in Chinese.
        first_line = rule.__doc__.strip().splitlines()[0]
        assert any("\u4e00" <= c <= "\u9fff" for c in first_line), rule.code
        assert str(rule.title)


def test_an_unknown_rule_code_is_refused(db):
    with pytest.raises(KeyError):
        evaluate(D(2019, 6, 30), rules=["NO_SUCH_RULE"])


# --- periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, quarter",
    [
        (D(2019, 3, 30), "2018Q4"),
        (D(2019, 3, 31), "2019Q1"),
        (D(2019, 7, 1), "2019Q2"),
        (D(2019, 12, 31), "2019Q4"),
    ],
)
def test_last_completed_quarter(day, quarter):
    assert last_completed_quarter(day).code == quarter


def test_last_completed_year_month_and_progress():
    assert last_completed_year(D(2019, 12, 30)) == 2018
    assert last_completed_year(D(2019, 12, 31)) == 2019
    assert last_completed_month(D(2019, 1, 15)) == D(2018, 12, 1)
    assert last_completed_month(D(2019, 2, 28)) == D(2019, 2, 1)
    assert progress_year(D(2019, 9, 30)) is None
    assert progress_year(D(2019, 10, 1)) == 2019
    assert progress_year(D(2019, 12, 31)) is None  # the year is over: errors


def test_thresholds_default_to_the_policy_when_a_setting_is_absent(settings):
    settings.ZHUCUN_RULES = {}
    t = Thresholds.from_settings()
    assert (t.team_min_members, t.liangshan_min_members, t.liangshan_max_members) == (
        3,
        4,
        7,
    )
    assert t.excellent_cap_ratio == Decimal("0.20")
    assert t.funding_min_yuan == Decimal("20000")
    assert t.campaign_end == D(2020, 12, 31)
    assert [t.unit_quota(s) for s in (0, 50, 51, 99, 100, 600)] == [1, 1, 2, 2, 4, 4]


# --- regions ---------------------------------------------------------------------


def test_a_region_narrows_every_kind_of_object(db):
    pengzhou_village = village_in(PENGZHOU)
    zhaojue_village = village_in(ZHAOJUE)
    provincial = provincial_unit(staff_count=200)  # sends nobody
    county_unit = UnitFactory(region=county(PENGZHOU))
    PersonFactory(unit=county_unit, is_reserve_cadre=True)
    day = D(2019, 6, 30)

    def seen(region):
        return {(f.rule, f.object_id) for f in evaluate(day, region=region)}

    everything = seen(None)
    assert {
        ("VILLAGE_WITHOUT_TEAM", pengzhou_village.pk),
        ("VILLAGE_WITHOUT_TEAM", zhaojue_village.pk),
        ("UNIT_QUOTA_SHORT", provincial.pk),
        ("GRASSROOTS_CANDIDATES_NOT_SENT", county_unit.pk),
    } <= everything
    assert seen(county("510000")) == everything
    in_pengzhou = seen(county(PENGZHOU))
    assert ("VILLAGE_WITHOUT_TEAM", pengzhou_village.pk) in in_pengzhou
    assert ("GRASSROOTS_CANDIDATES_NOT_SENT", county_unit.pk) in in_pengzhou
    assert ("VILLAGE_WITHOUT_TEAM", zhaojue_village.pk) not in in_pengzhou
    assert ("UNIT_QUOTA_SHORT", provincial.pk) not in in_pengzhou
    assert seen(county("510100")) == in_pengzhou  # 成都市 holds 彭州市 only here
    liangshan = seen(county("513400"))
    assert ("VILLAGE_WITHOUT_TEAM", zhaojue_village.pk) in liangshan
    assert ("VILLAGE_WITHOUT_TEAM", pengzhou_village.pk) not in liangshan
    township = Region.objects.get(pk=pengzhou_village.township_id)
    assert {r for r in seen(township) if r[0] == "VILLAGE_WITHOUT_TEAM"} == {
        ("VILLAGE_WITHOUT_TEAM", pengzhou_village.pk)
    }


def test_a_township_sees_its_countys_findings(db):
    team, _ = staffed_team(PENGZHOU)
    township = Region.objects.get(pk=team.village.township_id)
    findings = only("NO_QUARTERLY_LEADER_MEETING", D(2019, 12, 31), region=township)
    assert [f.object_id for f in findings] == [county(PENGZHOU).pk]
    other = only("NO_QUARTERLY_LEADER_MEETING", D(2019, 12, 31), region=county(ZHAOJUE))
    assert other == []


# --- a world that breaks no rule --------------------------------------------------


def test_a_compliant_county_has_no_finding_at_all(db):
    """Every rule stays silent on a team that does everything the policy asks."""
    village = village_in(PENGZHOU, county_leader="王某（县委副书记）")
    team, members = staffed_team(village=village, size=3)
    households = [
        HouseholdFactory(village=village),
        HouseholdFactory(village=village, is_hardship_family=True),
    ]
    for household in households:
        HouseholdVisitFactory(team=team, household=household, visited_on=D(2019, 11, 5))
    letter = TargetLetterFactory(team=team, year=2019, signed_on=D(2019, 2, 1))
    TargetItemFactory(letter=letter, responsible=members[1])
    TeamReportFactory(team=team, year=2019, quarter=4)
    LeaderMeetingFactory(county=county(PENGZHOU), held_on=D(2019, 11, 20))
    FundFactory(team=team, year=2019)
    for m in members:
        # Every month of service since 2018-06 (留档备查 has no expiry).
        for i in range(5, 24):
            month = D(2018 + i // 12, i % 12 + 1, 1)
            MonthlyAttendanceFactory(membership=m, month=month)
        TrainingRecordFactory(
            person=m.person, event=TrainingEventFactory(days=Decimal("5"))
        )
        AssessmentFactory(membership=m, year=2019)
    assert evaluate(D(2019, 12, 31)) == []
