"""Guarantees (五(二)): working funds and insurance."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import figures as funding_figures
from funding.models import Fund
from teams.models import Team
from zhucun.formats import yuan
from zhucun.periods import last_completed_year, progress_year

from .common import MEMBER_FIELDS, active_members, member_finding, team_finding
from .engine import Context, team_fields
from .registry import ERROR, MEMBER, TEAM, WARNING, Rule, register


def provincial_funding_q(ctx: Context, prefix: str = "") -> Q:
    """Counties whose teams the province funds: 艰苦边远三类以上民族地区贫困县."""
    return (
        Q(**{f"{prefix}poor_county": True})
        & ~Q(**{f"{prefix}ethnic_area": ""})
        & Q(
            **{
                f"{prefix}hardship_class__gte": (
                    ctx.thresholds.provincial_funding_hardship_class
                )
            }
        )
    )


@register
class FundingShort(Rule):
    """驻村工作队驻村工作经费每队每年不低于2万元（含第一书记驻村工作经费）。(五(二))

    Error for the last year completed by the day: each team that served in it
    (``funding.figures.owed_funds``) received (``funding.figures.received``:
    ``received_on`` on or before the day) at least ``FUNDING_MIN_YUAN`` of
    the year's funds, a part year included. During the year's last quarter the year
    under way is shown too, as progress warnings.
    """

    code = "FUNDING_SHORT"
    clause = "五(二)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("工作经费不足每年2万元")

    def findings(self):
        ctx = self.ctx
        yield from self._year(last_completed_year(ctx.as_of), progress=False)
        current = progress_year(ctx.as_of)
        if current is not None:
            yield from self._year(current, progress=True)

    def _year(self, year: int, *, progress: bool):
        ctx = self.ctx
        least = ctx.thresholds.funding_min_yuan
        rows = (
            Team.objects.order_by()
            .filter(
                funding_figures.owed_funds(year, ctx.as_of),
                ctx.village_q("village__"),
            )
            .annotate(received=funding_figures.received(year, ctx.as_of))
            .filter(funding_figures.short_of_funds(ctx.thresholds))
            .values("id", "received", *team_fields())
        )
        for row in rows:
            values = {
                "team": ctx.team_label(row),
                "year": year,
                "received": yuan(row["received"]),
                "least": yuan(least),
                "day": ctx.as_of.isoformat(),
            }
            if progress:
                message = _(
                    "截至%(day)s，%(team)s%(year)d年工作经费到位%(received)s，"
                    "全年应不低于%(least)s（含第一书记工作经费）"
                )
            else:
                message = _(
                    "%(team)s%(year)d年工作经费到位%(received)s，"
                    "低于每队每年%(least)s（含第一书记工作经费）"
                )
            yield team_finding(
                self,
                ctx,
                row,
                message % values,
                period=str(year),
                severity=WARNING if progress else None,
            )


@register
class FundingWrongSource(Rule):
    """艰苦边远三类以上民族地区贫困县驻村工作队驻村工作经费由省财政予以保障，其余地区驻村工作队
    驻村工作经费由县（市、区）列入财政年度预算予以保障。(五(二))

    Funds of the day's year and of the last completed year: in poor counties of an
    ethnic area with hardship class ``PROVINCIAL_FUNDING_HARDSHIP_CLASS`` or more
    they come from the provincial budget, elsewhere from the county's. One finding
    per team and year.
    """

    code = "FUNDING_WRONG_SOURCE"
    clause = "五(二)"
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("工作经费来源不符")

    def findings(self):
        ctx = self.ctx
        years = sorted({last_completed_year(ctx.as_of), ctx.as_of.year})
        provincial = provincial_funding_q(ctx, "team__village__county__")
        rows = (
            Fund.objects.order_by()
            .filter(ctx.village_q("team__village__"), year__in=years)
            .filter(
                (provincial & Q(source=Fund.Source.COUNTY))
                | (~provincial & Q(source=Fund.Source.PROVINCIAL))
            )
            .order_by("team_id", "year")
            .values(
                "team_id",
                "year",
                "source",
                "team__village__county__hardship_class",
                *team_fields("team__"),
            )
            .distinct()
        )
        for row in rows:
            values = {
                "team": ctx.team_label(row, "team__"),
                "year": row["year"],
                "class": row["team__village__county__hardship_class"],
            }
            if row["source"] == Fund.Source.COUNTY:
                message = _(
                    "%(team)s位于艰苦边远%(class)d类民族地区贫困县，%(year)d年工作经费应由"
                    "省财政保障，实际来源为县级财政"
                )
            else:
                message = _(
                    "%(team)s所在县不属于艰苦边远三类以上民族地区贫困县，%(year)d年工作经费"
                    "应由县（市、区）列入财政年度预算保障，实际来源为省级财政"
                )
            yield self.finding(
                object_id=row["team_id"],
                label=ctx.team_label(row, "team__"),
                county_code=ctx.county_code(row["team__village__county_id"]),
                period=str(row["year"]),
                message=message % values,
            )


@register
class NoAccidentInsurance(Rule):
    """驻村工作队队员人身意外伤害保险、因公负伤救治康复、因公牺牲抚恤救助按有关规定执行。(五(二))

    Members in post on the day whose accident insurance is missing or has lapsed
    before the day.
    """

    code = "NO_ACCIDENT_INSURANCE"
    clause = "五(二)"
    severity = WARNING
    object_type = MEMBER
    title = gettext_lazy("队员没有人身意外伤害保险")

    def findings(self):
        ctx = self.ctx
        rows = (
            active_members(ctx)
            .filter(Q(insured_until__isnull=True) | Q(insured_until__lt=ctx.as_of))
            .values(*MEMBER_FIELDS, "insured_until")
        )
        for row in rows:
            values = {
                "team": ctx.team_label(row, "team__"),
                "name": row["person__name"],
            }
            if row["insured_until"] is None:
                message = _("%(team)s队员%(name)s没有人身意外伤害保险")
            else:
                values["until"] = row["insured_until"].isoformat()
                message = _("%(team)s队员%(name)s的人身意外伤害保险已于%(until)s到期")
            yield member_finding(self, ctx, row, message % values)
