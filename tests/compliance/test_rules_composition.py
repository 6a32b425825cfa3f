"""Coverage and composition rules (一(二), 二): each fires on the breach, not on its twin."""

import datetime

import pytest

from teams.models import Membership, Person, Unit
from tests.assessments.factories import (
    DUJIANGYAN,
    FS,
    LEADER,
    PENGZHOU,
    SEDA,
    ZHAOJUE,
    PairingFactory,
    assert_set_based,
    member,
    only,
    provincial_unit,
    second_term,
    staffed_team,
    village_in,
)
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    WorkCommitteeFactory,
    county,
)

D = datetime.date
AS_OF = D(2019, 6, 30)


def _codes(findings):
    return [(f.rule, f.object_id) for f in findings]


# --- VILLAGE_WITHOUT_TEAM ---------------------------------------------------------


def test_clause_1_2_poor_village_without_a_team_in_post_is_an_error(db):
    """一(二) 一村一队: a registered poor village needs a team in post on the day."""
    bare = village_in(PENGZHOU, name="无队村")
    staffed_team()  # its compliant twin
    village_in(PENGZHOU, is_registered_poor=False)  # not a poor village
    (finding,) = only("VILLAGE_WITHOUT_TEAM", AS_OF)
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "error",
        "village",
        bare.pk,
    )
    assert finding.county_code == PENGZHOU and finding.period == ""
    assert finding.label.startswith("彭州市") and finding.label.endswith("无队村")
    assert "没有在驻的驻村工作队" in finding.message


def test_clause_1_2_a_team_that_left_leaves_its_village_without_one(db):
    team, _ = staffed_team(end_date=D(2019, 3, 31))
    (finding,) = only("VILLAGE_WITHOUT_TEAM", AS_OF)
    assert finding.object_id == team.village_id
    assert only("VILLAGE_WITHOUT_TEAM", D(2019, 3, 31)) == []


# --- VILLAGE_MULTIPLE_TEAMS -------------------------------------------------------


def test_clause_1_2_two_teams_in_post_in_one_village_is_an_error(db):
    """一(二) 一村一队: not more than one team in post per village."""
    team, _ = staffed_team()
    TeamFactory(village=team.village, term=second_term())
    twin, _ = staffed_team()
    TeamFactory(
        village=twin.village,
        term=second_term(
            name="旧期", start_date=D(2016, 1, 1), end_date=D(2017, 12, 31)
        ),
    )
    (finding,) = only("VILLAGE_MULTIPLE_TEAMS", AS_OF)
    assert (finding.object_type, finding.object_id) == ("village", team.village_id)
    assert "同时有2支" in finding.message


# --- EXITED_VILLAGE_TEAM_WITHDRAWN -----------------------------------------------


def _next_term():
    """The term after the policy's: starts the day after it, in post within 29 days."""
    return second_term(
        name="2020—2022年驻村期",
        start_date=D(2020, 6, 1),
        end_date=D(2022, 5, 31),
        in_post_deadline=D(2020, 6, 30),
    )


def test_clause_1_2_team_withdrawn_from_an_exited_village_before_campaign_end(db):
    """一(二) 脱贫攻坚期内，贫困村退出的，驻村工作队不得撤离."""
    village = village_in(actual_exit_year=2018)
    early = TeamFactory(village=village, end_date=D(2019, 3, 31))
    (finding,) = only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2020, 6, 30))
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "error",
        "team",
        early.pk,
    )
    assert "2018年退出" in finding.message and "2019-03-31" in finding.message


def test_clause_1_2_a_team_ending_with_its_term_needs_a_successor(db):
    """一(二) 接续帮扶: a term's end is no exemption; no next-term team is a finding."""
    alone, _ = staffed_team(village=village_in(actual_exit_year=2018))
    handed_over, _ = staffed_team(village=village_in(actual_exit_year=2018))
    TeamFactory(village=handed_over.village, term=_next_term())
    (finding,) = only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2020, 9, 30))
    assert finding.object_id == alone.pk
    assert "于2020-05-31随期满撤离，没有下一期驻村工作队接续" in finding.message
    # The gap stays a finding after the campaign, when the next term finally comes.
    TeamFactory(
        village=alone.village,
        term=second_term(
            name="2021—2023年驻村期",
            start_date=D(2021, 6, 1),
            end_date=D(2023, 5, 31),
            in_post_deadline=D(2021, 6, 30),
        ),
    )
    assert _codes(only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2022, 12, 31))) == [
        ("EXITED_VILLAGE_TEAM_WITHDRAWN", alone.pk)
    ]


@pytest.mark.parametrize(
    "arrival, fires",
    [(D(2020, 6, 29), False), (D(2020, 6, 30), False), (D(2020, 7, 1), True)],
)
def test_clause_1_2_the_successor_arrives_within_its_terms_in_post_window(
    db, arrival, fires
):
    """一(二): the handover may take the next term's in-post window, not a day more."""
    team, _ = staffed_team(village=village_in(actual_exit_year=2018))
    TeamFactory(village=team.village, term=_next_term(), start_date=arrival)
    findings = only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2020, 9, 30))
    assert _codes(findings) == (
        [("EXITED_VILLAGE_TEAM_WITHDRAWN", team.pk)] if fires else []
    )


def test_clause_1_2_a_village_is_judged_once_the_handover_window_has_passed(db):
    """Its term gave 29 days to arrive (06-01 → 06-30); left 2020-05-31, a successor
    may still come on 2020-06-30, so the village is judged from 2020-07-01."""
    staffed_team(village=village_in(actual_exit_year=2018))
    assert only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2020, 6, 30)) == []
    assert len(only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2020, 7, 1))) == 1


def test_clause_1_2_a_team_leaving_at_the_campaign_end_is_not_withdrawn(db):
    """一(二) 脱贫攻坚期内: a team leaving on the campaign's last day broke nothing."""
    staffed_team(
        village=village_in(actual_exit_year=2018),
        term=second_term(),
        start_date=D(2019, 1, 1),
        end_date=D(2020, 12, 31),
    )
    before = TeamFactory(
        village=village_in(actual_exit_year=2018),
        term=second_term(),
        start_date=D(2019, 1, 1),
        end_date=D(2020, 12, 30),
    )
    assert _codes(only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2021, 6, 30))) == [
        ("EXITED_VILLAGE_TEAM_WITHDRAWN", before.pk)
    ]


def test_clause_1_2_a_successor_team_the_next_day_is_no_withdrawal(db):
    village = village_in(actual_exit_year=2018)
    TeamFactory(village=village, end_date=D(2018, 12, 31))
    TeamFactory(village=village, term=second_term(), start_date=D(2019, 1, 1))
    not_exited = TeamFactory(village=village_in(), end_date=D(2019, 3, 31))
    assert only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2020, 6, 30)) == []
    assert not_exited.village.actual_exit_year is None


def test_campaign_end_is_read_from_settings(db, settings):
    TeamFactory(village=village_in(actual_exit_year=2018), end_date=D(2019, 3, 31))
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "CAMPAIGN_END": "2019-01-01"}
    assert only("EXITED_VILLAGE_TEAM_WITHDRAWN", D(2020, 6, 30)) == []


# --- TEAM_TOO_SMALL and LIANGSHAN_TEAM_SIZE ---------------------------------------


def test_clause_1_2_team_of_two_is_too_small(db):
    """一(二) 每个驻村工作队不少于3人（含第一书记）."""
    small, _ = staffed_team(size=2)
    staffed_team(size=3)
    (finding,) = only("TEAM_TOO_SMALL", AS_OF)
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "error",
        "team",
        small.pk,
    )
    assert "仅有2名在岗队员，少于3人（含第一书记）" in finding.message
    assert finding.label.endswith("驻村工作队") and finding.county_code == PENGZHOU


def test_clause_1_2_a_member_who_left_no_longer_counts(db):
    team, members = staffed_team(size=3)
    members[2].end_date = D(2019, 5, 31)
    members[2].save()
    assert _codes(only("TEAM_TOO_SMALL", AS_OF)) == [("TEAM_TOO_SMALL", team.pk)]
    assert only("TEAM_TOO_SMALL", D(2019, 5, 31)) == []


def test_team_minimum_is_read_from_settings(db, settings):
    staffed_team(size=3)
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "TEAM_MIN_MEMBERS": 4}
    (finding,) = only("TEAM_TOO_SMALL", AS_OF)
    assert "少于4人" in finding.message


@pytest.mark.parametrize("size, fires", [(3, True), (4, False), (7, False), (8, True)])
def test_clause_2_3_liangshan_team_has_four_to_seven(db, size, fires):
    """二(三) 凉山州…驻村工作队队员可增配到每村4至7人（含第一书记）."""
    team, _ = staffed_team(ZHAOJUE, size=size)
    findings = only("LIANGSHAN_TEAM_SIZE", AS_OF)
    assert _codes(findings) == ([("LIANGSHAN_TEAM_SIZE", team.pk)] if fires else [])
    if fires:
        assert f"现有{size}名在岗队员" in findings[0].message
        assert "应为4至7人" in findings[0].message
        assert findings[0].county_code == ZHAOJUE
        # 可增配 is a permission: the message says the floor is the province's own.
        assert "下限4人是本省的设定" in findings[0].message


def test_liangshan_rule_replaces_the_team_minimum_there(db):
    staffed_team(ZHAOJUE, size=2)
    assert only("TEAM_TOO_SMALL", AS_OF) == []
    assert len(only("LIANGSHAN_TEAM_SIZE", AS_OF)) == 1


def test_liangshan_bounds_are_read_from_settings(db, settings):
    staffed_team(ZHAOJUE, size=8)
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "LIANGSHAN_MAX_MEMBERS": 8}
    assert only("LIANGSHAN_TEAM_SIZE", AS_OF) == []
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "LIANGSHAN_MIN_MEMBERS": 9}
    (finding,) = only("LIANGSHAN_TEAM_SIZE", AS_OF)
    assert "下限9人是本省的设定" in finding.message


# --- NO_FIRST_SECRETARY -----------------------------------------------------------


def test_clause_1_2_team_without_first_secretary(db):
    """一(二) 每个驻村工作队…（含第一书记）: a first secretary in post.

    (Two overlapping first secretaries are refused by the database itself.)
    """
    team = TeamFactory(village=village_in())
    member(team, LEADER)
    member(team)
    member(team)
    left, members = staffed_team()
    members[0].end_date = D(2019, 5, 31)
    members[0].save()
    staffed_team()
    findings = {f.object_id: f for f in only("NO_FIRST_SECRETARY", AS_OF)}
    assert set(findings) == {team.pk, left.pk}
    assert "没有在岗的第一书记" in findings[team.pk].message
    assert findings[team.pk].severity == "error"


# --- LEADER_NOT_QUALIFIED ---------------------------------------------------------


def test_clause_2_4_leader_who_is_not_first_secretary_must_be_a_cadre(db):
    """二(四) 第一书记不适宜兼任队长的，原则上应明确处科级干部或处科级后备干部担任."""
    bad = TeamFactory(village=village_in())
    member(bad, FS, is_leader=False)
    member(bad, LEADER, person__rank=Person.Rank.OTHER, person__name="王队长")
    good = TeamFactory(village=village_in())
    member(good, FS, is_leader=False)
    member(good, LEADER, person__rank=Person.Rank.SECTION_RESERVE)
    staffed_team()  # the first secretary leads
    (finding,) = only("LEADER_NOT_QUALIFIED", AS_OF)
    assert (finding.object_type, finding.object_id) == ("team", bad.pk)
    assert "王队长" in finding.message and "“其他”" in finding.message


def test_clause_1_2_team_without_a_leader(db):
    team = TeamFactory(village=village_in())
    member(team, FS, is_leader=False)
    member(team)
    (finding,) = only("LEADER_NOT_QUALIFIED", AS_OF)
    assert finding.object_id == team.pk and "没有明确在岗的队长" in finding.message


# --- MEMBER_NOT_ON_STAFF ----------------------------------------------------------


def test_clause_1_2_member_not_on_staff_is_a_warning(db):
    """一(二) 选派人员原则上应为在编在岗干部职工."""
    team, _ = staffed_team()
    odd = member(team, person__on_staff=False, person__name="李临聘")
    gone = member(team, person__on_staff=False, end_date=D(2019, 1, 31))
    (finding,) = only("MEMBER_NOT_ON_STAFF", AS_OF)
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "warning",
        "member",
        odd.pk,
    )
    assert finding.label == "李临聘" and finding.county_code == PENGZHOU
    assert "在编在岗" in finding.message and gone.pk != finding.object_id


# --- TERM_NOT_TWO_YEARS -----------------------------------------------------------


def test_clause_1_2_team_term_is_two_years(db):
    """一(二) 驻村工作队每期驻村时间为2年."""
    open_ended, _ = staffed_team(end_date=None)
    one_year, _ = staffed_team(end_date=D(2019, 5, 31))
    staffed_team()  # 2018-06-01 to 2020-05-31
    findings = {f.object_id: f for f in only("TERM_NOT_TWO_YEARS", AS_OF)}
    assert set(findings) == {open_ended.pk}
    findings = {f.object_id: f for f in only("TERM_NOT_TWO_YEARS", D(2019, 5, 1))}
    assert set(findings) == {open_ended.pk, one_year.pk}
    assert "未设撤离日期" in findings[open_ended.pk].message
    assert "约12个月" in findings[one_year.pk].message
    assert findings[one_year.pk].severity == "warning"


def test_term_years_is_read_from_settings(db, settings):
    one_year, _ = staffed_team(end_date=D(2019, 5, 31))
    two_years, _ = staffed_team()
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "TERM_YEARS": 1}
    ids = {f.object_id for f in only("TERM_NOT_TWO_YEARS", D(2019, 5, 1))}
    assert ids == {two_years.pk}


# --- PARTY_RELATION_NOT_TRANSFERRED -----------------------------------------------


def test_clause_1_2_party_relation_is_transferred_to_the_village(db):
    """一(二) 党员组织关系转接到所驻贫困村."""
    team, _ = staffed_team()
    missing = member(team, party_relation_transferred_on=None)
    late = member(team, party_relation_transferred_on=D(2019, 7, 1))
    member(
        team,
        party_relation_transferred_on=None,
        person__political_status=Person.PoliticalStatus.MASSES,
    )
    ids = {f.object_id for f in only("PARTY_RELATION_NOT_TRANSFERRED", AS_OF)}
    assert ids == {missing.pk, late.pk}


# --- UNIT_QUOTA_SHORT -------------------------------------------------------------


def _send(unit: Unit, count: int) -> None:
    for _ in range(count):
        MembershipFactory(person=PersonFactory(unit=unit), unit=unit)


@pytest.mark.parametrize(
    "staff, sent, fires",
    [
        (50, 0, True),
        (50, 1, False),
        (51, 1, True),
        (51, 2, False),
        (99, 1, True),
        (99, 2, False),
        (100, 3, True),
        (100, 4, False),
    ],
)
def test_clause_2_1_unit_quota_bands(db, staff, sent, fires):
    """二(一) 100人及以上不少于4人、50人至100人不少于2人、50人及以下不少于1人."""
    unit = provincial_unit(staff_count=staff)
    _send(unit, sent)
    findings = only("UNIT_QUOTA_SHORT", AS_OF)
    assert _codes(findings) == ([("UNIT_QUOTA_SHORT", unit.pk)] if fires else [])
    if fires:
        (finding,) = findings
        assert finding.object_type == "unit" and finding.label == unit.name
        assert f"在编在岗{staff}人" in finding.message
        assert f"目前在岗{sent}人" in finding.message


def test_unit_quota_applies_to_provincial_units_only(db):
    UnitFactory(level=Unit.Level.COUNTY, staff_count=300)
    assert only("UNIT_QUOTA_SHORT", AS_OF) == []


def test_unit_quota_bands_are_read_from_settings(db, settings):
    unit = provincial_unit(staff_count=100)
    _send(unit, 4)
    settings.ZHUCUN_RULES = {
        **settings.ZHUCUN_RULES,
        "UNIT_QUOTA_BANDS": [(100, 5), (0, 1)],
    }
    (finding,) = only("UNIT_QUOTA_SHORT", AS_OF)
    assert "不少于5人" in finding.message


# --- GRASSROOTS_CANDIDATES_NOT_SENT ----------------------------------------------


def test_clause_2_1_candidates_to_be_sent_are_listed_per_unit(db):
    """二(一) 没有基层工作经历的中层干部、递进培养计划学员、后备干部、选调生要应派尽派."""
    unit = provincial_unit(name="四川省测试厅")
    PersonFactory(unit=unit, name="甲", is_selected_graduate=True)
    PersonFactory(
        unit=unit, name="乙", is_reserve_cadre=True, is_progressive_trainee=True
    )
    PersonFactory(unit=unit, name="丙")  # not marked
    sent = PersonFactory(unit=unit, name="丁", is_selected_graduate=True)
    MembershipFactory(person=sent, unit=unit)
    (finding,) = only("GRASSROOTS_CANDIDATES_NOT_SENT", AS_OF)
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "warning",
        "unit",
        unit.pk,
    )
    assert "有2名" in finding.message and "甲（选调生）" in finding.message
    assert "乙（递进培养计划学员、后备干部）" in finding.message
    assert "丙" not in finding.message and "丁" not in finding.message
    assert finding.county_code == ""


def test_a_county_units_candidates_carry_the_county_code(db):
    unit = UnitFactory(region=county(PENGZHOU))
    PersonFactory(unit=unit, is_midlevel_without_grassroots=True)
    (finding,) = only("GRASSROOTS_CANDIDATES_NOT_SENT", AS_OF)
    assert finding.county_code == PENGZHOU


# --- PAIRING_QUOTA_SHORT ----------------------------------------------------------


def _pairing_world(villages: int, sent: int, from_township: bool = False):
    pairing = PairingFactory()
    helped = [village_in(SEDA) for _ in range(villages)]
    region = county(DUJIANGYAN)
    if from_township:
        region = TownshipFactory(parent=region)
    unit = UnitFactory(region=region)
    for village in helped[:sent]:
        team = TeamFactory(village=village)
        member(team, person__unit=unit, unit=unit)
    return pairing


@pytest.mark.parametrize(
    "villages, sent, fires",
    [(4, 1, True), (4, 2, False), (10, 2, True), (10, 3, False)],
)
def test_clause_2_2_pairing_sends_thirty_percent_of_poor_villages(
    db, villages, sent, fires
):
    """二(二) 原则上数量不得低于受扶县贫困村总数的30% (rounded up; 30% of 10 is 3)."""
    pairing = _pairing_world(villages, sent)
    findings = only("PAIRING_QUOTA_SHORT", AS_OF)
    assert _codes(findings) == ([("PAIRING_QUOTA_SHORT", pairing.pk)] if fires else [])
    if fires:
        (finding,) = findings
        assert finding.object_type == "pairing" and finding.county_code == SEDA
        assert finding.label == "都江堰市→色达县"
        assert f"贫困村{villages}个" in finding.message
        assert f"目前在岗{sent}人" in finding.message


def test_township_units_of_the_assisting_county_count(db):
    _pairing_world(4, 2, from_township=True)
    assert only("PAIRING_QUOTA_SHORT", AS_OF) == []


def test_pairing_ratio_is_read_from_settings(db, settings):
    _pairing_world(4, 2)
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "PAIRING_QUOTA_RATIO": "0.6"}
    (finding,) = only("PAIRING_QUOTA_SHORT", AS_OF)
    assert "不少于3人（60%）" in finding.message


# --- DEEP_POVERTY_LINK_UNSENT -----------------------------------------------------


def test_clause_2_2_unit_linked_in_2017_sends_someone_to_its_county(db):
    """二(二) 2017年新增帮扶深度贫困县的…要分别向所联系的深度贫困县选派不少于1人."""
    zhaojue = county(ZHAOJUE)
    unsent = provincial_unit(name="未派单位", deep_poverty_link_county=zhaojue)
    team, _ = staffed_team(PENGZHOU)
    member(team, person__unit=unsent, unit=unsent)  # sent, but elsewhere
    sent = provincial_unit(deep_poverty_link_county=zhaojue)
    team, _ = staffed_team(ZHAOJUE, size=4)
    member(team, person__unit=sent, unit=sent)
    (finding,) = only("DEEP_POVERTY_LINK_UNSENT", AS_OF)
    assert (finding.object_type, finding.object_id) == ("unit", unsent.pk)
    assert finding.county_code == ZHAOJUE and "昭觉县" in finding.message


# --- LATE_EXIT_VILLAGE_COMPOSITION ------------------------------------------------


def _late_team(exit_year: int | None, higher: int, size: int = 4):
    team = TeamFactory(village=village_in(actual_exit_year=exit_year))
    township = TownshipFactory(parent=county(PENGZHOU))
    for index in range(size):
        region = county(PENGZHOU) if index < higher else township
        unit = UnitFactory(region=region)
        member(team, FS if index == 0 else "member", person__unit=unit, unit=unit)
    return team


@pytest.mark.parametrize(
    "exit_year, higher, fires",
    [
        (2019, 1, True),
        (2019, 2, True),
        (2019, 3, False),
        (None, 2, True),
        (2017, 0, False),
    ],
)
def test_clause_2_3_late_exit_village_members_mainly_from_county_level(
    db, exit_year, higher, fires
):
    """二(三) 2018年及以后退出的贫困村，队员原则上应以…县级以上…人员为主."""
    team = _late_team(exit_year, higher)
    findings = only("LATE_EXIT_VILLAGE_COMPOSITION", AS_OF)
    assert _codes(findings) == (
        [("LATE_EXIT_VILLAGE_COMPOSITION", team.pk)] if fires else []
    )
    if fires:
        assert findings[0].severity == "warning"
        assert f"现有4人中来自县级以上单位的仅{higher}人" in findings[0].message


def test_clause_2_3_a_township_level_unit_counts_below_county_wherever_it_sits(db):
    """二(三): a 乡（镇）级 unit is not a 县级以上 unit, even when filed under the county."""
    team = _late_team(2019, higher=3)
    township_unit = UnitFactory(region=county(PENGZHOU), level=Unit.Level.TOWNSHIP)
    moved = (
        team.memberships.exclude(role=FS).filter(unit__region__level="county").first()
    )
    moved.unit = township_unit
    moved.save()
    findings = only("LATE_EXIT_VILLAGE_COMPOSITION", AS_OF)
    assert _codes(findings) == [("LATE_EXIT_VILLAGE_COMPOSITION", team.pk)]
    assert "现有4人中来自县级以上单位的仅2人" in findings[0].message


# --- LIANGSHAN_EXTRA_SECTOR -------------------------------------------------------


def _liangshan_team(extra_sectors: list[str]):
    team, _ = staffed_team(ZHAOJUE, size=3)
    for sector in extra_sectors:
        member(team, sector=sector)
    return team


S = Membership.Sector


@pytest.mark.parametrize(
    "extras, fires",
    [
        ([S.OTHER], True),
        ([S.EDUCATION], False),
        ([S.EDUCATION, S.OTHER], True),
        ([S.EDUCATION, S.HEALTH, S.OTHER], False),
        ([S.OTHER, S.OTHER, S.JUSTICE], True),
    ],
)
def test_clause_2_3_liangshan_extra_members_mainly_from_listed_sectors(
    db, extras, fires
):
    """二(三) 增配人员主要从全省教育、公安、司法、农业、林业、卫生计生等行业系统选派."""
    team = _liangshan_team(extras)
    findings = only("LIANGSHAN_EXTRA_SECTOR", AS_OF)
    assert _codes(findings) == ([("LIANGSHAN_EXTRA_SECTOR", team.pk)] if fires else [])
    if fires:
        assert f"增配队员（第4人起）{len(extras)}人" in findings[0].message


def test_extra_sector_rule_is_for_liangshan_only(db):
    team, _ = staffed_team(PENGZHOU, size=3)
    member(team, sector=S.OTHER)
    assert only("LIANGSHAN_EXTRA_SECTOR", AS_OF) == []


# --- NOT_IN_POST_BY_DEADLINE ------------------------------------------------------


def test_clause_2_4_team_fully_in_post_by_the_deadline(db):
    """二(四) 2018年6月底前全部到岗到位: every planned member, not the minimum only."""
    late = TeamFactory(village=village_in())
    member(late, FS)
    member(late, start_date=D(2018, 7, 1))
    member(late, start_date=D(2018, 8, 16))
    member(late, start_date=D(2018, 6, 1))  # 4 members: 3 were in post in time
    staffed_team()  # all in post on 2018-06-01
    staffed_team(size=2)  # too small, but in time: TEAM_TOO_SMALL's finding
    (finding,) = only("NOT_IN_POST_BY_DEADLINE", AS_OF)
    assert (finding.severity, finding.object_type, finding.object_id) == (
        "error",
        "team",
        late.pk,
    )
    assert "有2名队员在到岗期限2018-06-30后才到岗（最晚2018-08-16）" in finding.message


@pytest.mark.parametrize(
    "arrival, fires",
    [(D(2018, 6, 29), False), (D(2018, 6, 30), False), (D(2018, 7, 1), True)],
)
def test_clause_2_4_a_member_arriving_after_the_deadline_is_late(db, arrival, fires):
    """二(四) 到岗到位 by the deadline: on the deadline is in time, the day after late."""
    team, _ = staffed_team()
    member(team, start_date=arrival)
    findings = only("NOT_IN_POST_BY_DEADLINE", AS_OF)
    assert _codes(findings) == ([("NOT_IN_POST_BY_DEADLINE", team.pk)] if fires else [])


def test_clause_2_4_late_arrival_is_judged_from_the_deadline_day(db):
    """二(四): before the deadline nobody is late yet; on it, a later arrival is."""
    team, _ = staffed_team()
    member(team, start_date=D(2018, 8, 16))
    assert only("NOT_IN_POST_BY_DEADLINE", D(2018, 6, 29)) == []
    assert len(only("NOT_IN_POST_BY_DEADLINE", D(2018, 6, 30))) == 1
    assert len(only("NOT_IN_POST_BY_DEADLINE", D(2018, 8, 16))) == 1


def test_clause_2_4_a_whole_team_arriving_after_the_deadline_is_late(db):
    """二(四): a team that arrived 2018-08-01 (deadline 2018-06-30) is no exemption."""
    team, _ = staffed_team(start_date=D(2018, 8, 1))
    (finding,) = only("NOT_IN_POST_BY_DEADLINE", AS_OF)
    assert finding.object_id == team.pk
    assert "于2018-08-01才派驻，晚于到岗期限2018-06-30" in finding.message
    staffed_team(start_date=D(2018, 6, 30))  # arrived on the deadline: in time
    assert _codes(only("NOT_IN_POST_BY_DEADLINE", AS_OF)) == [
        ("NOT_IN_POST_BY_DEADLINE", team.pk)
    ]


def test_a_replacement_arriving_later_is_not_a_late_arrival(db):
    """召回调整: who takes over from a member is not one of the planned members."""
    team, members = staffed_team()
    successor = member(team, start_date=D(2019, 3, 1))
    members[2].end_date = D(2019, 2, 28)
    members[2].replaced_by = successor
    members[2].save()
    assert only("NOT_IN_POST_BY_DEADLINE", AS_OF) == []


# --- APPOINTMENT_INCOMPLETE -------------------------------------------------------


def test_clause_2_4_appointment_goes_through_all_three_steps(db):
    """二(四) 派出单位党委研究提出人选，报同级机关工委审核把关，县委组织部办理任职手续."""
    team, _ = staffed_team()
    skipped = member(team, reviewed_on=None)
    (finding,) = only("APPOINTMENT_INCOMPLETE", AS_OF)
    assert (finding.object_type, finding.object_id) == ("member", skipped.pk)
    assert "缺少：同级机关工委审核把关" in finding.message
    assert "单位党委" not in finding.message


# --- UNFIT_NOT_REPLACED -----------------------------------------------------------


def test_clause_2_4_unfit_member_is_replaced_by_the_deadline(db):
    """二(四) 驻村工作队队员能力素质不适应的，派出单位要限期调整撤换."""
    team, _ = staffed_team()
    kept = member(
        team, unfit_marked_on=D(2019, 1, 10), replacement_deadline=D(2019, 3, 31)
    )
    successor = member(team, start_date=D(2019, 3, 16))
    member(
        team,
        unfit_marked_on=D(2019, 1, 10),
        replacement_deadline=D(2019, 3, 31),
        end_date=D(2019, 3, 15),
        replaced_by=successor,
    )
    (finding,) = only("UNFIT_NOT_REPLACED", AS_OF)
    assert (finding.object_type, finding.object_id) == ("member", kept.pk)
    assert "2019-01-10" in finding.message and "2019-03-31" in finding.message
    assert only("UNFIT_NOT_REPLACED", D(2019, 3, 31)) == []


# --- NOT_FILED --------------------------------------------------------------------


def test_clause_5_1_member_is_filed_with_the_work_committee(db):
    """五(一) 各级党委直属机关工作委员会对本级选派的驻村工作队队员实行备案管理."""
    committee = WorkCommitteeFactory(name="中共测试直属机关工作委员会")
    unit = UnitFactory(work_committee=committee)
    team, _ = staffed_team()
    unfiled = member(team, filed_on=None, person__unit=unit, unit=unit)
    (finding,) = only("NOT_FILED", AS_OF)
    assert (finding.severity, finding.object_id) == ("warning", unfiled.pk)
    assert "未在中共测试直属机关工作委员会备案" in finding.message


# --- the query count does not grow with the province ------------------------------


def _villages_without_team(n):
    for _ in range(n):
        village_in()


def _double_teams(n):
    for _ in range(n):
        team, _ = staffed_team()
        TeamFactory(village=team.village, term=second_term())


def _withdrawn(n):
    for _ in range(n):
        TeamFactory(village=village_in(actual_exit_year=2018), end_date=D(2019, 3, 31))


def _small(n):
    for _ in range(n):
        staffed_team(size=2)


def _liangshan_small(n):
    for _ in range(n):
        staffed_team(ZHAOJUE, size=3)


def _no_secretary(n):
    for _ in range(n):
        team, _ = staffed_team()
        team.memberships.filter(role=FS).update(role="member")


def _unqualified_leader(n):
    for _ in range(n):
        team = TeamFactory(village=village_in())
        member(team, FS, is_leader=False)
        member(team, LEADER, person__rank=Person.Rank.OTHER)


def _member_breach(**fields):
    def build(n):
        team, _ = staffed_team(size=3)
        for _ in range(n):
            member(team, **fields)

    return build


def _open_ended(n):
    for _ in range(n):
        staffed_team(end_date=None)


def _short_units(n):
    for _ in range(n):
        provincial_unit(staff_count=120)


def _candidates(n):
    for _ in range(n):
        PersonFactory(unit=provincial_unit(), is_selected_graduate=True)


def _pairings(n):
    helped = ["513330", "513331", "513332", "513333", "513334", "513335"]
    start = PairingFactory._meta.model.objects.count()
    for code in helped[start : start + n]:
        village_in(code)
        PairingFactory(assisted_county=county(code))


def _link_units(n):
    for _ in range(n):
        provincial_unit(deep_poverty_link_county=county(ZHAOJUE))


def _late_exit(n):
    for _ in range(n):
        _late_team(2019, 1)


def _extra_sector(n):
    for _ in range(n):
        _liangshan_team([S.OTHER])


def _late_arrivals(n):
    for _ in range(n):
        team = TeamFactory(village=village_in())
        member(team, FS)
        member(team, start_date=D(2018, 8, 16))


def _unfit(n):
    team, _ = staffed_team()
    for _ in range(n):
        member(team, unfit_marked_on=D(2019, 1, 1), replacement_deadline=D(2019, 2, 1))


BREACHES = {
    "VILLAGE_WITHOUT_TEAM": (_villages_without_team, AS_OF),
    "VILLAGE_MULTIPLE_TEAMS": (_double_teams, AS_OF),
    "EXITED_VILLAGE_TEAM_WITHDRAWN": (_withdrawn, D(2020, 6, 30)),
    "TEAM_TOO_SMALL": (_small, AS_OF),
    "LIANGSHAN_TEAM_SIZE": (_liangshan_small, AS_OF),
    "NO_FIRST_SECRETARY": (_no_secretary, AS_OF),
    "LEADER_NOT_QUALIFIED": (_unqualified_leader, AS_OF),
    "MEMBER_NOT_ON_STAFF": (_member_breach(person__on_staff=False), AS_OF),
    "TERM_NOT_TWO_YEARS": (_open_ended, AS_OF),
    "PARTY_RELATION_NOT_TRANSFERRED": (
        _member_breach(party_relation_transferred_on=None),
        AS_OF,
    ),
    "UNIT_QUOTA_SHORT": (_short_units, AS_OF),
    "GRASSROOTS_CANDIDATES_NOT_SENT": (_candidates, AS_OF),
    "PAIRING_QUOTA_SHORT": (_pairings, AS_OF),
    "DEEP_POVERTY_LINK_UNSENT": (_link_units, AS_OF),
    "LATE_EXIT_VILLAGE_COMPOSITION": (_late_exit, AS_OF),
    "LIANGSHAN_EXTRA_SECTOR": (_extra_sector, AS_OF),
    "NOT_IN_POST_BY_DEADLINE": (_late_arrivals, AS_OF),
    "APPOINTMENT_INCOMPLETE": (_member_breach(appointed_on=None), AS_OF),
    "UNFIT_NOT_REPLACED": (_unfit, AS_OF),
    "NOT_FILED": (_member_breach(filed_on=None), AS_OF),
}


@pytest.mark.parametrize("code", list(BREACHES))
def test_query_count_is_the_same_with_two_and_six_breaches(db, code):
    build, as_of = BREACHES[code]
    assert_set_based(code, as_of, build)
