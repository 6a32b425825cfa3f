"""Writes for working funds and spending (五(二)).

Concurrency: a spending entry is checked against its fund's balance after locking
the fund row (select_for_update), so two clerks cannot both spend the last yuan.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funding.models import Fund, Spending
from funding.selectors import suggested_source
from funding.write_rules import FundChange, fund_balance_refusals
from teams.models import Team
from zhucun import clock
from zhucun.audit import audit_record, diff, snapshot
from zhucun.periods import date_refusals, year_bounds, year_refusals
from zhucun.queries import overlapping
from zhucun.write_rules import raise_refusals

FUND_FIELDS = ("team_id", "year", "amount", "source", "received_on")
SPENDING_FIELDS = ("fund_id", "spent_on", "amount", "purpose")


def _county_code(team: Team) -> str:
    return team.village.county.code


def _check_fund(fund: Fund) -> None:
    raise_refusals(
        [
            *year_refusals([(fund, fund.year)]),
            *date_refusals([(fund, "received_on", fund.received_on)]),
        ]
    )
    first, last = year_bounds(fund.year)
    team = Team.objects.filter(overlapping(first, last), pk=fund.team_id)
    if not team.exists():
        raise ValidationError(
            {
                "year": _("%(team)s在%(year)d年不在驻村期内，不能安排该年度经费。")
                % {"team": fund.team, "year": fund.year}
            }
        )
    if fund.received_on is not None and fund.received_on > clock.today():
        raise ValidationError({"received_on": _("到位日期不能晚于今天。")})
    fund.full_clean()


def source_mismatch(*, team: Team, source: str) -> str | None:
    """The warning when ``source`` is not the one the policy names, else None."""
    county = team.village.county
    wanted = suggested_source(county)
    if source == wanted:
        return None
    if wanted == Fund.Source.PROVINCIAL:
        return _(
            "%(county)s属于艰苦边远三类以上民族地区贫困县，工作经费应由省级财政保障，"
            "所选来源为%(source)s。"
        ) % {"county": county.name, "source": Fund.Source(source).label}
    return _(
        "%(county)s不属于艰苦边远三类以上民族地区贫困县，工作经费应由县（市、区）"
        "列入财政年度预算保障，所选来源为%(source)s。"
    ) % {"county": county.name, "source": Fund.Source(source).label}


@transaction.atomic
def fund_create(
    *,
    team: Team,
    year: int,
    amount: Decimal,
    source: str,
    received_on: datetime.date | None = None,
    user=None,
) -> Fund:
    """Allocate working funds to a team for a year.

    A source other than the one the policy names is kept (the county may know
    better) but reported by ``source_mismatch`` and by the rule
    ``FUNDING_WRONG_SOURCE``.
    """
    team = Team.objects.select_related("village__county").get(pk=team.pk)
    fund = Fund(
        team=team,
        year=year,
        amount=Decimal(amount),
        source=source,
        received_on=received_on,
    )
    _check_fund(fund)
    fund.save()
    audit_record(
        action="create",
        instance=fund,
        changes=diff({}, snapshot(fund, FUND_FIELDS)),
        county_code=_county_code(team),
        user=user,
    )
    return fund


@transaction.atomic
def fund_update(
    *,
    fund: Fund,
    amount: Decimal,
    source: str,
    received_on: datetime.date | None,
    user=None,
) -> Fund:
    """Correct a fund's amount, source or arrival date (not its team or year)."""
    fund = (
        Fund.objects.select_for_update()
        .select_related("team__village__county")
        .get(pk=fund.pk)
    )
    before = snapshot(fund, FUND_FIELDS)
    fund.amount = Decimal(amount)
    fund.source = source
    fund.received_on = received_on
    _check_fund(fund)
    raise_refusals(fund_balance_refusals([FundChange(fund, fund.pk, fund.amount)]))
    fund.save()
    changes = diff(before, snapshot(fund, FUND_FIELDS))
    if changes:
        audit_record(
            action="update",
            instance=fund,
            changes=changes,
            county_code=_county_code(fund.team),
            user=user,
        )
    return fund


@transaction.atomic
def spending_create(
    *,
    fund: Fund,
    spent_on: datetime.date,
    amount: Decimal,
    purpose: str,
    user=None,
) -> Spending:
    """Record money spent from a fund, refusing more than the fund's balance."""
    # The fund row stands for its balance: locked before summing (module docstring).
    fund = (
        Fund.objects.select_for_update()
        .select_related("team__village__county")
        .get(pk=fund.pk)
    )
    amount = Decimal(amount)
    spending = Spending(
        fund=fund, spent_on=spent_on, amount=amount, purpose=purpose.strip()
    )
    raise_refusals(date_refusals([(spending, "spent_on", spent_on)]))
    if spent_on > clock.today():
        raise ValidationError({"spent_on": _("支出日期不能晚于今天。")})
    spending.full_clean()
    raise_refusals(
        fund_balance_refusals([FundChange(spending, fund.pk, spending=amount)])
    )
    spending.save()
    audit_record(
        action="create",
        instance=spending,
        changes=diff({}, snapshot(spending, SPENDING_FIELDS)),
        county_code=_county_code(fund.team),
        user=user,
    )
    return spending


@transaction.atomic
def spending_delete(*, spending: Spending, user=None) -> None:
    """Remove a spending entry entered by mistake."""
    spending = Spending.objects.select_related("fund__team__village__county").get(
        pk=spending.pk
    )
    county_code = _county_code(spending.fund.team)
    before = snapshot(spending, SPENDING_FIELDS)
    changes = diff(before, dict.fromkeys(before))
    audit_record(
        action="delete",
        instance=spending,
        changes=changes,
        county_code=county_code,
        user=user,
    )
    spending.delete()
