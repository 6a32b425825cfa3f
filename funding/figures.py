"""One definition of "funds received" (经费到位) and of the teams owed funds in a year.

五(二): 每队每年不低于2万元. A team is owed the year's funds when it served in the
year up to the day (in post on some day of it, sent by the day); its funds
received are the year's funds with a received date (到位日期) on or before the
day. The funding pages and API (``funding_by_team``), the dashboards' counts and
summary table (``dashboards.summaries``), the county page's team rows and the
rule ``FUNDING_SHORT`` all read these, so they count the same money.
"""

import datetime
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.models import Fund
from zhucun.periods import year_bounds
from zhucun.policy import Thresholds
from zhucun.queries import overlapping

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


def owed_funds(year: int, as_of: datetime.date, prefix: str = "") -> Q:
    """Teams (or rows reaching a team via ``prefix``) owed ``year``'s funds by ``as_of``.

    Those in post on some day of the year, sent on or before ``as_of``: a team
    sent later is not yet owed anything.
    """
    first, last = year_bounds(year)
    return overlapping(first, last, prefix) & Q(**{f"{prefix}start_date__lte": as_of})


def _year_total(year: int, funds) -> Coalesce:
    total = (
        funds.filter(team=OuterRef("pk"), year=year)
        .order_by()
        .values("team_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(ZERO), output_field=MONEY)


def allocated(year: int) -> Coalesce:
    """A team's funds of ``year``, received or not (an annotation on teams)."""
    return _year_total(year, Fund.objects.all())


def received(year: int, as_of: datetime.date) -> Coalesce:
    """A team's funds of ``year`` received (到位日期) by ``as_of`` (an annotation)."""
    return _year_total(
        year, Fund.objects.filter(received_on__isnull=False, received_on__lte=as_of)
    )


def short_of_funds(thresholds: Thresholds | None = None) -> Q:
    """Teams annotated ``received`` below the yearly minimum (¥20,000)."""
    rules = thresholds or Thresholds.from_settings()
    return Q(received__lt=rules.funding_min_yuan)
