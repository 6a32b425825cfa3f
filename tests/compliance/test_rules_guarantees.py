"""Guarantee rules (五(二)): working funds, their source, accident insurance."""

import datetime
from decimal import Decimal

import pytest

from funding.models import Fund
from tests.assessments.factories import (
    BAIYU,
    PENGZHOU,
    FundFactory,
    assert_set_based,
    member,
    only,
    staffed_team,
)

D = datetime.date
AS_OF = D(2019, 12, 31)  # judges the year 2019


# --- FUNDING_SHORT ----------------------------------------------------------------


def test_clause_5_2_team_receives_twenty_thousand_a_year(db):
    """五(二) 驻村工作经费每队每年不低于2万元（含第一书记驻村工作经费）."""
    short, _ = staffed_team()
    FundFactory(team=short, year=2019, amount=Decimal("15000"))
    split, _ = staffed_team()
    FundFactory(team=split, amount=Decimal("12000"))
    FundFactory(team=split, amount=Decimal("8000"))
    pending, _ = staffed_team()
    FundFactory(team=pending, amount=Decimal("10000"))
    FundFactory(team=pending, amount=Decimal("10000"), received_on=None)
    findings = {f.object_id: f for f in only("FUNDING_SHORT", AS_OF)}
    assert set(findings) == {short.pk, pending.pk}
    finding = findings[short.pk]
    assert (finding.severity, finding.object_type, finding.period) == (
        "error",
        "team",
        "2019",
    )
    assert "2019年工作经费到位15,000元，低于每队每年20,000元" in finding.message
    assert finding.county_code == PENGZHOU


def test_funds_of_the_year_under_way_are_progress_from_the_last_quarter(db):
    team, _ = staffed_team()
    FundFactory(team=team, year=2018, received_on=D(2018, 7, 1))
    FundFactory(team=team, year=2019, amount=Decimal("5000"))
    assert only("FUNDING_SHORT", D(2019, 9, 30)) == []
    (finding,) = only("FUNDING_SHORT", D(2019, 10, 1))
    assert (finding.severity, finding.period) == ("warning", "2019")
    assert "截至2019-10-01" in finding.message and "到位5,000元" in finding.message


def test_funding_minimum_is_read_from_settings(db, settings):
    team, _ = staffed_team()
    FundFactory(team=team, amount=Decimal("20000"))
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "FUNDING_MIN_YUAN": "30000"}
    (finding,) = only("FUNDING_SHORT", AS_OF)
    assert "低于每队每年30,000元" in finding.message


# --- FUNDING_WRONG_SOURCE ---------------------------------------------------------


@pytest.mark.parametrize(
    "code, source, fires",
    [
        (BAIYU, Fund.Source.COUNTY, True),
        (BAIYU, Fund.Source.PROVINCIAL, False),
        (PENGZHOU, Fund.Source.PROVINCIAL, True),
        (PENGZHOU, Fund.Source.COUNTY, False),
    ],
)
def test_clause_5_2_funds_come_from_the_province_in_hardship_three_ethnic_counties(
    db, code, source, fires
):
    """五(二) 艰苦边远三类以上民族地区贫困县…由省财政予以保障，其余…由县（市、区）…保障."""
    team, _ = staffed_team(code)
    FundFactory(team=team, source=source)
    findings = only("FUNDING_WRONG_SOURCE", AS_OF)
    assert [f.object_id for f in findings] == ([team.pk] if fires else [])
    if fires:
        (finding,) = findings
        assert (finding.severity, finding.period, finding.county_code) == (
            "warning",
            "2019",
            code,
        )
        expected = "应由省财政保障" if code == BAIYU else "应由县（市、区）"
        assert expected in finding.message


def test_provincial_funding_class_is_read_from_settings(db, settings):
    team, _ = staffed_team(BAIYU)  # hardship class 4
    FundFactory(team=team, source=Fund.Source.COUNTY)
    settings.ZHUCUN_RULES = {
        **settings.ZHUCUN_RULES,
        "PROVINCIAL_FUNDING_HARDSHIP_CLASS": 5,
    }
    assert only("FUNDING_WRONG_SOURCE", AS_OF) == []


# --- NO_ACCIDENT_INSURANCE --------------------------------------------------------


def test_clause_5_2_member_has_accident_insurance(db):
    """五(二) 驻村工作队队员人身意外伤害保险…按有关规定执行."""
    team, _ = staffed_team()
    uninsured = member(team, insured_until=None)
    lapsed = member(team, insured_until=D(2019, 6, 30))
    findings = {f.object_id: f for f in only("NO_ACCIDENT_INSURANCE", AS_OF)}
    assert set(findings) == {uninsured.pk, lapsed.pk}
    assert "没有人身意外伤害保险" in findings[uninsured.pk].message
    assert "已于2019-06-30到期" in findings[lapsed.pk].message
    assert findings[lapsed.pk].severity == "warning"
    assert {f.object_id for f in only("NO_ACCIDENT_INSURANCE", D(2019, 6, 30))} == {
        uninsured.pk
    }


# --- the query count does not grow with the province ------------------------------


def _short(n):
    for _ in range(n):
        team, _ = staffed_team(size=1)
        FundFactory(team=team, amount=Decimal("1000"))


def _wrong_source(n):
    for _ in range(n):
        team, _ = staffed_team(size=1)
        FundFactory(team=team, source=Fund.Source.PROVINCIAL)


def _uninsured(n):
    team, _ = staffed_team()
    for _ in range(n):
        member(team, insured_until=None)


BREACHES = {
    "FUNDING_SHORT": (_short, AS_OF),
    "FUNDING_WRONG_SOURCE": (_wrong_source, AS_OF),
    "NO_ACCIDENT_INSURANCE": (_uninsured, D(2019, 6, 30)),
}


@pytest.mark.parametrize("code", list(BREACHES))
def test_query_count_is_the_same_with_two_and_six_breaches(db, code):
    build, as_of = BREACHES[code]
    assert_set_based(code, as_of, build)
