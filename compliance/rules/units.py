"""What the sending units owe: quotas, grassroots candidates, pairings (二(一), 二(二))."""

import math
from collections import defaultdict

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.models import Membership, Pairing, Person, Unit
from villages.models import Region, Village
from zhucun.formats import percent
from zhucun.queries import active_on

from .registry import ERROR, PAIRING, UNIT, WARNING, Rule, register


@register
class UnitQuotaShort(Rule):
    """省直各部门（单位）及其下属企事业单位、中央在川单位和企业、省属企业干部职工人数100人及以上的
    选派不少于4人、50人至100人的选派不少于2人、50人及以下的选派不少于1人（含目前已经选派参与驻村
    帮扶人员）。(二(一))

    Provincial-level units; members counted are those of the unit in post on the day.
    Bands come from ``UNIT_QUOTA_BANDS`` (100 → 4, 50 → 1, so 51–99 → 2).
    """

    code = "UNIT_QUOTA_SHORT"
    clause = "二(一)"
    severity = ERROR
    object_type = UNIT
    title = gettext_lazy("省级单位选派人数不足")

    def findings(self):
        ctx = self.ctx
        required = Case(
            *[
                When(staff_count__gte=low, then=Value(quota))
                for low, quota in ctx.thresholds.unit_quota_bands
            ],
            default=Value(0),
            output_field=IntegerField(),
        )
        rows = (
            Unit.objects.order_by()
            .filter(level__in=Unit.PROVINCIAL_LEVELS)
            .filter(ctx.unit_q())
            .annotate(
                sent=Count("memberships", filter=active_on(ctx.as_of, "memberships__")),
                required=required,
            )
            .filter(sent__lt=F("required"))
            .values("id", "name", "staff_count", "sent", "required")
        )
        for row in rows:
            yield self.finding(
                object_id=row["id"],
                label=row["name"],
                message=_(
                    "%(unit)s在编在岗%(staff)d人，应选派不少于%(required)d人参加驻村工作队"
                    "（含已选派人员），目前在岗%(sent)d人"
                )
                % {
                    "unit": row["name"],
                    "staff": row["staff_count"],
                    "required": row["required"],
                    "sent": row["sent"],
                },
            )


CANDIDATE_FLAGS = (
    "is_midlevel_without_grassroots",
    "is_progressive_trainee",
    "is_reserve_cadre",
    "is_selected_graduate",
)


def unit_county_id(region_id: int, level: str, parent_id: int | None) -> int | None:
    """The county a unit sits in (itself a county's or a township's unit), if any."""
    if level == Region.Level.COUNTY:
        return region_id
    if level == Region.Level.TOWNSHIP:
        return parent_id
    return None


@register
class GrassrootsCandidatesNotSent(Rule):
    """原则上没有基层工作经历的中层干部、递进培养计划学员、后备干部、选调生要应派尽派。(二(一))

    A listing per unit of its cadres carrying one of these marks who have never
    been dispatched (no membership starting on or before the day): a cadre who has
    served has the grassroots experience the sentence is after.
    """

    code = "GRASSROOTS_CANDIDATES_NOT_SENT"
    clause = "二(一)"
    severity = WARNING
    object_type = UNIT
    title = gettext_lazy("应派尽派人员未选派")

    def findings(self):
        ctx = self.ctx
        flagged = Q()
        for flag in CANDIDATE_FLAGS:
            flagged |= Q(**{flag: True})
        dispatched = Membership.objects.filter(
            person=OuterRef("pk"), start_date__lte=ctx.as_of
        )
        rows = (
            Person.objects.filter(flagged, unit__isnull=False)
            .filter(ctx.unit_q("unit__"))
            .filter(~Exists(dispatched))
            .order_by("unit_id", "name", "id")
            .values(
                "name",
                "unit_id",
                "unit__name",
                "unit__region_id",
                "unit__region__level",
                "unit__region__parent_id",
                *CANDIDATE_FLAGS,
            )
        )
        labels = {f.name: str(f.verbose_name) for f in Person._meta.concrete_fields}
        by_unit: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            by_unit[row["unit_id"]].append(row)
        for unit_id, people in by_unit.items():
            first = people[0]
            county_id = unit_county_id(
                first["unit__region_id"],
                first["unit__region__level"],
                first["unit__region__parent_id"],
            )
            names = "、".join(
                f"{p['name']}（{'、'.join(labels[f] for f in CANDIDATE_FLAGS if p[f])}）"
                for p in people
            )
            yield self.finding(
                object_id=unit_id,
                label=first["unit__name"],
                county_code=ctx.county_code(county_id),
                message=_("%(unit)s有%(n)d名应派尽派人员未选派驻村：%(names)s")
                % {"unit": first["unit__name"], "n": len(people), "names": names},
            )


@register
class PairingQuotaShort(Rule):
    """承担省内对口帮扶藏区彝区贫困县任务的7个市35个县（市、区）要选派人员到受扶地参加驻村工作队，
    原则上数量不得低于受扶县贫困村总数的30%。(二(二))

    For each pairing: members in post on the day, sent by units located in the
    assisting county (its own or its townships' units), on teams in the assisted
    county, against ``PAIRING_QUOTA_RATIO`` of the assisted county's registered poor
    villages, rounded up.
    """

    code = "PAIRING_QUOTA_SHORT"
    clause = "二(二)"
    # 原则上: the policy allows exceptions, so a breach is a warning (second edition).
    severity = WARNING
    object_type = PAIRING
    title = gettext_lazy("对口帮扶选派人数不足")

    def findings(self):
        ctx = self.ctx
        ratio = ctx.thresholds.pairing_quota_ratio
        pairings = Pairing.objects.order_by().filter(
            ctx.county_q("assisted_county_id") | ctx.county_q("assisting_county_id")
        )
        rows = list(pairings.values("id", "assisting_county_id", "assisted_county_id"))
        if not rows:
            return
        assisted = pairings.values("assisted_county_id")
        villages = dict(
            Village.objects.filter(is_registered_poor=True, county_id__in=assisted)
            .values("county_id")
            .annotate(n=Count("id"))
            .values_list("county_id", "n")
        )
        sent: dict[tuple[int, int], int] = defaultdict(int)
        for team_county, unit_region, unit_parent, n in (
            Membership.objects.filter(
                active_on(ctx.as_of), team__village__county_id__in=assisted
            )
            .values(
                "team__village__county_id", "unit__region_id", "unit__region__parent_id"
            )
            .annotate(n=Count("id"))
            .values_list(
                "team__village__county_id",
                "unit__region_id",
                "unit__region__parent_id",
                "n",
            )
        ):
            sent[(unit_region, team_county)] += n
            if unit_parent is not None:
                sent[(unit_parent, team_county)] += n
        for row in rows:
            helper, helped = row["assisting_county_id"], row["assisted_county_id"]
            poor = villages.get(helped, 0)
            required = math.ceil(ratio * poor)
            count = sent[(helper, helped)]
            if count >= required:
                continue
            helper_label, helped_label = (
                ctx.county_label(helper),
                ctx.county_label(helped),
            )
            yield self.finding(
                object_id=row["id"],
                label=f"{helper_label}→{helped_label}",
                county_code=ctx.county_code(helped),
                message=_(
                    "%(helper)s对口帮扶%(helped)s：受扶县有贫困村%(poor)d个，"
                    "应选派不少于%(required)d人（%(ratio)s）参加驻村工作队，目前在岗%(n)d人"
                )
                % {
                    "helper": helper_label,
                    "helped": helped_label,
                    "poor": poor,
                    "required": required,
                    "ratio": percent(ratio),
                    "n": count,
                },
            )


@register
class DeepPovertyLinkUnsent(Rule):
    """2017年新增帮扶深度贫困县的省直部门（单位）、高等学校、医院、国有企业和金融机构，要分别向
    所联系的深度贫困县选派不少于1人参加驻村工作队。(二(二))

    Units with a 2017 link county and no member in post on the day on a team of
    that county.
    """

    code = "DEEP_POVERTY_LINK_UNSENT"
    clause = "二(二)"
    severity = ERROR
    object_type = UNIT
    title = gettext_lazy("新增联系深度贫困县的单位未选派")

    def findings(self):
        ctx = self.ctx
        in_county = Q(
            memberships__team__village__county_id=F("deep_poverty_link_county_id")
        )
        rows = (
            Unit.objects.order_by()
            .filter(deep_poverty_link_county__isnull=False)
            .filter(ctx.county_q("deep_poverty_link_county_id") | ctx.unit_q())
            .annotate(
                sent=Count(
                    "memberships",
                    filter=active_on(ctx.as_of, "memberships__") & in_county,
                )
            )
            .filter(sent=0)
            .values("id", "name", "deep_poverty_link_county_id")
        )
        for row in rows:
            county = row["deep_poverty_link_county_id"]
            yield self.finding(
                object_id=row["id"],
                label=row["name"],
                county_code=ctx.county_code(county),
                message=_(
                    "%(unit)s是2017年新增联系%(county)s的帮扶单位，应向该县选派不少于1人"
                    "参加驻村工作队，目前没有在岗人员"
                )
                % {"unit": row["name"], "county": ctx.county_label(county)},
            )
