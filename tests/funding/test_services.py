"""Working funds (五(二)): the source rule, the yearly minimum, spending within a fund."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from compliance.rules import evaluate
from funding.models import Fund, Spending
from funding.selectors import funding_by_team, provincial_funded, suggested_source
from funding.services import (
    fund_create,
    fund_update,
    source_mismatch,
    spending_create,
    spending_delete,
)
from tests.assessments.factories import PENGZHOU, FundFactory, staffed_team
from tests.factories import county
from zhucun.models import AuditEntry

D = datetime.date
KANGDING = "513301"  # Tibetan area, poor, hardship class 3
LUDING = "513322"  # Tibetan area, poor, hardship class 2
PROVINCIAL = Fund.Source.PROVINCIAL
COUNTY = Fund.Source.COUNTY


@pytest.fixture(autouse=True)
def _today(settings):
    settings.ZHUCUN_TODAY = D(2019, 12, 31)


@pytest.mark.parametrize(
    "code, source",
    [
        (KANGDING, PROVINCIAL),
        (LUDING, COUNTY),
        (PENGZHOU, COUNTY),
        ("513331", PROVINCIAL),
    ],
)
def test_clause_5_2_the_source_follows_hardship_class_3_ethnic_poor_counties(
    db, code, source
):
    """五(二) 艰苦边远三类以上民族地区贫困县 → 省财政; elsewhere the county's budget."""
    assert suggested_source(county(code)) == source
    team, _ = staffed_team(code)
    wrong = COUNTY if source == PROVINCIAL else PROVINCIAL
    FundFactory(team=team, source=wrong)
    findings = evaluate(D(2019, 12, 31), rules=["FUNDING_WRONG_SOURCE"])
    assert [f.object_id for f in findings] == [team.pk]  # the rule agrees


def test_the_hardship_class_threshold_is_read_from_settings(db, settings):
    settings.ZHUCUN_RULES = {
        **settings.ZHUCUN_RULES,
        "PROVINCIAL_FUNDING_HARDSHIP_CLASS": 2,
    }
    assert provincial_funded(county(LUDING))


def test_a_fund_is_created_in_decimal_and_audited(db):
    team, _ = staffed_team(KANGDING)

    fund = fund_create(
        team=team,
        year=2019,
        amount=Decimal("19999.99"),
        source=PROVINCIAL,
        received_on=D(2019, 3, 1),
    )

    fund.refresh_from_db()
    assert fund.amount == Decimal("19999.99")
    entry = AuditEntry.objects.get(model="funding.fund")
    assert entry.county_code == KANGDING
    assert entry.changes["amount"] == [None, "19999.99"]


def test_a_mismatched_source_is_kept_and_reported(db):
    team, _ = staffed_team(KANGDING)
    assert source_mismatch(team=team, source=PROVINCIAL) is None
    warning = source_mismatch(team=team, source=COUNTY)
    assert "应由省级财政保障" in warning
    fund = fund_create(team=team, year=2019, amount=Decimal("20000"), source=COUNTY)
    assert fund.source == COUNTY


def test_a_fund_outside_the_teams_years_or_received_in_the_future_is_refused(db):
    team, _ = staffed_team()
    with pytest.raises(ValidationError) as excinfo:
        fund_create(team=team, year=2021, amount=Decimal("20000"), source=COUNTY)
    assert "year" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        fund_create(
            team=team,
            year=2019,
            amount=Decimal("20000"),
            source=COUNTY,
            received_on=D(2020, 1, 1),
        )
    assert "received_on" in excinfo.value.message_dict


def test_amounts_finer_than_a_fen_or_not_positive_are_refused(db):
    team, _ = staffed_team()
    for amount in (Decimal("0"), Decimal("100.001")):
        with pytest.raises(ValidationError) as excinfo:
            fund_create(team=team, year=2019, amount=amount, source=COUNTY)
        assert excinfo.value.message_dict


@pytest.mark.parametrize(
    "amounts, short",
    [
        (["19999.99"], True),
        (["20000.00"], False),
        (["10000.00", "9999.99"], True),
        (["10000.00", "10000.00"], False),
        (["0.01", "19999.98"], True),
        (["0.01", "19999.99"], False),
    ],
)
def test_clause_5_2_the_minimum_is_20000_yuan_received_in_the_year(
    db, province_user, amounts, short
):
    """五(二) 每队每年不低于2万元: 19,999.99 is short, 20,000.00 is not (Decimal)."""
    team, _ = staffed_team()
    for amount in amounts:
        FundFactory(team=team, amount=Decimal(amount), received_on=D(2019, 3, 1))

    rows = list(funding_by_team(user=province_user, year=2019, short_only=True))

    assert ([t.pk for t in rows] == [team.pk]) is short
    everyone = funding_by_team(user=province_user, year=2019).get(pk=team.pk)
    assert everyone.received == sum(Decimal(a) for a in amounts)
    assert isinstance(everyone.received, Decimal)
    findings = evaluate(D(2019, 12, 31), rules=["FUNDING_SHORT"])
    assert bool([f for f in findings if f.object_id == team.pk]) is short


def test_funds_not_yet_received_do_not_count(db, province_user, settings):
    team, _ = staffed_team()
    FundFactory(team=team, amount=Decimal("20000"), received_on=None)
    FundFactory(team=team, year=2019, amount=Decimal("5000"), received_on=D(2019, 3, 1))

    [row] = funding_by_team(user=province_user, year=2019, short_only=True)

    assert (row.allocated, row.received) == (Decimal("25000"), Decimal("5000"))


def test_spending_cannot_exceed_the_funds_balance(db):
    fund = FundFactory(team=staffed_team()[0], amount=Decimal("20000"))
    spending_create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("19999.99"), purpose="办公"
    )
    with pytest.raises(ValidationError) as excinfo:
        spending_create(
            fund=fund, spent_on=D(2019, 5, 1), amount=Decimal("0.02"), purpose="差旅"
        )
    assert excinfo.value.message_dict["amount"] == [
        "超出该笔经费余额：经费20,000元，已支出19,999.99元，余额0.01元。"
    ]
    spending_create(
        fund=fund, spent_on=D(2019, 5, 1), amount=Decimal("0.01"), purpose="差旅"
    )
    assert Spending.objects.count() == 2


def test_a_fund_cannot_be_cut_below_what_was_spent(db):
    fund = FundFactory(team=staffed_team()[0], amount=Decimal("20000"))
    spending_create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("15000"), purpose="办公"
    )
    with pytest.raises(ValidationError) as excinfo:
        fund_update(
            fund=fund, amount=Decimal("14999.99"), source=COUNTY, received_on=None
        )
    assert "已支出15,000元" in excinfo.value.message_dict["amount"][0]


def test_spending_removal_is_audited(db):
    fund = FundFactory(team=staffed_team()[0])
    spending = spending_create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("100"), purpose="办公"
    )
    spending_delete(spending=spending)
    entry = AuditEntry.objects.get(model="funding.spending", action="delete")
    assert entry.changes["amount"] == ["100.00", None]
    assert entry.county_code == PENGZHOU


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_spending_the_last_yuan_one_wins(on_postgres, settings):
    if not on_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so none can race")
    settings.ZHUCUN_TODAY = D(2019, 12, 31)
    fund = FundFactory(team=staffed_team()[0], amount=Decimal("100"))
    barrier = threading.Barrier(2)
    outcomes = []

    def spend():
        try:
            barrier.wait(timeout=10)
            spending_create(
                fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("60"), purpose="办公"
            )
            outcomes.append("written")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused", "written"]
    assert Spending.objects.count() == 1
