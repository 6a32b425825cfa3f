"""Reads of working funds and spending, shared by pages, API and exports.

Rows are scoped to what the user may see (zhucun.access.scoped), here and nowhere else.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import (
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from funding import figures
from funding.models import Fund, Spending
from teams.models import Team
from villages.filters import RegionFilter
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.api_filters import IdFilter, StrictFilterSet
from zhucun.periods import year_bounds
from zhucun.policy import Thresholds
from zhucun.queries import overlapping

MONEY = figures.MONEY
ZERO = figures.ZERO


def provincial_funded(county: Region) -> bool:
    """True where the province pays the teams' funds (五(二)).

    艰苦边远三类以上民族地区贫困县: a poor county of an ethnic area whose hardship class
    is ``PROVINCIAL_FUNDING_HARDSHIP_CLASS`` (3) or more. The rule
    ``FUNDING_WRONG_SOURCE`` reads the same three fields.
    """
    least = Thresholds.from_settings().provincial_funding_hardship_class
    return bool(
        county.poor_county and county.ethnic_area and county.hardship_class >= least
    )


def suggested_source(county: Region) -> str:
    """The source the policy names for a county's team funds."""
    return Fund.Source.PROVINCIAL if provincial_funded(county) else Fund.Source.COUNTY


def funding_minimum() -> Decimal:
    """Each team's yearly minimum (五(二): 每队每年不低于2万元)."""
    return Thresholds.from_settings().funding_min_yuan


def _spent() -> Coalesce:
    spent = (
        Spending.objects.filter(fund=OuterRef("pk"))
        .order_by()
        .values("fund_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(spent), Value(ZERO), output_field=MONEY)


class FundFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="team__village__township__path")
    year = django_filters.NumberFilter(label=_("年度。"))
    team = IdFilter(field_name="team", label=_("驻村工作队的 id。"))
    source = django_filters.ChoiceFilter(
        choices=Fund.Source.choices, label=_("经费来源。")
    )

    class Meta:
        model = Fund
        fields = ["region", "year", "team", "source"]


def _funds(*, user) -> QuerySet[Fund]:
    return (
        scoped(
            user,
            Fund.objects.select_related(
                "team__village__township", "team__village__county"
            ),
        )
        .annotate(spent=_spent())
        .order_by("-year", "team__village__county__code", "team__village__name", "-id")
    )


def fund_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Fund]:
    """Funds with what was spent of each (``spent``), latest year first.

    The balance is ``amount - spent`` in Python: SQLite would subtract in floats.
    """
    return FundFilterSet.apply(filters, _funds(user=user), user=user)


def fund_get(*, user, pk: int) -> Fund:
    """One fund; raises Fund.DoesNotExist."""
    return _funds(user=user).get(pk=pk)


class SpendingFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="fund__team__village__township__path")
    fund = IdFilter(field_name="fund", label=_("经费的 id。"))
    team = IdFilter(field_name="fund__team", label=_("驻村工作队的 id。"))
    year = django_filters.NumberFilter(field_name="fund__year", label=_("经费年度。"))

    class Meta:
        model = Spending
        fields = ["region", "fund", "team", "year"]


def _spendings(*, user) -> QuerySet[Spending]:
    return scoped(
        user,
        Spending.objects.select_related(
            "fund__team__village__township", "fund__team__village__county"
        ),
    ).order_by("-spent_on", "-id")


def spending_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Spending]:
    """Spending entries, latest first."""
    return SpendingFilterSet.apply(filters, _spendings(user=user), user=user)


def spending_get(*, user, pk: int) -> Spending:
    """One spending entry; raises Spending.DoesNotExist."""
    return _spendings(user=user).get(pk=pk)


def funding_by_team(
    *,
    user,
    year: int,
    county: Region | None = None,
    short_only: bool = False,
    as_of: datetime.date | None = None,
) -> QuerySet[Team]:
    """Teams in post in ``year`` with the year's funds: ``allocated`` and ``received``.

    ``received`` counts the funds that arrived (到位日期) by ``as_of`` (default: the
    system's today), as the rule ``FUNDING_SHORT`` counts them (both read
    ``funding.figures``); with
    ``short_only``, the teams whose received funds are below the yearly minimum.
    """
    as_of = as_of or clock.today()
    rows = scoped(
        user,
        Team.objects.filter(figures.owed_funds(year, as_of))
        .select_related("village__township", "village__county")
        .annotate(
            allocated=figures.allocated(year),
            received=figures.received(year, as_of),
        ),
    )
    if county is not None:
        rows = rows.filter(village__county=county)
    if short_only:
        rows = rows.filter(figures.short_of_funds()).order_by(
            "received", "village__county__code", "village__name", "id"
        )
    else:
        rows = rows.order_by("village__county__code", "village__name", "id")
    return rows


def fund_teams(*, user, year: int) -> QuerySet[Team]:
    """Teams a fund for ``year`` may be entered for (in post that year)."""
    first, last = year_bounds(year)
    return scoped(
        user,
        Team.objects.filter(overlapping(first, last)).select_related(
            "village__township", "village__county"
        ),
    ).order_by("village__county__code", "village__name", "id")
