"""Coverage and composition of the teams (一(二), 二)."""

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
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, Least, RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.models import Membership, Pairing, Person, Team, Unit, active_on
from villages.models import Region, Village
from zhucun.formats import percent

from .common import (
    MEMBER_FIELDS,
    VILLAGE_FIELDS,
    active_members,
    active_teams,
    member_finding,
    members_on,
    team_finding,
    village_finding,
)
from .engine import team_fields
from .registry import (
    ERROR,
    MEMBER,
    PAIRING,
    TEAM,
    UNIT,
    VILLAGE,
    WARNING,
    Rule,
    register,
)

FS = Membership.Role.FIRST_SECRETARY
# A leader is whoever is marked 队长 (the first secretary too, when 兼任队长).
LEADER = Q(is_leader=True) | Q(role=Membership.Role.LEADER)
# 2018年及以后退出的贫困村 (二(三)).
LATE_EXIT_FROM_YEAR = 2018
# Units below county level: those of level 乡（镇）级, or located in a township.
HIGHER_UNIT_REGION_LEVELS = (
    Region.Level.PROVINCE,
    Region.Level.PREFECTURE,
    Region.Level.COUNTY,
)
HIGHER_UNIT_LEVELS = tuple(v for v in Unit.Level.values if v != Unit.Level.TOWNSHIP)


@register
class VillageWithoutTeam(Rule):
    """实现全省11501个建档立卡贫困村一村一队。(一(二) 坚持尽锐出战、全面覆盖)

    Every registered poor village has a team in post on the day.
    """

    code = "VILLAGE_WITHOUT_TEAM"
    clause = "一(二)"
    severity = ERROR
    object_type = VILLAGE
    title = gettext_lazy("贫困村没有驻村工作队")

    def findings(self):
        ctx = self.ctx
        in_post = Team.objects.filter(active_on(ctx.as_of), village=OuterRef("pk"))
        rows = (
            Village.objects.order_by()
            .filter(ctx.village_q(), is_registered_poor=True)
            .filter(~Exists(in_post))
            .values(*VILLAGE_FIELDS)
        )
        for row in rows:
            label = ctx.village_label(
                row["county_id"], row["township__name"], row["name"]
            )
            yield village_finding(
                self,
                ctx,
                row,
                _(
                    "%(village)s是建档立卡贫困村，%(day)s没有在驻的驻村工作队（应一村一队）"
                )
                % {"village": label, "day": ctx.as_of.isoformat()},
            )


@register
class VillageMultipleTeams(Rule):
    """实现全省11501个建档立卡贫困村一村一队。(一(二))

    No village has more than one team in post on the day.
    """

    code = "VILLAGE_MULTIPLE_TEAMS"
    clause = "一(二)"
    severity = ERROR
    object_type = VILLAGE
    title = gettext_lazy("一个村有多支驻村工作队")

    def findings(self):
        ctx = self.ctx
        rows = (
            Village.objects.order_by()
            .filter(ctx.village_q())
            .annotate(
                teams_in_post=Count("teams", filter=active_on(ctx.as_of, "teams__"))
            )
            .filter(teams_in_post__gt=1)
            .values(*VILLAGE_FIELDS, "teams_in_post")
        )
        for row in rows:
            label = ctx.village_label(
                row["county_id"], row["township__name"], row["name"]
            )
            yield village_finding(
                self,
                ctx,
                row,
                _("%(village)s同时有%(n)d支在驻的驻村工作队，应一村一队")
                % {"village": label, "n": row["teams_in_post"]},
            )


@register
class ExitedVillageTeamWithdrawn(Rule):
    """脱贫攻坚期内，贫困村退出的，驻村工作队不得撤离，帮扶力度不能削弱。(一(二))

    A team counts as withdrawn when it ended before its term's end and before the
    end of the campaign (``CAMPAIGN_END``), in or after the year its village exited,
    and no other team of the village was in post on the day after. Teams that end
    with their term are not withdrawn: the next term's team takes over.
    """

    code = "EXITED_VILLAGE_TEAM_WITHDRAWN"
    clause = "一(二)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("退出村的驻村工作队提前撤离")

    def findings(self):
        ctx = self.ctx
        campaign_end = ctx.thresholds.campaign_end
        early = (
            Team.objects.order_by()
            .filter(
                ctx.village_q("village__"),
                village__actual_exit_year__isnull=False,
                village__actual_exit_year__lte=ExtractYear("end_date"),
                end_date__isnull=False,
                end_date__lt=F("term__end_date"),
                start_date__lte=ctx.as_of,
            )
            .filter(end_date__lt=campaign_end)
        )
        rows = list(
            early.values(
                "id",
                "village_id",
                "start_date",
                "end_date",
                "term__end_date",
                "village__actual_exit_year",
                *team_fields(),
            )
        )
        if not rows:
            return
        others = defaultdict(list)
        for other in Team.objects.filter(
            village_id__in=early.values("village_id")
        ).values("id", "village_id", "start_date", "end_date"):
            others[other["village_id"]].append(other)
        for row in rows:
            next_day = row["end_date"].toordinal() + 1
            if any(
                o["id"] != row["id"]
                and o["start_date"].toordinal() <= next_day
                and (o["end_date"] is None or o["end_date"].toordinal() >= next_day)
                for o in others[row["village_id"]]
            ):
                continue
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s所驻村已于%(exit)d年退出，工作队却于%(end)s撤离，"
                    "早于期满（%(term_end)s）和脱贫攻坚期结束（%(campaign_end)s）；"
                    "脱贫攻坚期内贫困村退出的，驻村工作队不得撤离"
                )
                % {
                    "team": ctx.team_label(row),
                    "exit": row["village__actual_exit_year"],
                    "end": row["end_date"].isoformat(),
                    "term_end": row["term__end_date"].isoformat(),
                    "campaign_end": campaign_end.isoformat(),
                },
            )


@register
class TeamTooSmall(Rule):
    """每个驻村工作队不少于3人（含第一书记）。(一(二) 坚持县级统筹、精准选派)

    Members in post on the day; 凉山州 is judged by ``LIANGSHAN_TEAM_SIZE`` instead.
    """

    code = "TEAM_TOO_SMALL"
    clause = "一(二)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("工作队人数不足")

    def findings(self):
        ctx = self.ctx
        least = ctx.thresholds.team_min_members
        rows = (
            active_teams(ctx)
            .exclude(village__county_id__in=ctx.liangshan_county_ids)
            .annotate(size=Count("memberships", filter=members_on(ctx.as_of)))
            .filter(size__lt=least)
            .values("id", "size", *team_fields())
        )
        for row in rows:
            yield team_finding(
                self,
                ctx,
                row,
                _("%(team)s仅有%(n)d名在岗队员，少于%(least)d人（含第一书记）")
                % {"team": ctx.team_label(row), "n": row["size"], "least": least},
            )


@register
class LiangshanTeamSize(Rule):
    """针对凉山州脱贫攻坚的特殊困难，驻村工作队队员可增配到每村4至7人（含第一书记）。(二(三))

    In 凉山州 (codes 5134xx) a team has ``LIANGSHAN_MIN_MEMBERS`` to
    ``LIANGSHAN_MAX_MEMBERS`` members in post on the day; this replaces
    ``TEAM_TOO_SMALL`` there.
    """

    code = "LIANGSHAN_TEAM_SIZE"
    clause = "二(三)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("凉山州工作队人数不符合要求")

    def findings(self):
        ctx = self.ctx
        least = ctx.thresholds.liangshan_min_members
        most = ctx.thresholds.liangshan_max_members
        rows = (
            active_teams(ctx)
            .filter(village__county_id__in=ctx.liangshan_county_ids)
            .annotate(size=Count("memberships", filter=members_on(ctx.as_of)))
            .filter(Q(size__lt=least) | Q(size__gt=most))
            .values("id", "size", *team_fields())
        )
        for row in rows:
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s现有%(n)d名在岗队员，凉山州工作队应为%(least)d至%(most)d人"
                    "（含第一书记）"
                )
                % {
                    "team": ctx.team_label(row),
                    "n": row["size"],
                    "least": least,
                    "most": most,
                },
            )


@register
class NoFirstSecretary(Rule):
    """每个驻村工作队不少于3人（含第一书记），第一书记原则上兼任队长。(一(二))

    A team in post has exactly one first secretary in post on the day.
    """

    code = "NO_FIRST_SECRETARY"
    clause = "一(二)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("工作队没有（或有多名）第一书记")

    def findings(self):
        ctx = self.ctx
        rows = (
            active_teams(ctx)
            .annotate(
                secretaries=Count(
                    "memberships",
                    filter=members_on(ctx.as_of) & Q(memberships__role=FS),
                )
            )
            .exclude(secretaries=1)
            .values("id", "secretaries", *team_fields())
        )
        for row in rows:
            if row["secretaries"] == 0:
                message = _("%(team)s没有在岗的第一书记") % {
                    "team": ctx.team_label(row)
                }
            else:
                message = _("%(team)s有%(n)d名在岗的第一书记，应为1名") % {
                    "team": ctx.team_label(row),
                    "n": row["secretaries"],
                }
            yield team_finding(self, ctx, row, message)


@register
class LeaderNotQualified(Rule):
    """第一书记不适宜兼任驻村工作队队长的，原则上应明确处科级干部或处科级后备干部担任。(二(四))

    The leader (队长) in post is the first secretary, or else a 处级/科级 cadre or a
    处科级 reserve cadre (一(二): 第一书记原则上兼任队长). A team in post without a
    leader is a finding too.
    """

    code = "LEADER_NOT_QUALIFIED"
    clause = "一(二), 二(四)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("队长不符合条件或没有队长")

    def findings(self):
        ctx = self.ctx
        leaderless = (
            active_teams(ctx)
            .annotate(
                leaders=Count(
                    "memberships",
                    filter=members_on(ctx.as_of)
                    & (
                        Q(memberships__is_leader=True)
                        | Q(memberships__role=Membership.Role.LEADER)
                    ),
                )
            )
            .filter(leaders=0)
            .values("id", *team_fields())
        )
        for row in leaderless:
            yield team_finding(
                self,
                ctx,
                row,
                _("%(team)s没有明确在岗的队长") % {"team": ctx.team_label(row)},
            )
        unqualified = (
            active_members(ctx)
            .filter(LEADER, active_on(ctx.as_of, "team__"))
            .exclude(role=FS)
            .exclude(person__rank__in=Person.QUALIFIED_LEADER_RANKS)
            .values("team_id", "person__name", "person__rank", *team_fields("team__"))
        )
        ranks = dict(Person.Rank.choices)
        for row in unqualified:
            yield self.finding(
                object_id=row["team_id"],
                label=ctx.team_label(row, "team__"),
                county_code=ctx.county_code(row["team__village__county_id"]),
                message=_(
                    "%(team)s队长%(name)s不是第一书记，职级为“%(rank)s”，"
                    "应由处科级干部或处科级后备干部担任"
                )
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "rank": ranks.get(row["person__rank"], row["person__rank"]),
                },
            )


@register
class MemberNotOnStaff(Rule):
    """选派人员原则上应为在编在岗干部职工。(一(二))

    Members in post on the day whose person is not marked 在编在岗.
    """

    code = "MEMBER_NOT_ON_STAFF"
    clause = "一(二)"
    severity = WARNING
    object_type = MEMBER
    title = gettext_lazy("队员不是在编在岗干部")

    def findings(self):
        ctx = self.ctx
        rows = active_members(ctx).filter(person__on_staff=False).values(*MEMBER_FIELDS)
        for row in rows:
            yield member_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s队员%(name)s不是在编在岗干部职工（选派人员原则上应在编在岗）"
                )
                % {"team": ctx.team_label(row, "team__"), "name": row["person__name"]},
            )


@register
class TermNotTwoYears(Rule):
    """驻村工作队每期驻村时间为2年。(一(二) 坚持脱产驻村、接续帮扶)

    A team in post with no end date, or whose dates do not span ``TERM_YEARS`` years
    (from its start to the day before the same date ``TERM_YEARS`` years on, give or
    take a month for the day the team was sent).
    """

    code = "TERM_NOT_TWO_YEARS"
    clause = "一(二)"
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("驻村期不是2年")

    SLACK_DAYS = 31

    def findings(self):
        ctx = self.ctx
        years = ctx.thresholds.term_years
        rows = active_teams(ctx).values("id", "start_date", "end_date", *team_fields())
        for row in rows:
            start, end = row["start_date"], row["end_date"]
            if end is None:
                yield team_finding(
                    self,
                    ctx,
                    row,
                    _(
                        "%(team)s自%(start)s派驻，未设撤离日期；每期驻村时间应为%(years)d年"
                    )
                    % {
                        "team": ctx.team_label(row),
                        "start": start.isoformat(),
                        "years": years,
                    },
                )
                continue
            planned_end = _add_years(start, years).toordinal() - 1
            if abs(end.toordinal() - planned_end) <= self.SLACK_DAYS:
                continue
            months = round((end.toordinal() - start.toordinal() + 1) / 30.44)
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s驻村期为%(start)s至%(end)s（约%(months)d个月），"
                    "每期驻村时间应为%(years)d年"
                )
                % {
                    "team": ctx.team_label(row),
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "months": months,
                    "years": years,
                },
            )


def _add_years(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@register
class PartyRelationNotTransferred(Rule):
    """驻村期间，驻村工作队队员不承担原单位工作，党员组织关系转接到所驻贫困村。(一(二))

    Party members (中共党员, 预备党员) in post on the day whose organisational relation
    has no transfer date on or before the day.
    """

    code = "PARTY_RELATION_NOT_TRANSFERRED"
    clause = "一(二)"
    severity = WARNING
    object_type = MEMBER
    title = gettext_lazy("党员组织关系未转接到村")

    def findings(self):
        ctx = self.ctx
        rows = (
            active_members(ctx)
            .filter(person__political_status__in=Person.PARTY_STATUSES)
            .filter(
                Q(party_relation_transferred_on__isnull=True)
                | Q(party_relation_transferred_on__gt=ctx.as_of)
            )
            .values(*MEMBER_FIELDS)
        )
        for row in rows:
            yield member_finding(
                self,
                ctx,
                row,
                _("%(team)s党员队员%(name)s的党组织关系尚未转接到所驻村")
                % {"team": ctx.team_label(row, "team__"), "name": row["person__name"]},
            )


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
    severity = ERROR
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


@register
class LateExitVillageComposition(Rule):
    """2018年及以后退出的贫困村，驻村工作队队员原则上应以定点帮扶、对口帮扶等方面选派的县级以上
    各级机关、国有企业、事业单位人员为主。(二(三))

    Teams in post whose village exited in 2018 or later (or has not exited): more
    than half of the members in post come from units above township level (a unit
    located in a township, such as a 乡镇人民政府, is below county level).
    """

    code = "LATE_EXIT_VILLAGE_COMPOSITION"
    clause = "二(三)"
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("2018年后退出村的队员不以县级以上单位为主")

    def findings(self):
        ctx = self.ctx
        higher = Q(
            memberships__unit__region__level__in=HIGHER_UNIT_REGION_LEVELS,
            memberships__unit__level__in=HIGHER_UNIT_LEVELS,
        )
        rows = (
            active_teams(ctx)
            .filter(
                Q(village__actual_exit_year__isnull=True)
                | Q(village__actual_exit_year__gte=LATE_EXIT_FROM_YEAR)
            )
            .annotate(
                size=Count("memberships", filter=members_on(ctx.as_of)),
                higher=Count("memberships", filter=members_on(ctx.as_of) & higher),
            )
            .alias(double_higher=F("higher") * 2)
            .filter(size__gt=0, double_higher__lte=F("size"))
            .values("id", "size", "higher", "village__actual_exit_year", *team_fields())
        )
        for row in rows:
            exited = row["village__actual_exit_year"]
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s所驻村%(exit)s，队员原则上应以县级以上机关、国有企业、"
                    "事业单位人员为主；现有%(n)d人中来自县级以上单位的仅%(higher)d人"
                )
                % {
                    "team": ctx.team_label(row),
                    "exit": _("%d年退出") % exited if exited else _("尚未退出"),
                    "n": row["size"],
                    "higher": row["higher"],
                },
            )


@register
class LiangshanExtraSector(Rule):
    """凉山州……驻村工作队队员可增配到每村4至7人（含第一书记），增配人员主要从全省教育、公安、
    司法、农业、林业、卫生计生等行业系统选派。(二(三))

    In 凉山州, the members in post beyond the first ``TEAM_MIN_MEMBERS`` (the first
    secretary first, then by start date) are the added ones; more than half of them
    come from the listed sectors.
    """

    code = "LIANGSHAN_EXTRA_SECTOR"
    clause = "二(三)"
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("凉山州增配队员不以指定行业为主")

    def findings(self):
        ctx = self.ctx
        base = ctx.thresholds.team_min_members
        order = Window(
            RowNumber(),
            partition_by=[F("team_id")],
            order_by=[
                Case(When(role=FS, then=Value(0)), default=Value(1)).asc(),
                F("start_date").asc(),
                F("id").asc(),
            ],
        )
        rows = (
            active_members(ctx)
            .filter(
                active_on(ctx.as_of, "team__"),
                team__village__county_id__in=ctx.liangshan_county_ids,
            )
            .annotate(place=order)
            .filter(place__gt=base)
            .values("team_id", "sector", *team_fields("team__"))
        )
        listed = set(Membership.LIANGSHAN_SECTORS)
        teams: dict[int, dict] = {}
        for row in rows:
            team = teams.setdefault(
                row["team_id"], {"row": row, "extra": 0, "listed": 0}
            )
            team["extra"] += 1
            team["listed"] += row["sector"] in listed
        for team_id, team in teams.items():
            if team["listed"] * 2 > team["extra"]:
                continue
            row = team["row"]
            yield self.finding(
                object_id=team_id,
                label=ctx.team_label(row, "team__"),
                county_code=ctx.county_code(row["team__village__county_id"]),
                message=_(
                    "%(team)s增配队员（第%(from)d人起）%(extra)d人，其中来自教育、公安、司法、"
                    "农业、林业、卫生计生系统的%(listed)d人，增配人员应主要从这些行业系统选派"
                )
                % {
                    "team": ctx.team_label(row, "team__"),
                    "from": base + 1,
                    "extra": team["extra"],
                    "listed": team["listed"],
                },
            )


@register
class NotInPostByDeadline(Rule):
    """由派驻县（市、区）因村选人组队，2018年6月底前全部到岗到位。(二(四))

    Teams in post on the day whose in-post deadline (the team's own, else its
    term's) has passed and who were sent by then: on the deadline, the members in
    post reached the team minimum (``TEAM_MIN_MEMBERS``; ``LIANGSHAN_MIN_MEMBERS``
    in 凉山州), or the team's present size if smaller: a team that is simply too
    small is ``TEAM_TOO_SMALL``'s finding, this one is about arriving late.
    """

    code = "NOT_IN_POST_BY_DEADLINE"
    clause = "二(四)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("到岗期限时未全部到岗")

    def findings(self):
        ctx = self.ctx
        t = ctx.thresholds
        deadline = Coalesce("in_post_deadline", "term__in_post_deadline")
        on_deadline = Q(memberships__start_date__lte=F("deadline")) & (
            Q(memberships__end_date__isnull=True)
            | Q(memberships__end_date__gte=F("deadline"))
        )
        least = Case(
            When(
                village__county_id__in=ctx.liangshan_county_ids,
                then=Value(t.liangshan_min_members),
            ),
            default=Value(t.team_min_members),
            output_field=IntegerField(),
        )
        rows = (
            active_teams(ctx)
            .annotate(deadline=deadline, least=least)
            .filter(deadline__lte=ctx.as_of, start_date__lte=F("deadline"))
            .annotate(
                in_post=Count("memberships", filter=on_deadline),
                size=Count("memberships", filter=members_on(ctx.as_of)),
            )
            .filter(in_post__lt=Least("least", "size"))
            .values("id", "deadline", "least", "in_post", "size", *team_fields())
        )
        for row in rows:
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s到岗期限%(deadline)s时仅%(n)d人到岗（现有%(size)d人），"
                    "应于到岗期限前全部到岗到位（不少于%(least)d人，含第一书记）"
                )
                % {
                    "team": ctx.team_label(row),
                    "deadline": row["deadline"].isoformat(),
                    "n": row["in_post"],
                    "size": row["size"],
                    "least": row["least"],
                },
            )


APPOINTMENT_STEPS = (
    ("proposed_on", gettext_lazy("派出单位党委（党组）研究提出人选")),
    ("reviewed_on", gettext_lazy("同级机关工委审核把关")),
    ("appointed_on", gettext_lazy("县委组织部办理任职手续")),
)


@register
class AppointmentIncomplete(Rule):
    """派出单位党委（党组）研究提出人选，报同级党委直属机关工作委员会审核把关……驻村工作队队员
    任职手续，由派驻县（市、区）党委组织部门办理。(二(四))

    Members in post on the day missing a step's date (or dated after the day).
    """

    code = "APPOINTMENT_INCOMPLETE"
    clause = "二(四)"
    severity = ERROR
    object_type = MEMBER
    title = gettext_lazy("选派程序不完整")

    def findings(self):
        ctx = self.ctx
        missing = Q()
        for field, _label in APPOINTMENT_STEPS:
            missing |= Q(**{f"{field}__isnull": True}) | Q(
                **{f"{field}__gt": ctx.as_of}
            )
        rows = (
            active_members(ctx)
            .filter(missing)
            .values(*MEMBER_FIELDS, *(field for field, _label in APPOINTMENT_STEPS))
        )
        for row in rows:
            gaps = "、".join(
                str(label)
                for field, label in APPOINTMENT_STEPS
                if row[field] is None or row[field] > ctx.as_of
            )
            yield member_finding(
                self,
                ctx,
                row,
                _("%(team)s队员%(name)s的选派程序不完整，缺少：%(steps)s")
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "steps": gaps,
                },
            )


@register
class UnfitNotReplaced(Rule):
    """驻村工作队队员能力素质不适应的，派出单位要限期调整撤换。(二(四))

    A member the county marked unfit, whose replacement deadline has passed, and who
    was not replaced by then: no successor recorded, or still serving after the
    deadline.
    """

    code = "UNFIT_NOT_REPLACED"
    clause = "二(四)"
    severity = ERROR
    object_type = MEMBER
    title = gettext_lazy("不适应队员未按期撤换")

    def findings(self):
        ctx = self.ctx
        rows = (
            Membership.objects.order_by()
            .filter(ctx.village_q("team__village__"))
            .filter(
                unfit_marked_on__isnull=False,
                replacement_deadline__isnull=False,
                replacement_deadline__lt=ctx.as_of,
            )
            .filter(
                Q(replaced_by__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=F("replacement_deadline"))
            )
            .values(
                *MEMBER_FIELDS, "unit__name", "unfit_marked_on", "replacement_deadline"
            )
        )
        for row in rows:
            yield member_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s队员%(name)s于%(marked)s被认定能力素质不适应，派出单位"
                    "%(unit)s应在%(deadline)s前调整撤换，至今未按期撤换"
                )
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "marked": row["unfit_marked_on"].isoformat(),
                    "unit": row["unit__name"],
                    "deadline": row["replacement_deadline"].isoformat(),
                },
            )


@register
class NotFiled(Rule):
    """各级党委直属机关工作委员会对本级选派的驻村工作队队员实行备案管理，登记在册、抓到人头。(五(一))

    Members in post on the day with no filing date on or before the day.
    """

    code = "NOT_FILED"
    clause = "五(一)"
    severity = WARNING
    object_type = MEMBER
    title = gettext_lazy("队员未在机关工委备案")

    def findings(self):
        ctx = self.ctx
        rows = (
            active_members(ctx)
            .filter(Q(filed_on__isnull=True) | Q(filed_on__gt=ctx.as_of))
            .values(*MEMBER_FIELDS, "unit__name", "unit__work_committee__name")
        )
        for row in rows:
            committee = row["unit__work_committee__name"] or _(
                "%(unit)s所属的机关工委（单位未登记所属机关工委）"
            ) % {"unit": row["unit__name"]}
            yield member_finding(
                self,
                ctx,
                row,
                _("%(team)s队员%(name)s未在%(committee)s备案")
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "committee": committee,
                },
            )
