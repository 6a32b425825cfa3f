"""The write rules of working funds (五(二)), shared by the services and the importer.

The fund balance: what is spent from a fund never exceeds the fund. A spending
entry adds to what is spent; a correction of a fund (a page, the API, the admin, a
re-imported 工作经费 workbook) may not bring its amount below what is spent.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from funding.models import Fund
from zhucun.formats import yuan
from zhucun.workbooks.importer import chunks
from zhucun.write_rules import Refusal


@dataclass(frozen=True)
class FundChange:
    """A proposed write to one fund: its new amount (None: kept) and new spending."""

    item: Any
    fund_id: int
    amount: Decimal | None = None
    spending: Decimal = Decimal(0)


def balance_message(*, total: Decimal, spent: Decimal) -> str:
    """The one refusal of the fund balance, on every path (balance may be below 0)."""
    return _("超出该笔经费余额：经费%(total)s，已支出%(spent)s，余额%(balance)s。") % {
        "total": yuan(total),
        "spent": yuan(spent),
        "balance": yuan(total - spent),
    }


def fund_balance_refusals(changes: Iterable[FundChange]) -> list[Refusal]:
    """Refuse each change that would leave its fund spent beyond its amount.

    Changes to the same fund add up (two spendings of one sheet or request). One
    query per 900 funds: each fund's stored amount and what is spent from it.
    The caller locks the fund rows first where two writers could race.
    """
    changes = list(changes)
    ids = sorted({c.fund_id for c in changes if c.fund_id is not None})
    stored: dict[int, tuple[Decimal, Decimal]] = {}
    for chunk in chunks(ids):
        funds = (
            Fund.objects.filter(pk__in=chunk)
            .order_by()
            .annotate(spent=Sum("spendings__amount"))
            .values_list("pk", "amount", "spent")
        )
        for pk, amount, spent in funds:
            stored[pk] = (amount, Decimal(spent or 0))
    added: dict[int, Decimal] = defaultdict(Decimal)
    refusals = []
    for change in changes:
        if change.fund_id not in stored:
            continue
        amount, spent = stored[change.fund_id]
        if change.amount is not None:
            amount = Decimal(change.amount)
        spent += added[change.fund_id]  # earlier changes of the same batch
        if spent + Decimal(change.spending) > amount:
            refusals.append(
                Refusal(
                    change.item, "amount", balance_message(total=amount, spent=spent)
                )
            )
            continue
        added[change.fund_id] += Decimal(change.spending)
    return refusals
